# The project's vocabulary. `make run` and `make test` are the two commands the README gives.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

# The suite always runs against the real services; override these to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/exchange
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-embedded bench bench-review bench-matching bench-pdf bench-chat bench-masking bench-locator bench-trips bench-dashboard bench-report lint fmt messages install system-fonts system-test-tools clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

# Certificates (WeasyPrint): Noto Sans CJK covers Hangul, Han, kana and Vietnamese; Pango and
# its FreeType backend lay text out; HarfBuzz-Subset embeds only the glyphs used (without it
# WeasyPrint 70 warns, and the suite turns warnings into errors).
system-fonts:
	@scripts/ensure-system-packages fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

# Chromium for the browser tests; gettext so a test can prove the catalogues are complete;
# poppler-utils (pdftotext) so a test can read the trip sheets back in every script.
system-test-tools:
	@scripts/ensure-system-packages chromium gettext poppler-utils

# Serves the portal on http://127.0.0.1:8000 (or PORT) with the demo data, on the embedded
# defaults (SQLite, in-memory channel layer, eager Celery) unless DATABASE_URL / REDIS_URL are
# set. SITE_URL follows the port, so links in emails, the chat's origin and the certificates'
# QR codes point at this server.
PORT ?= 8000
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: install system-fonts
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/daphne -b 127.0.0.1 -p $(PORT) exchange.asgi:application

# Two jobs, both must pass: the whole suite on PostgreSQL and Redis, then the journeys that
# matter (pytest -m journey) on the embedded stack `make run` serves on: SQLite, the in-memory
# channel layer and eager Celery, with no service URL in the environment (tests/settings.py,
# docs/decisions.md "Journeys on both stacks").
EMBEDDED_JOURNEYS = env -u DATABASE_URL -u REDIS_URL -u CELERY_TASK_ALWAYS_EAGER \
	-u EXCHANGE_TEST_VAR_DIR EXCHANGE_TEST_STACK=embedded $(BIN)/pytest -m journey

test: install system-fonts system-test-tools
	EXCHANGE_TEST_STACK=services DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest $(PYTEST_ARGS)
	$(EMBEDDED_JOURNEYS)

# The second job alone.
test-embedded: install system-fonts system-test-tools
	$(EMBEDDED_JOURNEYS)

# Benchmarks print figures; they never fail on a number. They need PostgreSQL like the suite.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/exchange_bench

bench: bench-review bench-matching bench-pdf bench-chat bench-masking bench-locator bench-trips bench-dashboard bench-report

bench-review: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/review_queue_bench.py

# Times the matching engine (2,000 x 2,000 pairs, 10,000 people in groups) and compares it
# with the PyPI `matching` package's stable marriage; prints a table, asserts nothing.
bench-matching: install
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	$(BIN)/python bench/matching_bench.py

# Prints render times, memory growth and the download time for certificates (the download on
# PostgreSQL); goals are in docs/certificates.md.
bench-pdf: install system-fonts
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/pdf_bench.py

# Two daphne processes on PostgreSQL and Redis under two loads, with a real WebSocket client.
bench-chat: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/chat_bench.py

# Contact masking: recall and false positives on the test corpus and a seeded held-out set,
# and the microseconds per message (mean, p99); no database needed.
bench-masking: install
	$(BIN)/python bench/masking_bench.py

# The visit locator at 50 and 500 participants: p50/p95 and a query count that must not grow.
bench-locator: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/locator_bench.py

# Trip sheets (issue 15): one traveller's sheet, the batch of 100 travellers five times (peak
# RSS after each: memory flat) and by travellers per document; goal <= 10 s a batch.
bench-trips: install system-fonts
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/trip_sheet_bench.py

# outcomes: dash. The partnership dashboard over 5 years at 5 programs / 500 applications
# and 50 programs / 10,000 applications: p50/p90 and a query count that must not grow.
bench-dashboard: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/bench_dashboard.py

# Annual report (issue 16): one partnership's year with 10 programs, 500 applications and 2
# working groups, rendered to PDF as the task does; goal <= 5 s.
bench-report: install system-fonts
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/bench_report.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extracts every translatable string and recompiles the catalogues (needs gettext).
messages: install
	@scripts/ensure-system-packages gettext
	$(BIN)/python manage.py makemessages --all --no-location --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var
