# Minyi's front door: `make run` and `make test` work on a fresh Debian machine with Go.
GO      ?= go
BIN     := bin/minyi
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

.PHONY: help run test fuzz build lint bench deps deps-test clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: deps build ## start the server on a private PostgreSQL in ./var/pg and print where to log in
	./$(BIN) serve

# The race detector makes the ballot cryptography about twelve times slower, and the HTTP
# packages' tests cast and count thousands of encrypted ballots: they run without it, and
# the server's tests of concurrent work (submits in batches, streams across instances,
# delivery, the key ceremony's rounds) run again under it.
RACE_HTTP := TestConcurrentSubmitsCountOnce|TestLive|TestIssueTwiceOneBatch|TestRehearsal$$|TestPaperBallotsByDoubleEntry|TestOutboundDelivery|TestCeremonyRounds
test: deps-test lint ## run every test: real PostgreSQL, real chromium, race detector; each fuzz target briefly
	$(GO) test -race -count=1 -timeout 25m $$($(GO) list ./... | grep -v -e '^minyi/server$$' -e '^minyi/cmd/minyi$$')
	$(GO) test -count=1 -timeout 25m ./server/ ./cmd/minyi/
	$(GO) test -race -count=1 -timeout 25m -run '$(RACE_HTTP)' ./server/
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)

# The fuzz targets: hostile ballots, typed codes, bundles and uploaded sheets. The seed
# corpora are in testdata/fuzz; `make fuzz FUZZTIME=10m` searches longer.
FUZZ     := ballot:FuzzParseToken ballot:FuzzCheckBallot ballot:FuzzPlainSize ballot:FuzzCleanText ballot:FuzzVerify ballot:FuzzMarks ballot/elgamal:FuzzParseLine server:FuzzImport
FUZZTIME ?= 4s
# Go before 1.27 may end a timed run with a bare "context deadline exceeded" when its
# workers stop a moment after the deadline (a race in the fuzzing engine, fixed in Go
# 1.27): that alone, with no input written, is run once more; anything else fails.
fuzz: ## run each fuzz target for FUZZTIME (default 4s)
	@set -e; for t in $(FUZZ); do \
		echo "fuzz $${t#*:} ($(FUZZTIME))"; \
		for try in 1 2; do \
			if $(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 1s ./$${t%%:*}/ > /tmp/minyi-fuzz.log 2>&1; then break; fi; \
			if [ $$try = 1 ] && grep -q 'context deadline exceeded' /tmp/minyi-fuzz.log && ! grep -q 'Failing input written' /tmp/minyi-fuzz.log; then \
				echo "  the fuzzing engine stopped late at its deadline, nothing found: once more"; continue; fi; \
			cat /tmp/minyi-fuzz.log; exit 1; \
		done; \
	done

build: ## build bin/minyi
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/minyi

lint: ## go vet, gofmt and staticcheck
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) tool staticcheck ./...

bench: deps build ## Go benchmarks of sealing, counting and 10,000 slips, then minyi bench (2,000 voters over HTTP)
	$(GO) test -run '^$$' -bench . -benchmem ./ballot/
	$(GO) test -run '^$$' -bench Slips10000 -benchtime 1x ./report/
	$(GO) test -run '^$$' -bench TellerPartialChromium4x -benchtime 3x ./cmd/minyi/
	./$(BIN) bench -n 2000 -c 200 -runs 5

deps: ## install PostgreSQL and fonts with apt-get when missing
	@deploy/install-deps.sh run

deps-test: ## the same, plus chromium and poppler-utils for the tests
	@deploy/install-deps.sh test

clean: ## remove the binary (keeps ./var: the database and the server secret)
	rm -rf bin
