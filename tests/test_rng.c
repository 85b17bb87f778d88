/* tests/test_rng.c: random streams are reproducible and order-independent. */
#include <gsl/gsl_rng.h>

#include "sim/rng.h"
#include "tests/cunit_main.h"

static void test_same_inputs_same_sequence(void) {
  uint64_t id = sim_rng_stream_id("vm-1", "workload");
  gsl_rng *a = sim_rng_new(42, 0, id), *b = sim_rng_new(42, 0, id);
  for (int i = 0; i < 1000; i++) CU_ASSERT_EQUAL(gsl_rng_get(a), gsl_rng_get(b));
  gsl_rng_free(a);
  gsl_rng_free(b);
}

static void test_streams_differ_by_each_input(void) {
  uint64_t id = sim_rng_stream_id("vm-1", "workload");
  uint64_t base = sim_rng_seed(42, 0, id);
  CU_ASSERT_NOT_EQUAL(base, sim_rng_seed(43, 0, id));
  CU_ASSERT_NOT_EQUAL(base, sim_rng_seed(42, 1, id));
  CU_ASSERT_NOT_EQUAL(base, sim_rng_seed(42, 0, sim_rng_stream_id("vm-2", "workload")));
  CU_ASSERT_NOT_EQUAL(base, sim_rng_seed(42, 0, sim_rng_stream_id("vm-1", "io")));
  /* name boundaries matter: "vm-1"/"0" is not "vm-10"/"" */
  CU_ASSERT_NOT_EQUAL(sim_rng_stream_id("vm-1", "0"), sim_rng_stream_id("vm-10", ""));
}

/* Adding an entity, or creating entities in another order, leaves every
 * other entity's stream unchanged: ids come from names, not from a counter. */
static void test_creation_order_independent(void) {
  const char *names[] = {"host-a/cpu0", "vm-7", "vm-3"};
  unsigned long first[3];
  for (int i = 0; i < 3; i++) {
    gsl_rng *r = sim_rng_new(7, 2, sim_rng_stream_id(names[i], "x"));
    first[i] = gsl_rng_get(r);
    gsl_rng_free(r);
  }
  gsl_rng *extra = sim_rng_new(7, 2, sim_rng_stream_id("vm-new", "x"));
  gsl_rng_free(extra);
  for (int i = 2; i >= 0; i--) {
    gsl_rng *r = sim_rng_new(7, 2, sim_rng_stream_id(names[i], "x"));
    CU_ASSERT_EQUAL(gsl_rng_get(r), first[i]);
    gsl_rng_free(r);
  }
}

/* Two streams are statistically independent: the correlation of 10^4 paired
 * uniforms stays within 4 standard errors (1/sqrt(n)) of zero. */
static void test_streams_uncorrelated(void) {
  gsl_rng *a = sim_rng_new(1, 0, sim_rng_stream_id("a", "x"));
  gsl_rng *b = sim_rng_new(1, 0, sim_rng_stream_id("b", "x"));
  const int n = 10000;
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; i++) {
    double x = gsl_rng_uniform(a), y = gsl_rng_uniform(b);
    sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y;
  }
  double cov = sab / n - (sa / n) * (sb / n);
  double r = cov / __builtin_sqrt((saa / n - (sa / n) * (sa / n)) * (sbb / n - (sb / n) * (sb / n)));
  CU_ASSERT(r > -0.04 && r < 0.04);
  gsl_rng_free(a);
  gsl_rng_free(b);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"same inputs, same sequence", test_same_inputs_same_sequence},
      {"streams differ by each input", test_streams_differ_by_each_input},
      {"creation order independent", test_creation_order_independent},
      {"streams uncorrelated", test_streams_uncorrelated},
      {NULL, NULL}};
  return add_suite("rng", tests);
}
