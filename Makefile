# carbonpeak: `make run` and `make test` do all the set-up on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: install run test lint typecheck browser broker java reports bench clean monitor-live

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## The main job: load the demonstration province into the embedded database (var/carbonpeak.db),
## show its reporting and history, then compute the shipped examples (accounting with provenance,
## benchmark classes, surcharge).
run: install reports
	$(BIN)/carbonpeak db init
	$(BIN)/carbonpeak demo load
	$(BIN)/carbonpeak submissions list --facility AL03 --from 2024-01 --to 2024-06
	$(BIN)/carbonpeak submissions show AL03 2024-03
	$(BIN)/carbonpeak template electrolytic_aluminium --enterprise E02 --out var/template_electrolytic_aluminium_zh.xlsx
	$(BIN)/carbonpeak export --from 2025-01 --to 2025-12 --out var/export_2025.xlsx
	$(BIN)/carbonpeak indicators --region demo --year 2025 --benchmark-edition 2021
	$(BIN)/carbonpeak targets --plan guizhou_nonferrous --region demo --year 2025 --benchmark-edition 2021
	$(BIN)/carbonpeak statistics list --region demo
	$(BIN)/carbonpeak targets --plan xinjiang_industry --region demo --year 2025 --benchmark-edition 2021
	$(BIN)/carbonpeak capacity --date 2025-12-31 --year 2025 --edition 2021
	$(BIN)/carbonpeak projects review examples/projects/al_smelter_key_area_2024.yaml
	$(BIN)/carbonpeak projects add examples/projects/al_line_demo_built_2021.yaml
	$(BIN)/carbonpeak projects add examples/projects/al_smelter_key_area_2024.yaml
	$(BIN)/carbonpeak projects link EX-AL-DEMO-05 --facility AL02
	$(BIN)/carbonpeak projects review --stored EX-AL-DEMO-05 --national-capacity "44 Mt/a"
	$(BIN)/carbonpeak projects measured EX-AL-DEMO-05 --year 2024
	$(BIN)/carbonpeak projects list
	$(BIN)/carbonpeak warnings --refresh --as-of 2026-01-20 --plan guizhou_nonferrous --region demo --benchmark-edition 2021 --kind baseline_deadline_passed
	$(BIN)/carbonpeak submissions status --region demo --month 2025-12 --late --as-of 2026-01-20 --out var/late_2025-12.xlsx
	$(BIN)/carbonpeak warnings refresh --as-of 2026-01-20
	# the regulator's 碳达峰监测报告 of the demo's last month (provisional: its months are not yet verified), stored
	$(BIN)/carbonpeak report monthly --region demo --month 2025-12 --as-of 2026-01-20 --out var/report_demo_2025-12.pdf
	# E02 publishes its 2025 carbon-emission disclosure: /public/disclosure/E02 shows it (docs/disclosure.md)
	$(BIN)/carbonpeak disclosure demo
	$(BIN)/carbonpeak pathways compare scenarios/baseline.yaml scenarios/plan.yaml scenarios/accelerated.yaml
	$(BIN)/carbonpeak pathways run scenarios/plan.yaml
	$(BIN)/carbonpeak pathways chart scenarios/plan.yaml --fan var/pathways_plan_fan.png --wedge var/pathways_plan_wedge.svg
	$(BIN)/carbonpeak parameters list
	$(BIN)/carbonpeak account examples/aluminium_2024.yaml
	$(BIN)/carbonpeak account examples/aluminium_2024.yaml --explain --record GZ-AL-01@2024-03
	$(BIN)/carbonpeak account examples/sectors_2023.yaml
	$(BIN)/carbonpeak account examples/aluminium_2023_monthly.csv
	$(BIN)/carbonpeak classify examples/aluminium_2023_monthly.csv --edition 2021
	$(BIN)/carbonpeak classify examples/facilities.csv --edition 2021
	$(BIN)/carbonpeak surcharge examples/aluminium_2023_monthly.csv
	$(BIN)/carbonpeak users demo
	# online monitoring: the demo meters and their simulated history (var/readings.duckdb), then the rest of
	# the demo day over the real MQTT broker where one listens (docs/monitoring.md)
	$(BIN)/carbonpeak monitor demo --today 2026-01-20
	@$(MAKE) --no-print-directory monitor-live
	# the warnings again, now that the meters are in: the metered month against the reported one (以日保月)
	$(BIN)/carbonpeak warnings refresh --as-of 2026-01-20 --force
	# the demo province describes 2026-01-20: due dates and "last month" are counted from that day
	CARBONPEAK_TODAY=2026-01-20 $(BIN)/carbonpeak serve --host 127.0.0.1 --port 8000   # keep last: serves until Ctrl-C

