/* tests/test_policies.c: the consolidation policies [BB12]
 * (models/datacenter.h): the statistics of utilisation histories against
 * hand-computed values, each overload detector on histories that sit just
 * either side of its threshold, the VM selections' choices, placement and
 * underload detection on a small hand-built cluster, and every policy
 * reachable by name in the catalog. */
#include <gsl/gsl_rng.h>
#include <math.h>

#include "models/datacenter.h"
#include "models/registry.h"
#include "tests/cunit_main.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

/* 0.05, 0.10, ... 0.60 in a scrambled order ending with `last` (one of them):
 * median 0.325, MAD 0.15, IQR 0.35 whatever the order. */
static void scrambled(double last, double *out) {
  static const int order[12] = {7, 2, 11, 5, 1, 9, 4, 12, 3, 8, 6, 10};
  size_t k = 0;
  for (size_t i = 0; i < 12; i++)
    if (!NEAR(order[i] * 0.05, last)) out[k++] = order[i] * 0.05;
  out[11] = last;
}

static void test_statistics(void) {
  /* 1..12 (scaled by 0.05): median (6 + 7) / 2; |x - 6.5| sorted is 0.5, 0.5,
   * 1.5, 1.5, 2.5, 2.5, 3.5, ... whose median is 3; quartiles are the 3rd and
   * 10th values (ranks round(3.25), round(9.75)): IQR 10 - 3 = 7 */
  double x[12];
  scrambled(0.30, x);
  CU_ASSERT(NEAR(dc_median(x, 12), 0.325));
  CU_ASSERT(NEAR(dc_mad(x, 12), 0.15));
  CU_ASSERT(NEAR(dc_iqr(x, 12), 0.35));
  /* odd count: median the middle value; deviations 0.4 0.4 0 0.2 0.2; ranks 2 and 5 */
  const double y[5] = {0.9, 0.1, 0.5, 0.3, 0.7};
  CU_ASSERT(NEAR(dc_median(y, 5), 0.5));
  CU_ASSERT(NEAR(dc_mad(y, 5), 0.2));
  CU_ASSERT(NEAR(dc_iqr(y, 5), 0.9 - 0.3));
  /* the inputs are not reordered */
  CU_ASSERT_EQUAL(y[0], 0.9);
}

static void test_local_regression(void) {
  /* tricube weights: the oldest of 3 points weighs 0, so the line goes
   * through the two newest, (2, 0) and (3, 1): y = -2 + x (plain least
   * squares would give slope 0.5) */
  const double y3[3] = {0, 0, 1};
  double a, b;
  CU_ASSERT_EQUAL_FATAL(dc_local_regression(y3, 3, false, &a, &b), 0);
  CU_ASSERT(NEAR(a, -2) && NEAR(b, 1));
  /* a straight line is fitted exactly, plain or robust */
  double line[10];
  for (int i = 0; i < 10; i++) line[i] = 0.1 + 0.05 * (i + 1);
  for (int robust = 0; robust < 2; robust++) {
    CU_ASSERT_EQUAL_FATAL(dc_local_regression(line, 10, robust, &a, &b), 0);
    CU_ASSERT(fabs(a - 0.1) < 1e-12 && fabs(b - 0.05) < 1e-12);
  }
  /* one outlier: the robust fit is pulled less than the plain one (one
   * bisquare pass: its error at x = 11 is a third of the plain fit's) */
  double spiky[10];
  for (int i = 0; i < 10; i++) spiky[i] = line[i] + 0.002 * ((i % 3) - 1);
  spiky[6] = 0.95;
  double ap, bp, ar, br;
  CU_ASSERT_EQUAL_FATAL(dc_local_regression(spiky, 10, false, &ap, &bp), 0);
  CU_ASSERT_EQUAL_FATAL(dc_local_regression(spiky, 10, true, &ar, &br), 0);
  double at_next_plain = ap + bp * 11, at_next_robust = ar + br * 11, truth = 0.1 + 0.05 * 11;
  CU_ASSERT(fabs(at_next_robust - truth) < fabs(at_next_plain - truth) / 2);
  /* a constant series of equal weights is fine; all weight on one x is not */
  const double flat[3] = {0.5, 0.5, 0.5};
  CU_ASSERT_EQUAL(dc_local_regression(flat, 3, false, &a, &b), 0);
  CU_ASSERT(NEAR(b, 0) && NEAR(a, 0.5));
}

