# ferry — build, test and local stack. GNU make; recipes run in bash.
SHELL := /bin/bash

GO ?= go
BIN := bin/ferry
STACK := kafka redis nats postgres mariadb s3 elasticsearch schema-registry kafka-connect lambda prometheus hdfs chromium
LAMBDA_ARCHS := amd64 arm64

.PHONY: build run unit stack stack-down test fuzz bench bench-kc bench-table clean lambda infra-check docs api-fuzz wasm-tools wasm-examples

build:
	$(GO) build -o $(BIN) .

# Standalone on embedded defaults: embedded NATS, in-memory dev broker, file state.
run: build
	./$(BIN) standalone

# Unit tests only: fast, no services.
unit:
	$(GO) test ./...

# The config reference (docs/plugins/, one page per plugin, and the worker
# configuration reference in docs/configuration.md) from the
# declarations; the unit tests (TestPluginPages, TestWorkerConfigReference)
# fail when it is stale.
docs:
	$(GO) test ./docs -run '^(TestPluginPages|TestWorkerConfigReference)$$' -count=1 -update

# The REST API fuzzed from GET /openapi.json with schemathesis (PyPI), bounded
# by SCHEMATHESIS_SECONDS (default 60): no 5xx, answers as documented.
api-fuzz: build
	FERRY_BIN=$(CURDIR)/$(BIN) localstack/schemathesis

# Start the local stack; `source .stack.env` to get its connection settings.
stack:
	localstack/up $(STACK) > .stack.env.tmp && mv .stack.env.tmp .stack.env

stack-down:
	localstack/down

# Everything CI runs: vet, unit tests, integration tests against the real stack.
# `stackenv=$$(...)` before eval, so a failing localstack/up fails the recipe
# (eval "$$(cmd)" would hide the exit status of cmd).
test: build wasm-tools
	@set -euo pipefail; step="localstack/up $(STACK)"; \
	trap 'echo "make test: FAIL at: $$step" >&2' ERR; \
	stackenv=$$(localstack/up $(STACK)); eval "$$stackenv"; \
	step="go vet"; echo "== $$step"; $(GO) vet ./...; \
	step="infra-check"; echo "== $$step"; infra/check; \
	step="unit tests"; echo "== $$step"; $(GO) test ./...; \
	step="fuzz"; echo "== $$step"; $(MAKE) --no-print-directory fuzz; \
	step="REST API fuzz (schemathesis)"; echo "== $$step"; FERRY_BIN=$(CURDIR)/$(BIN) localstack/schemathesis; \
	step="integration tests"; echo "== $$step"; \
	mkdir -p bin; printf '%s\n' "$(FAULT_HEADER)" > bin/fault-report.txt; \
	FERRY_TEST_ARTIFACTS=$(CURDIR)/bin/artifacts FAULT_REPORT=$(CURDIR)/bin/fault-report.txt $(GO) test -tags integration -count=1 -timeout 20m -skip '$(ALONE)' ./...; \
	step="restart faults (alone: they restart Kafka and Redis)"; echo "== $$step"; \
	FAULT_REPORT=$(CURDIR)/bin/fault-report.txt $(GO) test -tags integration -count=1 -timeout 10m -run '$(ALONE)' ./functions/e2e/; \
	echo "== fault tests (bin/fault-report.txt)"; cat bin/fault-report.txt; \
	echo "make test: PASS (build, vet, unit, fuzz, integration)"

# Fuzz targets (package:function:executions). Each budget is a count of
# executions (-fuzztime Nx), never a duration: a duration races Go's fuzzing
# coordinator at its deadline (golang/go#75804, fixed in Go 1.27, not 1.26.x)
# and fails with "context deadline exceeded" and no input on a loaded machine.
# A count is the same work on any machine: a busy one is slower, never red.
# Budgets are sized to a few seconds each on a quiet 2-core machine; a real
# finding (an input written under testdata/fuzz/) still fails the step, and
# the corpus replay in `go test ./...` stays the deterministic gate.
# FUZZ_SCALE multiplies every budget (e.g. FUZZ_SCALE=10 for a longer hunt).
FUZZ_SCALE ?= 1
FUZZ := ./transforms/convert/json:FuzzJSONToConnect:60000 \
	./transforms/convert/json:FuzzSchema:200000 \
	./connectors:FuzzParse:150000 \
	./scheduler:FuzzDecodeBody:60000 \
	./state/connectfile:FuzzDecode:100000
