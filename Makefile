# SPDX-License-Identifier: MIT
#
# bpfkit build.  `make` builds libbpfkit (static and shared) and the binaries
# into $(O)/.  `make check` and `make demo` install missing Debian packages
# first (make deps).  Sources are found by directory, so adding a file needs
# no edit here:
#   libuapi/ libverify/ libvm/ libjit/   one library each, *.c
#   cmd/<tool>/*.c                       one binary each (cmd/common is shared)
#   test/unit/<lib>/*.c                  one unit test binary per library
#   test/fuzz/fuzz_<name>.c              libFuzzer targets
#   samples/*.bpf.c, samples/*.s         BPF samples (clang-19, bpfas)
#   man/*.scd                            man pages (scdoc)

O            ?= build
PREFIX       ?= /usr/local
DESTDIR      ?=
CC           ?= gcc
CLANG        ?= clang-19
CLANG_FORMAT ?= clang-format-19
VERSION      := 0.1.0
FUZZ_SECONDS ?= 60
JIT_DIFF_PROGRAMS ?= 150000

ifeq ($(origin CC),default)
CC := gcc
endif

LIBDIRS := libuapi libverify libvm libjit
PKGS    := libbpf libelf zlib liburing capstone libpcap jansson
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread

CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror
BK_CFLAGS = -std=gnu11 -fPIC -D_GNU_SOURCE $(WARN) $(addprefix -I,$(LIBDIRS)) -Icmd/common \
	    -DBK_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
BK_LDFLAGS :=

ifeq ($(SAN),1)
BK_CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
BK_LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(FUZZ),1)
BK_CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
	      -fno-omit-frame-pointer -DBK_FUZZING
BK_LDFLAGS += -fsanitize=address,undefined
endif

