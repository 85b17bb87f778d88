/* tests/test_billing.c: what instances cost (models/billing.c) and the
 * tables of a run (models/engine_billing.c), against hand-computed cases:
 * per-hour billing charges every started hour [LECT], per-second billing
 * whole seconds with a minimum [AWS-BILL], surplus credits cost the surplus
 * price per 60 credits [AWS-BURST]; in a run, an instance is billed from
 * its arrival to its departure or the run's end, a tenant's cost is the sum
 * of its instances', and a guest without a tenant pays alone. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/billing.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

#define NEAR(a, b) CU_ASSERT_DOUBLE_EQUAL(a, b, 1e-12 * (fabs((double)(b)) + 1))

static void test_per_hour(void) {
  NEAR(billing_billed_s(SIM_BILL_PER_HOUR, 0, 0), 0);
  NEAR(billing_billed_s(SIM_BILL_PER_HOUR, 0, 1), 3600);
  NEAR(billing_billed_s(SIM_BILL_PER_HOUR, 0, 3600), 3600);
  NEAR(billing_billed_s(SIM_BILL_PER_HOUR, 0, 3600.5), 7200);
  /* [LECT]: an m1.small at USD 0.06 for 2 h 30 min pays 3 started hours */
  sim_instance_type small = {.price_per_hour = 0.06, .billing = SIM_BILL_PER_HOUR};
  NEAR(billing_instance_cost(&small, 9000), 0.18);
}

static void test_per_second(void) {
  NEAR(billing_billed_s(SIM_BILL_PER_SECOND, 60, 0), 0);
  NEAR(billing_billed_s(SIM_BILL_PER_SECOND, 60, 0.2), 60);
  NEAR(billing_billed_s(SIM_BILL_PER_SECOND, 60, 59.5), 60);
  NEAR(billing_billed_s(SIM_BILL_PER_SECOND, 60, 60.01), 61);
  NEAR(billing_billed_s(SIM_BILL_PER_SECOND, 0, 90.5), 91);
  /* a t3.micro at USD 0.012 an hour for 30 min 0.4 s: 1801 s */
  sim_instance_type micro = {.price_per_hour = 0.012, .billing = SIM_BILL_PER_SECOND, .minimum_ns = 60 * SIM_S};
  NEAR(billing_instance_cost(&micro, 1800.4), 1801 * 0.012 / 3600);
  NEAR(billing_instance_cost(&micro, 10), 60 * 0.012 / 3600);
}

static void test_surplus(void) {
  sim_instance_type t = {.burstable = true, .unlimited = true, .surplus_price = 0.05};
  NEAR(billing_surplus_cost(&t, 90), 0.075); /* 1.5 vCPU-hours */
  NEAR(billing_surplus_cost(&t, 0), 0);
  NEAR(billing_surplus_cost(&t, -3), 0);
}

static const char profile[] =
    "profile: {name: billing-test, fallback: generic-x86-2020}\n"
    "quantities: {sched.tick: {value: 10 ms, source: test}}\n";

/* Three instances of two tenants: a per-hour one all run long (90 min: 2
 * hours), one departing after 20 min (1 hour), a per-second one arriving
 * deterministically at 10 min (80 min = 4800 s), and a guest of no type. */
static const char scenario[] =
    "name: billing\n"
    "simulation: {duration: 90 min, record: {sample_interval: 10 min}}\n"
    "host_types: {t: {cores: 8, clock: 1 GHz, memory: 64 GiB, fidelity: fluid}}\n"
    "hosts: [{name: h0, type: t}]\n"
    "instance_types:\n"
    "  hourly: {vcpus: 2, memory: 2 GiB, price_per_hour: 0.5}\n"
    "  secondly: {vcpus: 1, memory: 1 GiB, price_per_hour: 0.36, billing: per-second, billing_minimum: 2 min}\n"
    "workloads: {w: {phases: [{units: 1, ops: {instructions: 1000}}]}}\n"
    "guests:\n"
    "  - {name: a, technique: native, instance_type: hourly, tenant: acme, host: h0, workload: w}\n"
    "  - {name: b, technique: native, instance_type: hourly, tenant: acme, host: h0, workload: w, lifetime: 20 min}\n"
    "  - {name: c, technique: native, instance_type: secondly, host: h0, workload: w,\n"
    "     arrival: {process: deterministic, rate: 6/h}}\n"
    "  - {name: d, technique: native, host: h0, workload: w}\n";

