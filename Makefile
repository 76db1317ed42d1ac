# cijobs: the two commands are `make run` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-from-lock
CIJOBS := $(BIN)/cijobs
PORT ?= 8050

.PHONY: run test test-fast demo bench bench-full lint clean venv browser

venv: $(STAMP)

# The virtualenv is (re)built whenever the lock file or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

## run: refresh from the live sources (NHS Jobs; cijobs.toml if present), then serve http://127.0.0.1:$(PORT)
run: venv
	$(CIJOBS) refresh
	$(CIJOBS) serve --port $(PORT)

## test: set everything up (venv, Chromium) and run the whole suite
test: venv browser
	$(BIN)/python -m pytest

## test-fast: the developer's loop: everything but the tests that start crawls, servers or a browser, on both cores
test-fast: venv
	$(BIN)/python -m pytest -q -m "not slow and not browser" -n 2

## demo: the same pipeline offline against the bundled sample site, into data/demo.duckdb
demo: venv
	$(CIJOBS) demo --port $(PORT)

# The benches (bench/ also holds the labelling, training and screenshot tools and their shared modules, which are
# no benches). The quick ones take minutes; the heavy ones build national-scale warehouses, import the whole
# corpus, soak the dashboard and fuzz pages (tens of minutes, gigabytes).
BENCHES := privacy_catch_rate section_eval salary_eval real_lines_eval relevance_eval typo_tolerance matching \
	matching_v6_speed
HEAVY_BENCHES := crawl fuzz_pages import_corpus soak dashboard

## bench: accuracy and speed figures against naive baselines, in minutes (see bench/)
bench: venv
	@for name in $(BENCHES); do echo "== bench/$$name.py"; $(BIN)/python bench/$$name.py || exit 1; done

## bench-full: also the heavy benches: crawl overhead, page fuzzer, whole-corpus import, dashboard at 100k adverts, soak
bench-full: bench
	@for name in $(HEAVY_BENCHES); do echo "== bench/$$name.py"; $(BIN)/python bench/$$name.py || exit 1; done

lint: venv
	$(BIN)/python -m ruff check .

# Headless Chromium + chromedriver for the dashboard's browser test (Debian packages).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { echo "installing chromium and chromium-driver (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
	    || echo "could not install chromium: the browser tests will be skipped (or fail under CI=true)"; }

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info .scrapy data/demo.duckdb
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
