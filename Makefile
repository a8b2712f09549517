# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8501

.PHONY: run test install db lint bench clean load

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

# The embedded database with the bundled sample data (skipped when it holds data).
db: $(STAMP)
	$(BIN)/purpose-metrics init --sample

# `streamlit run dashboard.py` with the libraries imported before the first visit.
run: db
	$(BIN)/python -m purpose_metrics.ui.serve dashboard.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# The suite on TEST_WORKERS processes (pytest-xdist; every fixture makes its
# own databases and servers, so the workers share nothing). TEST_WORKERS=0
# runs it in this one process. The Spark modules run one after the other on
# one worker (xdist_group "spark"): a process holds one Spark session, and
# each module's cluster is started once, not once per worker.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

# Ten browser sessions clicking through every page for a minute (LOAD_SECONDS,
# LOAD_SESSIONS); prints the 95th-percentile page load, writes screenshots/load-report.json.
load: $(STAMP)
	$(BIN)/python -m pytest -m load -s -q tests/browser/test_load.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: db
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) data .pytest_cache
