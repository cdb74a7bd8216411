# pdswap - one Makefile for the tool, its tests and its benchmarks.
#
#   make run     install what is missing, build, run pdswap-dse configs/kv260.yaml
#   make check   install what is missing, build, run every test
#   make asan    the same tests under AddressSanitizer + UBSan (build-asan/)
#   make bench   benchmarks that print "name: value" lines
#   make hls-csim  HLS headers for several design points, the sim/hw kernels
#                  built against each and run as a C simulation (part of check)
#   make fuzz    fuzz the config loader with libFuzzer (clang), FUZZ_SECONDS per harness
#   make mpi     build/pdswap-dse-mpi, the main job on the ranks of an MPI job (OpenMPI)
#   make mpi-check  the MPI tests (tests/mpi_test.sh; .ci/run runs them)
#
# Objects go under $(BUILD)/ (build/ by default); libraries come from pkg-config.

BUILD   ?= build
CC      ?= gcc
PKGS    := gsl yaml-0.1 sqlite3 jansson libxml-2.0
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. -Idse
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) -MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

# Debian packages the build and the tests need; `make deps` installs the missing
# (chromium: the report is checked in a headless browser, tests/browser_check.py).
APT_PKGS := gcc make pkg-config libgsl-dev libyaml-dev libsqlite3-dev libjansson-dev libxml2-dev check \
            sqlite3 python3 python3-yaml gnuplot-nox fonts-dejavu-core util-linux mount e2fsprogs \
            libopenmpi-dev openmpi-bin chromium

LIB_SRC := $(wildcard models/*.c) $(wildcard sim/*.c) \
           $(filter-out dse/cli/main.c dse/mpi/%,$(wildcard dse/*/*.c))

