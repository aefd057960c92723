# Spindel: `make run` serves the demo, `make test` runs every test. Nothing else to learn first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
AXE    := tests/browser/node_modules/axe-core/axe.min.js
export PORT

.PHONY: run test test-load bench install chromium axe lint translations clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Spindel needs Python 3.11 or newer ($(PYTHON) is older)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/spindel db upgrade
	$(BIN)/spindel demo
	$(BIN)/spindel run --host 127.0.0.1 --port $(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium: run 'sudo apt-get install chromium' and try again."; exit 1; fi; }

axe: $(AXE)
$(AXE): tests/browser/package.json
	cd tests/browser && npm install --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.installed-test
	$(BIN)/ruff check spindel tests

test: $(VENV)/.installed-test chromium axe lint
	$(BIN)/pytest

test-load: $(VENV)/.installed-test
	$(BIN)/pytest tests/perf -m "not bench" -p no:cacheprovider

bench: $(VENV)/.installed-test chromium
	$(BIN)/pytest tests/perf -s -p no:cacheprovider

translations: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F spindel/translations/babel.cfg -k _l -k lazy_gettext \
	  --no-location --sort-output -o /tmp/spindel-messages.pot .
	$(BIN)/pybabel update -i /tmp/spindel-messages.pot -d spindel/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d spindel/translations

clean:
	rm -rf $(VENV) instance tests/browser/node_modules
