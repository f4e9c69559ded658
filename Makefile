# Laurel: `make run` serves the app on an embedded SQLite database; `make test` passes the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ASSETS := web/static/build/.built-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install assets run test lint pytest bench clean

install: $(STAMP) $(ASSETS)

assets: $(ASSETS)

# The admin modeler's bpmn-js/dmn-js bundle: npm packages at the locked versions, built by
# esbuild into web/static/build (neither node_modules nor the bundle is kept in git).
$(ASSETS): package.json package-lock.json $(wildcard web/assets/*)
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $(ASSETS)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/laurel db upgrade
	LAUREL_MODE=demo $(BIN)/laurel demo
	LAUREL_MODE=demo $(BIN)/laurel serve --host $(HOST) --port $(PORT)

test: install lint pytest

lint: install
	$(BIN)/ruff check engine workflows web tests bench
	$(BIN)/ruff format --check engine workflows web tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/engine_throughput.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache node_modules web/static/build
