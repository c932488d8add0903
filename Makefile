# SPDX-License-Identifier: GPL-2.0
# iommutrace: kbuild-style top-level Makefile. Everything goes under O=build;
# V=1 shows full command lines.

O ?= build
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/iommutrace
MANDIR ?= $(PREFIX)/share/man
# where bash-completion looks (it searches $(PREFIX)/share of XDG_DATA_DIRS)
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
KERNEL ?= 7.2
# One test kernel per version, distribution-shaped (tools/vm/variants/
# distro.config: iommufd and vfio-pci as modules, kprobes through ftrace),
# with the mock driver in iommufd.ko and the known bugs off unless booted
# with their parameters.
# The versions with the vIOMMU uAPI, on which make check runs the scenarios,
# the bugs and the kernel's selftests (tests/vm/lib.sh reads this line)
TEST_KERNELS := 7.2 7.3
# those on which make check runs the field tests (QEMU as the VMM of a
# vfio-pci device; tests/vm/test_field.sh reads this line); make check-all
# runs them on every version of TEST_KERNELS
FIELD_KERNELS := 7.3
# every kernel make check boots (KERNEL:VARIANT), built before the tests:
# 6.12 for the 6.11-6.12 layouts and hooks
CHECK_KERNELS := $(patsubst %,%:distro,$(TEST_KERNELS)) 6.12:distro
# make check-all adds the base configuration alone (iommufd built in,
# breakpoint kprobes), on which it runs the scenarios (tests/vm/
# test_scenarios.sh reads this line)
TINY_KERNELS := 7.3

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

PKGS := libbpf libelf zlib libsodium libsystemd libmicrohttpd
# (tables leave their optional last columns out, as the kernel's do)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wno-missing-field-initializers
ifneq ($(CI),)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
ALL_CFLAGS := $(CPPFLAGS) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -iquote include -iquote src -iquote $(O) \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lbpf -lelf -lz -lsodium -lsystemd -lmicrohttpd)
BPF_CFLAGS := -g -O2 --target=bpf -D__TARGET_ARCH_$(ARCH) -Iinclude -I. \
	-Wall -Wno-unused-function -MMD -MP

