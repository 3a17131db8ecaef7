# Vanthu. Two commands matter: `make run` and `make test`.
.PHONY: run test bench build generate fmt tidy clean help

GO ?= go
BIN := bin

help: ## list targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

run: ## start PostgreSQL, S3 storage and the server with demo data
	@deploy/local/run.sh

test: ## run every check and test against throwaway PostgreSQL and S3 servers
	@deploy/local/test.sh $(ARGS)

bench: ## load 1M documents (cached in .local/bench) and measure list, search, document page, dashboard, registration, RSS
	@deploy/local/bench.sh $(ARGS)

build: generate ## build bin/vanthu
	$(GO) build -o $(BIN)/vanthu ./cmd/vanthu

generate: ## regenerate templ code
	$(GO) tool templ generate -log-level error

fmt: ## format Go and templ code
	gofmt -w $$(git ls-files '*.go' | grep -v '_templ.go$$')
	$(GO) tool templ fmt web

tidy:
	$(GO) mod tidy
	cd deploy/tools && $(GO) mod tidy

clean: ## remove built binaries (keeps .local data)
	rm -rf $(BIN)
