/* tests/test_scenario_instances.c: the `instance_types` section and a
 * guest's `instance_type` and `tenant` (sim/scenario_instances.c): the type
 * supplies vCPUs, memory and disk; a key that agrees may be written again,
 * one that disagrees is an error at it; the types are in name order,
 * tenants shared by name; the resolved text loads back to the same
 * scenario and resolves to itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/registry.h"
#include "sim/instance_type.h"
#include "sim/scenario.h"
#include "sim/vocabulary.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

static sim_scenario *load_text(const char *text, sim_diag *d) {
  sim_diag_init(d);
  sim_scenario *s = NULL;
  int rc = sim_scenario_load_text("t.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &s, d);
  CU_ASSERT_EQUAL(rc == 0, s != NULL);
  return s;
}

#define BASE                                                                                  \
  "simulation: {duration: 1 h}\n"                                                             \
  "host_types: {t: {cores: 16, clock: 2 GHz, memory: 64 GiB, scheduler: credit2}}\n"          \
  "hosts: [{name: h0, type: t}]\n"                                                            \
  "instance_types:\n"                                                                         \
  "  z.big: {vcpus: 4, memory: 15 GB, local_storage: 1690 GB, compute_units: 8, price_per_hour: 0.48}\n" \
  "  a.micro: {vcpus: 2, memory: 1 GiB, price_per_hour: 0.012, billing: per-second,\n"       \
  "            burstable: {credits_per_hour: 12, max_credits: 288, mode: unlimited}}\n"      \
  "workloads: {w: {phases: [{units: 100, ops: {instructions: 1000}}]}}\n"

static void test_supplies(void) {
  sim_diag d;
  sim_scenario *s = load_text(BASE "guests:\n"
                                   "  - {name: b, technique: hvm-ept, instance_type: z.big, tenant: acme,\n"
                                   "     host: h0, workload: w}\n"
                                   "  - {name: a, technique: hvm-ept, instance_type: a.micro, vcpus: 2, tenant: acme,\n"
                                   "     host: h0, workload: w}\n"
                                   "  - {name: c, technique: hvm-ept, host: h0, workload: w}\n",
                              &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL_FATAL(s->n_instance_types, 2);
  CU_ASSERT_STRING_EQUAL(s->instance_types[0].name, "a.micro");
  const sim_instance_type *micro = &s->instance_types[0], *big = &s->instance_types[1];
  CU_ASSERT_EQUAL(micro->billing, SIM_BILL_PER_SECOND);
  CU_ASSERT_EQUAL(micro->minimum_ns, 60 * SIM_S);
  CU_ASSERT(micro->burstable && micro->unlimited);
  CU_ASSERT_DOUBLE_EQUAL(micro->surplus_price, 0.05, 0);
  CU_ASSERT_EQUAL(big->billing, SIM_BILL_PER_HOUR);
  CU_ASSERT_EQUAL(big->minimum_ns, 0);
  CU_ASSERT_FALSE(big->burstable);
  /* guests in name order: a, b, c */
  CU_ASSERT_EQUAL(s->guests[0].instance_type, 1);
  CU_ASSERT_EQUAL(s->guests[0].vcpus, 2);
  CU_ASSERT_EQUAL(s->guests[0].memory_bytes, 1ULL << 30);
  CU_ASSERT_EQUAL(s->guests[1].instance_type, 2);
  CU_ASSERT_EQUAL(s->guests[1].vcpus, 4);
  CU_ASSERT_EQUAL(s->guests[1].memory_bytes, 15000000000ULL);
  CU_ASSERT_EQUAL(s->guests[1].disk_bytes, 1690000000000ULL);
  CU_ASSERT_EQUAL(s->guests[2].instance_type, 0);
  CU_ASSERT_EQUAL(s->guests[2].tenant, 0);
  CU_ASSERT_EQUAL_FATAL(s->n_tenants, 1);
  CU_ASSERT_EQUAL(s->guests[0].tenant, 1);
  CU_ASSERT_EQUAL(s->guests[1].tenant, 1);
  CU_ASSERT_STRING_EQUAL(s->tenants[0], "acme");
  /* the resolved text loads back and resolves to itself */
  sim_diag d2;
  sim_scenario *r = load_text(s->resolved_text, &d2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_STRING_EQUAL(r->resolved_text, s->resolved_text);
  CU_ASSERT_EQUAL(r->guests[1].instance_type, 2);
  CU_ASSERT_DOUBLE_EQUAL(r->instance_types[1].compute_units, 8, 0);
  sim_scenario_free(r);
  sim_diag_clear(&d2);
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

/* The first error's line, column and message. */
static void expect_error(const char *guests, int line, int col, const char *message) {
  char text[4096];
  snprintf(text, sizeof text, BASE "%s", guests);
  sim_diag d;
  sim_scenario *s = load_text(text, &d);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_FATAL(d.count >= 1);
  CU_ASSERT_EQUAL(d.entries[0].line, line);
  CU_ASSERT_EQUAL(d.entries[0].col, col);
  if (strcmp(d.entries[0].message, message)) printf("\n  got: %s\n", d.entries[0].message);
  CU_ASSERT_STRING_EQUAL(d.entries[0].message, message);
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

static void test_conflicts(void) {
  expect_error("guests: [{name: a, technique: hvm-ept, instance_type: z.big, vcpus: 2, host: h0, workload: w}]\n", 9,
               69, "'vcpus' in guest 'a' disagrees with its instance type 'z.big', which has 4 vCPUs: leave it out");
  expect_error("guests: [{name: a, technique: hvm-ept, instance_type: a.micro, cap: 50%, host: h0, workload: w}]\n", 9,
               69, "'cap' in guest 'a' disagrees with its instance type 'a.micro', which has a CPU cap that "
                   "follows its credits: leave it out");
  expect_error("guests: [{name: a, technique: hvm-ept, instance_type: a.mikro, host: h0, workload: w}]\n", 9, 55,
               "unknown instance type 'a.mikro' in guest 'a'; did you mean 'a.micro'? (known: a.micro, z.big)");
}

int register_tests(void) {
  static const test_case tests[] = {{"an instance type supplies a guest's size", test_supplies},
                                    {"keys that disagree with the type", test_conflicts},
                                    {NULL, NULL}};
  return add_suite("scenario instances", tests);
}
