"""gunicorn settings used by docker-compose (`gunicorn -c config/gunicorn.py`).

With several worker processes, each keeps its own Prometheus figures; under
PROMETHEUS_MULTIPROC_DIR they write them to files there, which /metrics adds up. A worker that
exits (restart, max-requests) is marked dead so its live gauges stop counting.
"""

import os

from prometheus_client import multiprocess


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
