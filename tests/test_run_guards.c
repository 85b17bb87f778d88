/* tests/test_run_guards.c: the run's guards (models/run.c), which watch the
 * event loop at its checkpoints rather than at every dispatch: --max-events
 * exact at every count, across the checkpoints' period (a run that needs N
 * events passes with N and fails with N - 1, with the message's form), and
 * a loop without progress caught whatever the stall limit, even one below
 * the checkpoints' period, within two periods of the limit and never
 * before it.  tests/test_run.c covers the guards' results (nothing
 * written, the temporary gone).  Units: events, ns. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/registry.h"
#include "models/run.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"
#include "tests/test_data.h"

static char tmpdir[64];
static char small[512]; /* tests/e2e/small.yaml */

/* The run's checkpoint period, in dispatches (WATCH_EVERY in models/run.c),
 * which bounds how late a stall is caught. */
enum { PERIOD = 1024 };

/* Runs small.yaml (or sc) for `duration` (NULL: 10 s) with the guards
 * given; returns the status and copies the one error message, if any, into
 * msg. */
static run_status run_for(const char *duration, const sim_scenario *sc, uint64_t max_events,
                          uint64_t stall_events, uint64_t *events, char *msg, size_t msg_size) {
  char out[128];
  snprintf(out, sizeof out, "%s/guarded.h5", tmpdir);
  sim_override dur = {"simulation.duration", duration ? duration : "10 s"};
  run_request req = {.scenario_path = small, .scenario = sc, .data_path = test_data_path(),
                     .overrides = &dur, .n_overrides = 1, .output = out,
                     .max_events = max_events, .stall_events = stall_events};
  run_result res;
  sim_diag d;
  sim_diag_init(&d);
  run_scenario(&req, &res, &d);
  msg[0] = '\0';
  for (size_t i = 0; i < d.count; i++)
    if (d.entries[i].level == SIM_DIAG_ERROR) snprintf(msg, msg_size, "%s", d.entries[i].message);
  CU_ASSERT(d.errors <= 1);
  sim_diag_clear(&d);
  CU_ASSERT_EQUAL(access(out, F_OK) == 0, res.status == RUN_OK);
  unlink(out);
  if (events) *events = res.events;
  return res.status;
}

static run_status run_small(const sim_scenario *sc, uint64_t max_events, uint64_t stall_events,
                            uint64_t *events, char *msg, size_t msg_size) {
  return run_for(NULL, sc, max_events, stall_events, events, msg, msg_size);
}

/* Whether msg is the --max-events message for `limit`, at a time in
 * [0, 10 s]. */
static bool says_max_events(const char *msg, uint64_t limit) {
  unsigned long long said = 0;
  long long t = -1;
  int end = 0;
  if (sscanf(msg, "the run needs more than %llu events (--max-events), at simulated time %lld ns%n",
             &said, &t, &end) != 2)
    return false;
  return said == limit && t >= 0 && t <= 10000000000LL && !strcmp(msg + end, "; no result written");
}

static void test_max_events_exact(void) {
  char msg[512];
  uint64_t needs = 0;
  CU_ASSERT_EQUAL_FATAL(run_small(NULL, 0, 0, &needs, msg, sizeof msg), RUN_OK);
  CU_ASSERT_FATAL(needs > 3 * PERIOD);
  /* exactly what it needs: complete, the same count */
  uint64_t events = 0;
  CU_ASSERT_EQUAL(run_small(NULL, needs, 0, &events, msg, sizeof msg), RUN_OK);
  CU_ASSERT_EQUAL(events, needs);
  CU_ASSERT_EQUAL(msg[0], '\0');
  /* one fewer, and limits on either side of the checkpoints' period and
   * its multiples: failed, the message naming the limit */
  const uint64_t fewer[] = {needs - 1, 1, 2, PERIOD - 1, PERIOD, PERIOD + 1, PERIOD + 2,
                            2 * PERIOD, 2 * PERIOD + 1, 3 * PERIOD - 1};
  for (size_t i = 0; i < sizeof fewer / sizeof *fewer; i++) {
    CU_ASSERT_EQUAL(run_small(NULL, fewer[i], 0, NULL, msg, sizeof msg), RUN_FAILED);
    CU_ASSERT(says_max_events(msg, fewer[i]));
  }
}

