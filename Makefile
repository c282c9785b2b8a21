# Vetted: `make run` serves the demo; `make test` runs the whole suite. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test bench lint format diagram migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

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

bench: $(VENV)/.dev-installed
	$(BIN)/python -m pytest benchmarks -q -s -p no:cacheprovider --no-header

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
	rm -rf $(VENV) var db.sqlite3 staticfiles .pytest_cache .ruff_cache
