# parley: the two commands a newcomer needs are `make run` and `make test`.
# Every target installs what it needs (Debian packages via apt-get, Go tools
# via the Go module proxy) or says exactly what is missing.

SHELL        := /bin/bash
GO           ?= go
BIN          := bin
TOOLS        := $(CURDIR)/.tools
GOLANGCI     := $(TOOLS)/golangci-lint
GOLANGCI_VER := v2.15.0
# Debian packages the build and tests need: a C toolchain (cgo, -race),
# the offline speech engines and codecs the plugins link, protoc, and
# Chromium + Node for the browser and socket.io-client tests,
# prometheus (server and promtool) for test/prometheus, postgresql for
# the PostgreSQL store's tests (internal/pgtest starts its own server),
# nats-server (the bus between instances; redis-server only for the bus
# comparison benchmark), started by internal/bustest, and haproxy, the load
# balancer of test/cluster (internal/lbtest).
APT_PACKAGES := gcc libc6-dev pkg-config \
	libopus-dev libopusfile-dev \
	libpocketsphinx-dev libsphinxbase-dev pocketsphinx-en-us \
	libespeak-ng-dev espeak-ng flite1-dev flite \
	protobuf-compiler chromium nodejs prometheus postgresql nats-server redis-server haproxy
PLUGINS      := $(notdir $(patsubst %/,%,$(filter-out plugins/internal/,$(wildcard plugins/*/))))
PROTOC_GEN_GO_VER      := v1.36.12
PROTOC_GEN_GO_GRPC_VER := v1.5.1

VERSION      ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -X main.version=$(VERSION)

export CGO_ENABLED := 1

.PHONY: all run build plugins vad proto deps test unit fuzz vet lint fmt schema bench bench-taking turnset callload chaos soak image compose clean help

all: build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

run: build ## build everything and start the runtime on port 3000 with the default agent
	./$(BIN)/parley

build: deps plugins vad ## build the runtime and its plugins into bin/
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/parley ./cmd/runtime

plugins: deps ## build the provider plugins into bin/plugins/
	@mkdir -p $(BIN)/plugins
	@for p in $(PLUGINS); do echo "go build -o $(BIN)/plugins/$$p ./plugins/$$p"; $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/plugins/$$p ./plugins/$$p || exit 1; done

vad: ## fetch the Silero VAD model and ONNX Runtime into bin/vad/ (npm registry)
	@scripts/vad-assets.sh $(BIN)/vad

proto: deps ## regenerate runtime/provider/proto/v1 from provider.proto
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VER)
	GOBIN=$(TOOLS) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VER)
	PATH=$(TOOLS):$$PATH protoc --go_out=. --go_opt=module=github.com/parleyhq/parley \
		--go-grpc_out=. --go-grpc_opt=module=github.com/parleyhq/parley runtime/provider/proto/v1/provider.proto

deps: ## install missing Debian packages (needs root, once)
	@command -v $(GO) >/dev/null || { echo "Go is not installed: install Go 1.26 (https://go.dev/dl) and re-run"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "run as root, or: sudo apt-get install -y$$missing"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Debian's nodejs has no npm (NodeSource's does): the Node tests and make vad need it.
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm; } || \
	  { echo "npm is missing: apt-get install -y npm"; exit 1; }

test: deps vet lint unit ## everything: vet, lint and all tests with -race

unit: deps vad ## all Go tests with the race detector
	$(GO) test -race -count=1 -timeout 15m ./...

# FUZZTIME is how long `make fuzz` runs each target; FUZZFLAGS go to each
# `go test -fuzz` (add -parallel=1 on a busy machine). Go minimises every
# new interesting input for up to 60 s by default, which left FuzzInbound
# at 13 executions in 45 s: 200 tries each keeps the time for fuzzing.
FUZZTIME  ?= 20s
FUZZFLAGS ?= -fuzzminimizetime=200x

fuzz: deps ## run every Go fuzz target (func FuzzX in a _test.go file) for FUZZTIME each (20s); failing inputs land in the package's testdata/fuzz/
	@failed=""; \
	while read -r file; do \
	  pkg=./$$(dirname $$file); \
	  for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
	    echo "== $$pkg $$target ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) $$pkg || failed="$$failed $$pkg:$$target"; \
	  done; \
	done < <(grep -rl --include='*_test.go' '^func Fuzz' cmd internal plugins runtime test 2>/dev/null | sort); \
	if [ -n "$$failed" ]; then echo "fuzz targets that failed:$$failed"; exit 1; fi

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

$(GOLANGCI):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

lint: $(GOLANGCI) ## golangci-lint (installed into .tools/ on first use)
	$(GOLANGCI) run ./...

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

schema: ## regenerate schema/agent.schema.json from the Go types
	$(GO) run ./runtime/agent/internal/genschema > schema/agent.schema.json

bench: deps build ## Go benchmarks, then the turn benchmarks (overhead, barge-in, capacity) with short settings (bench/RESULTS.md)
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./bench/turns -mode overhead -calls 10 -turns 60
	$(GO) run ./bench/turns -mode bargein -calls 2 -turns 30
	$(GO) run ./bench/turns -mode capacity -n 75,100 -window 20s

# ITEMS caps the items of each kind per variant (empty: the whole set).
bench-taking: deps build ## the turn-taking benchmark over the test set (bench/turns -mode taking): fake provider, then the offline default agent, every turn_taking variant (ITEMS=N for a shorter run)
	$(GO) run ./bench/turns -mode taking -agent bench -calls 4 $(if $(ITEMS),-items $(ITEMS))
	$(GO) run ./bench/turns -mode taking -agent default -calls 4 $(if $(ITEMS),-items $(ITEMS))

turnset: deps ## write the turn-taking test set (test/turns) as WAV files with labels.json and labels.csv into bin/turnset/ to listen to
	$(GO) run ./test/turns/cmd/turnset -out $(BIN)/turnset -cache $(BIN)/cache/turns

callload: build ## N concurrent WebRTC calls, each holding a conversation with the fake-provider agent (CALLS=100)
	$(GO) build -o $(BIN)/plugins/fakeprovider ./bench/fakeprovider
	$(GO) run ./bench/callload -spawn $(BIN)/parley -calls $(or $(CALLS),100) -duration 20s -agents bench/agents -agent bench

chaos: build ## 50 calls on the fake provider while one is made to panic and the plugins are SIGKILLed in turn (runtime built with -tags chaos)
	$(GO) build -tags chaos -ldflags "$(LDFLAGS)" -o $(BIN)/parley-chaos ./cmd/runtime
	$(GO) build -o $(BIN)/plugins/fakeprovider ./bench/fakeprovider
	$(GO) run ./bench/callload -spawn $(BIN)/parley-chaos -calls 50 -duration 40s -chaos 8s -chaos-agent chaos-panic -agents bench/agents -agent bench

soak: build ## 100 calls for 10 minutes with RSS, goroutines and open files sampled (SOAK=10m, CALLS=100)
	$(GO) build -o $(BIN)/plugins/fakeprovider ./bench/fakeprovider
	$(GO) run ./bench/callload -spawn $(BIN)/parley -calls $(or $(CALLS),100) -duration $(or $(SOAK),10m) -drift 10s -profiles $(BIN)/soak-profiles -agents bench/agents -agent bench -env PARLEY_CALL_MAX_DURATION=24h

image: ## container image of the runtime (deploy/Dockerfile; needs Docker)
	docker build -f deploy/Dockerfile -t parley:$(VERSION) --build-arg VERSION=$(VERSION) .

compose: ## runtime + Prometheus + Grafana in Docker (deploy/docker-compose.yml)
	docker compose -f deploy/docker-compose.yml up --build

clean:
	rm -rf $(BIN) $(TOOLS)
