# check_async_leak - Nagios/Icinga plugin watching Async.exe's memory over SNMP.
#
# make              build plugin/check_async_leak
# make check        unit + integration tests (installs missing Debian packages)
# make demo         run the plugin against the simulated Windows 2000 host
# make install      PREFIX, PLUGINDIR, BINDIR, DATADIR, MANDIR, DESTDIR as usual
# make man          regenerate plugin/check_async_leak.1 from --help
# make readme       regenerate README.md's options table from plugin/config.c
# make dashboards   regenerate conf/grafana/*.json
#                   (the generators live in tools/, the tests' helpers in tests/)
# make sanitize     unit + integration tests under ASan/UBSan
# make valgrind     the plugin under valgrind against a real snmpd
# make bench        speed and memory figures (printed, never asserted)
# make eval         leak-detection evaluation table (see README)
# make fuzz         short libFuzzer runs over every parser
# make plot         build plugin/plot/check_async_leak_plot (cairo), the history picture tool

VERSION   = 0.1.0

PREFIX    ?= /usr/local
PLUGINDIR ?= $(PREFIX)/lib/nagios/plugins
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share/check_async_leak
MANDIR    ?= $(PREFIX)/share/man
DESTDIR   ?=
# Debian's own places, whatever PREFIX is (set one empty to skip it):
# nagios4 reads every *.cfg in /etc/nagios-plugins/config (cfg_dir in its
# nagios.cfg), where the plugin also looks for its INI file by default, and
# Icinga 2's stock icinga2.conf reads plugins-contrib.d through
# `include <plugins-contrib>`.  INI_GROUP may read the installed INI file.
NAGIOS_CONFDIR     ?= /etc/nagios-plugins/config
ICINGA2_CONTRIBDIR ?= /usr/share/icinga2/include/plugins-contrib.d
INI_GROUP          ?= nagios

CC       ?= cc
CFLAGS   ?= -O2 -g
PKG_CONFIG ?= pkg-config

# Flags the project needs, kept apart from the CFLAGS packagers override.
STD_FLAGS  = -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
             -DVERSION='"$(VERSION)"'
WARN_FLAGS = -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
             -Wmissing-prototypes -Wwrite-strings -Wvla
ifeq ($(DEV),1)
WARN_FLAGS += -Werror
endif

SNMP_CFLAGS  := $(shell $(PKG_CONFIG) --cflags netsnmp 2>/dev/null)
SNMP_LIBS    := $(shell $(PKG_CONFIG) --libs netsnmp 2>/dev/null || echo -lnetsnmp)
CRYPTO_LIBS  := $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)
# The SNMP module's libraries, libcrypto first.  The dynamic loader looks
# every symbol up in load order, and most of the module's start-up is
# libcrypto's own ~4000 references to itself, bound at load (Debian builds
# it with BIND_NOW): with libcrypto first they are found sooner (17 % fewer
# start-up instructions when the plugin itself linked them).  No static
# library: libcrypto and libnetsnmp stay shared, so Debian's security
# updates reach the plugin.  The plugin itself links neither.
MOD_LIBS      = -Wl,--push-state,--no-as-needed $(CRYPTO_LIBS) -Wl,--pop-state $(SNMP_LIBS)
PLUGIN_LIBS   = $(INIH_LIBS) $(REDIS_LIBS) -lm
INIH_CFLAGS  := $(shell $(PKG_CONFIG) --cflags inih 2>/dev/null)
INIH_LIBS    := $(shell $(PKG_CONFIG) --libs inih 2>/dev/null || echo -linih)
REDIS_CFLAGS := $(shell $(PKG_CONFIG) --cflags hiredis 2>/dev/null || echo -I/usr/include/hiredis)
REDIS_LIBS   := $(shell $(PKG_CONFIG) --libs hiredis 2>/dev/null || echo -lhiredis)
CAIRO_CFLAGS  = $(shell $(PKG_CONFIG) --cflags cairo fontconfig 2>/dev/null)
CAIRO_LIBS    = $(shell $(PKG_CONFIG) --libs cairo fontconfig 2>/dev/null || echo -lcairo -lfontconfig)
CRIT_CFLAGS   = $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
CRIT_LIBS     = $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

ALL_CFLAGS = $(STD_FLAGS) $(WARN_FLAGS) $(SNMP_CFLAGS) $(INIH_CFLAGS) $(CPPFLAGS) $(CFLAGS)

PLUGIN  = plugin/check_async_leak
BUILD   = build