static void test_run_tables(void) {
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(fx_run_text("test-billing", profile, "billing.yaml", scenario, &cfg, &o), 0);
  double *running = NULL, *billed = NULL, *cost = NULL, *tcost = NULL, *trun = NULL;
  char **names = NULL, **tenants = NULL, **tnames = NULL;
  size_t n = 0, k = 0, m = 0, nt = 0, x = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_str(o.r, "summary/billing", "name", &names, &n), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_str(o.r, "summary/billing", "tenant", &tenants, &k), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o.r, "summary/billing", "running_s", &running, &k), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o.r, "summary/billing", "billed_s", &billed, &k), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o.r, "summary/billing", "cost_usd", &cost, &k), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_str(o.r, "summary/tenants", "tenant", &tnames, &nt), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o.r, "summary/tenants", "cost_usd", &tcost, &m), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o.r, "summary/tenants", "running_s", &trun, &x), 0);
  CU_ASSERT_EQUAL_FATAL(n, 3); /* d has no instance type */
  CU_ASSERT_STRING_EQUAL(names[0], "a");
  CU_ASSERT_STRING_EQUAL(names[2], "c");
  CU_ASSERT_STRING_EQUAL(tenants[0], "acme");
  CU_ASSERT_STRING_EQUAL(tenants[2], "c"); /* no tenant: its own name */
  NEAR(running[0], 5400);
  NEAR(billed[0], 7200);
  NEAR(cost[0], 1.0);
  NEAR(running[1], 1200);
  NEAR(billed[1], 3600);
  NEAR(cost[1], 0.5);
  NEAR(running[2], 4800);
  NEAR(billed[2], 4800);
  NEAR(cost[2], 0.48);
  CU_ASSERT_EQUAL_FATAL(nt, 2);
  CU_ASSERT_STRING_EQUAL(tnames[0], "acme");
  CU_ASSERT_STRING_EQUAL(tnames[1], "c");
  NEAR(tcost[0], 1.5);
  NEAR(trun[0], 6600);
  NEAR(tcost[1], 0.48);
  CU_ASSERT_STRING_EQUAL(sim_result_column_unit(o.r, "summary/billing", "cost_usd"), "USD");
  sim_result_free_strings(names, n);
  sim_result_free_strings(tenants, n);
  sim_result_free_strings(tnames, nt);
  sim_free(running);
  sim_free(billed);
  sim_free(cost);
  sim_free(tcost);
  sim_free(trun);
  fx_run_close(&o);
}

/* A run without instances has no billing tables. */
static void test_no_instances(void) {
  static const char plain[] =
      "name: plain\n"
      "simulation: {duration: 1 s}\n"
      "host_types: {t: {cores: 1, clock: 1 GHz, memory: 4 GiB}}\n"
      "hosts: [{name: h0, type: t}]\n"
      "workloads: {w: {phases: [{units: 1, ops: {instructions: 1000}}]}}\n"
      "guests: [{name: a, technique: native, host: h0, workload: w}]\n";
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(fx_run_text("test-billing", profile, "plain.yaml", plain, &cfg, &o), 0);
  CU_ASSERT_EQUAL(sim_result_has(o.r, "summary/billing"), 0);
  CU_ASSERT_EQUAL(sim_result_has(o.r, "summary/tenants"), 0);
  CU_ASSERT_EQUAL(sim_result_has(o.r, "summary/credits"), 0);
  fx_run_close(&o);
}

int register_tests(void) {
  static const test_case tests[] = {{"per-hour billing", test_per_hour},
                                    {"per-second billing", test_per_second},
                                    {"surplus credits", test_surplus},
                                    {"summary/billing and summary/tenants", test_run_tables},
                                    {"no instances, no tables", test_no_instances},
                                    {NULL, NULL}};
  return add_suite("billing", tests);
}
