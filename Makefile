# Every target runs with Node 24 (fetched into .tools/ when the system Node is older).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help up down status test test-unit build proto docs infra bench bench-e2e chaos clean

help: ## List targets
	@grep -E '^[a-z0-9-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

up: ## Start Kafka, Postgres and all five services, load the bundled sample data, print where to look
	@bash scripts/up.sh

down: ## Stop the services and Kafka started by 'make up'
	@bash scripts/down.sh

status: ## Show what is running
	@bash scripts/status.sh

test: ## Run every test (unit, integration, end-to-end); starts Kafka and Postgres when needed
	@bash scripts/test.sh

test-unit: ## Run only the fast unit tests (no Kafka or Postgres)
	@source scripts/lib-node.sh && ensure_deps && cd $$REPO_ROOT && jest --selectProjects unit

build: ## Compile all packages and services
	@source scripts/lib-node.sh && ensure_deps && build_all

proto: ## Regenerate packages/contracts, the reflection descriptors, docs/api/grpc.md and docs/asyncapi.yaml from proto/ (commit the result)
	@source scripts/lib-node.sh && ensure_deps && cd proto && buf lint && buf generate && node ../scripts/gen-proto-artifacts.js && node ../scripts/gen-asyncapi.js

docs: ## Regenerate docs derived from code (docs/rules.md, docs/quality.md)
	@source scripts/lib-node.sh && ensure_deps && build_all && node scripts/gen-docs.js && cd $$REPO_ROOT && UPDATE_QUALITY_DOC=1 jest --selectProjects unit --runInBand -- detection-quality real-samples-mutation

infra: ## Start only Kafka (with topics) and Postgres (with roles and schemas)
	@bash scripts/postgres.sh ensure && bash scripts/kafka.sh start

bench: ## Run the benchmarks (throughput, latency percentiles, memory)
	@bash scripts/bench.sh

# LINES item lines per backfill, INSTANCES (comma list) of each consuming service, GROWTH (comma
# list of further backfill sizes, e.g. 250000,500000,1000000), RATE declarations/s for the latency
# phase over LATENCY_SECONDS. The defaults run in a few minutes on a loaded 2-core machine.
bench-e2e: ## End-to-end benchmark on an isolated platform: backfill lines/s, recall, ratio to bare Kafka, latency, RSS, 1 vs 2 instances
	@source scripts/lib-node.sh && ensure_deps && build_all && bash scripts/postgres.sh ensure >/dev/null && bash scripts/kafka.sh start >/dev/null && \
	  node scripts/bench/e2e.js --lines $${LINES:-20000} --instances $${INSTANCES:-1,2} --growth "$${GROWTH:-}" --rate $${RATE:-200,20} --latency-seconds $${LATENCY_SECONDS:-10}

chaos: ## Kill -9 every service, restart a private Kafka broker and Postgres during a backfill; then 0 lost, 0 duplicated, streams gap-free
	@source scripts/lib-node.sh && ensure_deps && build_all && bash scripts/postgres.sh ensure >/dev/null && bash scripts/kafka.sh fetch >/dev/null && \
	  node scripts/chaos.js $${DECLARATIONS:-8000}

clean: ## Remove build output and local run state (Kafka data, logs)
	@rm -rf .run packages/*/dist services/*/dist apps/*/dist
