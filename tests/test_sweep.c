/* tests/test_sweep.c: sim/sweep.c: a sweep definition to its points (order,
 * zips, ranges, samples, named points), its errors, and --shard; and the run
 * key a sweep resumes by (models/run.h run_key). */
#include <math.h>
#include <string.h>

#include "models/registry.h"
#include "models/run.h"
#include "sim/sweep.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

/* Parses `text` (the map of a sweep section); NULL with errors in *d. */
static sim_sweep *parse(const char *text, sim_diag *d) {
  sim_diag_init(d);
  sim_yaml_node *root = NULL;
  if (sim_yaml_parse("t.yaml", text, strlen(text), &root, d) < 0) return NULL;
  sim_schema S;
  sim_schema_init(&S, "t.yaml", d);
  sim_sweep *sw = NULL;
  sim_sweep_parse(&S, root, &sw);
  sim_yaml_free(root);
  return sw;
}

static void test_cartesian_and_zip(void) {
  sim_diag d;
  sim_sweep *sw = parse("replications: 2\naxes:\n"
                        "  - zip: [{path: a, values: [1 Gbit/s, 10 Gbit/s]}, {path: b, values: [x, y]}]\n"
                        "  - {path: c, values: [1 ms, 2 ms, 3 ms]}\n", &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
  CU_ASSERT_EQUAL(sw->n_points, 6);
  CU_ASSERT_EQUAL(sim_sweep_runs(sw), 12);
  CU_ASSERT_EQUAL(sw->n_params, 3);
  /* the last entry fastest; zipped axes move together */
  CU_ASSERT_STRING_EQUAL(sw->points[0].values[2].text, "1 ms");
  CU_ASSERT_STRING_EQUAL(sw->points[1].values[2].text, "2 ms");
  CU_ASSERT_STRING_EQUAL(sw->points[3].values[0].text, "10 Gbit/s");
  CU_ASSERT_STRING_EQUAL(sw->points[3].values[1].text, "y");
  /* SI: rate in bit/s, time in s; text axes are not numeric */
  CU_ASSERT_DOUBLE_EQUAL(sw->points[3].values[0].si, 1e10, 1);
  CU_ASSERT_DOUBLE_EQUAL(sw->points[1].values[2].si, 2e-3, 1e-12);
  CU_ASSERT_FALSE(sw->params[1].numeric);
  CU_ASSERT_STRING_EQUAL(sim_sweep_unit_name(sw->params[2].kind), "s");
  sim_sweep_free(sw);
  sim_diag_clear(&d);
}

static void test_ranges_and_named_points(void) {
  sim_diag d;
  sim_sweep *sw = parse("axes:\n  - {path: r, from: 1 Mbit/s, to: 100 Mbit/s, steps: 3, scale: log}\n"
                        "points:\n  - {name: slow, set: {r: 10 kbit/s, q: 3}}\n", &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sw);
  CU_ASSERT_EQUAL(sw->n_points, 4);
  CU_ASSERT_STRING_EQUAL(sw->points[1].values[0].text, "10 Mbit/s");
  CU_ASSERT_STRING_EQUAL(sw->points[3].name, "slow");
  CU_ASSERT_PTR_NULL(sw->points[0].values[1].text); /* q is set by the named point only */
  CU_ASSERT_STRING_EQUAL(sw->points[3].values[1].text, "3");
  sim_override ovs[2];
  CU_ASSERT_EQUAL(sim_sweep_point_overrides(sw, 0, ovs), 1);
  sim_sweep_free(sw);
  sim_diag_clear(&d);
}

static void test_samples(void) {
  sim_diag d;
  const char *lhs = "sample: {method: latin-hypercube, points: 10, seed: 3}\n"
                    "axes:\n  - {path: x, from: 0, to: 1}\n  - {path: y, from: 1 Hz, to: 1 kHz, scale: log}\n";
  sim_sweep *a = parse(lhs, &d), *b = NULL;
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_EQUAL(a->n_points, 10);
  /* one point in each tenth of x, and the same points again from the same seed */
  int strata[10] = {0};
  for (size_t i = 0; i < 10; i++) {
    double x = a->points[i].values[0].si, y = a->points[i].values[1].si;
    CU_ASSERT(x >= 0 && x < 1 && y >= 1 && y <= 1000);
    strata[(int)(x * 10)]++;
  }
  for (int i = 0; i < 10; i++) CU_ASSERT_EQUAL(strata[i], 1);
  sim_diag d2;
  b = parse(lhs, &d2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  for (size_t i = 0; i < 10; i++) CU_ASSERT_STRING_EQUAL(a->points[i].values[0].text, b->points[i].values[0].text);
  sim_sweep_free(a);
  sim_sweep_free(b);
  sim_diag_clear(&d);
  sim_diag_clear(&d2);
  sim_sweep *s = parse("sample: {method: sobol, points: 8}\naxes:\n  - {path: x, from: 2, to: 4}\n", &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  for (size_t i = 0; i < 8; i++) CU_ASSERT(s->points[i].values[0].si >= 2 && s->points[i].values[0].si <= 4);
  sim_sweep_free(s);
  sim_diag_clear(&d);
}

static void test_errors(void) {
  sim_diag d;
  CU_ASSERT_PTR_NULL(parse("axes:\n  - zip: [{path: a, values: [1, 2]}, {path: b, values: [1]}]\n", &d));
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_diag_clear(&d);
  CU_ASSERT_PTR_NULL(parse("axes:\n  - {path: a, values: [1 ms, 1 GiB]}\n", &d));
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_diag_clear(&d);
  CU_ASSERT_PTR_NULL(parse("axes:\n  - {path: a, values: [1]}\n  - {path: a, values: [2]}\n", &d));
  sim_diag_clear(&d);
  CU_ASSERT_PTR_NULL(parse("axes:\n  - {path: a, from: 1 s, to: 2 GiB, steps: 2}\n", &d));
  sim_diag_clear(&d);
}

static void test_shards(void) {
  uint64_t k, n;
  char err[200];
  CU_ASSERT_EQUAL(sim_sweep_parse_shard("1/4", &k, &n, err, sizeof err), 0);
  CU_ASSERT(k == 1 && n == 4);
  CU_ASSERT_EQUAL(sim_sweep_parse_shard("3/2", &k, &n, err, sizeof err), -1);
  CU_ASSERT_EQUAL(sim_sweep_parse_shard("-1/2", &k, &n, err, sizeof err), -1);
  CU_ASSERT_EQUAL(sim_sweep_parse_shard("1/0", &k, &n, err, sizeof err), -1);
  /* every run in exactly one shard */
  for (uint64_t r = 0; r < 50; r++) {
    int in = 0;
    for (uint64_t s = 0; s < 7; s++) in += sim_sweep_in_shard(r, s, 7);
    CU_ASSERT_EQUAL(in, 1);
  }
}

static const char scenario[] =
    "name: k\nsimulation: {duration: 0 s, seed: 1}\ncalibration: pentium4-2006\n"
    "host_types:\n  p4: {cores: 4, clock: 3.8 GHz, memory: 8 GiB}\n"
    "hosts:\n  - {name: h0, type: p4}\n"
    "workloads:\n  loop:\n    phases:\n      - {name: main, units: 2e4, ops: {instructions: 1000}}\n"
    "guests:\n  - {name: vm0, technique: pv, vcpus: 1, memory: 1 GiB, host: h0, workload: loop}\n";

/* The key of `text` with one override (NULL: none) into key. */
static void key_of(const char *text, const char *path, const char *value, char key[RUN_KEY_LEN]) {
  sim_diag d;
  sim_diag_init(&d);
  sim_override ov = {path, value};
  sim_scenario *sc = NULL;
  key[0] = '\0';
  int rc = sim_scenario_load_text("k.yaml", text, strlen(text), test_vocabulary(), &ov, path ? 1 : 0, &sc, &d);
  sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL(run_key_of(sc, test_data_path(), key, &d), 0);
  CU_ASSERT_EQUAL(strlen(key), 16);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

static void test_run_key(void) {
  char a[RUN_KEY_LEN], b[RUN_KEY_LEN], c[RUN_KEY_LEN], e[RUN_KEY_LEN];
  key_of(scenario, NULL, NULL, a);
  key_of(scenario, NULL, NULL, b);
  CU_ASSERT_STRING_EQUAL(a, b);
  /* what the datasets depend on changes it: a value, the run index, the seed, the profile */
  key_of(scenario, "guests.vm0.vcpus", "2", c);
  CU_ASSERT_STRING_NOT_EQUAL(a, c);
  key_of(scenario, "simulation.run_index", "1", c);
  CU_ASSERT_STRING_NOT_EQUAL(a, c);
  key_of(scenario, "simulation.seed", "2", c);
  CU_ASSERT_STRING_NOT_EQUAL(a, c);
  key_of(scenario, "calibration", "xen-pe2650-2005", c);
  CU_ASSERT_STRING_NOT_EQUAL(a, c);
  /* a sweep section does not: more replications keep the results */
  char with_sweep[2048];
  snprintf(with_sweep, sizeof with_sweep, "%ssweep:\n  replications: 4\n  axes:\n"
           "    - {path: guests.vm0.vcpus, values: [1, 2]}\n", scenario);
  key_of(with_sweep, NULL, NULL, e);
  CU_ASSERT_STRING_EQUAL(a, e);
}

int register_tests(void) {
  static const test_case tests[] = {{"cartesian product and zip", test_cartesian_and_zip},
                                    {"ranges and named points", test_ranges_and_named_points},
                                    {"Sobol and Latin hypercube samples", test_samples},
                                    {"errors", test_errors},
                                    {"shards", test_shards},
                                    {"run key", test_run_key},
                                    {NULL, NULL}};
  return add_suite("sweep", tests);
}
