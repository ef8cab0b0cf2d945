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

# Slides. A reveal.js deck per lesson in slides/, from the stored outputs
# (nothing re-runs), that works with no internet: reveal.js and require.js are
# fetched once from the npm registry into slides/vendor/ (ignored, like the
# decks); copy the whole slides/ folder to the presenting machine.
# NB=notebooks/03_executors.ipynb for one lesson (or several, space-separated).
.PHONY: slides slides-hour slides-fit preflight
slides: $(STAMP)
	$(BIN)/python -m tools.decks $(NB)

# The one-hour class as one deck, slides/one-hour.slides.html: each lesson's
# title cell and its cells tagged one-hour (README's plan: 01, 02, 04, 07).
slides-hour: $(STAMP)
	$(BIN)/python -m tools.decks --hour $(NB)

# Every slide of a lesson's deck rendered in headless Chromium at 960x700:
# prints each slide that is too tall or too wide, by how many pixels.
#   make slides-fit NB=notebooks/03_executors.ipynb   (EXECUTE=1: run it first)
# Installs Debian's chromium (needs root) and Playwright (never its own browsers).
slides-fit: $(STAMP)
	@test -x /usr/bin/chromium || \
	  { apt-get update && apt-get install -y chromium fonts-noto-color-emoji; }
	@$(BIN)/python -c 'import playwright' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet 'playwright>=1.40,<2'
	$(BIN)/python -m tools.slidefit $(if $(EXECUTE),--execute) $(if $(HOUR),--hour) $(NB)

# Before class: is this machine idle enough for the live demos? (about 3 s)
preflight: $(STAMP)
	$(BIN)/python -m helpers.preflight

# JupyterLab in headless Chromium: runs 00_start_here and a lesson with a widget,
# checks for errors, widgets and plots, saves screenshots in results/screenshots/.
# Installs Debian's chromium (needs root) and Playwright (never its own browsers).
test-browser: $(STAMP)
	@test -x /usr/bin/chromium || \
	  { apt-get update && apt-get install -y chromium fonts-noto-color-emoji; }
	@$(BIN)/python -c 'import playwright' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet 'playwright>=1.40,<2'
	MP_COURSE_BROWSER=1 $(BIN)/python -m pytest tests/browser -v
