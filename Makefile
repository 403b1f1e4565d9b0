# The two set-up commands of the README: `make run` and `make test`.
GO ?= go
# encoding/json on top of the v2 implementation decodes events about 2.5x
# faster (replay speed); without it everything works, only slower.
export GOEXPERIMENT ?= jsonv2

.PHONY: run test vet lint bench build

run:
	$(GO) run ./cmd/ledger serve

build:
	$(GO) build -o bin/ledger ./cmd/ledger

# test runs the static checks and every test (with the race detector).
# The api package under the race detector takes about 10 minutes on a
# 2-core machine (TestEveryRouteRefusesGarbage sends every route garbage),
# beyond go test's default timeout of 10 minutes per package.
test: vet
	$(GO) test -race -count=1 -timeout 30m ./...

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@$(MAKE) --no-print-directory lint

# lint keeps the dependency direction of DESIGN.md: domain imports only the
# standard library, uuid and decimal.
lint:
	@bad=$$($(GO) list -f '{{join .Imports "\n"}}' ./domain/ | grep '\.' | grep -v -e '^github.com/google/uuid' -e '^github.com/shopspring/decimal'); \
	  if [ -n "$$bad" ]; then echo "domain must not import: $$bad"; exit 1; fi

bench:
	$(GO) run ./cmd/ledger bench
