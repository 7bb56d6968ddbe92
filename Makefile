# Developer and CI entry points. Postgres and Redis come from scripts/services.sh,
# which reuses DATABASE_URL/REDIS_URL if they answer, else starts project-local servers.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

# Go may be installed without being on PATH (CI runs with a bare environment).
export PATH := /usr/local/go/bin:$(PATH)
# Builds must not depend on git metadata (fresh clones, no commits yet, CI copies).
export GOFLAGS := -buildvcs=false $(GOFLAGS)
export PLATFORM_ADDR ?= 127.0.0.1:8080

# Assign first so a services.sh failure stops the recipe (`eval "$(...)"` alone would hide it).
SERVICES := svc="$$(scripts/services.sh)"; eval "$$svc"

.PHONY: run test build services services-stop generate lint bench bench-load assets

run: assets ## serve with a demo tenant (prints URLs and API key)
	$(SERVICES); go run ./cmd/platform serve --demo

test: assets ## full test suite; each test package creates its own database
	$(SERVICES); go test ./... -count=1 -p 2 -timeout 20m
	@$(SERVICES); go test ./rest/ -count=1 -run '^TestRouteCoverage$$' -v | grep -E '^\s*(coverage_test.go:[0-9]+: )?implemented [0-9]+/339' || true

build: assets
	go build -o bin/platform ./cmd/platform

services: ## start Postgres/Redis if needed; prints export lines for eval
	@scripts/services.sh

services-stop:
	scripts/services.sh stop

generate:
	go tool gqlgen generate

lint:
	go vet ./...
	@out=$$(find . -name '*.go' -not -path './web/*' -not -path './.git/*' -print0 | xargs -0 -r gofmt -l); \
	if [[ -n "$$out" ]]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

bench:
	go test -run '^$$' -bench . -benchmem ./bench/...

bench-load: ## objects under load against a real server and its pgbench floor (bench/README.md; ~12 min)
	scripts/bench-load.sh

assets: ## GraphiQL playground files from npm into graph/playground/assets
	scripts/assets.sh
