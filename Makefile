# tokensim: see README.md. Targets: build, run, test, bench, check, clean.
GO       ?= go
BIN      := bin/tokensim
# Packages whose tests run under the race detector in `make test` (concurrent code:
# the execution engine, the CLI, and aggregate's parallel fan passes).
RACE_PKGS := ./pipeline/... ./aggregate/... ./cmd/...

.PHONY: all build run test bench check clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/tokensim

# Runs the embedded default study (configs/default.yaml) into out/default and
# writes its report; the last line printed is the path of report.html.
run: build
	@./$(BIN) run

# Fast suite (well under 10 minutes on 2 cores): vet, short tests, and the
# race detector on the concurrent packages.
test:
	$(GO) vet ./...
	$(GO) test -short $$($(GO) list ./... | grep -v -e '/pipeline' -e '/aggregate' -e '/cmd/')
	$(GO) test -short -race $(RACE_PKGS)

# Benchmarks, reporting domain units (runs/s, rows/s, consumer-days/s).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...

# Full-size suite (no -short) plus the headless-browser test of the report.
check:
	$(GO) test -count=1 -timeout 60m ./...
	TOKENSIM_BROWSER=1 $(GO) test -count=1 -timeout 10m -run Browser ./reports/

clean:
	rm -rf bin out
