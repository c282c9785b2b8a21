# Vetted: `make run` serves the demo; `make test` runs the whole suite. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test bench lint format diagram migrate demo clean stack-test requirements runtime-check api-contract

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every install is hash-checked: pip refuses a package, or a dependency, that the file does not pin
# with its hashes. requirements-dev.txt holds the runtime pins too, so it is installed alone.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

# Compile requirements.in and requirements-dev.in (pip-tools). Existing pins are kept; to move one,
# e.g. make requirements PIP_COMPILE_ARGS="--upgrade-package gunicorn" (or --upgrade for all).
PIP_COMPILE_ARGS ?=
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make requirements" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(PIP_COMPILE_ARGS)
requirements: $(VENV)/.dev-installed
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# requirements.txt alone, in a fresh .venv-runtime: migrate, then Procfile.production's processes on
# a scratch PostgreSQL database and Redis db 14, proved over HTTP and the database.
runtime-check:
	scripts/runtime_check.sh

migrate: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@$(BIN)/python manage.py describe_setup
	@mkdir -p var
	$(BIN)/honcho --procfile Procfile start

test: $(VENV)/.dev-installed
	$(BIN)/python -m pytest

# The read API against its own live OpenAPI document: Schemathesis, every check, on a server with the demo.
api-contract: $(VENV)/.dev-installed
	scripts/api_contract.sh

bench: $(VENV)/.dev-installed
	$(BIN)/python -m pytest benchmarks -q -s -p no:cacheprovider --no-header
	benchmarks/http_bench.sh

# The production stack on loopback (PostgreSQL, Redis, two gunicorn nodes, Varnish, workers, beat),
# checked over HTTP; builds .venv-runtime from requirements.txt alone.
stack-test:
	scripts/stack/stack_test.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The README's workflow diagram, generated from the state machine (needs Debian's graphviz for the SVG).
diagram: $(VENV)/.dev-installed
	$(BIN)/python manage.py graph_transitions articles.Article.state > docs/workflow.dot
	dot -Tsvg docs/workflow.dot -o docs/workflow.svg

clean:
	rm -rf $(VENV) .venv-runtime var db.sqlite3 staticfiles .pytest_cache .ruff_cache
