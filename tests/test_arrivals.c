/* tests/test_arrivals.c: guests that arrive and depart (sim_guest_churn;
 * models/engine_setup.c draws the times, models/engine.c acts on them):
 * Poisson arrivals' gaps have mean 1 / rate (within 5 standard errors over
 * 2000 arrivals) and the spread of an exponential, and are the draws of
 * the entry's stream "<pattern>/arrivals"; deterministic ones fall
 * at start + (i + 1) / rate; lifetimes have their distribution's mean; the
 * same seed gives the same times, another seed others; an entry's arrivals
 * do not change when another entry is added; a guest without `arrival`
 * starts at its `start`.  Runs on one fluid host whose guests do one tiny
 * unit of work, so that the guests' times alone are measured. */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/results.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

static const char test_profile[] =
    "profile: {name: arrivals-test, fallback: generic-x86-2020}\n"
    "quantities: {sched.tick: {value: 10 ms, source: test}}\n";

/* seed, then more guest entries after the counted one */
static const char scenario_fmt[] =
    "name: arrivals\n"
    "simulation: {duration: 2000 h, seed: %u, record: {sample_interval: 100 h}}\n"
    "host_types:\n"
    "  t: {cores: 4, clock: 1 GHz, memory: 1 TB, fidelity: fluid, allow_overcommit: true}\n"
    "hosts: [{name: h0, type: t}]\n"
    "workloads:\n"
    "  tiny: {phases: [{units: 1, ops: {instructions: 1000, cpi: 1.0}}]}\n"
    "guests:\n"
    "  - {name: \"vm{i:04}\", count: %u, technique: native, memory: 1 MiB, host: h0, workload: tiny,\n"
    "     start: 10 s, arrival: {process: %s, rate: 10/h}, lifetime: {dist: lognormal, mean: 1 h, sd: 30 min}}\n"
    "%s";

enum { N = 2000 };

/* The arrival and departure times (s) of the first n guests of the run's
 * summary (in name order: the counted entry's instances first). */
static int run(unsigned seed, const char *process, const char *more, double *arrival, double *departure,
               size_t n) {
  char text[2048];
  snprintf(text, sizeof text, scenario_fmt, seed, (unsigned)N, process, more);
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  int rc = fx_run_text("test-arrivals", test_profile, "arrivals.yaml", text, &cfg, &o);
  if (rc != 0) return -1;
  double *a = NULL, *d = NULL;
  size_t na = 0, nd = 0;
  rc = sim_result_column_f64(o.r, "summary/guests", "arrival_s", &a, &na) == 0 &&
               sim_result_column_f64(o.r, "summary/guests", "departure_s", &d, &nd) == 0 && na >= n && nd >= n
           ? 0
           : -1;
  if (rc == 0) {
    memcpy(arrival, a, n * sizeof *a);
    memcpy(departure, d, n * sizeof *d);
  }
  sim_free(a);
  sim_free(d);
  fx_run_close(&o);
  return rc;
}

static double arrival[N], departure[N], other[N], scratch[N];

/* Poisson at 10/h: gaps of mean 360 s, sd 360 s; the first after start (10 s). */
static void test_poisson_gaps(void) {
  CU_ASSERT_EQUAL_FATAL(run(1, "poisson", "", arrival, departure, N), 0);
  double sum = 0, sum2 = 0, prev = 10;
  for (size_t i = 0; i < N; i++) {
    double gap = arrival[i] - prev;
    CU_ASSERT(gap >= 0);
    sum += gap;
    sum2 += gap * gap;
    prev = arrival[i];
  }
  double mean = sum / N, sd = sqrt(sum2 / N - mean * mean), se = 360.0 / sqrt((double)N);
  CU_ASSERT(fabs(mean - 360.0) < 5 * se);
  /* an exponential's sd is its mean: not evenly spaced */
  CU_ASSERT(fabs(sd / mean - 1) < 0.15);
}

/* The arrivals are the draws of the entry's own stream, "<pattern>/arrivals",
 * in instance order, from the entry's start (a bias smaller than the
 * statistical test sees shows here). */
static void test_entry_stream(void) {
  CU_ASSERT_EQUAL_FATAL(run(3, "poisson", "", arrival, departure, N), 0);
  gsl_rng *r = sim_rng_new(3, 0, sim_rng_stream_id("vm{i:04}", "arrivals"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  double t = 10e9;
  for (size_t i = 0; i < N; i++) {
    t += gsl_ran_exponential(r, 360e9);
    CU_ASSERT(fabs(arrival[i] - t * 1e-9) < 1e-6);
  }
  gsl_rng_free(r);
}

/* Deterministic at 10/h: instance i at 10 s + (i + 1) x 360 s. */
static void test_deterministic(void) {
  CU_ASSERT_EQUAL_FATAL(run(1, "deterministic", "", arrival, departure, N), 0);
  for (size_t i = 0; i < N; i++) CU_ASSERT(fabs(arrival[i] - (10 + 360.0 * (double)(i + 1))) < 1e-6);
}

/* Lognormal lifetimes of mean 1 h, sd 30 min: departure - arrival. */
static void test_lifetime_mean(void) {
  CU_ASSERT_EQUAL_FATAL(run(1, "poisson", "", arrival, departure, N), 0);
  double sum = 0;
  for (size_t i = 0; i < N; i++) {
    double life = departure[i] - arrival[i];
    CU_ASSERT_FATAL(life >= 0);
    sum += life;
  }
  double se = 1800.0 / sqrt((double)N);
  CU_ASSERT(fabs(sum / N - 3600.0) < 5 * se);
}

/* The same seed, the same times; another seed, others; another entry added
 * (its own stream) changes none of this entry's. */
static void test_seeds_and_streams(void) {
  CU_ASSERT_EQUAL_FATAL(run(7, "poisson", "", arrival, departure, N), 0);
  CU_ASSERT_EQUAL_FATAL(run(7, "poisson", "", other, scratch, N), 0);
  CU_ASSERT(memcmp(arrival, other, sizeof arrival) == 0);
  CU_ASSERT(memcmp(departure, scratch, sizeof departure) == 0);
  CU_ASSERT_EQUAL_FATAL(run(8, "poisson", "", other, scratch, N), 0);
  size_t same = 0;
  for (size_t i = 0; i < N; i++) same += arrival[i] == other[i];
  CU_ASSERT(same < N / 100);
  static const char more[] =
      "  - {name: \"xtra{i}\", count: 50, technique: native, memory: 1 MiB, host: h0, workload: tiny,\n"
      "     arrival: {process: poisson, rate: 100/h}, lifetime: 2 h}\n";
  CU_ASSERT_EQUAL_FATAL(run(7, "poisson", more, other, scratch, N), 0);
  CU_ASSERT(memcmp(arrival, other, sizeof arrival) == 0);
  CU_ASSERT(memcmp(departure, scratch, sizeof departure) == 0);
}

int register_tests(void) {
  static const test_case tests[] = {{"Poisson arrivals' gaps", test_poisson_gaps},
                                    {"an entry's arrivals are its stream's draws", test_entry_stream},
                                    {"deterministic arrivals", test_deterministic},
                                    {"lifetimes' mean", test_lifetime_mean},
                                    {"seeds and per-entry streams", test_seeds_and_streams},
                                    {NULL, NULL}};
  return add_suite("arrivals", tests);
}
