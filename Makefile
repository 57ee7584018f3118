# `make run` installs and serves on the embedded SQLite default; `make test` installs and
# runs lint, types and the whole suite on SQLite and on a local PostgreSQL it starts.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: install run test lint postgres bench clean

$(BIN)/mdmhub: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/mdmhub

run: install
	$(BIN)/mdmhub db upgrade
	$(BIN)/mdmhub serve

lint: install
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations
	$(BIN)/mypy

test: lint
	MDMHUB_TEST_POSTGRES_URL=$$(scripts/start-postgres.sh) $(BIN)/pytest -n 2 -q

bench: install
	$(BIN)/python bench/ingest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mdmhub.db*
