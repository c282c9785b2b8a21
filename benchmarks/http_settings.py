"""make bench's HTTP figures: production settings, plus the floor view's URL (benchmarks.http_floor)."""

from config.settings.base import env
from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.http_floor"
VETTED_BENCH_FLOOR_FILE = env("VETTED_BENCH_FLOOR_FILE")
