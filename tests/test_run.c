/* tests/test_run.c: the run pipeline (models/run.c): a scenario file or a
 * loaded scenario to an HDF5 result, with its overrides, its root
 * attributes (the techniques' catalog order among them), summary-only recording, the output's directory made on
 * demand, the temporary file announced and withdrawn, nothing left
 * behind by an invalid scenario, and the guards (events, wall clock, a loop
 * without progress) that end a run as failed with nothing written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/registry.h"
#include "models/run.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"
#include "tests/test_data.h"

static char tmpdir[64];
static char small[512]; /* tests/e2e/small.yaml */

static void scenario_path(char *buf, size_t size, const char *name) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  snprintf(buf, size, "%s/tests/e2e/%s", src ? src : ".", name);
}

/* What on_temp was told: the paths in order. */
typedef struct temp_log {
  char first[512]; /* the first temporary path told, "" when none */
  char lock[512];  /* the first lock path told, "" when none */
  int calls;       /* calls in all */
  int last_null;   /* the last call withdrew both files */
} temp_log;

static void log_temp(void *ctx, const char *path, const char *lock) {
  temp_log *t = ctx;
  if (t->calls++ == 0 && path) snprintf(t->first, sizeof t->first, "%s", path);
  if (t->calls == 1 && lock) snprintf(t->lock, sizeof t->lock, "%s", lock);
  t->last_null = path == NULL && lock == NULL;
}

static void test_file_to_result(void) {
  char out[128];
  snprintf(out, sizeof out, "%s/made/on/demand.h5", tmpdir);
  sim_override seed = {"simulation.seed", "42"};
  temp_log tl = {"", "", 0, 0};
  run_request req = {.scenario_path = small, .data_path = test_data_path(), .overrides = &seed, .n_overrides = 1,
                     .output = out, .command_line = "vdcsim run small.yaml",
                     .on_temp = log_temp, .temp_ctx = &tl};
  run_result res;
  sim_diag d;
  sim_diag_init(&d);
  int rc = run_scenario(&req, &res, &d);
  sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL(res.status, RUN_OK);
  CU_ASSERT(res.events > 0);
  CU_ASSERT(res.simulated_ns > 0);
  CU_ASSERT(res.wall_s >= 0);
  /* the temporary file was announced, then withdrawn, and is gone */
  CU_ASSERT(tl.calls == 2 && tl.last_null && tl.first[0] && tl.lock[0]);
  CU_ASSERT_NOT_EQUAL(access(tl.first, F_OK), 0);
  CU_ASSERT_NOT_EQUAL(access(tl.lock, F_OK), 0); /* the lock is gone with the rename */
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out, &r, &d), 0);
  CU_ASSERT_STRING_EQUAL(sim_result_attr_str(r, "scenario_name"), "small");
  CU_ASSERT_STRING_EQUAL(sim_result_attr_str(r, "command_line"), "vdcsim run small.yaml");
  CU_ASSERT_STRING_EQUAL(sim_result_attr_str(r, "calibration_name"), "pentium4-2006");
  /* the techniques in catalog order, for the plots */
  const char *names[16];
  size_t n = model_names(MODEL_TECHNIQUE, names, 16);
  CU_ASSERT_FATAL(n >= 2 && n <= 16);
  char want[512] = "";
  for (size_t i = 0; i < n; i++) {
    if (i) strcat(want, ",");
    strcat(want, names[i]);
  }
  const char *listed = sim_result_attr_str(r, "techniques");
  CU_ASSERT_PTR_NOT_NULL_FATAL(listed);
  CU_ASSERT_STRING_EQUAL(listed, want);
  double v;
  CU_ASSERT(sim_result_attr_f64(r, "seed", &v) == 0 && v == 42); /* the override applied */
  CU_ASSERT(sim_result_attr_f64(r, "events_dispatched", &v) == 0 && v == (double)res.events);
  CU_ASSERT(sim_result_has(r, "summary/guests") > 0);
  CU_ASSERT(sim_result_has(r, "events") > 0); /* the scenario records its event log */
  sim_result_close(r);
  sim_diag_clear(&d);
}

static void test_loaded_summary_only(void) {
  char out[128];
  snprintf(out, sizeof out, "%s/summary.h5", tmpdir);
  sim_scenario *sc = NULL;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load(small, test_vocabulary(), NULL, 0, &sc, &d), 0);
  run_request req = {.scenario = sc, .data_path = test_data_path(), .output = out, .summary_only = true};
  run_result res;
  CU_ASSERT_EQUAL_FATAL(run_scenario(&req, &res, &d), 0);
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(out, &r, &d), 0);
  CU_ASSERT(sim_result_has(r, "summary/guests") > 0);
  CU_ASSERT(sim_result_has(r, "events") <= 0);
  CU_ASSERT(sim_result_has(r, "series") <= 0);
  CU_ASSERT_STRING_EQUAL(sim_result_attr_str(r, "command_line"), "");
  sim_result_close(r);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

