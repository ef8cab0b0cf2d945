# Two commands do everything on a fresh machine:
#   make lab   - install the course into .venv (once) and open it in JupyterLab
#   make test  - install the course into .venv (once) and run every check
# Other targets: make bench, make notebooks (re-run lessons and store outputs),
# make lint, make clean.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NBVAL  := $(BIN)/python -m pytest --nbval $(or $(NB),notebooks) --nbval-current-env \
          --nbval-sanitize-with tests/notebooks/sanitize.cfg --nbval-cell-timeout 60
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab test lint unit nbval nbval-spawn notebooks bench clean install slides test-browser

install: $(STAMP)

# Re-installs only when the dependencies change; a second run starts in seconds.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else \
	  "The course needs Python 3.10 or newer; this is " + sys.version.split()[0] + \
	  ". Run: make PYTHON=python3.12 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

# Jupyter refuses to run as root unless told; containers often run as root.
LAB_OPTS ?= $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
lab: $(STAMP)
	$(BIN)/jupyter lab $(LAB_OPTS) notebooks/

test: lint unit nbval nbval-spawn

lint: $(STAMP)
	$(BIN)/ruff check helpers tests notebooks

unit: $(STAMP)
	$(BIN)/python -m pytest tests

# The lessons as stored, under this platform's default start method ...
nbval: $(STAMP)
	$(NBVAL)

# ... and again with spawn forced as the default, as on macOS and Windows.
nbval-spawn: $(STAMP)
	PYTHONPATH=$(abspath tests/notebooks/spawn) $(NBVAL)

# Re-run every lesson top to bottom and store its outputs (after editing one).
# The kernel does not capture its children's raw file descriptors, exactly as
# under nbval, so that what is stored is what the check will see.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=60 --ExecutePreprocessor.record_timing=False \
	  --ExecutePreprocessor.extra_arguments='["--IPKernelApp.capture_fd_output=False"]' \
	  $(or $(NB),notebooks/*.ipynb)

bench: $(STAMP)
	$(BIN)/python -m helpers.report --out results

clean:
	rm -rf $(VENV) results .pytest_cache

# A reveal.js deck per lesson in slides/, from the stored outputs (nothing re-runs).
# NB=notebooks/03_....ipynb for one lesson. For a deck that works offline, point
# REVEAL at a copy of reveal.js 4 (and REQUIREJS at require.min.js), given
# relative to slides/ or as a URL: see TEACHING.md.
#   make slides REVEAL=reveal.js REQUIREJS=require.min.js
SLIDES_OPTS := $(if $(REVEAL),--SlidesExporter.reveal_url_prefix=$(REVEAL)) \
               $(if $(REQUIREJS),--SlidesExporter.require_js_url=$(REQUIREJS))
slides: $(STAMP)
	$(BIN)/jupyter nbconvert --to slides --output-dir slides $(SLIDES_OPTS) \
	  $(or $(NB),notebooks/*.ipynb)

# JupyterLab in headless Chromium: runs 00_start_here and a lesson with a widget,
# checks for errors, widgets and plots, saves screenshots in results/screenshots/.
# Installs Debian's chromium (needs root) and Playwright (never its own browsers).
test-browser: $(STAMP)
	@test -x /usr/bin/chromium || \
	  { apt-get update && apt-get install -y chromium fonts-noto-color-emoji; }
	@$(BIN)/python -c 'import playwright' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet 'playwright>=1.40,<2'
	MP_COURSE_BROWSER=1 $(BIN)/python -m pytest tests/browser -v
