/* tests/test_power.c: host power models (models/power_*.c) and the
 * `power` key of host types (sim/scenario_hosts.c): each model's formula at
 * hand-computed points, the SPECpower tables of the paper's two servers
 * [BB12, Table 1] interpolated between their measured points, each model's
 * power at a lower P-state (its part above idle scaled, models/dvfs.h), and
 * the loader's refusals (wrong length, a falling table, keys a model does not
 * take) with their place in the file. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/datacenter.h"
#include "models/dvfs.h"
#include "models/registry.h"
#include "sim/scenario.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

static void test_formulas(void) {
  dc_power_model lin = {&power_linear_ops, 100, 200, {0}}, cub = {&power_cubic_ops, 100, 200, {0}};
  CU_ASSERT(NEAR(dc_power_watts(&lin, 0), 100));
  CU_ASSERT(NEAR(dc_power_watts(&lin, 0.5), 150));
  CU_ASSERT(NEAR(dc_power_watts(&lin, 1.5), 200)); /* clamped */
  CU_ASSERT(NEAR(dc_power_watts(&lin, -0.1), 100));
  CU_ASSERT(NEAR(dc_power_watts(&cub, 0.5), 112.5)); /* 100 + 100 x 0.125 */
  CU_ASSERT(NEAR(dc_power_watts(&cub, 1), 200));
}

static void test_specpower(void) {
  dc_power_model g4 = {&power_hp_ml110_g4_ops, 0, 0, {0}}, g5 = {&power_hp_ml110_g5_ops, 0, 0, {0}};
  CU_ASSERT(NEAR(dc_power_watts(&g4, 0), 86));
  CU_ASSERT(NEAR(dc_power_watts(&g4, 1), 117));
  CU_ASSERT(NEAR(dc_power_watts(&g4, 0.55), 104));  /* midway between 102 and 106 */
  CU_ASSERT(NEAR(dc_power_watts(&g4, 0.05), 87.7)); /* midway between 86 and 89.4 */
  CU_ASSERT(NEAR(dc_power_watts(&g5, 0.25), 103));  /* midway between 101 and 105 */
  CU_ASSERT(NEAR(dc_power_watts(&g5, 0.9), 133));   /* a measured point */
  /* a scenario's own table */
  dc_power_model own = {&power_specpower_ops, 0, 0, {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110}};
  CU_ASSERT(NEAR(dc_power_watts(&own, 0.37), 47));
  /* every shipped curve rises with load */
  const dc_power_model *shipped[] = {&g4, &g5};
  for (size_t m = 0; m < 2; m++)
    for (int i = 1; i <= 100; i++)
      CU_ASSERT(dc_power_watts(shipped[m], i / 100.0) >= dc_power_watts(shipped[m], (i - 1) / 100.0));
}

/* P(0) + (P(u) - P(0)) s for every kind of model; s = 1 is the model itself. */
static void test_pstate_power(void) {
  dc_power_model lin = {&power_linear_ops, 100, 200, {0}}, cub = {&power_cubic_ops, 100, 200, {0}};
  dc_power_model g4 = {&power_hp_ml110_g4_ops, 0, 0, {0}};
  CU_ASSERT(NEAR(dvfs_power_watts(&lin, 0.5, 0.25), 112.5)); /* 100 + 50 x 0.25 */
  CU_ASSERT(NEAR(dvfs_power_watts(&lin, 0, 0.25), 100));     /* idle stays */
  CU_ASSERT(NEAR(dvfs_power_watts(&lin, 1.5, 0.5), 150));    /* clamped like the model */
  CU_ASSERT(NEAR(dvfs_power_watts(&cub, 0.5, 0.5), 106.25)); /* 100 + 12.5 x 0.5 */
  CU_ASSERT(NEAR(dvfs_power_watts(&g4, 0.55, 0.5), 95));     /* 86 + (104 - 86) x 0.5 */
  for (int i = 0; i <= 10; i++) {
    CU_ASSERT(NEAR(dvfs_power_watts(&lin, i / 10.0, 1), dc_power_watts(&lin, i / 10.0)));
    CU_ASSERT(NEAR(dvfs_power_watts(&g4, i / 10.0, 1), dc_power_watts(&g4, i / 10.0)));
  }
}

