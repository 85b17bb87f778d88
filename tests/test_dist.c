/* tests/test_dist.c: distributions (sim/dist.h): every family's sample mean
 * lies within 5 standard errors of its analytic mean (the standard error
 * from its analytic variance) and its Kolmogorov-Smirnov statistic against
 * the analytic CDF is below the 0.1 % critical value, for fixed seeds;
 * units are read; each kind of bad input is an error at FILE:LINE:COL that
 * says what was expected. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/dist.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"

enum { N_DRAWS = 100000 };

/* Parses `x: TEXT` as a distribution of kind into *d; diag keeps errors. */
static bool parse(const char *text, sim_unit_kind kind, sim_dist *d, sim_diag *diag) {
  char yaml[2048];
  snprintf(yaml, sizeof yaml, "x: %s\n", text);
  sim_yaml_node *root = NULL;
  sim_diag_init(diag);
  if (sim_yaml_parse("t.yaml", yaml, strlen(yaml), &root, diag) < 0) return false;
  sim_schema S;
  sim_schema_init(&S, "t.yaml", diag);
  sim_schema_set_what(&S, "test");
  bool ok = sim_dist_parse(&S, root, "x", kind, NULL, d);
  sim_yaml_free(root);
  return ok && diag->errors == 0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Draws N_DRAWS, checks the mean and (continuous families) the KS statistic. */
static void check_family(const char *text, sim_unit_kind kind, double expect_mean, bool continuous) {
  sim_dist d;
  sim_diag diag;
  bool ok = parse(text, kind, &d, &diag);
  CU_ASSERT_TRUE_FATAL(ok);
  if (expect_mean > 0) CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), expect_mean, expect_mean * 1e-9);
  gsl_rng *r = sim_rng_new(2026, 0, sim_rng_stream_id("test", text));
  double *x = malloc(N_DRAWS * sizeof *x);
  CU_ASSERT_PTR_NOT_NULL_FATAL(x);
  double sum = 0;
  for (int i = 0; i < N_DRAWS; i++) {
    x[i] = sim_dist_sample(&d, r);
    CU_ASSERT(x[i] >= 0 && isfinite(x[i]));
    sum += x[i];
  }
  double mean = sim_dist_mean(&d), se = sqrt(sim_dist_variance(&d) / N_DRAWS);
  CU_ASSERT(fabs(sum / N_DRAWS - mean) <= 5 * se + 1e-12 * mean);
  if (continuous) {
    qsort(x, N_DRAWS, sizeof *x, cmp);
    double D = 0;
    for (int i = 0; i < N_DRAWS; i++) {
      double F = sim_dist_cdf(&d, x[i]);
      D = fmax(D, fmax(fabs((double)(i + 1) / N_DRAWS - F), fabs(F - (double)i / N_DRAWS)));
    }
    CU_ASSERT(D < 1.95 / sqrt((double)N_DRAWS)); /* alpha = 0.001 */
  }
  free(x);
  gsl_rng_free(r);
  sim_dist_free(&d);
  sim_diag_clear(&diag);
}

static void test_exponential(void) { check_family("{dist: exponential, mean: 2 ms}", SIM_UNIT_TIME, 2e6, true); }
static void test_uniform(void) { check_family("{dist: uniform, min: 1 KiB, max: 3 KiB}", SIM_UNIT_SIZE, 2048, true); }
static void test_normal_truncated(void) {
  /* truncated at 0 one sd below the mean: mean + sd phi(-1) / (1 - Phi(-1)) */
  double lambda = exp(-0.5) * 0.3989422804014327 / 0.8413447460685429; /* 1/sqrt(2 pi) */
  check_family("{dist: normal, mean: 1 ms, sd: 1 ms}", SIM_UNIT_TIME, 1e6 * (1 + lambda), true);
  check_family("{dist: normal, mean: 100, sd: 10, min: 95}", SIM_UNIT_NONE, 0, true);
}
static void test_lognormal(void) {
  check_family("{dist: lognormal, mean: 1M, sd: 2M}", SIM_UNIT_NONE, 1e6, true);
  check_family("{dist: lognormal, mu: 1, sigma: 0.5}", SIM_UNIT_NONE, exp(1.125), true);
}
static void test_gamma(void) { check_family("{dist: gamma, shape: 0.5, mean: 4 us}", SIM_UNIT_TIME, 4000, true); }
static void test_weibull(void) { check_family("{dist: weibull, shape: 2, scale: 10}", SIM_UNIT_NONE, 10 * 0.886226925452758, true); }
static void test_pareto(void) { check_family("{dist: pareto, alpha: 3, min: 1 ms}", SIM_UNIT_TIME, 1.5e6, true); }
static void test_empirical_cdf(void) {
  /* uniform on [0, 10] (half the mass) and [10, 30]: mean 2.5 + 10 */
  check_family("{dist: empirical, cdf: [[0, 0], [10, 0.5], [30, 1]]}", SIM_UNIT_NONE, 12.5, true);
}
static void test_deterministic(void) {
  check_family("3 ms", SIM_UNIT_TIME, 3e6, false);
  check_family("{dist: deterministic, value: 4 KiB}", SIM_UNIT_SIZE, 4096, false);
}