static void test_multiple_r2(void) {
  /* one regressor: R^2 = corr^2; x 1 2 3 4, y 1 3 2 4: corr 4 / 5 */
  const double x1[4] = {1, 2, 3, 4}, y[4] = {1, 3, 2, 4};
  const double *xs[1] = {x1};
  double r2;
  CU_ASSERT_EQUAL_FATAL(dc_multiple_r2(y, xs, 1, 4, &r2), 0);
  CU_ASSERT(fabs(r2 - 0.64) < 1e-12);
  /* an exact linear function of two others */
  const double a[5] = {1, 0, 2, 5, 3}, c[5] = {0, 1, 1, 0, 4};
  double sum[5];
  for (int i = 0; i < 5; i++) sum[i] = 2 * a[i] - c[i] + 7;
  const double *ac[2] = {a, c};
  CU_ASSERT_EQUAL_FATAL(dc_multiple_r2(sum, ac, 2, 5, &r2), 0);
  CU_ASSERT(fabs(r2 - 1) < 1e-9);
  /* no degrees of freedom */
  CU_ASSERT_EQUAL(dc_multiple_r2(sum, ac, 2, 3, &r2), -1);
}

static dc_host_history hist(const double *u, size_t n) { return (dc_host_history){u, n, 0, 300}; }

static void test_overload_detectors(void) {
  /* THR: strictly above the threshold */
  const double u85[1] = {0.85}, u80[1] = {0.80};
  dc_host_history h = hist(u85, 1);
  CU_ASSERT_TRUE(overload_thr_ops.overloaded(&h, 0.8, 0));
  h = hist(u80, 1);
  CU_ASSERT_FALSE(overload_thr_ops.overloaded(&h, 0.8, 0));
  /* IQR: T_u = 1 - 1.5 x 0.35 = 0.475 */
  double x[12];
  scrambled(0.50, x);
  h = hist(x, 12);
  CU_ASSERT_TRUE(overload_iqr_ops.overloaded(&h, 0.7, 1.5));
  scrambled(0.45, x);
  CU_ASSERT_FALSE(overload_iqr_ops.overloaded(&h, 0.7, 1.5));
  /* MAD: T_u = 1 - s x 0.15: 0.625 with s = 2.5, 0.595 with s = 2.7 */
  scrambled(0.60, x);
  CU_ASSERT_FALSE(overload_mad_ops.overloaded(&h, 0.7, 2.5));
  CU_ASSERT_TRUE(overload_mad_ops.overloaded(&h, 0.7, 2.7));
  /* 11 samples are too few: the fallback threshold decides */
  h = hist(x + 1, 11);
  CU_ASSERT_FALSE(overload_mad_ops.overloaded(&h, 0.7, 2.7));
  CU_ASSERT_TRUE(overload_mad_ops.overloaded(&h, 0.55, 2.7));
  /* LR: y = 0.3 + 0.05 x over x = 1..10 (0.35 .. 0.80); s = 1.2.  Without
   * migrations it predicts 0.80 at x = 10: 0.96 < 1; a 400 s migration at
   * 300 s intervals looks ceil(4/3) = 2 intervals ahead: 0.90 x 1.2 >= 1 */
  double rising[10];
  for (int i = 0; i < 10; i++) rising[i] = 0.3 + 0.05 * (i + 1);
  dc_host_history lr = {rising, 10, 0, 300};
  CU_ASSERT_FALSE(overload_lr_ops.overloaded(&lr, 0.7, 1.2));
  CU_ASSERT_FALSE(overload_lrr_ops.overloaded(&lr, 0.7, 1.2));
  lr.max_migration_s = 400;
  CU_ASSERT_TRUE(overload_lr_ops.overloaded(&lr, 0.7, 1.2));
  CU_ASSERT_TRUE(overload_lrr_ops.overloaded(&lr, 0.7, 1.2));
  /* flat at 0.75: 0.9 < 1 whatever the horizon; with 9 samples the
   * fallback threshold 0.7 decides, and calls it overloaded */
  double flat[10];
  for (int i = 0; i < 10; i++) flat[i] = 0.75;
  dc_host_history fl = {flat, 10, 400, 300};
  CU_ASSERT_FALSE(overload_lr_ops.overloaded(&fl, 0.7, 1.2));
  fl.n = 9;
  CU_ASSERT_TRUE(overload_lr_ops.overloaded(&fl, 0.7, 1.2));
}

