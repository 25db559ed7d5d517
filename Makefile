# flowtally: see README.md. `make` builds, `make test` runs every tier,
# `make demo` shows it counting real traffic in a namespace of its own.

CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
PREFIX    ?= /usr/local
MANDIR    ?= $(PREFIX)/share/man
UNITDIR   ?= /lib/systemd/system
SYSCONFDIR ?= /etc
DATADIR   ?= $(PREFIX)/share/flowtally
VERSION   := 0.1.0

BUILD     := build
CFLAGS    ?= -O2 -g
# The BPF target follows the machine that builds: x86_64 -> x86, aarch64 -> arm64, ...
ARCH      ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/i.86/x86/' -e 's/aarch64.*/arm64/' \
		-e 's/armv.*/arm/' -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' \
		-e 's/s390x/s390/' -e 's/loongarch64/loongarch/')
# VMLINUX_H=path builds against a vmlinux.h of your own instead of one dumped from
# this kernel's BTF (cross builds, a kernel without /sys/kernel/btf/vmlinux).
VMLINUX_H ?=
DEPFLAGS  := -MMD -MP
# src/ is layered: cli -> run -> {export, output} -> core -> lib -> include/flowtally/abi.h.
# Each layer compiles with only its own folder and those below it on the include path,
# so an include that points up does not build; `make check-layers` says which and why.
LAYERS    := lib core output export run cli
below_lib    :=
below_core   := lib
below_output := core lib
below_export := output core lib
below_run    := export output core lib
below_cli    := run export output core lib
layer_inc  = $(addprefix -Isrc/,$(1) $(below_$(1)))
SRC_INC   := $(addprefix -Isrc/,$(LAYERS))
CFLAGS    += -Wall -Wextra -std=gnu11 -Iinclude -I$(BUILD) -DFT_VERSION='"$(VERSION)"'
CORE_LIBS := -lbpf -lelf -lz -lm
# libfixbuf (IPFIX) brings GLib: its flags from pkg-config
FIXBUF_CFLAGS := $(shell pkg-config --cflags libfixbuf 2>/dev/null)
FIXBUF_LIBS   := $(shell pkg-config --libs libfixbuf 2>/dev/null || echo -lfixbuf)
LDLIBS    := $(CORE_LIBS) -lmicrohttpd -lpthread -lncurses $(FIXBUF_LIBS)
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Wextra \
	      -Wno-unused-parameter -I$(BUILD) -Iinclude -Ibpf

