/* tests/test_credits.c: burstable CPU credits (models/credits.c) and the
 * caps the engine keeps from them and from compute units
 * (models/engine_instances.c), against hand-computed cases.  One credit is
 * one vCPU at 100 % for a minute [AWS-BURST]: a 2-vCPU instance earning 12
 * credits an hour (a 10 % baseline per vCPU) that runs both vCPUs flat out
 * spends 2 credits a minute and earns 0.2, so 30 credits last 30 / 1.8 =
 * 16.7 minutes: at the accounting step of minute 17 the balance is 0 and
 * the guest runs at 0.2 CPUs from then on (a step later when the scheduler
 * gave less than the cap of the last minute); in unlimited mode it keeps 2
 * CPUs and owes what it spent beyond its balance and earnings.  An instance
 * of U compute units on a host of clock f gets U x 1 GHz / f CPUs [LECT]. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/credits.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

#define NEAR(a, b, tol) CU_ASSERT_DOUBLE_EQUAL(a, b, tol)

static const sim_instance_type micro = {.name = "t3.micro", .vcpus = 2, .burstable = true,
                                        .credits_per_hour = 12, .max_credits = 288, .initial_credits = 30};

static void test_step(void) {
  credit_account a = credit_open(&micro);
  NEAR(a.balance, 30, 0);
  credit_step(&micro, &a, 60, 120); /* a minute at 2 CPUs: -2 + 0.2 */
  NEAR(a.balance, 28.2, 1e-12);
  credit_step(&micro, &a, 3600, 0); /* an idle hour: +12 */
  NEAR(a.balance, 40.2, 1e-12);
  credit_step(&micro, &a, 100 * 3600.0, 0); /* clipped at the maximum */
  NEAR(a.balance, 288, 0);
  credit_step(&micro, &a, 60, 1e6); /* standard: never below 0 */
  NEAR(a.balance, 0, 0);
  NEAR(a.spent, 2 + 1e6 / 60, 1e-9);
  NEAR(a.earned, 0.2 + 12 + 1200 + 0.2, 1e-9);
}

static void test_cap(void) {
  credit_account a = credit_open(&micro);
  NEAR(credit_cap(&micro, &a, 60), 0, 0); /* 30 credits pay for more than 2 CPUs a minute */
  a.balance = 1.2;
  NEAR(credit_cap(&micro, &a, 60), 1.4, 1e-12); /* 1.2 saved + 0.2 earned in the minute */
  a.balance = 0;
  NEAR(credit_cap(&micro, &a, 60), 0.2, 1e-12); /* the baseline: 10 % of 2 vCPUs */
  sim_instance_type unl = micro;
  unl.unlimited = true;
  NEAR(credit_cap(&unl, &a, 60), 0, 0);
}

static void test_unlimited_surplus(void) {
  sim_instance_type unl = micro;
  unl.unlimited = true;
  credit_account a = credit_open(&unl);
  credit_step(&unl, &a, 3600, 7200); /* an hour at 2 CPUs: 30 + 12 - 120 */
  NEAR(a.balance, -78, 1e-9);
  NEAR(a.charged, 0, 0);
  credit_step(&unl, &a, 3600, 0); /* an idle hour pays 12 back */
  NEAR(a.balance, -66, 1e-9);
  credit_step(&unl, &a, 5 * 3600.0, 36000); /* beyond a day's earnings owed: charged at once */
  NEAR(a.balance, -288, 1e-9);
  NEAR(a.charged, 66 - 60 + 600 - 288, 1e-9); /* balance -606, floor -288 */
  double before = a.charged;
  credit_close(&unl, &a);
  NEAR(a.charged, before + 288, 1e-9);
  NEAR(a.balance, 0, 0);
}

static const char profile[] =
    "profile: {name: credits-test, fallback: generic-x86-2020}\n"
    "quantities: {sched.tick: {value: 10 ms, source: test}}\n";

static const char scenario_fmt[] =
    "name: credits\n"
    "simulation: {duration: 1 h, record: {sample_interval: 1 min}}\n"
    "host_types: {t: {cores: 4, clock: 2 GHz, memory: 64 GiB, scheduler: %s}}\n"
    "hosts: [{name: h0, type: t}]\n"
    "instance_types:\n"
    "  micro: {vcpus: 2, memory: 1 GiB, price_per_hour: 0.012,\n"
    "          burstable: {credits_per_hour: 12, max_credits: 288, initial_credits: 30, mode: %s}}\n"
    "workloads: {spin: {repeat: true, phases: [{units: 1e6, ops: {instructions: 1000}}]}}\n"
    "guests: [{name: g, technique: native, instance_type: micro, host: h0, workload: spin}]\n";

