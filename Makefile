# Lifeline — common tasks. Run `make help` for the list.

GO        ?= go
PKGS      := ./...
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/lifeline-iot/lifeline/internal/cli.Version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: help build agent-arm run demo test test-short lint bench fuzz cover clean tufjs

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/lifeline and bin/lifeline-agent
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/lifeline ./cmd/lifeline
	$(GO) build -trimpath -ldflags '-s -w -X github.com/lifeline-iot/lifeline/internal/agent/cli.Version=$(VERSION)' -o $(BIN)/lifeline-agent ./cmd/lifeline-agent

agent-arm: ## cross-build lifeline-agent for linux/arm64 and linux/arm (stripped), and print their sizes
	GOOS=linux GOARCH=arm64 $(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/lifeline-agent-linux-arm64 ./cmd/lifeline-agent
	GOOS=linux GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/lifeline-agent-linux-armv7 ./cmd/lifeline-agent
	@ls -l $(BIN)/lifeline-agent-linux-* | awk '{print $$5, $$9}'

run: ## run the server with the demo data in ./lifeline-data
	$(GO) run ./cmd/lifeline serve --demo

demo: run

test: ## the whole test suite: vet, then every test with the race detector (PostgreSQL and Chromium tests skip loudly when those are not installed)
	$(GO) vet $(PKGS)
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

test-short: ## quick tests without the race detector
	$(GO) test -count=1 $(PKGS)

# tuf-js, the JavaScript TUF client of the interoperability test in
# internal/tufhttp (tufjs_test.go), installed from the committed lock file.
# The stamp makes npm ci run only when node_modules is missing or older than
# package.json or package-lock.json.
TUFJS := internal/tufhttp/testdata/tufjs

tufjs: $(TUFJS)/node_modules/.lifeline-installed ## install tuf-js for the interoperability test (npm ci; needs node and npm)

$(TUFJS)/node_modules/.lifeline-installed: $(TUFJS)/package.json $(TUFJS)/package-lock.json
	cd $(TUFJS) && npm ci --no-audit --no-fund
	@touch $@

lint: ## go vet, staticcheck and gofmt
	$(GO) vet $(PKGS)
	$(GO) run $(STATICCHECK) $(PKGS)
	@test -z "$$(gofmt -l .)" || (echo "gofmt would change:"; gofmt -l .; exit 1)

bench: ## the benchmarks recorded in docs/benchmarks.md
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./internal/benchmarks/

fuzz: ## run each fuzz target for 30 seconds
	@for spec in \
		./internal/deviceimport:FuzzParseCSV ./internal/deviceimport:FuzzParseJSON \
		./internal/supportperiod:FuzzParseEndDate ./internal/access:FuzzParseToken \
		./internal/access:FuzzVerifyPassword ./internal/store:FuzzDecodeCursor ./internal/slug:FuzzMake \
		./internal/httpapi:FuzzDecodeRequest ./internal/server:FuzzWantsJSON \
		./internal/deviceimport:FuzzParseTime ./internal/httpapi:FuzzDeviceWrite \
		./internal/tufrepo:FuzzVerifyRoot ./internal/tufrepo:FuzzParseTargetRequest ./internal/tufrepo:FuzzParseMetadataName \
		./internal/tufrepo:FuzzDecodePrivateKey ./internal/secretbox:FuzzOpen ./internal/version:FuzzCompare \
		./internal/deviceapi:FuzzParseAuthorization ./internal/deviceapi:FuzzParseSessionAuthorization \
		./internal/blob:FuzzValidKey ./internal/agent/download:FuzzParseContentRange \
		./internal/httpapi:FuzzDeviceCheckIn ./internal/httpapi:FuzzDeviceEnrol ./internal/tufrepo:FuzzParseCustom \
		./internal/agent/engine:FuzzParseFacts ./internal/rollout:FuzzRolloutJSON \
		./internal/sbom:FuzzParse \
		./internal/component:FuzzParseCPE ./internal/component:FuzzParsePURL \
		./internal/advisory/osv:FuzzParse ./internal/advisory/nvd:FuzzRead ./internal/advisory/csaf:FuzzParse \
		./internal/advisory/kev:FuzzRead ./internal/vex/vexdoc:FuzzParse \
		./internal/vulnmatch:FuzzCompareVersions ./internal/vulnmatch:FuzzMatch; do \
		pkg=$${spec%%:*}; fn=$${spec##*:}; \
		echo "==> $$fn"; $(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime 30s $$pkg || exit 1; \
	done

cover: ## test coverage report in coverage.html
	$(GO) test -count=1 -coverprofile=coverage.out $(PKGS)
	$(GO) tool cover -html=coverage.out -o coverage.html

clean: ## remove build output
	rm -rf $(BIN) coverage.out coverage.html