SRCS := $(wildcard src/*/*.c)
OBJS := $(patsubst src/%.c,$(O)/src/%.o,$(SRCS))
LIB_OBJS := $(filter-out $(O)/src/cmd/main.o,$(OBJS))
TEST_SRCS := $(wildcard tests/unit/*.c)
TEST_OBJS := $(patsubst tests/unit/%.c,$(O)/tests/%.o,$(TEST_SRCS))

DEPS_STAMP := $(O)/.deps-build

.DELETE_ON_ERROR:
.PHONY: all docs clean install check check-all check-unit check-vm demo bench vmlinux kernel \
	kernels scenario selftests sanitize

all: $(O)/iommutrace docs

# a fresh machine needs nothing by hand; a package build (INSTALL_DEPS=no)
# has its Build-Depends and must not install anything
ifeq ($(INSTALL_DEPS),no)
$(DEPS_STAMP):
	$(Q)mkdir -p $(O)
	$(Q)touch $@
else
$(DEPS_STAMP): tools/install-deps.sh
	$(Q)mkdir -p $(O)
	$(Q)tools/install-deps.sh
	$(Q)touch $@
endif

# BPF objects and their skeletons (NAME_bpf): iommutrace's, and the
# bench's programs that do nothing
vpath %.bpf.c bpf tests/bench
$(O)/%.bpf.o: %.bpf.c Makefile | $(DEPS_STAMP)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MT $@ -MF $(O)/$*.bpf.d -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(O)/%.skel.h: $(O)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@
# (made by pattern, kept: the sources include the skeletons)
.SECONDARY: $(patsubst %,$(O)/%.bpf.o,iommutrace empty) $(patsubst %,$(O)/%.skel.h,iommutrace empty)

# the report's page (src/out/report/: HTML, CSS, JS) as C strings
REPORT_ASSETS := $(wildcard src/out/report/report.*)
$(O)/report_assets.h: $(REPORT_ASSETS) Makefile
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)for f in $(REPORT_ASSETS); do \
		printf 'static const char %s[] =\n' "$$(basename $$f | tr . _)"; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' $$f; \
		printf ';\n'; \
	done >$@.tmp && mv $@.tmp $@

$(O)/src/out/report.o: $(O)/report_assets.h

$(O)/src/%.o: src/%.c Makefile | $(O)/iommutrace.skel.h $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/iommutrace: $(OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The man pages and the bash completion, from the program's own tables
# (tools/gen-docs.c); dated by SOURCE_DATE_EPOCH (dpkg-buildpackage sets
# it from debian/changelog), else the last commit, else today
DOCS := $(O)/doc/iommutrace.8 $(O)/doc/iommutrace.conf.5 $(O)/doc/iommutrace.bash-completion
DOC_DATE = $(shell date -u -d @$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct 2>/dev/null || \
	date +%s)} +%Y-%m-%d)

$(O)/gen-docs: tools/gen-docs.c $(LIB_OBJS) Makefile | $(DEPS_STAMP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(O)/doc/iommutrace.8: $(O)/gen-docs
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$< man8 $(DOC_DATE) >$@
$(O)/doc/iommutrace.conf.5: $(O)/gen-docs
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$< man5 $(DOC_DATE) >$@
$(O)/doc/iommutrace.bash-completion: $(O)/gen-docs
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$< bash-completion >$@

docs: $(DOCS)

# --- tests ------------------------------------------------------------------
# every test_NAME() in tests/unit is found and run
$(O)/tests/tests.inc: $(TEST_SRCS) Makefile
	$(Q)mkdir -p $(@D)
	$(Q)sed -n 's/^void test_\([a-z0-9_]*\)(void)$$/DEFINE_TEST(\1)/p' $(TEST_SRCS) > $@.tmp
	$(Q)cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

$(O)/tests/%.o: tests/unit/%.c Makefile | $(O)/iommutrace.skel.h $(O)/tests/tests.inc $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -DIT_SRC_DIR='"$(CURDIR)"' -iquote tests/unit -iquote $(O)/tests \
		-c $< -o $@

$(O)/tests/runner.o: $(O)/tests/tests.inc

# BTF of the iommufd layouts without a Debian kernel here, for test_layouts
BTF_BANDS := 62 67 611 613 615 617
BTF_OBJS := $(patsubst %,$(O)/btf/band-%.o,$(BTF_BANDS))

$(O)/btf/band-%.o: tests/btf/layouts.c Makefile | $(DEPS_STAMP)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 --target=bpf -DBAND=$* -c $< -o $@

$(O)/test_unit: $(TEST_OBJS) $(LIB_OBJS) | $(BTF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# a million object lifecycles through the daemon's pipeline, memory measured
$(O)/longrun: tests/longrun/longrun.c $(LIB_OBJS) Makefile | $(DEPS_STAMP)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

# --- sanitizers and fuzzers ----------------------------------------------------
# The same sources with AddressSanitizer and UndefinedBehaviorSanitizer
# (alignment and signed overflow included, every finding fatal), and with
# the fuzzers' coverage, under $(O)/san; the libFuzzer targets of
# tests/fuzz/ linked against them.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fsanitize=alignment,signed-integer-overflow
SAN_CFLAGS := -O1 -g -fno-omit-frame-pointer $(SAN_FLAGS) -fsanitize=fuzzer-no-link
FUZZERS := trace records config json

sanitize: | $(DEPS_STAMP)
	$(Q)tools/install-deps.sh --sanitize
	$(Q)$(MAKE) --no-print-directory O=$(O)/san CC=$(CLANG) CFLAGS="$(SAN_CFLAGS)" \
		LDFLAGS="$(SAN_FLAGS)" $(O)/san/iommutrace $(O)/san/test_unit \
		$(patsubst %,$(O)/san/fuzz_%,$(FUZZERS))

# (in that make, O is $(O)/san: the library objects carry the coverage)
$(O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(LIB_OBJS)
	$(call msg,FUZZER,$@)
	$(Q)$(CC) $(subst -fsanitize=fuzzer-no-link,-fsanitize=fuzzer,$(ALL_CFLAGS)) \
		-o $@ $< $(LIB_OBJS) $(LDLIBS)

# The scenario driver builds against the uAPI headers of the test kernel
# (bookworm's linux-libc-dev has no linux/iommufd.h).
$(O)/iommufd-scenario: tools/iommufd-scenario.c Makefile | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tools/install-deps.sh --vm
	$(Q)kdir=$$(tools/vm/build-kernel.sh --kernel $(KERNEL) --print-dir) && \
	$(CC) $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -pthread -idirafter $$kdir/include \
		-o $@ $<

scenario: $(O)/iommufd-scenario

$(O)/bench: tests/bench/bench.c $(LIB_OBJS) Makefile | $(DEPS_STAMP)
	$(call msg,LINK,$@)
	$(Q)tools/install-deps.sh --bench
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ tests/bench/bench.c $(LIB_OBJS) $(LDLIBS) -ljansson

# programs that do nothing, on the same functions: the baseline of the VM bench
$(O)/empty-probes: tests/bench/empty-probes.c $(O)/empty.skel.h Makefile | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(LDLIBS)

bench: $(O)/bench $(O)/iommutrace $(O)/iommufd-scenario $(O)/empty-probes
	$(Q)$(O)/bench
	$(Q)tools/bench-vm.sh $(O)

# The kernel's own iommufd selftests, from each test kernel's source package
SELFTESTS := $(patsubst %,$(O)/selftests/%/iommufd,$(TEST_KERNELS))

$(O)/selftests/%/iommufd: Makefile | $(DEPS_STAMP)
	$(call msg,SELFTEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tools/install-deps.sh --vm
	$(Q)kdir=$$(tools/vm/build-kernel.sh --kernel $* --print-dir) && \
	$(MAKE) -s -C $$(cat $$kdir/srcdir)/tools/testing/selftests/iommu \
		OUTPUT=$(abspath $(@D)) KHDR_INCLUDES="-isystem $$kdir/include" >/dev/null

# The kernel's own VFIO selftests (7.x), for the field tests on each distro
# kernel; a source whose VFIO selftests do not build leaves the reason in
# the stamp and the test says so
VFIO_SELFTESTS := $(patsubst %,$(O)/selftests/%/vfio/stamp,$(FIELD_KERNELS))

$(O)/selftests/%/vfio/stamp: Makefile tools/install-deps.sh | $(DEPS_STAMP)
	$(call msg,SELFTEST,$(@D))
	$(Q)mkdir -p $(@D)
	$(Q)tools/install-deps.sh --vm
	$(Q)kdir=$$(tools/vm/build-kernel.sh --kernel $* --variant distro --print-dir) && \
	src=$$(cat $$kdir/srcdir)/tools/testing/selftests/vfio && \
	if [ ! -d $$src ]; then echo "no tools/testing/selftests/vfio in this source" >$@; \
	elif $(MAKE) -s -C $$src OUTPUT=$(abspath $(@D)) KHDR_INCLUDES="-isystem $$kdir/include" \
		>$(@D)/build.log 2>&1; then echo built >$@; \
	else echo "they do not build: $$(grep -m1 'error:' $(@D)/build.log | sed 's|.*/selftests/vfio/||')" >$@; fi

selftests: $(SELFTESTS) $(VFIO_SELFTESTS)

kernel:
	$(Q)tools/install-deps.sh --vm
	$(Q)tools/vm/build-kernel.sh --kernel $(KERNEL)

# the test kernels, each built once per machine and cached
kernels:
	$(Q)tools/install-deps.sh --vm
	$(Q)for k in $(CHECK_KERNELS); do \
		tools/vm/build-kernel.sh --kernel $${k%:*} --variant $${k#*:} >/dev/null || exit; \
	done

vmlinux:
	$(Q)tools/install-deps.sh --vm
	$(Q)tools/gen-vmlinux-h.sh

check-unit: $(O)/test_unit
	$(Q)$(O)/test_unit

check: $(O)/iommutrace $(O)/test_unit $(O)/longrun sanitize kernels $(O)/iommufd-scenario $(SELFTESTS) \
	$(VFIO_SELFTESTS)
	$(Q)tests/run.sh --build $(O)

# make check, with the field tests on every version and the scenarios on
# the tiny kernels too
check-all:
	$(Q)for k in $(TINY_KERNELS); do \
		tools/vm/build-kernel.sh --kernel $$k --variant tiny >/dev/null || exit; \
	done
	$(Q)IOMMUTRACE_FIELD_KERNELS="$(TEST_KERNELS)" IOMMUTRACE_TINY_KERNELS="$(TINY_KERNELS)" \
		$(MAKE) check FIELD_KERNELS="$(TEST_KERNELS)"

check-vm: $(O)/iommutrace kernels $(O)/iommufd-scenario $(SELFTESTS) $(VFIO_SELFTESTS)
	$(Q)tests/run.sh --build $(O) --vm-only

demo: $(O)/iommutrace $(O)/iommufd-scenario
	$(Q)tools/demo.sh $(O)

# the binary, the systemd unit, the documented configuration (an existing
# one is kept), the JSON Schema of the NDJSON output, the man pages, the bash
# completion and the README
install: $(O)/iommutrace $(DOCS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/iommutrace $(DESTDIR)$(PREFIX)/share/iommutrace \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(O)/iommutrace $(DESTDIR)$(PREFIX)/sbin/iommutrace
	sed -e 's|@BINDIR@|$(PREFIX)/sbin|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		-e 's|/etc/iommutrace/|$(SYSCONFDIR)/iommutrace/|g' \
		tools/systemd/iommutrace.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/iommutrace.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/iommutrace.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/iommutrace/iommutrace.conf ] || \
		install -m 0644 tools/systemd/iommutrace.conf $(DESTDIR)$(SYSCONFDIR)/iommutrace/iommutrace.conf
	install -m 0644 tools/schema/iommutrace-v1.schema.json tools/schema/iommutrace-v2.schema.json \
		$(DESTDIR)$(PREFIX)/share/iommutrace/
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 $(O)/doc/iommutrace.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(O)/doc/iommutrace.conf.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 $(O)/doc/iommutrace.bash-completion $(DESTDIR)$(BASHCOMPDIR)/iommutrace

clean:
	rm -rf $(O)

-include $(OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(O)/iommutrace.bpf.d $(O)/empty.bpf.d
