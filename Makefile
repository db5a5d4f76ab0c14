# Quick start: `make run` (install what is missing, build Release, run `hvsim compare`) and
# `make test` (build and run the whole suite through ctest).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
DEB_PACKAGES = cmake make g++ pkg-config libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev \
               libzstd-dev liblzma-dev zlib1g-dev libzip-dev zipcmp zipmerge ziptool libgtest-dev libgmock-dev libbenchmark-dev \
               valgrind clang clang-format nodejs chromium openmpi-bin libopenmpi-dev $(NPM_PACKAGE)
# Debian's nodejs comes without npm (package npm); NodeSource's bundles it and conflicts with it.
NPM_PACKAGE := $(if $(shell command -v npm),,npm)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build run test bench asan asan-build format clean

all: build

# Installs only the Debian packages that are missing, then the plotting libraries `hvsim report`
# embeds, at the versions package-lock.json pins (again only when the lock file changed).
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "npm ci (vega, vega-lite, vega-embed)"; npm ci --no-audit --no-fund --loglevel=error; \
	fi

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/hvsim compare

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	@for b in $(BUILD)/*_bench; do echo "== $$b"; $$b; done

# The whole suite under AddressSanitizer and UBSan, in its own build directory, compiled with
# clang so that the same instrumented objects also make the libFuzzer targets
# (tests/fuzz/run_fuzzers.sh runs them from this tree). Its layers compile as unity builds.
ASAN_BUILD ?= build-asan
asan-build: deps
	CXX=clang++ cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O1 \
	  -DHVSIM_SANITIZE=ON -DHVSIM_FUZZ=ON -DHVSIM_WERROR=OFF -DHVSIM_BENCH=OFF -DHVSIM_UNITY_BUILD=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)

asan: asan-build
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
