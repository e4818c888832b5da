# Two commands on a fresh machine: `make plan STACK=dev` and `make test`.
# Both create .venv from pyproject.toml when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LZ     := $(VENV)/bin/lz
STACK  ?= dev
STAMP  := $(VENV)/.installed
# pytest-xdist workers for `make test`: one per core by default; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto

.PHONY: setup plan validate test test-quick lint bench docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

plan: $(STAMP)
	$(LZ) plan $(STACK)

validate: $(STAMP)
	$(LZ) validate $(STACK)

test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS)

test-quick: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not e2e"

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) bench/plan_bench.py

docs: $(STAMP)
	$(PY) -m lz.docs

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
