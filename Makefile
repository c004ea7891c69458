# SPDX-License-Identifier: GPL-2.0
#
# rdmasock, built out of tree.  `make` builds rdma_sock.ko against Debian's
# 6.12 headers; `make KVER=6.1` against 6.1; `make KVER=debug` against the
# test bed's debug kernel (with the KUnit module), `KVER=gcov` against
# its gcov variant (`make coverage`).  Each kernel gets its
# own copy of the sources under build/$(KVER)/, so builds for different
# kernels never share objects.  Plain `make -C <kdir> M=$PWD` also works.
#
# make check   every test (installs what it needs first)
# make demo    the main job, shown between two guests
# make bench   every transport against the others and the verbs limit,
#              between two guests; bench/results/ (bench-single: one guest)
# make install the module (for KVER), rdmasockctl, its man page, headers
# make layers  check that every file of the module calls only down
# make coverage line coverage of the module, per file, from the KUnit
#              suites and the single-guest selftests on a gcov kernel
# make fuzz    the long fuzz runs on the debug kernel: the wire parsers'
#              KUnit fuzz on new seeds, random system calls (rsk_fuzz)
# make help    the rest

KVER ?= 6.12
BUILD_DIR := $(CURDIR)/build/$(KVER)

ifeq ($(KVER),debug)
KDIR ?= $(shell $(CURDIR)/selftests/vm/build-debug-kernel.sh)/build
else ifeq ($(KVER),gcov)
KDIR ?= $(shell $(CURDIR)/selftests/vm/build-debug-kernel.sh --gcov)/build
else
KDIR ?= $(lastword $(shell ls -d /lib/modules/$(KVER).*-amd64/build 2>/dev/null | sort -V))
endif

MODULE_SRCS := Kbuild $(wildcard net/rdma_sock/*.[ch]) \
	$(wildcard include/net/*.h include/uapi/linux/*.h)
SELFTESTS_SRC := /usr/src/linux-source-6.12/tools/testing/selftests
PREFIX ?= /usr/local
DESTDIR ?=
CHECKPATCH := /usr/src/linux-source-6.12/scripts/checkpatch.pl

.PHONY: all modules strict build-all selftests tools deps check demo bench \
	bench-single coverage fuzz style layers debug-kernel clean help install

all: modules

$(BUILD_DIR)/.sources: $(MODULE_SRCS)
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build tree for KVER=$(KVER): run 'make deps'"; exit 1; }
	@mkdir -p $(BUILD_DIR)
	@cp --parents -p $(MODULE_SRCS) $(BUILD_DIR)/
	@touch $@

modules: $(BUILD_DIR)/.sources
	$(MAKE) -C $(KDIR) M=$(BUILD_DIR) modules

# W=1 and sparse (C=2 checks every file), failing on any diagnostic.
strict: $(BUILD_DIR)/.sources
	@rm -f $(BUILD_DIR)/strict.log
	@$(MAKE) -C $(KDIR) M=$(BUILD_DIR) W=1 C=2 modules > $(BUILD_DIR)/strict.log 2>&1 || \
		{ cat $(BUILD_DIR)/strict.log; exit 1; }
	@if grep -E 'warning|error|: sparse:|^[^ ].*\.[ch]:[0-9]+:' $(BUILD_DIR)/strict.log; then \
		echo "KVER=$(KVER): the build is not clean"; exit 1; fi
	@echo "KVER=$(KVER): clean with W=1 C=2 ($(notdir $(patsubst %/build,%,$(KDIR))))"

build-all:
	$(MAKE) strict KVER=6.12
	$(MAKE) strict KVER=6.1

debug-kernel:
	selftests/vm/build-debug-kernel.sh

selftests:
	$(MAKE) -C selftests SELFTESTS_SRC=$(SELFTESTS_SRC)

# The benchmark, build/tools/rsk_bench (tools/bench/README.md), the
# control tool with its unit tests, build/tools/rdmasockctl{,_test}, and
# the test bed's hostile peer, build/tools/rsk_hostile.
tools:
	$(MAKE) -C tools/bench
	$(MAKE) -C tools/rdmasockctl
	$(MAKE) -C tools/hostile
	$(MAKE) -C tools/fuzz

# Each file's layer is in Kbuild; no object may use a symbol of a layer
# above its own (selftests/layers.sh).
layers: modules
	selftests/layers.sh $(BUILD_DIR)

# The tracepoint header is in the TRACE_EVENT() layout the kernel's own
# trace headers use (lines ending in '(', fields aligned to the macro),
# and names each string field as the argument it copies, which two of
# --strict's checks reject: those two and the reuse of a macro's argument
# are not checked there.
TRACE_HDR_IGNORE := OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,MACRO_ARG_REUSE
style:
	$(CHECKPATCH) --no-tree --strict --terse -f \
		$(filter-out %_trace.h,$(filter %.c %.h,$(MODULE_SRCS)))
	$(CHECKPATCH) --no-tree --strict --terse --ignore $(TRACE_HDR_IGNORE) \
		-f $(filter %_trace.h,$(MODULE_SRCS))

deps:
	@selftests/vm/deps.sh

# The module into /lib/modules/<kernel>/updates (depmod run when DESTDIR
# is empty), the tool, its man page, and the userspace and kernel headers.
# Distributions rebuild the module per kernel with DKMS instead: dkms.conf.
install: modules tools
	$(MAKE) -C $(KDIR) M=$(BUILD_DIR) INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR) DEPMOD=true) modules_install
	install -D -m 0755 build/tools/rdmasockctl $(DESTDIR)$(PREFIX)/sbin/rdmasockctl
	install -D -m 0644 tools/rdmasockctl/rdmasockctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/rdmasockctl.8
	install -D -m 0644 include/uapi/linux/rdma_sock.h \
		$(DESTDIR)$(PREFIX)/include/linux/rdma_sock.h
	install -D -m 0644 include/net/rdma_sock.h \
		$(DESTDIR)$(PREFIX)/include/rdma_sock/net/rdma_sock.h

check: deps
	@selftests/check.sh

demo: deps
	@selftests/demo.sh

bench: deps
	@selftests/bench.sh

bench-single: deps
	@selftests/bench.sh --single

coverage: deps
	@selftests/coverage.sh

fuzz: deps
	@selftests/fuzz.sh

clean:
	rm -rf build
	$(MAKE) -C selftests clean

help:
	@sed -n '2,20p' Makefile | sed 's/^# \{0,1\}//'
