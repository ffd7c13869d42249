# The two commands of README.md. Each sets up what it needs by itself.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV  ?= .venv
PY    := $(VENV)/bin/python
# A strict editable install links each file: a new file needs a reinstall, so the
# stamp is named after the list of package files.
FILES := $(shell find platform tenants gateway connectors migrations -type f -not -name '*.pyc' 2>/dev/null | sort | md5sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(FILES)

.PHONY: run test setup lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]' --config-settings editable_mode=strict > $(VENV)/pip.log 2>&1 \
	  || { tail -30 $(VENV)/pip.log; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

## make run — migrate the embedded SQLite database, seed the demo region, serve on :8000
run: $(STAMP)
	$(VENV)/bin/yimen db upgrade
	$(VENV)/bin/yimen calendar seed
	$(VENV)/bin/yimen powers seed
	$(VENV)/bin/yimen workflow seed
	$(VENV)/bin/yimen demo seed
	$(VENV)/bin/yimen run

## make test — the whole suite, on SQLite and PostgreSQL (services started when missing),
## in parallel: one process per core, each with its own databases and live servers
PYTEST_ARGS ?= -n auto --durations=15
test: $(STAMP) lint
	bash scripts/test-services.sh && . var/test-env.sh && $(VENV)/bin/pytest $(PYTEST_ARGS)

## make lint — ruff, mypy --strict on the pure rule modules ([tool.mypy] in pyproject.toml),
## and the import contracts ([tool.importlinter]: rings, independence, no cycles)
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do $(PY) $$b; done

clean:
	rm -rf $(VENV) var .pytest_cache