static void test_invalid_writes_nothing(void) {
  char bad[512], out[128];
  scenario_path(bad, sizeof bad, "bad.yaml");
  snprintf(out, sizeof out, "%s/invalid/bad.h5", tmpdir);
  run_request req = {.scenario_path = bad, .data_path = test_data_path(), .output = out};
  run_result res;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT(run_scenario(&req, &res, &d) < 0);
  CU_ASSERT_EQUAL(res.status, RUN_INVALID);
  CU_ASSERT(d.errors > 0);
  CU_ASSERT_NOT_EQUAL(access(out, F_OK), 0);
  char dir[160];
  snprintf(dir, sizeof dir, "%s/invalid", tmpdir);
  CU_ASSERT_NOT_EQUAL(access(dir, F_OK), 0); /* no directory for a run that cannot start */
  sim_diag_clear(&d);
  /* a profile that does not exist: invalid too */
  sim_override cal = {"calibration", "no-such-profile"};
  run_request req2 = {.scenario_path = small, .data_path = test_data_path(), .overrides = &cal, .n_overrides = 1, .output = out};
  CU_ASSERT(run_scenario(&req2, &res, &d) < 0);
  CU_ASSERT_EQUAL(res.status, RUN_INVALID);
  CU_ASSERT_NOT_EQUAL(access(out, F_OK), 0);
  sim_diag_clear(&d);
}

/* A run stopped by a guard: failed, a message, no result, no temporary. */
static void expect_stopped(run_request *req, const char *words) {
  temp_log tl = {"", "", 0, 0};
  req->on_temp = log_temp;
  req->temp_ctx = &tl;
  run_result res;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT(run_scenario(req, &res, &d) < 0);
  CU_ASSERT_EQUAL(res.status, RUN_FAILED);
  CU_ASSERT_EQUAL(d.errors, 1);
  bool said = false;
  for (size_t i = 0; i < d.count; i++) said |= strstr(d.entries[i].message, words) != NULL;
  CU_ASSERT(said);
  CU_ASSERT_NOT_EQUAL(access(req->output, F_OK), 0);
  CU_ASSERT(tl.first[0] && tl.last_null);
  CU_ASSERT_NOT_EQUAL(access(tl.first, F_OK), 0);
  sim_diag_clear(&d);
}

static void test_guards(void) {
  char out[128];
  snprintf(out, sizeof out, "%s/guarded.h5", tmpdir);
  /* small.yaml needs more than 10 events (15) */
  run_request req = {.scenario_path = small, .data_path = test_data_path(), .output = out,
                     .max_events = 10};
  expect_stopped(&req, "--max-events");
  /* a wall-clock limit no run meets: stopped at its first check */
  sim_override longer = {"simulation.duration", "1000 s"};
  run_request req2 = {.scenario_path = small, .data_path = test_data_path(), .output = out,
                      .overrides = &longer, .n_overrides = 1, .max_wall_s = 1e-9};
  expect_stopped(&req2, "--max-wall");
  /* the same limits, not reached: the run completes */
  run_request req3 = {.scenario_path = small, .data_path = test_data_path(), .output = out,
                      .max_events = 100000000, .max_wall_s = 1000};
  run_result res;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(run_scenario(&req3, &res, &d), 0);
  CU_ASSERT_EQUAL(access(out, F_OK), 0);
  unlink(out);
  sim_diag_clear(&d);
}

/* A repeating phase that costs nothing (the loader refuses it; made here in
 * the loaded scenario) stops on the progress watchdog instead of spinning. */
static void test_no_progress(void) {
  char out[128];
  snprintf(out, sizeof out, "%s/stalled.h5", tmpdir);
  sim_scenario *sc = NULL;
  sim_diag d;
  sim_diag_init(&d);
  sim_override dur = {"simulation.duration", "1 s"};
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load(small, test_vocabulary(), &dur, 1, &sc, &d), 0);
  sim_workload *w = &sc->workloads[0];
  w->repeat = true;
  w->phases[0].instructions = w->phases[0].syscalls = w->phases[0].pte_updates = 0;
  run_request req = {.scenario = sc, .data_path = test_data_path(), .output = out,
                     .stall_events = 100000};
  expect_stopped(&req, "no progress");
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

static int suite_init(void) {
  scenario_path(small, sizeof small, "small.yaml");
  return scratch_make(tmpdir, sizeof tmpdir, "run");
}

static int suite_clean(void) {
  return scratch_remove(tmpdir);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"scenario file to result, overrides and attributes", test_file_to_result},
      {"loaded scenario, summary tables only", test_loaded_summary_only},
      {"an invalid scenario or profile writes nothing", test_invalid_writes_nothing},
      {"--max-events and --max-wall end a run, nothing written", test_guards},
      {"a loop without progress ends the run, nothing written", test_no_progress},
      {NULL, NULL}};
  CU_pSuite s = CU_add_suite("run", suite_init, suite_clean);
  if (!s) return -1;
  for (const test_case *t = tests; t->name; t++)
    if (!CU_add_test(s, t->name, t->fn)) return -1;
  return 0;
}