# The MPI build (make mpi): dse/mpi/ alone includes <mpi.h>; nothing else
# needs OpenMPI.
MPI_PKGS := ompi-c
MPI_SRC  := $(wildcard dse/mpi/*.c)
MPI_OBJ  := $(MPI_SRC:%.c=$(BUILD)/%.o)
MPI_BIN  := $(BUILD)/pdswap-dse-mpi

# The model's fingerprint (models/version.h): a hash of the sources of
# models/ and sim/, compiled into version.o alone, which is rebuilt when
# one of them changes.
MODEL_SRC := $(sort $(wildcard models/*.c models/*.h sim/*.c sim/*.h))
MODEL_FP  := $(shell cat $(MODEL_SRC) | sha256sum | cut -c1-16)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/check_*.c) tests/runner.c tests/fuzz/fz_oracle.c
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)
BENCH_SRC := $(wildcard tests/bench_*.c)
BENCH_BIN := $(BENCH_SRC:tests/%.c=$(BUILD)/%)

# models/ and sim/ link with GSL and libm alone (checked by make check)
MODELS_OBJ := $(filter $(BUILD)/models/% $(BUILD)/sim/%,$(LIB_OBJ))

BIN  := $(BUILD)/pdswap-dse
TBIN := $(BUILD)/check_pdswap

# HLS side (sim/hw): host tools linked with the library; the kernels and the
# test bench are built per design point by sim/hw/csim.sh.
HLS_TOOLS  := $(BUILD)/hls/pragma_lint $(BUILD)/hls/csim_points
HLS_CFLAGS := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror \
              -Wno-unknown-pragmas $(OPT) $(SAN) -D_POSIX_C_SOURCE=200809L

.PHONY: all run check test deps install-missing asan bench clean hls-csim fuzz fuzz-deps mpi mpi-check
all: $(BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/models/version.o: CPPFLAGS += -DPDS_MODEL_FINGERPRINT='"$(MODEL_FP)"'
$(BUILD)/models/version.o: $(MODEL_SRC)

$(BUILD)/libpdswap.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/dse/cli/main.o $(BUILD)/libpdswap.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/dse/mpi/%.o: dse/mpi/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell pkg-config --cflags $(MPI_PKGS) 2>/dev/null) -c $< -o $@

$(MPI_BIN): $(MPI_OBJ) $(BUILD)/libpdswap.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs $(MPI_PKGS) 2>/dev/null)

mpi: deps
	@$(MAKE) --no-print-directory $(MPI_BIN)

# mpirun as root (CI) needs --allow-run-as-root; the tests oversubscribe the cores
mpi-check: deps
	@$(MAKE) --no-print-directory $(BIN) $(MPI_BIN)
	PDSWAP_BIN=$(abspath $(BIN)) PDSWAP_MPI_BIN=$(abspath $(MPI_BIN)) sh tests/mpi_test.sh

$(BUILD)/models_link: $(BUILD)/tests/models_link.o $(MODELS_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ -lgsl -lgslcblas -lm

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(ALL_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(TBIN): $(TEST_OBJ) $(BUILD)/libpdswap.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(CHECK_LIBS) $(LDLIBS)

$(BUILD)/bench_%: $(BUILD)/tests/bench_%.o $(BUILD)/libpdswap.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)
.SECONDARY: $(BENCH_SRC:%.c=$(BUILD)/%.o)

$(BUILD)/hls/%: sim/hw/%.c $(BUILD)/libpdswap.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libpdswap.a $(LDLIBS)

hls-csim: deps
	@$(MAKE) --no-print-directory $(BIN) $(HLS_TOOLS)
	CC="$(CC)" HLS_CFLAGS="$(HLS_CFLAGS)" HLS_LIBS="$(LDLIBS)" sh sim/hw/csim.sh $(BUILD)

# Install missing Debian packages: with apt-get as root, otherwise print the
# line.  The package lists are updated first when there are none or none
# younger than a day (a fresh image ships none), and once more if an
# install still fails (a mirror moved on).
deps:
	@$(MAKE) --no-print-directory install-missing PKGS_WANTED="$(APT_PKGS)"

install-missing:
	@missing=""; for p in $(PKGS_WANTED); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    lists=$$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -n 1); \
	    if [ -z "$$lists" ]; then \
	      echo "updating the package lists (missing or older than a day)"; \
	      apt-get update >/dev/null || exit 1; \
	    fi; \
	    (apt-get install -y --no-install-recommends $$missing >/dev/null 2>&1 || \
	     (apt-get update >/dev/null && apt-get install -y --no-install-recommends $$missing >/dev/null)) || exit 1; \
	  else \
	    echo "missing packages; run as root:"; \
	    echo "  apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

run: deps
	@$(MAKE) --no-print-directory $(BIN)
	@mkdir -p results
	$(BIN) configs/kv260.yaml

check: deps
	@$(MAKE) --no-print-directory $(BIN) $(TBIN) $(BUILD)/models_link
	$(BUILD)/models_link
	PDSWAP_BIN=$(abspath $(BIN)) $(TBIN)
	PDSWAP_BIN=$(abspath $(BIN)) sh tests/cli_test.sh
	PDSWAP_BIN=$(abspath $(BIN)) sh tests/faults_test.sh
	@$(MAKE) --no-print-directory hls-csim

test: check

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g" \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" check

bench: deps
	@$(MAKE) --no-print-directory $(BIN) $(MPI_BIN) $(BENCH_BIN)
	PDSWAP_BIN=$(abspath $(BIN)) PDSWAP_MPI_BIN=$(abspath $(MPI_BIN)) PDSWAP_BUILD=$(abspath $(BUILD)) \
	  sh tests/bench.sh

# ---------------------------------------------------------------- fuzzing
# libFuzzer + ASan + UBSan builds of tests/fuzz/fuzz_*.c in build-fuzz/.
# Each harness runs FUZZ_SECONDS (one after the other, one process at a
# time) on a working corpus seeded from tests/fuzz/seeds/ and configs/;
# findings land in build-fuzz/artifacts/.  Turn each into a file under
# tests/fuzz/regress/ (checked by `make check`).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= cfg num
FUZZ_FLAGS   ?=
FUZZ_APT := clang libclang-rt-14-dev
FUZZ_DIR := build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

fuzz-deps:
	@$(MAKE) --no-print-directory install-missing PKGS_WANTED="$(APT_PKGS) $(FUZZ_APT)"

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fz_oracle.c tests/fuzz/fz_oracle.h $(wildcard $(FUZZ_DIR)/libpdswap.a)
	clang $(CPPFLAGS) -Itests/fuzz $(WARN) -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
	  $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -o $@ $< tests/fuzz/fz_oracle.c \
	  $(FUZZ_DIR)/libpdswap.a $(LDLIBS)

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=clang OPT="-O1 -g" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_DIR)/libpdswap.a
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)
	@mkdir -p $(FUZZ_DIR)/artifacts
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  if [ $$t = cfg ]; then seeds="tests/fuzz/seeds configs"; else seeds="tests/fuzz/seeds-num"; fi; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	    $$( [ $$t = cfg ] && echo -dict=tests/fuzz/yaml.dict ) $(FUZZ_FLAGS) \
	    $(FUZZ_DIR)/corpus/$$t $$seeds || exit 1; \
	done

clean:
	rm -rf build build-asan $(FUZZ_DIR)

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(MPI_OBJ:.o=.d) $(BUILD)/dse/cli/main.d $(BENCH_SRC:%.c=$(BUILD)/%.d) $(HLS_TOOLS:=.d)
