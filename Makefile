# moodlemig — build, test, bench, fuzz, docs.
GO        ?= go
GOBIN     ?= $(shell $(GO) env GOPATH)/bin
STATICCHECK_VERSION ?= v0.8.2
FUZZTIME  ?= 10s
BENCHTIME ?= 1x

.PHONY: build test vet staticcheck bench fuzz docs restore-check clean

build:
	$(GO) build -o bin/moodlemig ./cmd/moodlemig

## test: go vet + race tests + staticcheck (installed when missing)
test: vet
	$(GO) test -race -count=1 ./...
	$(MAKE) staticcheck

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

staticcheck:
	@command -v staticcheck >/dev/null 2>&1 || test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	PATH="$(GOBIN):$$PATH" staticcheck ./...

## bench: Go benchmarks plus side-by-side comparisons (scripts/bench.sh)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...
	@if [ -x scripts/bench.sh ]; then scripts/bench.sh; fi

## fuzz: a short run of every fuzz target
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## docs: regenerate generated docs (stages reference, ...)
docs:
	@if [ -d cmd/gendocs ]; then $(GO) run ./cmd/gendocs; fi

## restore-check: restore what we write in a real Moodle 4.5 (../shared/moodle)
restore-check:
	@if [ -x scripts/restore-check.sh ]; then scripts/restore-check.sh; else echo "restore-check: not set up yet"; fi

clean:
	rm -rf bin out
