/* tests/test_dirty.c: the page-group dirty-page model (models/dirty.h) and
 * max-min fair network sharing (models/net_share.h).  The closed-form
 * geometric series of pre-copy with a constant dirty rate is checked exactly
 * (to rounding); the skip and distinct-page formulas against a Monte Carlo
 * simulation of individual pages. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/dirty.h"
#include "models/net_share.h"
#include "sim/alloc.h"
#include "tests/cunit_main.h"

/* relative difference of a from b */
static double rel(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-300); }
#define REL(a, b) rel((double)(a), (double)(b))

static void test_formulas(void) {
  /* (1): P(1 - e^{-rT}) */
  CU_ASSERT(REL(dirty_distinct_pages(1000, 2.0, 0.5), 1000 * (1 - exp(-1.0))) < 1e-14);
  CU_ASSERT_EQUAL(dirty_distinct_pages(1000, 0, 10), 0);
  /* (2): (1 - e^{-x}) / x, with its limits */
  CU_ASSERT(REL(dirty_sent_fraction(3.0, 1.0), (1 - exp(-3.0)) / 3.0) < 1e-14);
  CU_ASSERT_EQUAL(dirty_sent_fraction(0, 5), 1.0);
  CU_ASSERT(REL(dirty_sent_fraction(1e-12, 1), 1.0) < 1e-11);
  CU_ASSERT(REL(dirty_sent_fraction(1000, 1), 1e-3) < 1e-9);
  /* a tiny rate over a huge group tends to a stream: P r T */
  CU_ASSERT(REL(dirty_distinct_pages(1e15, 1e-12, 7.0), 7000.0) < 1e-9);
}

/* A constant dirty rate D (a stream) and a constant rate R: round k sends
 * V_k = V_0 (D/R)^k, exactly; the total over n+1 rounds is the geometric sum. */