SRCS      := $(wildcard $(addsuffix /*.c,$(addprefix src/,$(LAYERS))))
SRC_HDRS  := $(wildcard $(addsuffix /*.h,$(addprefix src/,$(LAYERS))))
OBJS      := $(patsubst src/%.c,$(BUILD)/%.o,$(SRCS))
layer_objs = $(filter $(BUILD)/$(1)/%,$(OBJS))
# libftcore.a: the kernel objects and their lifecycle (core/ and the lib/ below it).
CORE_LIB  := $(BUILD)/libftcore.a
CORE_OBJS := $(call layer_objs,lib) $(call layer_objs,core)
# Everything above core but main, as an archive too: a test links only the
# objects it uses, so the unit tests need neither libmicrohttpd nor ncurses.
APP_LIB   := $(BUILD)/libftapp.a
APP_OBJS  := $(filter-out $(BUILD)/cli/main.o $(CORE_OBJS),$(OBJS))
LIB_OBJS  := $(APP_LIB) $(CORE_LIB)
BPF_HDRS  := $(wildcard bpf/*.h) include/flowtally/abi.h

TEST_LIB  := $(wildcard tests/lib/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/*.c))
KTEST_BINS := $(patsubst tests/testrun/%.c,$(BUILD)/tests/%,$(wildcard tests/testrun/test_*.c))
FUZZ_BINS := $(BUILD)/tests/test_parse_fuzz $(BUILD)/tests/test_decap_fuzz \
	     $(BUILD)/tests/test_state_fuzz
TOOLS     := $(BUILD)/ftsend $(BUILD)/tests/vlanpush $(BUILD)/tests/vlan_push.bpf.o

.PHONY: all deps test test-long demo bench bench-quick install clean format deb test-package \
	check-layers
.SECONDARY:
all: $(BUILD)/flowtally $(UNIT_BINS) $(KTEST_BINS) $(FUZZ_BINS) $(TOOLS)

deps:
	@scripts/deps.sh

$(BUILD)/vmlinux.h: $(VMLINUX_H)
	@mkdir -p $(@D)
ifneq ($(VMLINUX_H),)
	cp $(VMLINUX_H) $@
else
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@
endif

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

# Headers come from -MMD; the skeleton must exist before the first compile finds it.
$(BUILD)/%.o: src/%.c | $(BUILD)/flowtally.skel.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(call layer_inc,$(firstword $(subst /, ,$*))) \
		$(if $(filter export/ipfix%,$*),$(FIXBUF_CFLAGS)) -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(APP_LIB): $(APP_OBJS)
	rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/flowtally: $(filter-out $(CORE_OBJS),$(OBJS)) $(CORE_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

-include $(OBJS:.o=.d)

check-layers:
	@scripts/check-layers.sh

# Each test file's list, from its `static void test_NAME(void)` lines.
TEST_GEN  := $(BUILD)/tests/gen
$(TEST_GEN)/%.tests.h: tests/unit/%.c scripts/gen-tests.sh
	@mkdir -p $(@D)
	scripts/gen-tests.sh $< >$@
$(TEST_GEN)/%.tests.h: tests/testrun/%.c scripts/gen-tests.sh
	@mkdir -p $(@D)
	scripts/gen-tests.sh $< >$@
$(TEST_GEN)/%.tests.h: tests/fuzz/%.c scripts/gen-tests.sh
	@mkdir -p $(@D)
	scripts/gen-tests.sh $< >$@

$(BUILD)/tests/%: tests/unit/%.c $(TEST_GEN)/%.tests.h $(LIB_OBJS) $(TEST_LIB) \
		  $(wildcard tests/lib/*.h) $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SRC_INC) $(FIXBUF_CFLAGS) -I$(TEST_GEN) -Itests/lib -Itests -Ibpf $< \
		$(TEST_LIB) $(LIB_OBJS) -o $@ $(CORE_LIBS) $(FIXBUF_LIBS)

$(BUILD)/tests/%: tests/testrun/%.c $(TEST_GEN)/%.tests.h tests/testrun/harness.c \
		  tests/testrun/harness.h $(LIB_OBJS) $(TEST_LIB) $(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SRC_INC) -I$(TEST_GEN) -Itests/lib -Itests/testrun $< \
		tests/testrun/harness.c $(TEST_LIB) $(LIB_OBJS) -o $@ $(LDLIBS)

# The BPF parser built for the host, under the sanitizers.
$(BUILD)/tests/test_parse_fuzz: tests/fuzz/test_parse_fuzz.c $(TEST_GEN)/test_parse_fuzz.tests.h \
				$(BPF_HDRS) $(TEST_LIB) \
				$(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -Wno-unknown-pragmas -std=gnu11 -fsanitize=address,undefined \
		-fno-sanitize-recover=all -Iinclude -Ibpf -I$(TEST_GEN) -Itests/lib $< $(TEST_LIB) \
		-o $@

# The same with tunnels. No alignment check: a VXLAN frame's inner IP header
# is 2 bytes off where the outer one is aligned, on the wire as here.
$(BUILD)/tests/test_decap_fuzz: tests/fuzz/test_decap_fuzz.c $(BPF_HDRS) $(TEST_LIB) \
				$(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -Wno-unknown-pragmas -std=gnu11 -fsanitize=address,undefined \
		-fno-sanitize=alignment -fno-sanitize-recover=all -Iinclude -Ibpf -Itests/lib $< \
		$(TEST_LIB) -o $@

# The state file's reader built for the host, under the sanitizers.
STATE_FUZZ_SRCS := src/core/state.c src/core/counts.c src/core/catalog.c src/core/tablespec.c src/lib/log.c \
		   src/lib/json_writer.c src/lib/testpoint.c src/lib/ident.c
$(BUILD)/tests/test_state_fuzz: tests/fuzz/test_state_fuzz.c $(TEST_GEN)/test_state_fuzz.tests.h \
				$(STATE_FUZZ_SRCS) $(TEST_LIB) \
				$(SRC_HDRS) $(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -std=gnu11 -fsanitize=address,undefined \
		-fno-sanitize-recover=all -Iinclude $(SRC_INC) -I$(TEST_GEN) -Itests/lib $< \
		$(STATE_FUZZ_SRCS) \
		$(TEST_LIB) -o $@ -lbpf -lz -lm

$(BUILD)/ftsend: tests/tools/ftsend.c $(TEST_LIB) $(wildcard tests/lib/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Itests/lib $< $(TEST_LIB) -o $@

$(BUILD)/tests/%.bpf.o: tests/bpf/%.bpf.c $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/vlanpush: tests/tools/vlanpush.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $< -o $@ -lbpf -lelf -lz

test: deps all $(BUILD)/bench/bench
	@scripts/check-layers.sh
	@tests/run.sh

test-long: deps all $(BUILD)/bench/bench
	@FT_LONG=1 tests/run.sh

demo: deps all
	@scripts/demo.sh

# The unit runs $(PREFIX)/sbin/flowtally: its ExecStart follows PREFIX. An
# /etc/default/flowtally that is there already is the operator's: kept.
install: $(BUILD)/flowtally
	install -D -m 0755 $(BUILD)/flowtally $(DESTDIR)$(PREFIX)/sbin/flowtally
	install -D -m 0644 man/flowtally.8 $(DESTDIR)$(MANDIR)/man8/flowtally.8
	mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/sbin/flowtally|$(PREFIX)/sbin/flowtally|' contrib/systemd/flowtally@.service \
		> $(DESTDIR)$(UNITDIR)/flowtally@.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/flowtally@.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/flowtally ] || \
		install -D -m 0644 contrib/default/flowtally $(DESTDIR)$(SYSCONFDIR)/default/flowtally
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/flowtally
	install -D -m 0644 contrib/logrotate/flowtally $(DESTDIR)$(SYSCONFDIR)/logrotate.d/flowtally
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/prometheus contrib/prometheus/flowtally.rules.yml \
		contrib/prometheus/flowtally.alerts.yml
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/grafana contrib/grafana/flowtally.json
	install -D -m 0644 -t $(DESTDIR)$(DATADIR)/schema schema/flowtally-record.schema.json \
		schema/flowtally-entry.schema.json

# make deb: a Debian package built by dpkg-buildpackage in a copy of the
# tree, so that nothing lands outside build/; the .deb in build/deb/.
# make test-package installs it, tests it and purges it (root; not part of
# make test).
deb:
	@scripts/deps-package.sh
	@scripts/build-deb.sh

test-package:
	@scripts/deps-package.sh
	@$(MAKE) -s $(BUILD)/ftsend
	@tests/package/test_package.sh

format:
	clang-format -i bpf/*.c bpf/*.h $(SRCS) $(SRC_HDRS) include/flowtally/*.h

clean:
	rm -rf $(BUILD)

# make bench: bench/ measures flowtally's counting against other strategies
# (bench/README.md); `make bench-quick` is the same with fewer rounds.
BENCH_SRCS := $(filter-out %.bpf.c,$(wildcard bench/*.c))

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c bench/bench_abi.h $(BPF_HDRS) $(BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/%.skel.h: $(BUILD)/bench/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $* > $@.tmp && mv $@.tmp $@

$(BUILD)/bench/bench: $(BENCH_SRCS) $(wildcard bench/*.h) $(BUILD)/bench/strategies.skel.h \
		      $(LIB_OBJS) $(TEST_LIB) $(wildcard tests/lib/*.h)
	$(CC) $(CFLAGS) $(SRC_INC) -I$(BUILD)/bench -Itests/lib $(BENCH_SRCS) $(TEST_LIB) $(LIB_OBJS) \
		-o $@ $(LDLIBS) -lpthread

bench: deps all $(BUILD)/bench/bench
	@bench/run.sh

bench-quick: deps all $(BUILD)/bench/bench
	@bench/run.sh --quick