static void test_empirical_samples(void) {
  char path[] = "/tmp/test_dist_XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs("# service times\n1\n2\n\n3\n6\n", f);
  fclose(f);
  char text[200];
  snprintf(text, sizeof text, "{dist: empirical, samples: %s, unit: ms}", path);
  sim_dist d;
  sim_diag diag;
  CU_ASSERT_TRUE_FATAL(parse(text, SIM_UNIT_TIME, &d, &diag));
  CU_ASSERT_EQUAL(d.n, 4);
  CU_ASSERT_DOUBLE_EQUAL(sim_dist_mean(&d), 3e6, 1e-6);
  sim_dist_free(&d);
  sim_diag_clear(&diag);
  check_family(text, SIM_UNIT_TIME, 3e6, false);
  /* a malformed line: an error at that line and column of the samples file */
  f = fopen(path, "w");
  fputs("1\n  2x\n", f);
  fclose(f);
  CU_ASSERT_FALSE(parse(text, SIM_UNIT_TIME, &d, &diag));
  CU_ASSERT_EQUAL_FATAL(diag.count, 1);
  CU_ASSERT_STRING_EQUAL(diag.entries[0].file, path);
  CU_ASSERT_EQUAL(diag.entries[0].line, 2);
  CU_ASSERT_EQUAL(diag.entries[0].col, 3);
  sim_diag_clear(&diag);
  /* a time needs its unit */
  snprintf(text, sizeof text, "{dist: empirical, samples: %s}", path);
  CU_ASSERT_FALSE(parse(text, SIM_UNIT_TIME, &d, &diag));
  sim_diag_clear(&diag);
  unlink(path);
}

/* Each bad input: rejected, at a line and column of t.yaml, the message
 * containing `says`. */
static void bad(const char *text, sim_unit_kind kind, const char *says) {
  sim_dist d;
  sim_diag diag;
  CU_ASSERT_FALSE(parse(text, kind, &d, &diag));
  CU_ASSERT_TRUE_FATAL(diag.errors >= 1);
  CU_ASSERT_STRING_EQUAL(diag.entries[0].file, "t.yaml");
  CU_ASSERT(diag.entries[0].line == 1 && diag.entries[0].col > 1);
  if (!strstr(diag.entries[0].message, says))
    fprintf(stderr, "\n'%s': message '%s' lacks '%s'\n", text, diag.entries[0].message, says);
  CU_ASSERT_PTR_NOT_NULL(strstr(diag.entries[0].message, says));
  sim_diag_clear(&diag);
}

static void test_bad_inputs(void) {
  bad("{dist: exponential, mean: -2 ms}", SIM_UNIT_TIME, "expected a time");
  bad("{dist: exponential, mean: 0 ms}", SIM_UNIT_TIME, "greater than 0");
  bad("{dist: exponential, mean: 2 KiB}", SIM_UNIT_TIME, "expected a time");
  bad("{dist: normal, mean: 1 ms, sd: -1 ms}", SIM_UNIT_TIME, "'sd'");
  bad("{dist: gamma, shape: 0, mean: 1}", SIM_UNIT_NONE, "expected a number > 0");
  bad("{dist: weibull, shape: -1, scale: 1}", SIM_UNIT_NONE, "expected a number > 0");
  bad("{dist: pareto, alpha: 1, min: 1}", SIM_UNIT_NONE, "expected a number > 1");
  bad("{dist: uniform, min: 3, max: 2}", SIM_UNIT_NONE, "below its 'min'");
  bad("{dist: lognormal, mean: 1, sigma: 1}", SIM_UNIT_NONE, "either {mean, sd} or {mu, sigma}");
  bad("{dist: empirical, cdf: [[1, 0.5], [2, 0.4], [3, 1]]}", SIM_UNIT_NONE, "does not rise");
  bad("{dist: empirical, cdf: [[1, 0.5], [2, 0.9]]}", SIM_UNIT_NONE, "must end at probability 1");
  bad("{dist: empirical, cdf: [[2, 0.5], [1, 1]]}", SIM_UNIT_NONE, "must not decrease");
  bad("{dist: empirical, samples: /nonexistent/x, unit: ms}", SIM_UNIT_TIME, "cannot be read");
  bad("{dist: empirical, samples: /tmp, unit: ms}", SIM_UNIT_TIME, "not a regular file");
  bad("{dist: exponentail, mean: 1}", SIM_UNIT_NONE, "exponential");
  bad("{dist: exponential, mean: 1, sd: 2}", SIM_UNIT_NONE, "'sd'");
  bad("{mean: 1}", SIM_UNIT_NONE, "'dist'");
}

static void test_rate_text(void) {
  double r;
  char e[200];
  CU_ASSERT_EQUAL(sim_parse_per_second("2000/s", &r, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(r, 2000, 1e-9);
  CU_ASSERT_EQUAL(sim_parse_per_second("5/ms", &r, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(r, 5000, 1e-9);
  CU_ASSERT_EQUAL(sim_parse_per_second("3 kHz", &r, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(r, 3000, 1e-9);
  CU_ASSERT_EQUAL(sim_parse_per_second("1/10 ms", &r, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(r, 100, 1e-9);
  CU_ASSERT_EQUAL(sim_parse_per_second("2000/kg", &r, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_per_second("4 GiB", &r, e, sizeof e), -1);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"exponential", test_exponential},
      {"uniform", test_uniform},
      {"normal, truncated", test_normal_truncated},
      {"lognormal", test_lognormal},
      {"gamma", test_gamma},
      {"weibull", test_weibull},
      {"pareto", test_pareto},
      {"empirical cdf", test_empirical_cdf},
      {"deterministic", test_deterministic},
      {"empirical samples file", test_empirical_samples},
      {"bad inputs", test_bad_inputs},
      {"rates per second", test_rate_text},
      {NULL, NULL}};
  return add_suite("dist", tests);
}