static void test_vm_selection(void) {
  const double h0[6] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, h1[6] = {0.5, 0.1, 0.4, 0.2, 0.6, 0.3},
               h2[6] = {0.12, 0.21, 0.29, 0.41, 0.52, 0.58};
  dc_vm_candidate c[3] = {{12, 0.3, h0, 6}, {3, 0.5, h1, 6}, {7, 0.1, h2, 6}};
  CU_ASSERT_EQUAL(vmselect_mmt_ops.select(c, 3, NULL), 1);
  CU_ASSERT_EQUAL(vmselect_mu_ops.select(c, 3, NULL), 2);
  /* MC: VMs 0 and 2 move together, VM 1 does not: one of the pair goes */
  size_t mc = vmselect_mc_ops.select(c, 3, NULL);
  CU_ASSERT(mc == 0 || mc == 2);
  /* with 3 samples for 3 VMs no regression is possible: MMT's choice */
  dc_vm_candidate short_c[3] = {{12, 0.3, h0, 3}, {3, 0.5, h1, 3}, {7, 0.1, h2, 3}};
  CU_ASSERT_EQUAL(vmselect_mc_ops.select(short_c, 3, NULL), 1);
  /* RS: uniform over the candidates */
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 42);
  int hits[3] = {0, 0, 0};
  for (int i = 0; i < 3000; i++) {
    size_t k = vmselect_rs_ops.select(c, 3, rng);
    CU_ASSERT_FATAL(k < 3);
    hits[k]++;
  }
  for (int k = 0; k < 3; k++) CU_ASSERT(hits[k] > 850 && hits[k] < 1150);
  gsl_rng_free(rng);
}

static const dc_power_model linear_100_200 = {&power_linear_ops, 100, 200, {0}};

/* H0 3/4 full, H1 1/4, H2 (twice as big) 1/4, H3 switched off. */
static void cluster(dc_host_load *h) {
  const uint64_t G = 1ULL << 30;
  h[0] = (dc_host_load){2000, 1500, 4 * G, 1 * G, &linear_100_200, true};
  h[1] = (dc_host_load){2000, 500, 4 * G, 1 * G, &linear_100_200, true};
  h[2] = (dc_host_load){4000, 1000, 4 * G, 1 * G, &linear_100_200, true};
  h[3] = (dc_host_load){2000, 0, 4 * G, 0, &linear_100_200, false};
}

static bool refuse_host2(void *ctx, size_t host, const dc_vm_load *vm) {
  (void)ctx;
  (void)vm;
  return host != 2;
}