## The demo day's last hours of meter readings over the real MQTT broker (Mosquitto on 127.0.0.1:1883):
## `monitor serve` listens for 20 s while `monitor demo --publish` sends at most 15 s of messages. Without a
## broker it says what to install and `make run` goes on (the pages show the stored history).
monitor-live: install
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 1883), 1)" 2>/dev/null; then \
	  $(BIN)/carbonpeak monitor serve --max-seconds 20 & sleep 2; \
	  $(BIN)/carbonpeak monitor demo --today 2026-01-20 --publish --max-seconds 15; wait || echo "the MQTT subscriber reported failures (see above)"; \
	else echo "no MQTT broker on 127.0.0.1:1883: the live meter step is skipped (Debian: apt-get install mosquitto, or make broker)"; fi

lint: install
	$(BIN)/ruff check carbonpeak tests benchmarks tools

typecheck: install
	$(BIN)/mypy carbonpeak/engine carbonpeak/parameters

## Debian's Chromium for the browser tests (tests/web/test_browser.py skips them, saying so, without it).
browser:
	@(test -x /usr/bin/chromium && test -d /usr/share/fonts/opentype/noto) || apt-get install -y -qq chromium fonts-noto-cjk >/dev/null 2>&1 \
	  || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null 2>&1) \
	  || echo "chromium could not be installed: the browser tests will be skipped"

## Debian's Mosquitto for the monitoring tests (they skip, saying so, without a broker on 127.0.0.1:1883);
## started here only where nothing listens on 1883 (a broker already running is left alone).
broker:
	@command -v mosquitto >/dev/null 2>&1 || apt-get install -y -qq mosquitto >/dev/null 2>&1 \
	  || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq mosquitto >/dev/null 2>&1) \
	  || echo "mosquitto could not be installed: the monitoring broker tests will be skipped"
	@$(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 1883), 1)" 2>/dev/null \
	  || (command -v mosquitto >/dev/null 2>&1 && mosquitto -d -p 1883) || true

## Debian's Java 17 for the Spark rollups test (tests/monitoring/test_spark.py skips, saying so, without it).
java:
	@command -v java >/dev/null 2>&1 || apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1 \
	  || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq openjdk-17-jre-headless >/dev/null 2>&1) \
	  || echo "java could not be installed: the Spark rollups test will be skipped"

## Debian's CJK fonts, poppler and LibreOffice Writer for the reports (docs/reports.md): the PDF's Chinese is drawn
## in Noto Sans/Serif CJK SC (without them it would be boxes), tests/reports renders a page with poppler and opens the
## Word file in LibreOffice (that one part skips, saying so, without it).
reports:
	@(fc-list | grep -q "Noto Sans CJK SC" && command -v pdftoppm >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1) \
	  || apt-get install -y -qq --no-install-recommends fonts-noto-cjk poppler-utils libreoffice-writer-nogui >/dev/null 2>&1 \
	  || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends fonts-noto-cjk poppler-utils libreoffice-writer-nogui >/dev/null 2>&1) \
	  || echo "fonts-noto-cjk, poppler-utils or libreoffice could not be installed: report PDFs would show boxes for Chinese"

## Two worker processes (pytest-xdist), whole test files to a worker (--dist loadfile: module fixtures such as a
## served app or a browser are made once, not once per worker); the 30 slowest tests listed at the end.
test: lint typecheck browser broker java reports
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=30

## Slow benchmarks (not run in CI).
bench: install
	$(BIN)/python benchmarks/bench_accounting.py
	$(BIN)/python benchmarks/bench_import.py --out var/bench/import.md
	$(BIN)/python benchmarks/bench_facts.py
	$(BIN)/python benchmarks/bench_pathways.py
	$(BIN)/python benchmarks/bench_indicators.py
	$(BIN)/python benchmarks/bench_footprints.py
	$(BIN)/python benchmarks/bench_monitoring_ingest.py --out var/bench/monitoring_ingest.md
	$(BIN)/python benchmarks/bench_monitoring_rollups.py --out var/bench/monitoring_rollups.md
	$(BIN)/python benchmarks/bench_reports.py --out var/bench/reports.md
	$(BIN)/python benchmarks/bench_web.py
	$(BIN)/python benchmarks/bench_web.py --only demo --duration 600 --soak

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis var