FAULT_HEADER := | fault test | produced | delivered | lost | duplicated |
# Tests that restart shared services run after the rest, never beside another package.
ALONE := ^TestRestartServicesMidPipeline$$

# Each target prints its executions and wall time, build included (a cold
# cache builds an instrumented copy of the package's dependencies first).
fuzz:
	@set -euo pipefail; mkdir -p bin; total0=$$(date +%s); for t in $(FUZZ); do \
	  pkg=$${t%%:*}; rest=$${t#*:}; fn=$${rest%%:*}; n=$$(( $${rest##*:} * $(FUZZ_SCALE) )); t0=$$(date +%s); \
	  $(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $${n}x -parallel 2 -timeout 15m $$pkg > bin/fuzz-$$fn.log 2>&1 \
	    || { cat bin/fuzz-$$fn.log; echo "fuzz $$fn ($$pkg) failed: a failing input, if any, is under $$pkg/testdata/fuzz/$$fn" >&2; exit 1; }; \
	  echo "fuzz $$fn ($$pkg): $$(grep -o 'execs: [0-9]*' bin/fuzz-$$fn.log | tail -1) of $$n, $$(( $$(date +%s) - t0 ))s wall"; \
	done; echo "fuzz: all targets in $$(( $$(date +%s) - total0 ))s wall"

# Every benchmark once; the figures also go to docs/bench-latest.md (one table
# with the machine, date and commit), with bench-kc's if it ran before.
# Conduit (the peer of BenchmarkPeerConduit*) is built by localstack/up conduit.
# BENCH (a -bench pattern) and BENCH_PKGS narrow the run; the table says which ran.
BENCH ?= .
BENCH_PKGS ?= ./...
bench: wasm-tools
	@set -euo pipefail; stackenv=$$(localstack/up $(STACK) conduit); eval "$$stackenv"; mkdir -p bin; \
	load=$$(cut -d' ' -f1 /proc/loadavg); \
	$(GO) test -tags integration -run '^$$' -bench '$(BENCH)' -benchtime 1x -timeout 60m $(BENCH_PKGS) | tee bin/bench.out; \
	$(MAKE) --no-print-directory bench-table LOAD_BEFORE=$$load BENCH_RUN="make bench BENCH='$(BENCH)' BENCH_PKGS='$(BENCH_PKGS)'"

# docs/bench-latest.md from the last `make bench` and `make bench-kc` outputs.
bench-table:
	@ins=$$(ls bin/bench.out bin/bench-kc.out 2>/dev/null || true); \
	[[ -n $$ins ]] || { echo "bench-table: no bin/bench.out or bin/bench-kc.out: run make bench or make bench-kc" >&2; exit 1; }; \
	$(GO) run ./docs/benchtable -o docs/bench-latest.md -load-before "$(LOAD_BEFORE)" -run "$(BENCH_RUN)" -commit "$(BENCH_COMMIT)" $$ins && echo "wrote docs/bench-latest.md from" $$ins

# The toolchains of the WebAssembly modules (the Rust wasm32-wasip1 target,
# added once with rustup); the integration tests build the modules themselves.
wasm-tools:
	localstack/wasm-tools

# The example WebAssembly modules (transforms/wasm/examples) built from source
# into bin/wasm/: Go for wasip1 (mask, filter) and Rust (mask).
wasm-examples: wasm-tools
	@set -euo pipefail; mkdir -p bin/wasm; ex=transforms/wasm/examples; \
	for m in mask filter; do (cd $$ex/go && GOOS=wasip1 GOARCH=wasm $(GO) build -buildmode=c-shared -o $(CURDIR)/bin/wasm/go-$$m.wasm ./$$m); done; \
	(cd $$ex/rust/mask && PATH="$$PATH:$$HOME/.cargo/bin" CARGO_TARGET_DIR=$(CURDIR)/bin/wasm/cargo cargo build --release --quiet --target wasm32-wasip1); \
	cp bin/wasm/cargo/wasm32-wasip1/release/ferry_wasm_mask.wasm bin/wasm/rust-mask.wasm; ls -l bin/wasm/*.wasm

# ferry vs the reference Kafka Connect (standalone): 1,000,000 JSON lines through
# FileStreamSource -> Kafka -> FileStreamSink with InsertField, ReplaceField, MaskField.
bench-kc: build
	@set -euo pipefail; stackenv=$$(localstack/up kafka); eval "$$stackenv"; \
	load=$$(cut -d' ' -f1 /proc/loadavg); mkdir -p bin; \
	FERRY_BIN=$(CURDIR)/$(BIN) localstack/bench-kc | tee bin/bench-kc.out; \
	$(MAKE) --no-print-directory bench-table LOAD_BEFORE=$$load BENCH_RUN="make bench-kc (with an earlier make bench's bin/bench.out, if any)"

# AWS Lambda zips: dist/ferry-lambda-<arch>.zip (deflated), the binary named
# bootstrap (provided.al2023), built without the RPC shim (-tags lambda.norpc).
# The function only (functions/lambda): no scheduler, REST API, NATS server or
# dev broker. CONNECTORS=datagen,s3sink keeps only those connector packages of
# connectors/builtin (main generated by functions/lambda/gen into dist/_lambda).
# WITHOUT names the optional parts left out, each the build tag ferry_no<part>:
# avro, protobuf (converters), wasm (the WebAssembly transform and predicate),
# redis (the Redis state store), awschain (the AWS SDK's standard credential
# chain; without it AWS clients use the environment's credentials, which is
# what Lambda gives a function). The default leaves out LAMBDA_WITHOUT, to
# stay within 12 MB (docs/lambda.md); WITH=protobuf,wasm puts parts back,
# WITHOUT= keeps every part.
# WITHOUT_AVRO=1 is the older spelling of WITHOUT=avro.
CONNECTORS ?=
LAMBDA_PARTS := avro protobuf wasm redis awschain
LAMBDA_WITHOUT := protobuf,wasm,awschain
WITHOUT ?= $(LAMBDA_WITHOUT)
WITH ?=
WITHOUT_AVRO ?=
lambda:
	@set -euo pipefail; mkdir -p dist; pkg=./functions/lambda; tags=lambda.norpc; wa="$(WITHOUT_AVRO)"; \
	for part in $$(echo "$(WITHOUT)$${wa:+,avro}" | tr ', ' '\n\n' | sort -u); do \
	  case " $(LAMBDA_PARTS) " in *" $$part "*) ;; *) echo "WITHOUT: unknown part $$part: want some of $(LAMBDA_PARTS)" >&2; exit 2;; esac; \
	  case ",$(WITH)," in *",$$part,"*) ;; *) tags=$$tags,ferry_no$$part;; esac; \
	done; \
	if [[ -n "$(CONNECTORS)" ]]; then \
	  $(GO) run ./functions/lambda/gen -connectors "$(CONNECTORS)" -o dist/_lambda/main.go; pkg=./dist/_lambda; \
	fi; \
	for arch in $(LAMBDA_ARCHS); do \
	  rm -rf dist/lambda-$$arch && mkdir -p dist/lambda-$$arch; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -tags $$tags -trimpath \
	    -ldflags "-s -w -X main.Version=$$(git describe --always --dirty 2>/dev/null || echo dev)" \
	    -o dist/lambda-$$arch/bootstrap $$pkg; \
	  rm -f dist/ferry-lambda-$$arch.zip; \
	  (cd dist/lambda-$$arch && python3 -c 'import sys, zipfile; \
	    z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED, compresslevel=9); z.write("bootstrap"); z.close()' \
	    ../ferry-lambda-$$arch.zip); \
	  echo "dist/ferry-lambda-$$arch.zip: $$(stat -c %s dist/ferry-lambda-$$arch.zip) bytes ($${pkg#./}$${CONNECTORS:+: $(CONNECTORS)}, -tags $$tags)"; \
	done

# Validate infra/ offline: cfn-lint for the CloudFormation template, the
# kubernetes client's API models for the manifests (see infra/check).
infra-check:
	infra/check

clean:
	rm -rf bin dist