static void test_placement(void) {
  dc_host_load h[4];
  cluster(h);
  const uint64_t G = 1ULL << 30;
  dc_vm_load small = {400, G, 0}, mid = {600, G, 0};
  CU_ASSERT_EQUAL(placement_first_fit_ops.choose(h, 4, NULL, NULL, &small, NULL, NULL), 0);
  CU_ASSERT_EQUAL(placement_best_fit_ops.choose(h, 4, NULL, NULL, &small, NULL, NULL), 0);  /* 100 Hz left */
  CU_ASSERT_EQUAL(placement_worst_fit_ops.choose(h, 4, NULL, NULL, &small, NULL, NULL), 2); /* 2600 Hz left */
  CU_ASSERT_EQUAL(placement_first_fit_ops.choose(h, 4, NULL, NULL, &mid, NULL, NULL), 1);   /* H0 would be over */
  CU_ASSERT_EQUAL(placement_best_fit_ops.choose(h, 4, NULL, NULL, &mid, NULL, NULL), 1);
  /* PABFD: +30 W on H1 (600/2000 of 100 W), +15 W on H2, +130 W to wake H3 */
  CU_ASSERT_EQUAL(placement_pabfd_ops.choose(h, 4, NULL, NULL, &mid, NULL, NULL), 2);
  CU_ASSERT_EQUAL(placement_pabfd_ops.choose(h, 4, NULL, NULL, &mid, refuse_host2, NULL), 1);
  bool excluded[4] = {false, true, true, false};
  CU_ASSERT_EQUAL(placement_pabfd_ops.choose(h, 4, excluded, NULL, &mid, NULL, NULL), 3);
  CU_ASSERT_EQUAL(placement_first_fit_ops.choose(h, 4, excluded, NULL, &mid, NULL, NULL), 3);
  /* memory counts as much as CPU */
  dc_vm_load fat = {100, 3 * G + 1, 0};
  CU_ASSERT_EQUAL(placement_first_fit_ops.choose(h, 4, NULL, NULL, &fat, NULL, NULL), 3);
  dc_vm_load huge = {5000, G, 0};
  CU_ASSERT_EQUAL(placement_pabfd_ops.choose(h, 4, NULL, NULL, &huge, NULL, NULL), -1);
  CU_ASSERT_TRUE(placement_pabfd_ops.decreasing && placement_best_fit_ops.decreasing);
  CU_ASSERT_FALSE(placement_first_fit_ops.decreasing);
}

static void test_underload(void) {
  dc_host_load h[4];
  cluster(h);
  h[2].used_hz = 800; /* 0.2: the least utilised */
  CU_ASSERT_EQUAL(dc_underload_pick(&underload_least_utilized_ops, h, 4, NULL), 2);
  bool excluded[4] = {false, false, true, false};
  CU_ASSERT_EQUAL(dc_underload_pick(&underload_least_utilized_ops, h, 4, excluded), 1);
  excluded[0] = excluded[1] = true;
  CU_ASSERT_EQUAL(dc_underload_pick(&underload_least_utilized_ops, h, 4, excluded), -1); /* H3 is off and empty */
}

/* The indexes answer what a scan answers: random hosts (many full, ties in
 * utilisation, some excluded), changed one at a time as a consolidation
 * changes them, every placement and the underload pick asked both ways. */