SRCS      = $(sort $(wildcard plugin/*.c))
# The SNMP module (plugin/snmpmod.h): Net-SNMP's and OpenSSL's part of the
# plugin, a shared object beside it that the plugin loads only when a check
# needs Net-SNMP (SNMPv3, TCP, --print-keys); a v1/v2c check over UDP never
# does.
MOD_SRCS  = plugin/snmp.c plugin/usmcrypto.c
SNMPMOD   = $(dir $(PLUGIN))check_async_leak-snmp.so
# Pure modules: everything but those that talk to the world (the SNMP
# module, the plugin's own v1/v2c datagrams and the module's loader, Redis, and
# main.c).  The unit tests link these alone, without Net-SNMP, libcrypto or
# hiredis, so a pure module that starts needing the network fails to link.
PURE_SRCS = $(filter-out plugin/main.c $(MOD_SRCS) plugin/snmpload.c plugin/udpget.c \
                         plugin/store_redis.c,$(SRCS))
OBJS      = $(filter-out $(MOD_SRCS:plugin/%.c=$(BUILD)/obj/%.o),$(SRCS:plugin/%.c=$(BUILD)/obj/%.o))
MOD_OBJS  = $(MOD_SRCS:plugin/%.c=$(BUILD)/obj/%.pic.o)
PURE_OBJS = $(PURE_SRCS:plugin/%.c=$(BUILD)/obj/%.o)
# The plugin's functions the module calls back (snmp_peer_name, the walk,
# the GET's items, ...): exactly what the module's objects leave undefined
# and the plugin's define, and nothing more is exported, so no other
# function of the plugin can interpose one of a library's.
DYNLIST   = $(BUILD)/snmpmod.dynlist

UNIT_SRCS = $(sort $(wildcard tests/unit/*.c))
UNIT_BIN  = $(BUILD)/unit_tests

# The history picture tool: its own source (plugin/plot/), linking the plugin's
# pure modules (trend, replay, config, INI, history names) and cairo; the
# plugin itself never links cairo.
PLOT      = plugin/plot/check_async_leak_plot
PLOT_SRCS = $(sort $(wildcard plugin/plot/*.c))
PNGPIX    = $(BUILD)/pngpix

# Helper programs the tests and the demo run (simulator, memory hog, ...).
SIM_BIN   = $(BUILD)/hrsim
HOG_BIN   = $(BUILD)/hog/Async.exe
FAKE_BIN  = $(BUILD)/fakeagent

.PHONY: all check unit integration deps deps-build demo install uninstall man \
        install-config uninstall-config \
        clean sanitize valgrind bench eval fuzz helpers plot

all: $(PLUGIN)

$(PLUGIN): $(OBJS) $(DYNLIST) | $(SNMPMOD)
	$(CC) $(CFLAGS) $(LDFLAGS) -Wl,--dynamic-list=$(DYNLIST) -o $@ $(OBJS) $(PLUGIN_LIBS)

$(SNMPMOD): $(MOD_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $(MOD_OBJS) $(MOD_LIBS)

$(DYNLIST): $(MOD_OBJS) $(OBJS)
	nm -P -u $(MOD_OBJS) | awk '$$2 == "U" { print $$1 }' | LC_ALL=C sort -u > $@.u
	nm -P -g --defined-only $(OBJS) | awk '$$2 ~ /^[TDBRG]$$/ { print $$1 }' | \
	    LC_ALL=C sort -u > $@.d
	{ echo '{'; LC_ALL=C comm -12 $@.u $@.d | sed 's/.*/  &;/'; echo '};'; } > $@.tmp
	rm -f $@.u $@.d
	mv $@.tmp $@

$(BUILD)/obj/%.o: plugin/%.c $(wildcard plugin/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.pic.o: plugin/%.c $(wildcard plugin/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<

# Only the Redis store sees hiredis's headers.
$(BUILD)/obj/store_redis.o: plugin/store_redis.c $(wildcard plugin/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) $(REDIS_CFLAGS) -c -o $@ $<

$(BUILD)/obj:
	mkdir -p $@

helpers: $(SIM_BIN) $(HOG_BIN) $(FAKE_BIN) $(BUILD)/optdoc

$(SIM_BIN): tests/sim/hrsim.c | $(BUILD)/obj
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(CFLAGS) -o $@ $<

$(FAKE_BIN): tests/sim/fakeagent.c | $(BUILD)/obj
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(CFLAGS) -o $@ $<

$(HOG_BIN): tests/sim/hog.c
	mkdir -p $(dir $@)
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(CFLAGS) -o $@ $<

plot:
	@tests/deps.sh plot
	@$(MAKE) --no-print-directory $(PLOT) $(PNGPIX)

$(PLOT): $(PLOT_SRCS) $(PURE_OBJS) $(wildcard plugin/*.h)
	$(CC) $(ALL_CFLAGS) $(CAIRO_CFLAGS) -Iplugin $(LDFLAGS) -o $@ $(PLOT_SRCS) $(PURE_OBJS) \
	    $(CAIRO_LIBS) $(INIH_LIBS) -lm

# Reads pixels of a PNG for tests/integration/t_plot.sh.
$(PNGPIX): tests/tools/pngpix.c | $(BUILD)/obj
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(CAIRO_CFLAGS) $(CFLAGS) -o $@ $< $(CAIRO_LIBS)

$(UNIT_BIN): $(UNIT_SRCS) $(PURE_OBJS)
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(CRIT_CFLAGS) $(INIH_CFLAGS) $(CFLAGS) \
	    -Iplugin -o $@ $(UNIT_SRCS) $(PURE_OBJS) $(CRIT_LIBS) $(INIH_LIBS) -lm

deps:
	@tests/deps.sh check

# The README's options table is generated from plugin/config.c.
$(BUILD)/optdoc: tools/optdoc.c $(BUILD)/obj/config.o $(BUILD)/obj/units.o $(BUILD)/obj/store_redis_url.o \
		$(BUILD)/obj/range.o $(BUILD)/obj/util.o
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(CFLAGS) -Iplugin -o $@ $^ -lm

.PHONY: readme dashboards
readme: $(BUILD)/optdoc
	tools/readme-options.sh $(BUILD)/optdoc README.md

# The Grafana dashboards, from one description of the panels.
dashboards:
	tools/grafana-dashboards.py conf/grafana

deps-build:
	@tests/deps.sh build

unit: $(UNIT_BIN)
	$(UNIT_BIN) --jobs=2

integration: $(PLUGIN) helpers plot
	PLUGIN=$(abspath $(PLUGIN)) BUILD=$(abspath $(BUILD)) PLOT=$(abspath $(PLOT)) \
	    tests/integration/run.sh

check: deps
	$(MAKE) all helpers plot $(UNIT_BIN)
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) sanitize
	$(MAKE) valgrind

demo:
	@tests/deps.sh demo
	@$(MAKE) -s all helpers
	@tests/demo.sh

# ASan + UBSan: a separate build tree, the same tests.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
sanitize: helpers $(PNGPIX)
	$(MAKE) BUILD=$(BUILD)/san PLUGIN=$(BUILD)/san/check_async_leak \
	    PLOT=$(BUILD)/san/check_async_leak_plot \
	    CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    $(BUILD)/san/check_async_leak $(BUILD)/san/unit_tests $(BUILD)/san/check_async_leak_plot
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	    $(BUILD)/san/unit_tests --jobs=2
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    PLUGIN=$(abspath $(BUILD)/san/check_async_leak) BUILD=$(abspath $(BUILD)) \
	    PLOT=$(abspath $(BUILD)/san/check_async_leak_plot) SANITIZED=1 tests/integration/run.sh

valgrind: $(PLUGIN) helpers
	PLUGIN=$(abspath $(PLUGIN)) BUILD=$(abspath $(BUILD)) tests/valgrind.sh

# libFuzzer: every tests/fuzz/fuzz_NAME.c becomes $(BUILD)/fuzz/fuzz_NAME,
# linked with all pure modules (built with coverage, ASan and UBSan), and
# runs FUZZ_SECONDS seconds with seeds from tests/fuzz/corpus/fuzz_NAME/ and
# what tests/fuzz/fuzz_NAME.seeds names (tests/fuzz/run.sh).
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_FLAGS    = -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SRCS     = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS     = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(PURE_SRCS) $(wildcard plugin/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(STD_FLAGS) $(WARN_FLAGS) $(INIH_CFLAGS) $(FUZZ_FLAGS) \
	    -Iplugin -o $@ $< $(PURE_SRCS) $(INIH_LIBS) -lm

fuzz:
	@tests/deps.sh fuzz
	$(MAKE) $(FUZZ_BINS)
	BUILD=$(abspath $(BUILD)) FUZZ_SECONDS=$(FUZZ_SECONDS) \
	    tests/fuzz/run.sh $(notdir $(FUZZ_BINS))

# Figures per check (wall time, instructions, peak RSS, SNMP requests) for
# v2c and v3 against the simulated host; BENCH_RUNS=N for more runs.  Then
# tests/bench/peer.sh: the plugin against check_snmp_process.pl, the snmp
# tools and a bare libnetsnmp client on a real snmpd with BENCH_ROWS
# process rows (BENCH_ROUNDS interleaved rounds).  Then tests/bench/history.sh:
# a check with its history in a state file and in Redis (TCP, Unix socket).
BENCH_BINS = $(BUILD)/bench/runone $(BUILD)/bench/bare

$(BUILD)/bench/runone: tests/bench/runone.c
	@mkdir -p $(dir $@)
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(CFLAGS) -o $@ $<

$(BUILD)/bench/bare: tests/bench/bare.c
	@mkdir -p $(dir $@)
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(SNMP_CFLAGS) $(CFLAGS) -o $@ $< $(SNMP_LIBS)

bench:
	@tests/deps.sh bench
	@$(MAKE) -s all helpers $(BENCH_BINS)
	PLUGIN=$(abspath $(PLUGIN)) BUILD=$(abspath $(BUILD)) tests/bench/bench.sh
	PLUGIN=$(abspath $(PLUGIN)) BUILD=$(abspath $(BUILD)) tests/bench/peer.sh
	PLUGIN=$(abspath $(PLUGIN)) BUILD=$(abspath $(BUILD)) tests/bench/history.sh

# Leak-detection evaluation (tests/eval/eval.c, linking the plugin's own
# pure modules: history, configuration, trend and evaluate, the
# path main.c takes): seeded trace families, the plugin with the README's
# settings and out of the box against OLS, deriv and a Checkmk-style
# EWMA, one report with issue 8's bars.  EVAL_SEEDS traces per family,
# EVAL_SEED_BASE=N another seed set.
EVAL_SEEDS ?= 16
EVAL_SRCS   = tests/eval/eval.c $(PURE_SRCS)

$(BUILD)/eval: $(EVAL_SRCS) $(wildcard plugin/*.h) | $(BUILD)/obj
	$(CC) $(STD_FLAGS) $(WARN_FLAGS) $(INIH_CFLAGS) -O2 -Iplugin -o $@ $(EVAL_SRCS) \
	    $(INIH_LIBS) -lm

eval: $(BUILD)/eval
	$(BUILD)/eval $(EVAL_SEEDS)

# Samples and graph templates: everything under conf/, same layout under
# $(DATADIR).  The man page is the committed one (see `make man`).
CONF_FILES = $(sort $(shell find conf -type f ! -name '.*' 2>/dev/null))
MANPAGE    = plugin/check_async_leak.1

install: $(PLUGIN)
	install -d $(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(PLUGIN) $(DESTDIR)$(PLUGINDIR)/check_async_leak
	install -m 0644 $(SNMPMOD) $(DESTDIR)$(PLUGINDIR)/check_async_leak-snmp.so
	install -m 0644 $(MANPAGE) $(DESTDIR)$(MANDIR)/man1/check_async_leak.1
	@set -e; for f in $(CONF_FILES); do \
	    d=$(DESTDIR)$(DATADIR)/$$(dirname $${f#conf/}); \
	    echo "install -m 0644 $$f $$d/"; \
	    install -d "$$d"; install -m 0644 "$$f" "$$d/"; \
	done
	@$(MAKE) -s --no-print-directory install-config
	@# The picture tool, when built (make plot): an admin's tool, not a plugin.
	@if [ -x $(PLOT) ]; then \
	    echo "install -m 0755 $(PLOT) $(DESTDIR)$(BINDIR)/"; \
	    install -d $(DESTDIR)$(BINDIR); \
	    install -m 0755 $(PLOT) $(DESTDIR)$(BINDIR)/check_async_leak_plot; \
	fi

# The Nagios commands as installed in NAGIOS_CONFDIR: the plugin's path
# written out (Debian's own configs there do so; $USER1$ may point
# elsewhere) and the INI file where install puts it.  The Icinga 2
# CheckCommand keeps PluginDir when the plugin is in Debian's PluginDir.
RENDER_NAGIOS = sed -e 's|\$$USER1\$$/check_async_leak|$(PLUGINDIR)/check_async_leak|g' \
                    -e 's|/etc/nagios-plugins/config/check_async_leak\.ini|$(NAGIOS_CONFDIR)/check_async_leak.ini|g' \
                    conf/nagios/check_async_leak.cfg
ifeq ($(PLUGINDIR),/usr/lib/nagios/plugins)
RENDER_ICINGA = cat conf/icinga2/check_async_leak.conf
else
RENDER_ICINGA = sed -e 's|PluginDir + "/check_async_leak"|"$(PLUGINDIR)/check_async_leak"|' \
                    conf/icinga2/check_async_leak.conf
endif

# An admin's configuration: a file that is there and differs from ours is
# kept (the new one goes beside it as FILE.new), the INI file is never
# touched once there.  uninstall removes only files that are as installed.
install-config:
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	conffile() { \
	    if [ ! -e "$$2" ]; then echo "install -m 0644 $$2"; install -m 0644 "$$1" "$$2"; \
	    elif cmp -s "$$1" "$$2"; then echo "$$2: up to date"; \
	    else install -m 0644 "$$1" "$$2.new"; \
	        echo "$$2: kept (yours differs); the new version is $$2.new"; fi; \
	}; \
	if [ -n "$(NAGIOS_CONFDIR)" ]; then \
	    d=$(DESTDIR)$(NAGIOS_CONFDIR); install -d "$$d"; \
	    $(RENDER_NAGIOS) >"$$t/cfg"; conffile "$$t/cfg" "$$d/check_async_leak.cfg"; \
	    if [ -e "$$d/check_async_leak.ini" ]; then \
	        echo "$$d/check_async_leak.ini: kept (an INI file is never replaced)"; \
	    elif install -m 0640 -g $(INI_GROUP) conf/check_async_leak.ini "$$d/" 2>/dev/null; then \
	        echo "install -m 0640 -g $(INI_GROUP) $$d/check_async_leak.ini"; \
	    else \
	        install -m 0644 conf/check_async_leak.ini "$$d/"; \
	        echo "install -m 0644 $$d/check_async_leak.ini (no group $(INI_GROUP):" \
	             "chgrp it to the checks' group and chmod 640 before adding secrets)"; \
	    fi; \
	fi; \
	if [ -n "$(ICINGA2_CONTRIBDIR)" ]; then \
	    d=$(DESTDIR)$(ICINGA2_CONTRIBDIR); install -d "$$d"; \
	    $(RENDER_ICINGA) >"$$t/conf"; conffile "$$t/conf" "$$d/check_async_leak.conf"; \
	fi

uninstall-config:
	@set -e; t=$$(mktemp -d); trap 'rm -rf "$$t"' EXIT; \
	unconf() { \
	    for f in "$$2" "$$2.new"; do \
	        [ -e "$$f" ] || continue; \
	        if cmp -s "$$1" "$$f"; then echo "rm -f $$f"; rm -f "$$f"; \
	        else echo "$$f: kept (changed since install)"; fi; \
	    done; \
	}; \
	if [ -n "$(NAGIOS_CONFDIR)" ]; then \
	    d=$(DESTDIR)$(NAGIOS_CONFDIR); \
	    $(RENDER_NAGIOS) >"$$t/cfg"; unconf "$$t/cfg" "$$d/check_async_leak.cfg"; \
	    unconf conf/check_async_leak.ini "$$d/check_async_leak.ini"; \
	    rmdir "$$d" "$$(dirname "$$d")" 2>/dev/null || true; \
	fi; \
	if [ -n "$(ICINGA2_CONTRIBDIR)" ]; then \
	    d=$(DESTDIR)$(ICINGA2_CONTRIBDIR); \
	    $(RENDER_ICINGA) >"$$t/conf"; unconf "$$t/conf" "$$d/check_async_leak.conf"; \
	    rmdir "$$d" "$$(dirname "$$d")" "$$(dirname "$$(dirname "$$d")")" 2>/dev/null || true; \
	fi

uninstall: uninstall-config
	rm -f $(DESTDIR)$(PLUGINDIR)/check_async_leak
	rm -f $(DESTDIR)$(PLUGINDIR)/check_async_leak-snmp.so
	rm -f $(DESTDIR)$(MANDIR)/man1/check_async_leak.1
	rm -f $(DESTDIR)$(BINDIR)/check_async_leak_plot
	@for f in $(CONF_FILES); do \
	    echo "rm -f $(DESTDIR)$(DATADIR)/$${f#conf/}"; \
	    rm -f "$(DESTDIR)$(DATADIR)/$${f#conf/}"; \
	done
	@# Our directories, deepest first, and only when empty: an admin's
	@# own files stay.
	@for d in $$(for f in $(CONF_FILES); do dirname $${f#conf/}; done | sort -ru); do \
	    [ "$$d" = . ] || rmdir "$(DESTDIR)$(DATADIR)/$$d" 2>/dev/null || true; \
	done; rmdir "$(DESTDIR)$(DATADIR)" 2>/dev/null || true

# The man page from the built plugin's --help (commit the result; the
# install test fails when it and --help part ways).
man: $(PLUGIN)
	tools/mkman.sh $(PLUGIN) > $(MANPAGE).tmp
	mv $(MANPAGE).tmp $(MANPAGE)

clean:
	rm -rf $(BUILD) $(PLUGIN) $(SNMPMOD) $(PLOT)
