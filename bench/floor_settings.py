"""Settings of the benchmark's Django server: production settings, plus the framework floor.

The floor (`/api/v1/bench/floor/`) is a view that runs no query of its own, behind the same
authentication, throttling and middleware as every API view: what a request costs before any
work. It exists only in this URLconf, never in the service's.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