static void test_indexes_match_scans(void) {
  enum { N = 37 };
  const uint64_t M = 1ULL << 20;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 7);
  dc_host_load h[N];
  bool excluded[N];
  for (size_t i = 0; i < N; i++) {
    double cap = i % 3 ? 2000 : 4000;
    h[i] = (dc_host_load){cap, 250 * (double)gsl_rng_uniform_int(rng, 9), 4096 * M,
                          M * (uint64_t)gsl_rng_uniform_int(rng, 5000), &linear_100_200, gsl_rng_uniform(rng) < 0.8};
    excluded[i] = gsl_rng_uniform(rng) < 0.2;
  }
  dc_room *room = dc_room_new(N);
  dc_rank *rank = dc_rank_new(N);
  CU_ASSERT_FATAL(room && rank);
  dc_room_build(room, h, excluded);
  dc_rank_build(rank, &underload_least_utilized_ops, h, excluded);
  const dc_placement_ops *ops[] = {&placement_first_fit_ops, &placement_best_fit_ops, &placement_worst_fit_ops,
                                   &placement_pabfd_ops};
  int found = 0, missed = 0;
  for (int step = 0; step < 400; step++) {
    dc_vm_load vm = {150 * (double)gsl_rng_uniform_int(rng, 20), M * (uint64_t)gsl_rng_uniform_int(rng, 4000), 0};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
      long scan = ops[k]->choose(h, N, excluded, NULL, &vm, NULL, NULL);
      CU_ASSERT_EQUAL(ops[k]->choose(h, N, excluded, room, &vm, NULL, NULL), scan);
      scan >= 0 ? found++ : missed++;
    }
    CU_ASSERT_EQUAL(dc_rank_lowest(rank), dc_underload_pick(&underload_least_utilized_ops, h, N, excluded));
    /* one host changes: a VM comes or goes, or it is excluded or let back */
    size_t i = gsl_rng_uniform_int(rng, N);
    if (gsl_rng_uniform(rng) < 0.3) {
      excluded[i] = !excluded[i];
    } else if (h[i].used_bytes >= vm.memory_bytes && gsl_rng_uniform(rng) < 0.5) {
      h[i].used_hz = h[i].used_hz > vm.demand_hz ? h[i].used_hz - vm.demand_hz : 0;
      h[i].used_bytes -= vm.memory_bytes;
    } else {
      h[i].used_hz += vm.demand_hz;
      h[i].used_bytes += vm.memory_bytes;
      h[i].active = true;
    }
    dc_room_set(room, i, &h[i], excluded[i]);
    dc_rank_set(rank, &underload_least_utilized_ops, i, &h[i], excluded[i]);
  }
  CU_ASSERT(found > 100 && missed > 100); /* both outcomes were exercised */
  dc_room_free(room);
  dc_rank_free(rank);
  gsl_rng_free(rng);
}

static void test_catalog_names(void) {
  static const struct {
    model_kind kind;
    const char *name;
    const void *ops;
  } named[] = {{MODEL_PLACEMENT, "pabfd", &placement_pabfd_ops},
               {MODEL_PLACEMENT, "first-fit", &placement_first_fit_ops},
               {MODEL_OVERLOAD, "lrr", &overload_lrr_ops},
               {MODEL_UNDERLOAD, "least-utilized", &underload_least_utilized_ops},
               {MODEL_VM_SELECTION, "mc", &vmselect_mc_ops},
               {MODEL_POWER, "hp-ml110-g5", &power_hp_ml110_g5_ops}};
  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    CU_ASSERT_PTR_EQUAL(model_ops(named[i].kind, named[i].name), named[i].ops);
  CU_ASSERT_PTR_NULL(model_ops(MODEL_OVERLOAD, "pabfd"));
  const char *names[8];
  CU_ASSERT_EQUAL(model_names(MODEL_OVERLOAD, names, 8), 5);
  CU_ASSERT_STRING_EQUAL(names[0], "thr"); /* the default */
  /* the paper's defaults */
  CU_ASSERT_EQUAL(overload_thr_ops.default_threshold, 0.8);
  CU_ASSERT_EQUAL(overload_iqr_ops.default_safety, 1.5);
  CU_ASSERT_EQUAL(overload_mad_ops.default_safety, 2.5);
  CU_ASSERT_EQUAL(overload_lr_ops.default_safety, 1.2);
  CU_ASSERT_EQUAL(overload_lrr_ops.default_safety, 1.2);
}

int register_tests(void) {
  static const test_case tests[] = {{"median, MAD, IQR of known series", test_statistics},
                                    {"local regression, plain and robust", test_local_regression},
                                    {"R^2 of a multiple regression", test_multiple_r2},
                                    {"overload detectors either side of their thresholds", test_overload_detectors},
                                    {"VM selection: MMT, MU, MC, RS", test_vm_selection},
                                    {"placement on a small cluster", test_placement},
                                    {"underload: the least utilised host", test_underload},
                                    {"room and rank indexes answer as scans", test_indexes_match_scans},
                                    {"the policies in the catalog", test_catalog_names},
                                    {NULL, NULL}};
  return add_suite("policies", tests);
}
