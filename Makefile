# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench bench-scale clean

run: $(VENV)/.installed
	$(BIN)/timeline ingest --if-empty seeds/
	$(BIN)/timeline serve

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.created
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $@ $(VENV)/.installed

# The whole suite on SQLite; again on PostgreSQL when TIMELINE_TEST_POSTGRES_URL names a server
# (.ci/run starts a throwaway cluster with .ci/pg-cluster and sets it).
test: $(VENV)/.dev-installed
	env -u TIMELINE_TEST_POSTGRES_URL $(BIN)/python -m pytest -q
	@if [ -n "$$TIMELINE_TEST_POSTGRES_URL" ]; then \
	  echo "== the same suite on PostgreSQL ($$TIMELINE_TEST_POSTGRES_URL)"; \
	  $(BIN)/python -m pytest -q; \
	fi

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/extract_speed.py

# Scale: 430,000 synthetic articles (just over 1M events), bulk-loaded into SQLite (peak memory measured),
# then driven with wrk and an open-loop client, cold views timed in fresh processes, daily ingest timed.
ARTICLES ?= 430000
bench-scale: $(VENV)/.dev-installed
	rm -rf bench/out/articles bench/out/bench.db*
	$(BIN)/python bench/generate.py --articles $(ARTICLES) --out bench/out/articles
	TIMELINE_DATABASE_URL=sqlite:///bench/out/bench.db /usr/bin/time -f "bulk load peak RSS: %M KB, wall %e s" \
	  $(BIN)/timeline ingest --bulk bench/out/articles
	$(BIN)/python bench/cold_bench.py --db sqlite:///bench/out/bench.db
	$(BIN)/python bench/http_bench.py --db sqlite:///bench/out/bench.db
	$(BIN)/python bench/daily_bench.py --db bench/out/bench.db --corpus $(ARTICLES)

clean:
	rm -rf $(VENV) data .pytest_cache
