/* tests/test_scenario_guests.c: the `guests` section (sim/scenario_guests.c):
 * `{spread: GLOB}` placement, within one template entry and across entries
 * of one guest each (a merged template), which must be spread too; and the
 * round trip through the resolved text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario.h"
#include "sim/vocabulary.h"
#include "models/registry.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

static sim_scenario *load_text(const char *text, sim_diag *d) {
  sim_diag_init(d);
  sim_scenario *s = NULL;
  int rc = sim_scenario_load_text("t.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &s, d);
  CU_ASSERT_EQUAL(rc == 0, s != NULL);
  return s;
}

#define HOSTS                                                                           \
  "host_types: {t: {cores: 4, clock: 2 GHz, memory: 32 GiB}}\n"                         \
  "hosts:\n"                                                                            \
  "  - {name: \"g{i}\", type: t, count: 3}\n"                                           \
  "  - {name: \"x{i}\", type: t, count: 2}\n"                                           \
  "workloads: {w: {phases: [{units: 100, ops: {instructions: 1000}}]}}\n"

/* The host name of guest i. */
static const char *host_of(const sim_scenario *s, size_t i) { return s->hosts[s->guests[i].host].name; }

/* One entry of 7: round-robin over g0 g1 g2, starting at g0. */
static void test_spread_one_entry(void) {
  sim_diag d;
  sim_scenario *s = load_text(HOSTS "guests:\n"
                                    "  - {name: \"v{i}\", count: 7, technique: hvm-ept, host: {spread: \"g*\"}, workload: w}\n",
                              &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL_FATAL(s->n_guests, 7);
  static const char *const want[] = {"g0", "g1", "g2", "g0", "g1", "g2", "g0"};
  for (size_t i = 0; i < 7; i++) CU_ASSERT_STRING_EQUAL(host_of(s, i), want[i]);
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

/* Four entries of one guest each, merged from one template: they go to g0,
 * g1, g2, g0 (they all went to g0); an entry spread over another glob has
 * a round-robin of its own; a later entry of two continues the first glob's. */
static void test_spread_across_entries(void) {
  sim_diag d;
  sim_scenario *s = load_text(HOSTS "x-vm: &vm {technique: hvm-ept, workload: w, host: {spread: \"g*\"}}\n"
                                    "guests:\n"
                                    "  - {<<: *vm, name: a}\n"
                                    "  - {<<: *vm, name: b}\n"
                                    "  - {<<: *vm, name: c, host: {spread: \"x*\"}}\n"
                                    "  - {<<: *vm, name: d}\n"
                                    "  - {<<: *vm, name: e}\n"
                                    "  - {<<: *vm, name: \"f{i}\", count: 2}\n",
                              &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL_FATAL(s->n_guests, 7);
  static const char *const want[] = {"g0", "g1", "x0", "g2", "g0", "g1", "g2"};
  for (size_t i = 0; i < 7; i++) CU_ASSERT_STRING_EQUAL(host_of(s, i), want[i]);
  /* the resolved text, loaded again, places them the same */
  sim_diag d2;
  sim_scenario *r = load_text(s->resolved_text, &d2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL_FATAL(r->n_guests, 7);
  for (size_t i = 0; i < 7; i++) CU_ASSERT_STRING_EQUAL(host_of(r, i), want[i]);
  sim_scenario_free(r);
  sim_diag_clear(&d2);
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {{"spread within one entry", test_spread_one_entry},
                                    {"spread goes on across entries", test_spread_across_entries},
                                    {NULL, NULL}};
  return add_suite("scenario_guests", tests);
}
