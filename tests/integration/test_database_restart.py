"""PostgreSQL restarted under load: a real gunicorn answers JSON 503s meanwhile and recovers by itself.

The test runs a PostgreSQL cluster of its own (initdb into a temporary directory, on a port of its
own), never the shared server other work uses; a gunicorn with two workers, DEBUG off, as deployed
(the environment of the API fuzzing stage); and threads that keep calling the API while the
cluster is restarted (`pg_ctl restart -m fast`) and then stopped for a few seconds. Every answer
must be a 200 or a JSON 503 with Retry-After (never an HTML 500), and once the database is back
requests succeed again without restarting gunicorn. It fails (it does not skip) when the
PostgreSQL server programs are missing.
"""

import glob
import http.client
import json
import logging
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

logger = logging.getLogger(__name__)
pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
# Ports of this test's own: its PostgreSQL cluster and its gunicorn (overridable for a busy host).
PG_PORT = int(os.environ.get("FAULTS_PG_PORT", "5499"))
WEB_PORT = int(os.environ.get("FAULTS_WEB_PORT", "8440"))
POOL_TIMEOUT = 1.0  # config.settings' default DB_POOL_TIMEOUT
DB_NAME = "plans_restart"


def postgres_bin() -> Path:
    """The directory of initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path)],
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    pytest.fail(
        "This test needs the PostgreSQL server programs (initdb, pg_ctl) to run a cluster of its own: "
        "install PostgreSQL (Debian: the postgresql package) or put its bin/ directory on PATH."
    )


class Cluster:
    """A throw-away PostgreSQL cluster in a temporary directory, trusted local connections only.

    PostgreSQL refuses to run as root: then every command runs as the `postgres` user.
    """

    def __init__(self, port: int):
        self.bin = postgres_bin()
        self.port = port
        self.as_owner: list[str] = []
        self.dir = Path(tempfile.mkdtemp(prefix="pg-restart-"))
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail("Running as root, this test runs PostgreSQL as the `postgres` user, and there is none.")
            if not shutil.which("runuser"):
                pytest.fail("Running as root, this test needs `runuser` to run PostgreSQL as `postgres`.")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, user="postgres", group=None)
        self.data = self.dir / "data"
        self.log = self.dir / "postgresql.log"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DB_NAME}"

    def run(self, *command: str, timeout: float = 60) -> str:
        result = subprocess.run(
            [*self.as_owner, str(self.bin / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.dir,
        )
        if result.returncode:
            pytest.fail(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}{self.tail()}"
            )
        return result.stdout

    def tail(self) -> str:
        try:
            return "\n--- server log\n" + self.log.read_text()[-2000:]
        except OSError:
            return ""

    def pg_ctl(self, action: str, *options: str) -> None:
        self.run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            # A throw-away cluster: no fsync (migrating it takes seconds, not half a minute).
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
            "-l",
            str(self.log),
            "-w",
            "-t",
            "30",
            *options,
            action,
        )

    def create(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.pg_ctl("start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DB_NAME)

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self.as_owner, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    cluster = Cluster(PG_PORT)
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()


def production_env(database_url: str, var_dir: Path) -> dict[str, str]:
    """config.settings with DEBUG off, as .ci/stages/30-schemathesis.sh runs its server; no broker, no Redis."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "CACHE_URL", "REDIS_URL", "TEST_DATABASE_NAME"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY="restart-" + os.urandom(24).hex(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        EMAIL_URL="dummymail://",
        CELERY_TASK_ALWAYS_EAGER="true",
        AXES_ENABLED="false",
        API_THROTTLE_KEY_RATE="100000/min",
        API_THROTTLE_USER_RATE="100000/min",
        VAR_DIR=str(var_dir),
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    if result.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


@pytest.fixture
def gunicorn(cluster, tmp_path) -> Iterator[tuple[subprocess.Popen, str, Path]]:
    """gunicorn (2 workers) on the cluster's database, migrated, with an API key of Estonia's: (process, key, log)."""
    env = production_env(cluster.url, tmp_path)
    manage(env, "migrate", "--no-input", "-v0")
    key = manage(env, "issue_api_key", "EE", "--name", "restart", "--scopes", "read").strip().splitlines()[-1]
    log_path = tmp_path / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi:application"),
                *("--bind", f"127.0.0.1:{WEB_PORT}", "--workers", "2", "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while call("/health/live/").status != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start:\n" + log_path.read_text()[-3000:])
            time.sleep(0.2)
        yield process, key, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Answer:
    at: float  # when the request was sent (time.monotonic())
    status: int  # 0: no HTTP answer at all
    content_type: str = ""
    retry_after: str = ""
    code: str = ""  # the JSON body's "code", "" if the body is not JSON
    done: float = 0.0  # when the answer was in