/* The credits row of the run: earned, spent, balance, exhausted_s, surplus. */
static int run_credits(const char *sched, const char *mode, double row[5], double *share_end) {
  char text[1024];
  snprintf(text, sizeof text, scenario_fmt, sched, mode);
  sim_record_config cfg = {.sample_interval_ns = 60 * SIM_S, .events = 1, .series = 1};
  fx_run o;
  if (fx_run_text("test-credits", profile, "credits.yaml", text, &cfg, &o) != 0) return -1;
  static const char *const cols[5] = {"credits_earned", "credits_spent", "credit_balance", "exhausted_s",
                                      "surplus_credits"};
  int rc = 0;
  for (int c = 0; c < 5 && rc == 0; c++) {
    double *v = NULL;
    size_t n = 0;
    rc = sim_result_column_f64(o.r, "summary/credits", cols[c], &v, &n) == 0 && n == 1 ? 0 : -1;
    if (rc == 0) row[c] = v[0];
    sim_free(v);
  }
  double *units = NULL;
  size_t n = 0;
  if (rc == 0 && sim_result_column_f64(o.r, "summary/guests", "units", &units, &n) == 0 && n == 1)
    *share_end = units[0];
  else
    rc = -1;
  sim_free(units);
  fx_run_close(&o);
  return rc;
}

/* Standard mode on the schedulers that change caps: exhausted at minute
 * 17 or 18; over the hour it spends its 30 credits and the 12 it earns; its work
 * is 2 CPUs for 16.67 minutes and 0.2 CPUs for the rest (1000 cycles a
 * unit at 2 GHz: 2e6 units per CPU-second), within a step's lag. */
static void test_run_standard(void) {
  static const char *const scheds[] = {"credit", "credit2", "cfs"};
  for (int k = 0; k < 3; k++) {
    double row[5], units = 0;
    CU_ASSERT_EQUAL_FATAL(run_credits(scheds[k], "standard", row, &units), 0);
    NEAR(row[0], 12, 1e-9);
    NEAR(row[1], 42, 0.05);
    NEAR(row[2], 0, 1e-6);
    /* the step that finds it spent: minute 17, or 18 when the scheduler
     * gave less than the last minute's cap (credit2 splits a guest's budget
     * among its running vCPUs) */
    CU_ASSERT(row[3] >= 17 * 60 - 1e-6 && row[3] <= 18 * 60 + 1e-6);
    NEAR(row[4], 0, 0);
    double cpu_s = 42 * 60; /* every credit spent is a CPU-minute */
    NEAR(units, cpu_s * 2e6, cpu_s * 2e6 * 0.01);
  }
}

/* Unlimited mode: 2 CPUs all hour, 120 credits spent, 78 of them surplus. */
static void test_run_unlimited(void) {
  double row[5], units = 0;
  CU_ASSERT_EQUAL_FATAL(run_credits("credit2", "unlimited", row, &units), 0);
  NEAR(row[1], 120, 0.01);
  CU_ASSERT(isnan(row[3]));
  NEAR(row[4], 78, 0.01);
  NEAR(units, 7200 * 2e6, 7200 * 2e6 * 0.001);
}

/* Compute units: 1 unit on a 2 GHz host is half a CPU; 4 units on a
 * 2-vCPU instance are all of it (uncapped). */
static void test_compute_units(void) {
  static const char text[] =
      "name: ecu\n"
      "simulation: {duration: 10 s}\n"
      "host_types: {t: {cores: 4, clock: 2 GHz, memory: 64 GiB, scheduler: credit2}}\n"
      "hosts: [{name: h0, type: t}]\n"
      "instance_types:\n"
      "  small: {vcpus: 1, compute_units: 1, memory: 1 GiB, price_per_hour: 0.06}\n"
      "  large: {vcpus: 2, compute_units: 4, memory: 1 GiB, price_per_hour: 0.24}\n"
      "workloads: {spin: {repeat: true, phases: [{units: 1e6, ops: {instructions: 1000}}]}}\n"
      "guests:\n"
      "  - {name: a, technique: native, instance_type: small, host: h0, workload: spin}\n"
      "  - {name: b, technique: native, instance_type: large, host: h0, workload: spin}\n";
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(fx_run_text("test-credits", profile, "ecu.yaml", text, &cfg, &o), 0);
  double *units = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o.r, "summary/guests", "units", &units, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  NEAR(units[0], 10 * 0.5 * 2e6, 10 * 0.5 * 2e6 * 0.01);
  NEAR(units[1], 10 * 2 * 2e6, 10 * 2 * 2e6 * 0.01);
  CU_ASSERT_EQUAL(sim_result_has(o.r, "summary/credits"), 0); /* none is burstable */
  sim_free(units);
  fx_run_close(&o);
}

/* A host whose scheduler cannot change a cap (rr, the default) refuses
 * the run before it starts, naming the host. */
static void test_scheduler_without_caps(void) {
  char text[1024];
  snprintf(text, sizeof text, scenario_fmt, "rr", "standard");
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  CU_ASSERT_NOT_EQUAL(fx_run_text("test-credits", profile, "credits.yaml", text, &cfg, &o), 0);
  fx_run_close(&o);
}

int register_tests(void) {
  static const test_case tests[] = {{"earning, spending, clipping", test_step},
                                    {"the cap follows the balance", test_cap},
                                    {"unlimited mode's surplus credits", test_unlimited_surplus},
                                    {"a run in standard mode exhausts its credits", test_run_standard},
                                    {"a run in unlimited mode pays surplus", test_run_unlimited},
                                    {"compute units cap a guest by its host's clock", test_compute_units},
                                    {"a scheduler that cannot change caps", test_scheduler_without_caps},
                                    {NULL, NULL}};
  return add_suite("credits", tests);
}
