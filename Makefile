# lona — build, test, demo, bench.
#
#   make demo     build, then run examples/demo.lona
#   make test     build, run every test (optimised and under ASan+UBSan)
#   make bench    benchmarks beside their Erlang twins
#
# MODE=release (default), asan (ASan+UBSan), tsan, debug. Objects go to build/MODE.

MODE ?= release
CC ?= cc
BUILDDIR ?= build
BUILD := $(BUILDDIR)/$(MODE)
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
CSTD := -std=gnu17
CFLAGS_release := -O2 -g
CFLAGS_debug := -O0 -g3 -DLONA_DEBUG
CFLAGS_asan := -O1 -g -DLONA_DEBUG -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS_tsan := -O1 -g -fsanitize=thread
CFLAGS_fuzz := -O1 -g -fsanitize=fuzzer-no-link,address,undefined
LDFLAGS_asan := -fsanitize=address,undefined
LDFLAGS_tsan := -fsanitize=thread
LDFLAGS_fuzz := -fsanitize=address,undefined
CFLAGS := $(CSTD) $(WARN) $(CFLAGS_$(MODE)) -Isrc -Iinclude -I$(BUILD)/gen -D_GNU_SOURCE -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS := $(LDFLAGS_$(MODE))
LIBS := -lgmp -ledit -lxxhash -lseccomp -lpthread -lm

SRCS := $(sort $(shell find src -name '*.c' -not -path 'src/cli/*'))
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
OBJS := $(SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/stdlib.o
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)
LONA_LIBS := $(sort $(wildcard lib/lona/*.lona))
UNIT_SRCS := $(sort $(wildcard test/unit/*_test.c))
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/unit/%)
DEPS_STAMP := $(BUILDDIR)/.deps-ok

.PHONY: all lona demo test test-one unit lonatest doctest asan tsan bench fuzz fuzz-bins clean deps
all: $(BUILD)/lona

deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p $(BUILDDIR) && touch $@

Q ?= @
$(BUILD)/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC  $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tools/embed: tools/embed.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(Q)$(CC) -O1 -o $@ $<

$(BUILD)/gen/stdlib.c: $(LONA_LIBS) $(BUILD)/tools/embed
	@mkdir -p $(dir $@)
	$(Q)$(BUILD)/tools/embed $@ $(LONA_LIBS)

$(BUILD)/gen/stdlib.o: $(BUILD)/gen/stdlib.c
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/liblona.a: $(OBJS)
	@rm -f $@
	@echo "  AR  $@"
	$(Q)ar rcs $@ $^

$(BUILD)/lona: $(CLI_OBJS) $(BUILD)/liblona.a
	@echo "  LD  $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/liblona.a $(LIBS)
	@[ "$(MODE)" != release ] || ln -sf $(MODE)/lona $(BUILDDIR)/lona

$(BUILD)/unit/%: test/unit/%.c $(BUILD)/liblona.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(BUILD)/liblona.a $(LIBS) -lcmocka $(LDFLAGS)

demo: $(BUILD)/lona
	$(BUILD)/lona run examples/demo.lona

# One mode's tests: C unit tests, Lonala tests, command-line tests, the
# scheduler stress suite (fewer and smaller rounds under the sanitizers),
# doctests.
STRESS_asan := 1 4
STRESS_tsan := 1 50
STRESS_ARGS = $(or $(STRESS_$(MODE)),3 1)
test-one: $(BUILD)/lona $(UNIT_BINS)
	@STRESS_ROUNDS=$(word 1,$(STRESS_ARGS)) STRESS_DIVISOR=$(word 2,$(STRESS_ARGS)) sh scripts/run-tests.sh $(BUILD)

test:
	@$(MAKE) --no-print-directory MODE=release test-one
	@$(MAKE) --no-print-directory MODE=tsan tsan-one
	@$(MAKE) --no-print-directory MODE=asan test-one

# The scheduler, process and realm tests, the poller's (stdin_test) and
# the signal thread's (repl_interrupt_test) and the console's
# (repl_complete_test), under ThreadSanitizer (any
# report fails).
TSAN_TESTS := test/lona/exit_test.lona test/lona/introspect_test.lona test/lona/messaging_test.lona test/lona/registry_test.lona \
	test/lona/server_test.lona test/lona/supervisor_test.lona test/lona/stress_test.lona \
	test/lona/realm_test.lona test/lona/realm_tree_test.lona test/lona/realm_remote_test.lona \
	test/lona/realm_policy_test.lona test/lona/realm_region_test.lona test/lona/process_bound_test.lona \
	test/lona/memory_pressure_test.lona test/lona/realm_notify_test.lona
tsan-one: $(BUILD)/lona
	@echo "== tsan: process and realm tests under ThreadSanitizer =="
	@{ TSAN_OPTIONS="halt_on_error=1 exitcode=66" $(BUILD)/lona test $(TSAN_TESTS) && \
	   TSAN_OPTIONS="halt_on_error=1 exitcode=66" sh test/cli/stdin_test.sh $(BUILD)/lona && \
	   TSAN_OPTIONS="halt_on_error=1 exitcode=66" sh test/cli/repl_interrupt_test.sh $(BUILD)/lona && \
	   TSAN_OPTIONS="halt_on_error=1 exitcode=66" sh test/cli/repl_complete_test.sh $(BUILD)/lona && \
	   TSAN_OPTIONS="halt_on_error=1 exitcode=66" sh test/sched/stress.sh $(BUILD)/lona $(STRESS_tsan); } > $(BUILD)/tsan.log 2>&1; \
	 rc=$$?; grep -E '^(stdin_test: |repl_interrupt_test: |repl_complete_test: |stress: )?[0-9]+ passed' $(BUILD)/tsan.log | sed 's/^/tsan: /'; \
	 [ $$rc -eq 0 ] || { tail -n 60 $(BUILD)/tsan.log; exit 1; }

tsan:
	@$(MAKE) --no-print-directory MODE=tsan tsan-one

# libFuzzer targets (fuzz/README.md): the library in MODE=fuzz, built with
# clang, and one binary per target in build/fuzz/.
FUZZ_TARGETS := reader eval wire frame dispatch
fuzz:
	@$(MAKE) --no-print-directory MODE=fuzz CC=clang fuzz-bins
fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/%_fuzz)
$(BUILD)/%_fuzz: fuzz/%_fuzz.c fuzz/fuzz_lsan.h $(BUILD)/liblona.a
	@echo "  LD  $@"
	$(Q)$(CC) $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -D_GNU_SOURCE -o $@ $< $(BUILD)/liblona.a $(LIBS)

bench: $(BUILD)/lona
	@sh scripts/deps.sh --with-erlang
	@sh bench/run.sh $(BUILD)/lona

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
