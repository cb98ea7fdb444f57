# Minyi's front door: `make run` and `make test` work on a fresh Debian machine with Go.
GO      ?= go
BIN     := bin/minyi
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
# Every go command here builds with the paths of the sources trimmed. Without it the build
# cache keys each package of this module by the directory it was compiled in: a fresh
# clone elsewhere (CI's checkout, a second worktree) compiled all of it again, plain, under
# the race detector, for fuzzing, for vet and for staticcheck, 224 CPU-s before the first
# test; trimmed, the same sources are found in the cache wherever they lie (50 CPU-s, the
# links). A stack trace names files by module path (minyi/server/vote.go) instead.
export GOFLAGS := $(strip $(GOFLAGS) -trimpath)

.PHONY: help run test test-plain test-race test-race-http fuzz build lint bench deps deps-test clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: deps build ## start the server on a private PostgreSQL in ./var/pg and print where to log in
	./$(BIN) serve

# The race detector makes the ballot cryptography about twelve times slower, and the HTTP
# packages' tests cast and count thousands of encrypted ballots: they run without it,
# except the server's tests of concurrent work (submits in batches, streams across
# instances, delivery, the key ceremony's rounds), which run under it instead; they are
# named in full, since the plain pass skips the same names in every package it runs. The
# ballot and elgamal packages' tests of cryptography alone (a whole box cast and counted,
# large counts decrypted) skip themselves under -race (withoutRace): the packages run once
# more without it, and the lighter tests keep their workers under the detector.
RACE_HTTP := ^(TestConcurrentSubmitsCountOnce|TestLiveTurnoutAcrossInstances|TestLiveStreamOutlivesWriteTimeout|TestLiveComputedOncePerUpdate|TestLiveTotalInEnglish|TestIssueTwiceOneBatch|TestRehearsal|TestPaperBallotsByDoubleEntry|TestOutboundDelivery|TestCeremonyRounds)$$
# The tests' processes (test binaries, the servers the fault tests start, the compiler)
# collect garbage less often: a fifth less CPU in the ballot package, for a bigger heap.
TESTGOGC ?= 400
# The test binaries are linked without DWARF: they are run once and thrown away, a stack
# trace needs none, and the linker's time falls by a quarter to a half.
TESTLDFLAGS := -ldflags=-w
# The passes, the lint and the fuzzing share the two cores side by side: the server's and
# the binary's tests take longest and wait on PostgreSQL and the browser, and the rest
# fills the gaps. The fuzzing starts when the first of the others ends (the lint, as a
# rule), and each target runs with one worker: the two cores are already the tests', and a
# second worker would only take half of what the first gets. `make fuzz` alone keeps a
# worker a core. Each target searches for TESTFUZZTIME here: its seed corpus (the f.Add
# inputs and testdata/fuzz) runs in the test passes as any test does, and a longer search
# is the business of `make fuzz`.
TESTFUZZTIME ?= 2s
test: deps-test ## run every test: real PostgreSQL, real chromium, race detector; each fuzz target briefly
	@$(MAKE) --no-print-directory -j4 test-plain test-race test-race-http lint fuzz FUZZTIME=$(TESTFUZZTIME) FUZZWORKERS=1

# The server's tests of concurrent work run under the race detector only (test-race-http).
test-plain:
	GOGC=$(TESTGOGC) $(GO) test $(TESTLDFLAGS) -count=1 -timeout 25m -skip '$(RACE_HTTP)' ./server/ ./cmd/minyi/ ./ballot/ ./ballot/elgamal/

test-race:
	GOGC=$(TESTGOGC) $(GO) test $(TESTLDFLAGS) -race -count=1 -timeout 25m $$($(GO) list ./... | grep -v -e '^minyi/server$$' -e '^minyi/cmd/minyi$$')

test-race-http:
	GOGC=$(TESTGOGC) $(GO) test $(TESTLDFLAGS) -race -count=1 -timeout 25m -run '$(RACE_HTTP)' ./server/

# The fuzz targets: hostile ballots, typed codes, bundles and uploaded sheets. The seed
# corpora are in testdata/fuzz; `make fuzz FUZZTIME=10m` searches longer.
FUZZ     := ballot:FuzzParseToken ballot:FuzzCheckBallot ballot:FuzzPlainSize ballot:FuzzCleanText ballot:FuzzVerify ballot:FuzzMarks ballot/elgamal:FuzzParseLine sheet:FuzzImport
FUZZTIME ?= 4s
# Worker processes a target runs with; Go's default is one a core.
FUZZWORKERS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZPKGS := $(sort $(foreach t,$(FUZZ),$(firstword $(subst :, ,$(t)))))
# Each package's fuzzing binary is built once, for all its targets, and run from the
# package's directory (where it writes a failing input) with the cache `go test -fuzz`
# uses. Go before 1.27 may end a timed run with a bare "context deadline exceeded" when
# its workers stop a moment after the deadline (a race in the fuzzing engine, fixed in Go
# 1.27): that alone, with no input written, is run once more; anything else fails.
fuzz: ## run each fuzz target for FUZZTIME (default 4s)
	@set -e; bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; cache="$$($(GO) env GOCACHE)/fuzz"; \
	for p in $(FUZZPKGS); do $(GO) test -c $(TESTLDFLAGS) -fuzz . -vet=off -o "$$bin/$$(echo $$p | tr / _).test" ./$$p/; done; \
	for t in $(FUZZ); do \
		p=$${t%%:*}; name=$${t#*:}; \
		echo "fuzz $$name ($(FUZZTIME))"; \
		for try in 1 2; do \
			if (cd $$p && "$$bin/$$(echo $$p | tr / _).test" -test.paniconexit0 -test.timeout 10m -test.run '^$$' -test.fuzz "^$$name$$" \
				-test.fuzztime $(FUZZTIME) -test.parallel $(FUZZWORKERS) -test.fuzzminimizetime 1s -test.fuzzcachedir "$$cache") > "$$bin/fuzz.log" 2>&1; then break; fi; \
			if [ $$try = 1 ] && grep -q 'context deadline exceeded' "$$bin/fuzz.log" && ! grep -q 'Failing input written' "$$bin/fuzz.log"; then \
				echo "  the fuzzing engine stopped late at its deadline, nothing found: once more"; continue; fi; \
			cat "$$bin/fuzz.log"; exit 1; \
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
