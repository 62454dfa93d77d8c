# hitless: see README.md.
#   make            build ./hitless
#   make test       unit, fixture and end-to-end tests
#   make check      the same tests against an ASan+UBSan build
#   make demo       the linter at work on the bundled examples
#   make install    PREFIX=/usr/local DESTDIR=
# Missing Debian packages are installed first (.ci/install-deps).

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
# libmicrohttpd and libcrypto are compiled against but not linked: the
# webhook commands open them at run time (webhook/dynlib.h), by the SONAME
# of the version found here, so that `hitless lint` does not load them.
PKGS     = yaml-0.1 libcjson
DL_PKGS  = libmicrohttpd libcrypto
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wno-missing-field-initializers \
           -Wno-format-truncation
soname   = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | \
             sed -n 's/^ *SONAME *//p')
DL_SONAMES := $(call soname,microhttpd) $(call soname,crypto)
DL_NAMES := -DMHD_SONAME='"$(word 1,$(DL_SONAMES))"' \
            -DCRYPTO_SONAME='"$(word 2,$(DL_SONAMES))"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(DL_PKGS) 2>/dev/null) $(DL_NAMES)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# --as-needed: a library no object calls into is not loaded at start-up.
LDLIBS   = -Wl,--as-needed $(PKG_LIBS) -ldl -lpthread -lm

# The check build: sanitizers abort on the first report.
SAN_FLAGS = -O1 -g -fno-omit-frame-pointer \
            -fsanitize=address,undefined -fno-sanitize-recover=all

ENGINE_SRC = $(wildcard rules/*.c) $(filter-out lint/main.c,$(wildcard lint/*.c)) \
             $(wildcard webhook/*.c)
MAIN_SRC   = lint/main.c
UNIT_SRC   = $(wildcard tests/unit/*.c)

BUILD ?= build/release
ENGINE_OBJ = $(ENGINE_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ   = $(MAIN_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ   = $(UNIT_SRC:%.c=$(BUILD)/%.o)
DEPS       = $(ENGINE_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)

.PHONY: all deps test check demo install clean build-check bench fuzz fuzz-build runtime-libs
.DELETE_ON_ERROR:

all: hitless

# Copy then rename: a running ./hitless (a test, a server) is not disturbed.
hitless: $(BUILD)/hitless
	cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/hitless: $(ENGINE_OBJ) $(MAIN_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit: $(ENGINE_OBJ) $(UNIT_OBJ)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

-include $(DEPS)

# Installs the Debian packages the build and the tests need, when missing.
deps:
	@.ci/install-deps

test: deps
	@$(MAKE) --no-print-directory hitless build/release/unit
	tests/run

build-check:
	@$(MAKE) --no-print-directory BUILD=build/check CFLAGS="$(SAN_FLAGS)" \
		LDFLAGS="-fsanitize=address,undefined" build/check/hitless build/check/unit

check: deps
	@$(MAKE) --no-print-directory build-check
	HITLESS_SANITIZED=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	HITLESS=$(CURDIR)/build/check/hitless UNIT=build/check/unit tests/run

demo: deps
	@$(MAKE) --no-print-directory hitless
	@tests/demo

install: hitless
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 hitless $(DESTDIR)$(PREFIX)/bin/hitless
	if [ -f docs/hitless.1 ]; then install -m 644 docs/hitless.1 $(DESTDIR)$(PREFIX)/share/man/man1/hitless.1; fi

clean:
	rm -rf build hitless

# Every shared object hitless loads at run time, linked or opened by the
# webhook commands, with their own dependencies and the dynamic loader: what
# an image without a distribution must hold (Dockerfile).
runtime-libs: hitless
	@{ ldd ./hitless; for so in $(DL_SONAMES); do \
	     p=$$(/sbin/ldconfig -p | awk -v so="$$so" '$$1 == so { print $$NF; exit }'); \
	     [ -n "$$p" ] || { echo "runtime-libs: $$so not found" >&2; exit 1; }; \
	     echo "$$so => $$p"; ldd "$$p"; done; } | \
	 awk '$$2 == "=>" && $$3 ~ /^\// { print $$3 } $$1 ~ /^\// { print $$1 }' | sort -u

# Benchmarks: figures, not pass/fail tests.
bench: deps
	@$(MAKE) --no-print-directory hitless
	@tests/bench/run

# libFuzzer targets (clang, ASan+UBSan), seeded from testdata/.
#   make fuzz FUZZ_SECONDS=300    each target for that long (default 60)
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS    = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SRC      = $(ENGINE_SRC)
FUZZ_TARGETS  = build/fuzz/fuzz_lint build/fuzz/fuzz_admission

build/fuzz/%: fuzz/%.c $(FUZZ_SRC) $(wildcard rules/*.h lint/*.h webhook/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -std=c11 -D_GNU_SOURCE $(PKG_CFLAGS) -o $@ $< $(FUZZ_SRC) $(LDLIBS)

fuzz-build: $(FUZZ_TARGETS)

# As for test and check, the build runs in a make started after deps, so that
# pkg-config and the SONAMEs see the packages deps installed.
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@fuzz/run $(FUZZ_SECONDS)
