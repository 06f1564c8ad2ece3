# simpul: GNU make with pkg-config.
#   make          build ./simpul
#   make run      install missing Debian packages, build, start the server
#   make check    build with ASan and UBSan and run every test
#   make fuzz     run the CSV fuzzer for longer (FUZZ_SECONDS, default 600)
#   make bench    run the benchmarks in bench/ (see docs/benchmarks.md)

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium libcurl openssl \
           libxml-2.0 libpsl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wvla
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Isrc $(PKG_CFLAGS) -MMD -MP
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS  = $(PKG_LIBS) -lpthread -lm

SRCS    := $(shell find src -name '*.c' | sort)
LIBSRCS := $(filter-out src/main.c,$(SRCS))
TESTSRCS := $(sort $(wildcard tests/unit/test_*.c))

REL     := build/rel
ASAN    := build/asan

REL_OBJS  := $(SRCS:%.c=$(REL)/%.o)
ASAN_OBJS := $(LIBSRCS:%.c=$(ASAN)/%.o)
TEST_BINS := $(TESTSRCS:tests/unit/%.c=$(ASAN)/tests/%)

.PHONY: all run check deps deps-test npm-deps fuzz bench clean

all: simpul

simpul: $(REL_OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

$(REL)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(ASAN)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

# Tests link against an archive, so each pulls in only the objects it uses.
$(ASAN)/libsimpul.a: $(ASAN_OBJS)
	rm -f $@
	ar rcs $@ $^

$(ASAN)/simpul: $(ASAN)/src/main.o $(ASAN)/libsimpul.a
	$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

$(ASAN)/tests/%: tests/unit/%.c tests/unit/testlib.h $(ASAN)/libsimpul.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -Itests/unit -o $@ $< $(ASAN)/libsimpul.a $(LDLIBS)

$(ASAN)/fuzz_csv: tests/fuzz/fuzz_csv.c src/catalog/csv.c src/core/buf.c
	@mkdir -p $(dir $@)
	clang -std=c17 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=fuzzer,address,undefined \
	  -o $@ $^

deps:
	@scripts/install-deps runtime

deps-test:
	@scripts/install-deps test

# npm packages of the tests: playwright-core drives Debian's Chromium, and
# the MDN Observatory is the reference scorer. Installed before the tests
# because some tests run in a network namespace where npm cannot reach its
# registry. Install scripts are skipped: none is needed, and the Observatory's
# downloads a file this machine cannot fetch.
NPM_DIRS := tests/browser tests/observatory
npm-deps:
	@for dir in $(NPM_DIRS); do \
	  [ -d $$dir/node_modules ] || \
	    (cd $$dir && npm ci --ignore-scripts --no-audit --no-fund) || exit 1; \
	done

run: deps simpul
	./simpul serve

check: deps-test npm-deps $(ASAN)/simpul $(TEST_BINS) $(ASAN)/fuzz_csv
	@SIMPUL=$(ASAN)/simpul TEST_BIN_DIR=$(ASAN)/tests FUZZ_CSV=$(ASAN)/fuzz_csv \
	  tests/run

FUZZ_SECONDS ?= 600
fuzz: deps-test $(ASAN)/fuzz_csv
	mkdir -p build/fuzz-corpus
	$(ASAN)/fuzz_csv -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	  build/fuzz-corpus tests/fuzz/corpus

bench: deps-test simpul
	bench/run

clean:
	rm -rf build simpul

-include $(REL_OBJS:.o=.d) $(ASAN_OBJS:.o=.d) $(ASAN)/src/main.d \
  $(TEST_BINS:=.d)