# ---- sources -------------------------------------------------------------
objs_of = $(patsubst %.c,$(O)/%.o,$(wildcard $(1)/*.c))
ALL_LIB_OBJS := $(foreach d,$(LIBDIRS),$(call objs_of,$(d)))
LIB_ARCHIVES := $(foreach d,$(LIBDIRS),$(O)/$(d).a)
BINS         := $(filter-out common,$(notdir $(patsubst %/,%,$(dir $(wildcard cmd/*/main.c)))))
BIN_PATHS    := $(addprefix $(O)/bin/,$(BINS))
COMMON_OBJS  := $(call objs_of,cmd/common)
UNITS        := $(notdir $(patsubst %/,%,$(dir $(wildcard test/unit/*/*.c))))
UNITS        := $(sort $(UNITS))
UNIT_BINS    := $(addprefix $(O)/test/unit-,$(UNITS))
MAN_SRCS     := $(wildcard man/*.scd)
MAN_PAGES    := $(patsubst man/%.scd,$(O)/man/%,$(MAN_SRCS))
FUZZ_SRCS    := $(wildcard test/fuzz/fuzz_*.c)
FUZZ_BINS    := $(patsubst test/fuzz/%.c,$(O)/%,$(FUZZ_SRCS))
SAMPLE_C     := $(wildcard samples/*.bpf.c)
SAMPLE_S     := $(wildcard samples/*.s)
SAMPLE_OBJS  := $(patsubst samples/%.bpf.c,$(O)/samples/%.bpf.o,$(SAMPLE_C)) \
		$(patsubst samples/%.s,$(O)/samples/%.o,$(SAMPLE_S))
FORMAT_SRCS   = $(shell git ls-files -- '*.c' '*.h' 2>/dev/null | grep -v '^test/corpus/')

# Libraries each unit test binary links, in link order (dependants first).
UNIT_LIBS_uapi   := libuapi
UNIT_LIBS_verify := libverify libuapi
UNIT_LIBS_vm     := libvm libuapi
UNIT_LIBS_jit    := libjit libverify libvm libuapi
UNIT_LIBS_cmd    := libjit libverify libvm libuapi

.PHONY: all libs bins samples man check check-run demo bench fuzz fuzz-bins fuzz-smoke \
	unit unit-run unit-san data-checks bats-run format format-check install deps clean \
	$(addprefix unit-,$(UNITS))

all: libs bins

libs: $(O)/libbpfkit.a $(O)/libbpfkit.so
bins: $(BIN_PATHS)

# ---- compile -------------------------------------------------------------
$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BK_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(O) -name '*.d' 2>/dev/null)

define lib_rule
$(O)/$(1).a: $(call objs_of,$(1))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(eval $(call lib_rule,$(d))))

$(O)/libbpfkit.a: $(ALL_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(O)/libbpfkit.so: $(ALL_LIB_OBJS)
	$(CC) -shared -Wl,-soname,libbpfkit.so.0 $(BK_LDFLAGS) -o $@.0 $^ $(PKG_LIBS)
	ln -sf libbpfkit.so.0 $@

define bin_rule
$(O)/bin/$(1): $(call objs_of,cmd/$(1)) $(COMMON_OBJS) $(O)/libbpfkit.a
	@mkdir -p $$(dir $$@)
	$(CC) $(BK_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(O)/libbpfkit.a -Wl,--as-needed $(PKG_LIBS)
endef
$(foreach b,$(BINS),$(eval $(call bin_rule,$(b))))

# ---- unit tests ------------------------------------------------------------
define unit_rule
$(O)/test/unit-$(1): $(O)/test/unit/harness.o $(call objs_of,test/unit/$(1)) \
		     $(if $(filter cmd,$(1)),$(COMMON_OBJS)) \
		     $(foreach l,$(UNIT_LIBS_$(1)),$(O)/$(l).a)
	@mkdir -p $$(dir $$@)
	$(CC) $(BK_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(foreach l,$(UNIT_LIBS_$(1)),$(O)/$(l).a) \
		$(PKG_LIBS)
unit-$(1): $(O)/test/unit-$(1)
	$(O)/test/unit-$(1)
endef
$(foreach u,$(UNITS),$(eval $(call unit_rule,$(u))))

$(O)/libjit/translate.o: BK_CFLAGS += -Wswitch-enum
$(O)/test/unit/harness.o: BK_CFLAGS += -Itest/unit
$(O)/test/unit/%.o: BK_CFLAGS += -Itest/unit

unit: $(UNIT_BINS)

# Runs every unit binary; fails if any fails.
unit-run: unit
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; $$t || rc=1; done; exit $$rc

# ---- samples ---------------------------------------------------------------
BPF_CFLAGS := -target bpf -mcpu=v4 -O2 -g -Wall -Werror -Isamples/include \
	      -I/usr/include/$(shell gcc -print-multiarch 2>/dev/null)

$(O)/samples/%.bpf.o: samples/%.bpf.c $(wildcard samples/include/bpfkit/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(O)/samples/%.o: samples/%.s $(O)/bin/bpfas
	@mkdir -p $(dir $@)
	$(O)/bin/bpfas $< -o $@

samples: $(SAMPLE_OBJS)

# ---- man pages -------------------------------------------------------------
$(O)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	scdoc < $< > $@

man: $(MAN_PAGES)

# ---- fuzzing -----------------------------------------------------------------
# Built with clang and libFuzzer in $(O)/fuzz; each target links all libraries.
$(O)/fuzz_%: test/fuzz/fuzz_%.c $(ALL_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(BK_CFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(ALL_LIB_OBJS) $(PKG_LIBS)

fuzz-bins: $(FUZZ_BINS)

fuzz: deps
	$(MAKE) O=$(O)/fuzz CC=$(CLANG) FUZZ=1 fuzz-bins
	FUZZ_SECONDS=$(FUZZ_SECONDS) test/fuzz/run.sh $(O)/fuzz long
	$(MAKE) all
	FUZZ_SECONDS=$(FUZZ_SECONDS) test/fuzz/difffuzz.sh $(abspath $(O))
	test/difffuzz_jit/run.sh $(abspath $(O)) $(JIT_DIFF_PROGRAMS)

fuzz-smoke:
	$(MAKE) O=$(O)/fuzz CC=$(CLANG) FUZZ=1 fuzz-bins
	test/fuzz/run.sh $(O)/fuzz smoke

# ---- checks ------------------------------------------------------------------
format:
	$(CLANG_FORMAT) -i $(FORMAT_SRCS)

format-check:
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_SRCS)

bats-run: all samples man
	BK_BUILD=$(abspath $(O)) bats test/bats

deps:
	@mk/deps.sh

check: deps
	$(MAKE) check-run

# Every stage runs even when an earlier one fails; the summary names the
# failed ones and the exit status is non-zero if any failed.
CHECK_STAGES := format-check unit-run unit-san bats-run data-checks fuzz-smoke
check-run: all samples man
	@failed=; for t in $(CHECK_STAGES); do \
		echo "==== check: $$t"; t0=$$(date +%s); \
		$(MAKE) --no-print-directory $$t || failed="$$failed $$t"; \
		echo "==== check: $$t took $$(( $$(date +%s) - t0 )) s"; \
	done; \
	if [ -n "$$failed" ]; then echo "==== check FAILED:$$failed"; exit 1; fi; \
	echo "==== check: all stages passed ($(CHECK_STAGES))"

unit-san:
	$(MAKE) O=$(O)/san SAN=1 unit-run

data-checks: all samples man
	test/check.sh $(abspath $(O))

demo: deps
	$(MAKE) all samples
	mk/demo.sh $(abspath $(O))

bench: deps
	$(MAKE) all samples
	test/bench/run.sh $(abspath $(O))

# ---- install -------------------------------------------------------------------
install: all man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/bpfkit $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN_PATHS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(O)/libbpfkit.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(O)/libbpfkit.so.0 $(DESTDIR)$(PREFIX)/lib/
	ln -sf libbpfkit.so.0 $(DESTDIR)$(PREFIX)/lib/libbpfkit.so
	install -m 644 bpfkit.h $(foreach d,$(LIBDIRS),$(wildcard $(d)/*.def) \
		$(filter-out %_int.h,$(wildcard $(d)/*.h))) $(DESTDIR)$(PREFIX)/include/bpfkit/
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man1/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
		-e 's|@REQUIRES@|$(PKGS)|g' mk/bpfkit.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bpfkit.pc

clean:
	rm -rf $(O)