/* A run whose last event lands on a checkpoint (the first, then one every
 * period): a limit of its exact count passes there, one fewer fails. */
static void test_max_events_on_a_checkpoint(void) {
  char msg[512], duration[32];
  uint64_t needs = 0;
  bool found = false;
  /* small.yaml's events grow with its duration, its samples one a ms */
  for (int ms = PERIOD - 32; ms < PERIOD + 32 && !found; ms++) {
    snprintf(duration, sizeof duration, "%d ms", ms);
    CU_ASSERT_EQUAL_FATAL(run_for(duration, NULL, 0, 0, &needs, msg, sizeof msg), RUN_OK);
    found = needs % PERIOD == 1;
  }
  CU_ASSERT_FATAL(found);
  CU_ASSERT_EQUAL(run_for(duration, NULL, needs, 0, NULL, msg, sizeof msg), RUN_OK);
  CU_ASSERT_EQUAL(run_for(duration, NULL, needs - 1, 0, NULL, msg, sizeof msg), RUN_FAILED);
  CU_ASSERT(says_max_events(msg, needs - 1));
}

/* The events at one time a stall message counts, or 0 when msg is not
 * one. */
static uint64_t stalled_over(const char *msg) {
  unsigned long long n = 0;
  if (sscanf(msg, "the simulation makes no progress: simulated time stayed put over %llu "
                  "consecutive events",
             &n) != 1)
    return 0;
  return strstr(msg, "(a repeating phase whose work costs nothing?), at simulated time ") &&
                 strstr(msg, " ns; no result written")
             ? n
             : 0;
}

/* A repeating phase that costs nothing (the loader refuses it; made here in
 * the loaded scenario) never advances time. */
static void test_stall_caught(void) {
  sim_scenario *sc = NULL;
  sim_diag d;
  sim_diag_init(&d);
  sim_override dur = {"simulation.duration", "10 s"};
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load(small, test_vocabulary(), &dur, 1, &sc, &d), 0);
  sim_diag_clear(&d);
  sim_workload *w = &sc->workloads[0];
  w->repeat = true;
  w->phases[0].instructions = w->phases[0].syscalls = w->phases[0].pte_updates = 0;
  char msg[512];
  /* limits below, at and above the checkpoints' period */
  const uint64_t limits[] = {1, 5, PERIOD - 1, PERIOD, PERIOD + 1, 5000, 100000};
  for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) {
    /* (an event limit far beyond, should the stall go unseen) */
    CU_ASSERT_EQUAL(run_small(sc, 1000000, limits[i], NULL, msg, sizeof msg), RUN_FAILED);
    uint64_t n = stalled_over(msg);
    /* counted only from a checkpoint: past the limit, by less than a
     * period (the count grows a period a checkpoint) */
    CU_ASSERT(n > limits[i] && n <= limits[i] + PERIOD);
  }
  /* the same limit with a run that progresses: complete */
  CU_ASSERT_EQUAL(run_small(NULL, 0, 5000, NULL, msg, sizeof msg), RUN_OK);
  sim_scenario_free(sc);
}

static int suite_init(void) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  snprintf(small, sizeof small, "%s/tests/e2e/small.yaml", src ? src : ".");
  return scratch_make(tmpdir, sizeof tmpdir, "guards");
}

static int suite_clean(void) {
  return scratch_remove(tmpdir);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"--max-events is exact at every count", test_max_events_exact},
      {"--max-events is exact on a checkpoint", test_max_events_on_a_checkpoint},
      {"a loop without progress is caught, whatever the limit", test_stall_caught},
      {NULL, NULL}};
  CU_pSuite s = CU_add_suite("run guards", suite_init, suite_clean);
  if (!s) return -1;
  for (const test_case *t = tests; t->name; t++)
    if (!CU_add_test(s, t->name, t->fn)) return -1;
  return 0;
}
