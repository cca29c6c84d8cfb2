"""A vulnerability database snapshot for pip-audit, and a local OSV API that serves it.

CI machines here cannot reach osv.dev or PyPI's per-version JSON, so pip-audit queries this
snapshot (data/vulndb/, OSV records of the packages we install) through a small HTTP server
that answers OSV's `POST /v1/query` the way api.osv.dev does.

    python .ci/vulndb.py refresh                      # where the network allows: OSV's PyPI export
    python .ci/vulndb.py build --from-dir CHECKOUT    # from a checkout of github.com/pypa/advisory-database
    python .ci/vulndb.py build --from-zip all.zip     # from a downloaded OSV export
    python .ci/vulndb.py serve --port 8765            # the local OSV API (used by .ci/stages/10-security.sh)

`build` and `refresh` keep the records of every distribution installed in the running
environment (run them with the project's .venv/bin/python), so the snapshot covers what
pip-audit audits.
"""

import argparse
import io
import json
import re
import sys
import urllib.request
import zipfile
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "vulndb"
OSV_EXPORT = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
KEPT_FIELDS = (
    "schema_version",
    "id",
    "modified",
    "published",
    "withdrawn",
    "aliases",
    "summary",
    "details",
    "affected",
)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed() -> list[str]:
    return sorted({canonical(dist.metadata["Name"]) for dist in metadata.distributions() if dist.metadata["Name"]})


def _plain(value):
    """YAML reads timestamps as datetimes; OSV's JSON has RFC 3339 strings."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value.tzinfo else value.isoformat() + "Z"
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def _trim(record: dict) -> dict:
    return {key: _plain(record[key]) for key in KEPT_FIELDS if key in record}


def _affects_package(record: dict, name: str) -> bool:
    return any(
        canonical(item.get("package", {}).get("name", "")) == name
        and item.get("package", {}).get("ecosystem") == "PyPI"
        for item in record.get("affected", [])
    )


def write(records: dict[str, list[dict]], packages: list[str], source: str) -> None:
    target = SNAPSHOT / "pypi"
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.json"):
        old.unlink()
    for name, items in sorted(records.items()):
        if items:
            items = sorted(items, key=lambda record: record["id"])
            (target / f"{name}.json").write_text(json.dumps(items, indent=1, sort_keys=True) + "\n")
    about = {
        "source": source,
        "built_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "packages": packages,
        "records": sum(len(items) for items in records.values()),
    }
    (SNAPSHOT / "SNAPSHOT.json").write_text(json.dumps(about, indent=1) + "\n")
    sys.stdout.write(f"{about['records']} records for {len(packages)} packages from {source}\n")


def build_from_dir(checkout: Path, packages: list[str]) -> dict[str, list[dict]]:
    import yaml  # PyYAML comes with bandit, a development requirement

    records: dict[str, list[dict]] = {name: [] for name in packages}
    for directory in (checkout / "vulns").iterdir():
        name = canonical(directory.name)
        if name not in records:
            continue
        for path in sorted(directory.glob("*.yaml")):
            record = yaml.safe_load(path.read_text())
            if _affects_package(record, name):
                records[name].append(_trim(record))
    return records


def build_from_zip(data: bytes, packages: list[str]) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {name: [] for name in packages}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            record = json.loads(archive.read(member))
            for name in records:
                if _affects_package(record, name):
                    records[name].append(_trim(record))
    return records


# The local OSV API --------------------------------------------------------------------------------


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _event_version(event: dict) -> Version:
    """The version an OSV range event names ("0" is the start of history)."""
    ((_kind, text),) = event.items()
    return _version(text) or Version("0")


def _in_ranges(version: Version, ranges: list[dict]) -> bool:
    """OSV's ECOSYSTEM ranges: introduced (inclusive) up to fixed (exclusive) or last_affected (inclusive)."""
    for item in ranges:
        if item.get("type") != "ECOSYSTEM":
            continue
        affected = False
        for event in sorted(item.get("events", []), key=_event_version):
            ((kind, _text),) = event.items()
            bound = _event_version(event)
            if kind == "introduced" and version >= bound:
                affected = True
            elif (kind in ("fixed", "limit") and version >= bound) or (kind == "last_affected" and version > bound):
                affected = False
        if affected:
            return True
    return False


def matching(name: str, version_text: str) -> list[dict]:
    path = SNAPSHOT / "pypi" / f"{canonical(name)}.json"
    version = _version(version_text)
    if not path.exists() or version is None:
        return []
    found = []
    for record in json.loads(path.read_text()):
        if record.get("withdrawn"):
            continue  # retracted advisories (pip-audit skips them as well)
        for affected in record.get("affected", []):
            if canonical(affected.get("package", {}).get("name", "")) != canonical(name):
                continue
            listed = {_version(text) for text in affected.get("versions", [])}
            if version in listed or _in_ranges(version, affected.get("ranges", [])):
                found.append(record)
                break
    return found


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # the name http.server calls
        if self.path != "/v1/query":
            self.send_error(404)
            return
        query = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        package = query.get("package", {})
        body = {}
        if package.get("ecosystem") == "PyPI":
            vulns = matching(package.get("name", ""), query.get("version", ""))
            body = {"vulns": vulns} if vulns else {}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # quiet: pip-audit reports the findings
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the snapshot from a local source")
    source = build.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-dir", type=Path, help="a checkout of github.com/pypa/advisory-database")
    source.add_argument("--from-zip", type=Path, help="OSV's PyPI export (all.zip)")
    build.add_argument("--source-label", default="", help="what to record as the source (commit, date)")
    commands.add_parser("refresh", help=f"build the snapshot from {OSV_EXPORT}")
    serve = commands.add_parser("serve", help="serve the snapshot as OSV's /v1/query")
    serve.add_argument("--port", type=int, default=8765)
    options = parser.parse_args()

    packages = installed()
    if options.command == "serve":
        server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
        sys.stdout.write(f"OSV snapshot API on http://127.0.0.1:{options.port}/v1/query\n")
        sys.stdout.flush()
        server.serve_forever()
    elif options.command == "refresh":
        with urllib.request.urlopen(OSV_EXPORT, timeout=120) as response:
            data = response.read()
        write(build_from_zip(data, packages), packages, f"{OSV_EXPORT} at {datetime.now(UTC):%Y-%m-%d}")
    elif options.from_dir:
        label = options.source_label or f"pypa/advisory-database checkout {options.from_dir.name}"
        write(build_from_dir(options.from_dir, packages), packages, label)
    else:
        write(
            build_from_zip(options.from_zip.read_bytes(), packages),
            packages,
            options.source_label or str(options.from_zip),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
