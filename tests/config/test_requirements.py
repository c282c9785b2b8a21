"""The compiled requirements install what the processes import, each pinned with its hashes."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

# Imported by web, worker or beat, whether or not requirements.in names them: kombu's Redis
# transport imports packaging (the bug that started this), the pool and the web server run in production.
RUNTIME_IMPORTS = ["packaging", "gunicorn", "psycopg-pool", "psycopg", "redis", "django-redis", "celery", "kombu"]


def pins(path: Path) -> dict[str, tuple[str, list[str]]]:
    """Read a pip-compile output: canonical name -> (pinned version, hashes)."""
    text = re.sub(r"\\\n", " ", path.read_text())
    found = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement, *options = line.split()
        name, _, version = requirement.partition("==")
        hashes = [option.removeprefix("--hash=") for option in options if option.startswith("--hash=sha256:")]
        found[canonicalize_name(name)] = (version, hashes)
    return found


def top_level(path: Path) -> dict[str, Requirement]:
    """The packages a requirements input file names itself (not the files it includes)."""
    named = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            named[canonicalize_name(requirement.name)] = requirement
    return named


@pytest.fixture(scope="module")
def runtime() -> dict[str, tuple[str, list[str]]]:
    return pins(settings.BASE_DIR / "requirements.txt")


@pytest.mark.parametrize("name", RUNTIME_IMPORTS)
def test_runtime_requirements_pin_what_the_processes_import(runtime, name):
    """requirements.txt alone holds each package the processes import, pinned with a hash."""
    assert name in runtime, f"{name} is missing from requirements.txt: name it in requirements.in, make requirements"
    version, hashes = runtime[name]
    assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), f"{name} is not pinned with ==: {version!r}"
    assert hashes, f"{name} has no --hash"


def test_every_package_named_in_requirements_in_is_pinned_with_hashes(runtime):
    """Each top-level package of requirements.in reaches requirements.txt, pinned with its hashes."""
    named = top_level(settings.BASE_DIR / "requirements.in")
    assert "celery" in named
    assert "gunicorn" in named
    assert "django-redis" in named
    unpinned = [name for name in named if name not in runtime or not runtime[name][0] or not runtime[name][1]]
    assert unpinned == []


def test_every_line_of_both_files_is_pinned_with_a_hash(runtime):
    """No requirement escapes hash checking: pip refuses the whole file if one line has no hash."""
    dev = pins(settings.BASE_DIR / "requirements-dev.txt")
    for name, (version, hashes) in {**runtime, **dev}.items():
        assert version, f"{name} is not pinned"
        assert hashes, f"{name} has no --hash"


def test_celery_and_psycopg_are_compiled_with_the_extras_that_run_in_production():
    """celery[redis] brings kombu's Redis transport dependencies; psycopg[pool] the connection pool."""
    named = top_level(settings.BASE_DIR / "requirements.in")
    assert "redis" in named["celery"].extras
    assert {"binary", "pool"} <= named["psycopg"].extras


def test_dev_requirements_hold_the_runtime_set_at_the_same_versions(runtime):
    """`make test` installs requirements-dev.txt alone: it holds every runtime pin, unchanged."""
    dev = pins(settings.BASE_DIR / "requirements-dev.txt")
    different = {name: (version, dev.get(name, ("missing",))[0]) for name, (version, _) in runtime.items()}
    assert {name: pair for name, pair in different.items() if pair[0] != pair[1]} == {}
    for name in ["pytest", "pytest-django", "ruff", "pip-tools"]:
        assert name in dev