static const char *scenario_fmt =
    "simulation: {duration: 1 s}\n"
    "host_types: {std: {cores: 2, clock: 1860 MHz, memory: 4 GiB, power: %s}}\n"
    "hosts: [{name: h, type: std}]\n"
    "workloads: {w: {phases: [{units: 1, ops: {instructions: 1}}]}}\n"
    "guests: [{name: g, technique: hvm, host: h, workload: w}]\n";

/* Loads the scenario with `power`; the first error's message in *msg. */
static sim_scenario *load_power(const char *power, char *msg, size_t len, int *line, int *col) {
  char text[2048];
  snprintf(text, sizeof text, scenario_fmt, power);
  return fx_load_text("p.yaml", text, msg, len, line, col);
}

static void test_loader(void) {
  char msg[512];
  int line = 0, col = 0;
  sim_scenario *s = load_power("{model: hp-ml110-g4, boot_time: 90 s}", msg, sizeof msg, &line, &col);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_STRING_EQUAL(s->host_types[0].power.model, "hp-ml110-g4");
  CU_ASSERT_EQUAL(s->host_types[0].power.boot_time_ns, 90 * SIM_S);
  sim_scenario_free(s);
  s = load_power("{model: linear, idle: 70 W, max: 250}", msg, sizeof msg, &line, &col);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT(NEAR(s->host_types[0].power.idle_w, 70) && NEAR(s->host_types[0].power.max_w, 250));
  sim_scenario_free(s);
  s = load_power("{model: specpower, table: [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117 W]}", msg,
                 sizeof msg, &line, &col);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT(NEAR(s->host_types[0].power.table_w[10], 117));
  sim_scenario_free(s);
  /* cubic takes idle and max too */
  s = load_power("{model: cubic, idle: 1, max: 2}", msg, sizeof msg, &line, &col);
  CU_ASSERT_PTR_NOT_NULL(s);
  sim_scenario_free(s);

  static const struct {
    const char *power, *message;
    const char *at; /* where the offending node starts in `power` */
  } bad[] = {
      {"{model: specpower, table: [1, 2, 3]}", "must have 11 values", "[1"},
      {"{model: specpower, table: [1, 2, 3, 4, 5, 6, 5, 8, 9, 10, 11]}", "value 6 of 'table'", "5, 8"},
      {"{model: linear, idle: 100, max: 90}", "'max' in power of host type 'std' (90 W) is below 'idle'", "90"},
      {"{model: linear, idle: 100}", "missing key 'max'", "{"},
      {"{model: hp-ml110-g4, idle: 3}", "takes no parameters", "3}"},
      {"{model: specpower, idle: 3, max: 4, table: [1,2,3,4,5,6,7,8,9,10,11]}", "takes 'table', not idle/max",
       "3,"},
      {"{model: linear, idle: lots, max: 4}", "must be a power in W", "lots"},
      {"{model: hp-ml110-g6}", "unknown power model 'hp-ml110-g6'", "hp-"},
  };
  /* the columns of `power` on line 2 start after this */
  const size_t prefix = strlen("host_types: {std: {cores: 2, clock: 1860 MHz, memory: 4 GiB, power: ");
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    s = load_power(bad[i].power, msg, sizeof msg, &line, &col);
    CU_ASSERT_PTR_NULL(s);
    if (!strstr(msg, bad[i].message)) fprintf(stderr, "\n    %s: got '%s'\n", bad[i].power, msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, bad[i].message));
    CU_ASSERT_EQUAL(line, 2);
    CU_ASSERT_EQUAL(col, (int)(prefix + (size_t)(strstr(bad[i].power, bad[i].at) - bad[i].power) + 1));
    sim_scenario_free(s);
  }
}

int register_tests(void) {
  static const test_case tests[] = {{"linear and cubic formulas", test_formulas},
                                    {"SPECpower tables interpolated", test_specpower},
                                    {"power at a lower P-state", test_pstate_power},
                                    {"the power key of host types", test_loader},
                                    {NULL, NULL}};
  return add_suite("power", tests);
}
