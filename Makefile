# Entry points. `make serve` and `make test` work on a fresh Debian 12 machine: each installs what it needs first.
JOBS ?= 2
GEN := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
RELEASE_DIR := build
TEST_DIR := build-test
LISTEN ?= 127.0.0.1:4000

.PHONY: deps build serve test test-build stress bench format clean

deps:
	@bash scripts/install-deps

build: deps
	cmake $(GEN) -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release -DCREDPOOL_TESTS=OFF
	cmake --build $(RELEASE_DIR) -j $(JOBS) --target credpool

# Runs the gateway with the file store ($$CREDPOOL_HOME, default ~/.credpool).
serve: build
	./$(RELEASE_DIR)/credpool serve --listen $(LISTEN)

# One instrumented (ASan + UBSan) build runs every test: unit, multi-process, fuzz corpus replay,
# gateway integration against a fake upstream, and the official SDKs end to end.
test-build: deps
	cmake $(GEN) -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=Debug -DCREDPOOL_SANITIZE=ON -DCREDPOOL_BENCH=OFF \
	  -DCREDPOOL_WERROR=$(if $(CI),ON,OFF)
	cmake --build $(TEST_DIR) -j $(JOBS)

test: test-build
	cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# Long runs kept out of `make test`: 1000 SIGKILLs of writers beside a serving gateway, and a
# soak of 100k upstream faults (descriptors and RSS flat).
stress: test-build
	cd $(TEST_DIR) && CREDPOOL_BIN=$$PWD/credpool CREDPOOL_KILLS=1000 ASAN_OPTIONS=detect_leaks=0 \
	  node --test ../tests/integration/crash_safety.test.mjs
	cd $(TEST_DIR) && CREDPOOL_BIN=$$PWD/credpool CREDPOOL_SOAK=100000 ASAN_OPTIONS=detect_leaks=0 \
	  node --test --test-name-pattern=soak ../tests/integration/upstream_faults.test.mjs

bench:
	@bash scripts/install-deps --bench
	cmake $(GEN) -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DCREDPOOL_TESTS=OFF
	cmake --build build-bench -j $(JOBS)
	@for b in build-bench/bench/*_bench; do echo "== $$b"; $$b --benchmark_min_time=0.2; done
	@if [ -x bench/load.sh ]; then bash bench/load.sh build-bench/credpool; fi

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'bench/*.cc')

clean:
	rm -rf $(RELEASE_DIR) $(TEST_DIR) build-bench