static void test_closed_form_geometric_series(void) {
  const double pb = 4096, memory = 262144; /* 1 GiB */
  const double R = 1e9 / 8;                /* bytes/s */
  const double D = 0.3 * R;                /* bytes/s */
  dirty_model *dm = dirty_new(memory, memory, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
  CU_ASSERT_EQUAL(dirty_set_groups(dm, NULL, 0, D / pb), 0);
  double v0 = memory * pb, total = 0;
  for (int k = 0; k < 12; k++) {
    dirty_round r;
    dirty_plan_round(dm, R, pb, pb, &r);
    double expect = v0 * pow(D / R, k);
    CU_ASSERT(REL(r.wire_bytes, expect) < 1e-12);
    CU_ASSERT(REL(r.duration_s, expect / R) < 1e-12);
    CU_ASSERT_EQUAL(r.pages_skipped, 0);
    total += r.wire_bytes;
    dirty_commit_round(dm, &r);
  }
  double q = D / R;
  CU_ASSERT(REL(total, v0 * (1 - pow(q, 12)) / (1 - q)) < 1e-12);
  dirty_free(dm);
}

/* A group of P pages rewritten at r: round 1 sends what round 0 dirtied,
 * minus skipped pages, and the duration solves T R = bytes(T). */
static void test_round_fixed_point(void) {
  const double pb = 4096, R = 12.5e6;
  sim_dirty_group g[2] = {{.pages = 5000, .rate_hz = 5}, {.pages = 20000, .rate_hz = 0.05}};
  dirty_model *dm = dirty_new(200000, 150000, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
  CU_ASSERT_EQUAL(dirty_set_groups(dm, g, 2, 0), 0);
  dirty_round r0;
  dirty_plan_round(dm, R, pb, 16, &r0);
  /* zero pages cost 16 bytes each, the rest a page */
  double t = r0.duration_s;
  CU_ASSERT(REL(r0.duration_s * R, r0.wire_bytes) < 1e-9);
  CU_ASSERT(REL(r0.zero_pages_sent, 50000) < 1e-12);
  CU_ASSERT(REL(r0.pages_sent + r0.pages_skipped, 200000) < 1e-12);
  CU_ASSERT(r0.pages_skipped > 0.7 * 5000); /* the hot group is rewritten within the round */
  double dirtied = 5000 * (1 - exp(-5 * t)) + 20000 * (1 - exp(-0.05 * t));
  CU_ASSERT(REL(r0.pages_dirtied, dirtied) < 1e-12);
  dirty_commit_round(dm, &r0);
  CU_ASSERT(REL(dirty_due_pages(dm), dirtied) < 1e-12);
  dirty_round r1;
  dirty_plan_round(dm, R, pb, 16, &r1);
  double t1 = r1.duration_s;
  double sent = 5000 * (1 - exp(-5 * t)) * (1 - exp(-5 * t1)) / (5 * t1) +
                20000 * (1 - exp(-0.05 * t)) * (1 - exp(-0.05 * t1)) / (0.05 * t1);
  CU_ASSERT(REL(r1.pages_sent, sent) < 1e-9);
  CU_ASSERT(REL(t1 * R, sent * pb) < 1e-9);
  /* a paused guest skips nothing and dirties nothing */
  dirty_commit_round(dm, &r1);
  dirty_set_activity(dm, 0);
  dirty_round f;
  dirty_plan_round(dm, R, pb, 16, &f);
  CU_ASSERT_EQUAL(f.pages_skipped, 0);
  CU_ASSERT_EQUAL(f.pages_dirtied, 0);
  CU_ASSERT(REL(f.pages_sent, dirty_due_pages(dm)) < 1e-12);
  dirty_free(dm);
}

/* Pages as individual Poisson writers, sent in random order over a round of
 * fixed length: the skipped and dirtied counts match (1) and (2). */
static void test_monte_carlo_agrees(void) {
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(rng, 42);
  const int pages = 40000;
  const double r = 0.8, T = 2.5;
  long skipped = 0, dirtied = 0;
  for (int i = 0; i < pages; i++) {
    double send_at = gsl_rng_uniform(rng) * T;    /* its turn in the round */
    double first = gsl_ran_exponential(rng, 1 / r); /* first rewrite since the round began */
    if (first < send_at) skipped++;
    if (first < T) dirtied++;
  }
  gsl_rng_free(rng);
  double expect_skip = pages * (1 - dirty_sent_fraction(r, T));
  double expect_dirty = dirty_distinct_pages(pages, r, T);
  CU_ASSERT(REL((double)skipped, expect_skip) < 0.02);
  CU_ASSERT(REL((double)dirtied, expect_dirty) < 0.02);
}

static void test_groups_checked(void) {
  dirty_model *dm = dirty_new(1000, 1000, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
  sim_dirty_group big = {.pages = 1001, .rate_hz = 1};
  CU_ASSERT_EQUAL(dirty_set_groups(dm, &big, 1, 0), -1);
  sim_dirty_group neg = {.pages = 10, .rate_hz = -1};
  CU_ASSERT_EQUAL(dirty_set_groups(dm, &neg, 1, 0), -1);
  sim_dirty_group ok = {.pages = 100, .rate_hz = 2};
  sim_fault_arm(SIM_FAULT_ALLOC, 1);
  CU_ASSERT_EQUAL(dirty_set_groups(dm, &ok, 1, 0), -2);
  sim_fault_arm(SIM_FAULT_ALLOC, 0);
  CU_ASSERT_EQUAL(dirty_set_groups(dm, &ok, 1, 3), 0);
  CU_ASSERT(REL(dirty_write_rate(dm), 203) < 1e-15);
  dirty_set_activity(dm, 0.5);
  CU_ASSERT(REL(dirty_write_rate(dm), 101.5) < 1e-15);
  dirty_free(dm);
}

static void test_net_share_cl05(void) {
  /* [CL05] 6.2: a rate-limited stream takes its limit from a guest that
   * wants the whole link */
  net_share *ns = net_share_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(ns);
  int link = net_share_link(ns, 870e6);
  int mig = net_share_flow(ns, 100e6, 1, &link, 1);
  int web = net_share_flow(ns, INFINITY, 1, &link, 1);
  net_share_solve(ns);
  CU_ASSERT(REL(net_share_rate(ns, mig), 100e6) < 1e-9);
  CU_ASSERT(REL(net_share_rate(ns, web), 770e6) < 1e-9);
  /* above its fair share, the stream gets half */
  net_share_set_demand(ns, mig, 500e6);
  net_share_solve(ns);
  CU_ASSERT(REL(net_share_rate(ns, mig), 435e6) < 1e-9);
  CU_ASSERT(REL(net_share_load(ns, link), 870e6) < 1e-9);
  net_share_remove(ns, mig);
  net_share_solve(ns);
  CU_ASSERT_EQUAL(net_share_rate(ns, mig), 0);
  CU_ASSERT(REL(net_share_rate(ns, web), 870e6) < 1e-9);
  net_share_free(ns);
}

static void test_net_share_max_min(void) {
  /* Bertsekas-Gallager's example shape: a long flow over two links and one
   * short flow on each; weights double a flow's share */
  net_share *ns = net_share_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(ns);
  int a = net_share_link(ns, 10), b = net_share_link(ns, 4);
  int ab[2] = {a, b};
  int lng = net_share_flow(ns, INFINITY, 1, ab, 2);
  int fa = net_share_flow(ns, INFINITY, 1, &a, 1);
  int fb = net_share_flow(ns, INFINITY, 1, &b, 1);
  net_share_solve(ns);
  CU_ASSERT(REL(net_share_rate(ns, lng), 2) < 1e-12);
  CU_ASSERT(REL(net_share_rate(ns, fb), 2) < 1e-12);
  CU_ASSERT(REL(net_share_rate(ns, fa), 8) < 1e-12);
  int heavy = net_share_flow(ns, INFINITY, 2, &b, 1);
  net_share_solve(ns);
  CU_ASSERT(REL(net_share_rate(ns, heavy), 2) < 1e-12);
  CU_ASSERT(REL(net_share_rate(ns, lng), 1) < 1e-12);
  CU_ASSERT(net_share_load(ns, b) <= 4 * (1 + 1e-12));
  /* moving the long flow off link b */
  CU_ASSERT_EQUAL(net_share_set_links(ns, lng, &a, 1), 0);
  net_share_solve(ns);
  CU_ASSERT(REL(net_share_rate(ns, lng), 5) < 1e-12);
  CU_ASSERT(REL(net_share_rate(ns, fa), 5) < 1e-12);
  /* a flow on no link gets its demand */
  int free_flow = net_share_flow(ns, 7, 1, NULL, 0);
  net_share_solve(ns);
  CU_ASSERT_EQUAL(net_share_rate(ns, free_flow), 7);
  net_share_free(ns);
}

int register_tests(void) {
  static const test_case dirty[] = {
      {"formulas (1) and (2)", test_formulas},
      {"constant dirty rate: geometric series, exactly", test_closed_form_geometric_series},
      {"round duration fixed point", test_round_fixed_point},
      {"Monte Carlo of pages agrees", test_monte_carlo_agrees},
      {"groups are checked", test_groups_checked},
      {NULL, NULL}};
  static const test_case net[] = {
      {"[CL05] rate-limited stream on a full link", test_net_share_cl05},
      {"weighted max-min fairness", test_net_share_max_min},
      {NULL, NULL}};
  return add_suite("dirty", dirty) || add_suite("net_share", net);
}