def call(path: str, key: str = "") -> Answer:
    at = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=15)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {key}"} if key else {})
        response = connection.getresponse()
        body = response.read()
    except OSError:
        return Answer(at, 0, done=time.monotonic())
    finally:
        connection.close()
    content_type = response.getheader("Content-Type", "")
    code = ""
    if content_type.startswith("application/json"):
        try:
            code = str(json.loads(body).get("code", "")) if response.status != 200 else "ok"
        except ValueError:
            code = ""
    return Answer(at, response.status, content_type, response.getheader("Retry-After", ""), code, time.monotonic())


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return {int(pid) for pid in children.read_text().split()}


def test_postgresql_restarted_under_load_json_503_meanwhile_then_recovered_without_restarting_gunicorn(
    cluster, gunicorn
):
    process, key, log_path = gunicorn
    workers_before = worker_pids(process.pid)
    assert len(workers_before) == 2
    answers: list[Answer] = []
    stop = threading.Event()

    def load(path: str) -> None:
        while not stop.is_set():
            answers.append(call(path, key))
            time.sleep(0.02)

    threads = [threading.Thread(target=load, args=(path,)) for path in ["/api/v1/plans/", "/api/v1/events/"] * 2]
    for thread in threads:
        thread.start()
    try:
        # Warm: 20 answers in (a worker's first requests load what it imports lazily, and take seconds).
        deadline = time.monotonic() + 30
        while sum(answer.status == 200 for answer in answers) < 20 and time.monotonic() < deadline:
            time.sleep(0.1)
        restart_started = time.monotonic()
        cluster.pg_ctl("restart", "-m", "fast")  # a restart as an upgrade or a settings change makes it
        restart_ended = time.monotonic()
        time.sleep(2)
        outage_started = time.monotonic()
        cluster.pg_ctl("stop", "-m", "fast")  # and a longer outage: the database away for 3 seconds
        time.sleep(3)
        cluster.pg_ctl("start")
        outage_ended = time.monotonic()
        time.sleep(3)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    def during(start: float, end: float) -> list[Answer]:
        return [answer for answer in answers if start <= answer.at <= end]

    def tally(selected: list[Answer]) -> dict[str, int]:
        return dict(Counter(str(answer.status) for answer in selected))

    unavailable = [answer for answer in answers if answer.status == 503]
    recovered = [answer for answer in answers if answer.at > outage_ended + 1]
    first_success = min((a.at for a in answers if a.at > outage_ended and a.status == 200), default=None)
    assert {a.status for a in answers if a.done < restart_started} == {200}, "not all 200 before the restart"
    counts = {
        "requests": len(answers),
        "before": tally(during(0, restart_started)),
        "restart": tally(during(restart_started, restart_ended)),
        "restart_seconds": round(restart_ended - restart_started, 1),
        "between": tally(during(restart_ended, outage_started)),
        "outage": tally(during(outage_started, outage_ended)),
        "outage_seconds": round(outage_ended - outage_started, 1),
        "after": tally(during(outage_ended, float("inf"))),
        "first_200_after_start_seconds": round(first_success - outage_ended, 2) if first_success else None,
    }
    logger.warning("PostgreSQL restart counts: %s", counts)
    others = Counter((a.status, a.content_type, a.code) for a in answers if a.status not in {200, 503})
    assert not others, f"answers other than 200 and a JSON 503: {others}\n{log_path.read_text()[-3000:]}"
    assert {(a.content_type, a.retry_after, a.code) for a in unavailable} <= {("application/json", "5", "unavailable")}
    # A request waits up to the pool's timeout for a connection (DB_POOL_TIMEOUT, 1 s): one sent in
    # the outage's last second may be served once the database is back.
    surely_down = during(outage_started + 0.5, outage_ended - 0.5 - POOL_TIMEOUT)
    assert surely_down, "no request was answered during the outage"
    assert {a.status for a in surely_down} == {503}
    assert recovered, "no request after the outage"
    assert {a.status for a in recovered} == {200}
    # Between the restart and the outage (a request still in flight when the database goes may be a 503).
    assert {a.status for a in during(restart_ended + 0.5, outage_started - 0.5)} == {200}
    # Nothing was restarted: the same gunicorn master and the same two workers.
    assert process.poll() is None
    assert worker_pids(process.pid) == workers_before
