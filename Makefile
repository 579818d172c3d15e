# tokensim: see README.md. Targets: build, run, pgo, test, bench, fuzz, check, tools, check-cluster, clean.
GO       ?= go
BIN      := bin/tokensim
# Profile-guided optimization: the binary is built with PGO from a CPU profile of
# `tokensim run` on the default study, runs and report (`make pgo` refreshes it).
# It is not named default.pgo, which `go test` would also pick up for cmd/tokensim's
# tests and so compile every dependency a second time in `make test`.
PGO      := cmd/tokensim/tokensim.pgo
# Packages whose tests run under the race detector in `make test` (concurrent code:
# the execution engine, the CLI, and aggregate's parallel fan passes).
RACE_PKGS := ./pipeline/... ./aggregate/... ./cmd/...

# Go native fuzz targets (package:FuzzName:executions), each with a seed corpus under
# <package>/testdata/fuzz/<FuzzName>/. `make fuzz` runs each for FUZZTIME; `make check`
# runs each for its number of executions (about 30 s on 2 cores): a duration's deadline
# can race Go's fuzzing coordinator and fail a target that found nothing ("context
# deadline exceeded", golang/go#75804, fixed in Go 1.27; seen here on FuzzProgressRecords).
FUZZ_TARGETS := ./study:FuzzParseStudy:60000x ./study:FuzzParamPath:40000x \
	./pipeline:FuzzProgressRecords:2000x ./pipeline:FuzzSensitivity:500x \
	./calibrate:FuzzReadPrices:300000x ./aggregate:FuzzCorruptDataset:500x
FUZZTIME ?= 10m

.PHONY: all build run pgo test bench fuzz check tools check-cluster clean

all: build

build:
	$(GO) build -pgo=$(PGO) -o $(BIN) ./cmd/tokensim

# Refreshes the PGO profile: runs the default study into a temporary directory
# with --cpuprofile (about 20 s on 2 cores), then rebuild.
pgo: build
	@tmp=$$(mktemp -d) && ./$(BIN) run -quiet -o $$tmp -cpuprofile $(PGO).new >/dev/null && \
		mv $(PGO).new $(PGO) && rm -rf $$tmp && echo "wrote $(PGO)"

# Runs the embedded default study (configs/default.yaml) into out/default and
# writes its report; the last line printed is the path of report.html.
run: build
	@./$(BIN) run

# Fast suite (well under 10 minutes on 2 cores): vet, short tests, and the
# race detector on the concurrent packages.
test:
	$(GO) vet ./...
	$(GO) test -short $$($(GO) list ./... | grep -v -e '/pipeline' -e '/aggregate' -e '/cmd/' -e '/clustertest')
	$(GO) test -short -race $(RACE_PKGS)

# Benchmarks, reporting domain units (runs/s, rows/s, consumer-days/s).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3x ./...

# Runs every fuzz target for FUZZTIME (default 10m each; FUZZTIME=count runs each
# target for its number of executions), one at a time.
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; n=$${rest#*:}; \
		ft=$(FUZZTIME); [ "$$ft" = count ] && ft=$$n; \
		echo "fuzz $$name ($$pkg) for $$ft"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $$ft -parallel 1 $$pkg || exit 1; \
	done

# Full-size suite (no -short: includes the crash-consistency test of the
# built binary, cmd/tokensim TestCrashConsistency), each fuzz target for its
# number of executions (about 30 s),
# and the headless-browser test of the report.
check:
	$(GO) test -count=1 -timeout 60m ./...
	$(MAKE) fuzz FUZZTIME=count
	TOKENSIM_BROWSER=1 $(GO) test -count=1 -timeout 10m -run Browser ./reports/

# Test servers, built from the separate tools module (tools/go.mod) so their
# dependencies stay out of tokensim's go.mod: versitygw, an S3 gateway.
tools: .tools/versitygw

.tools/versitygw: tools/go.mod tools/go.sum tools/tools.go
	cd tools && $(GO) build -o ../.tools/versitygw github.com/versity/versitygw/cmd/versitygw

# Cluster checks on real servers started by the tests: S3 (versitygw on
# 127.0.0.1; storage contract, sharded/killed/duplicated processes, report and
# status from the bucket, the S3-vs-disk benchmark) and a single-node Slurm
# (scripts/check-cluster.sh: installs and starts munge, slurmctld and slurmd).
check-cluster: tools
	TOKENSIM_S3=1 $(GO) test -count=1 -timeout 20m ./storage/ ./clustertest/
	TOKENSIM_S3=1 $(GO) test -run '^$$' -bench S3 -benchtime 1x ./clustertest/
	bash scripts/check-cluster.sh

clean:
	rm -rf bin out
