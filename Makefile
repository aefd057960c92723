# Spindel: `make run` serves the demo, `make test` runs every test. Nothing else to learn first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
AXE    := tests/browser/node_modules/axe-core/axe.min.js
export PORT

.PHONY: run test test-load bench install chromium libreoffice axe lint translations clean

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

# LibreOffice for the slow test that converts the exported deck to PDF (~1–2 min to install).
libreoffice:
	@command -v soffice >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends libreoffice-impress >/dev/null; \
	  else echo "The deck-to-PDF test needs LibreOffice: 'sudo apt-get install libreoffice-impress'" \
	    "(the test is skipped without it)."; fi; }

axe: $(AXE)
$(AXE): tests/browser/package.json
	cd tests/browser && npm install --no-audit --no-fund --silent
	touch $@

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test chromium libreoffice axe lint
	$(BIN)/pytest

# Full versions of the reliability tests (300 respondents, …); `make test` runs short ones.
test-load: $(VENV)/.installed-test
	SPINDEL_LOAD_FULL=1 $(BIN)/pytest tests/load -s -p no:cacheprovider

# Benchmarks write BENCHMARKS.md; each is a ratio against a baseline measured in the same run.
bench: $(VENV)/.installed-test chromium
	$(BIN)/pytest tests/perf -m bench -s -p no:cacheprovider

translations: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F spindel/translations/babel.cfg -k _l -k lazy_gettext \
	  --no-location --sort-output -o $(VENV)/messages.pot .
	$(BIN)/pybabel update -i $(VENV)/messages.pot -d spindel/translations --no-fuzzy-matching
	$(BIN)/python spindel/translations/fill.py
	$(BIN)/pybabel compile -d spindel/translations

clean:
	rm -rf $(VENV) instance tests/browser/node_modules
