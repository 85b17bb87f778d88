/* tests/test_scenario_guests.c: the `guests` section (sim/scenario_guests.c):
 * `{spread: GLOB}` placement, within one template entry and across entries
 * of one guest each (a merged template), which must be spread too; and the
 * round trip through the resolved text, `rated` included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A trace-driven guest's `rated` is in the resolved text: it loads back to
 * the same instructions/s, and two scenarios differing only in it resolve
 * to different texts (and so run keys). */
static sim_scenario *load_rated(const char *trace, const char *rated, sim_diag *d) {
  char text[1024];
  snprintf(text, sizeof text,
           "simulation: {duration: 1 h}\n"
           "host_types: {t: {cores: 4, clock: 2 GHz, memory: 32 GiB}}\n"
           "hosts: [{name: h, type: t}]\n"
           "workloads: {t: {trace: {file: %s, interval: 1 min}, phases: [{duration: 1 min, ops: {instructions: 1000}}]}}\n"
           "guests: [{name: a, technique: hvm-ept, host: h, workload: t, rated: %s}]\n",
           trace, rated);
  return load_text(text, d);
}

static void test_rated_resolved(void) {
  char trace[] = "/tmp/vdcsim-test-guests-rated-XXXXXX";
  int fd = mkstemp(trace);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(write(fd, "50\n", 3), 3);
  close(fd);
  static const char *const ratings[] = {"1234.5678 MIPS", "3.3 MIPS", "2500 MIPS"};
  sim_scenario *first = NULL;
  sim_diag d0;
  for (size_t k = 0; k < 3; k++) {
    sim_diag d, d2;
    sim_scenario *s = load_rated(trace, ratings[k], &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char want[64];
    snprintf(want, sizeof want, "rated: %s", ratings[k]);
    CU_ASSERT_PTR_NOT_NULL(strstr(s->resolved_text, want));
    sim_scenario *r = load_text(s->resolved_text, &d2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->guests[0].rated_ips, s->guests[0].rated_ips);
    CU_ASSERT_STRING_EQUAL(r->resolved_text, s->resolved_text);
    if (first) CU_ASSERT_STRING_NOT_EQUAL(s->resolved_text, first->resolved_text);
    sim_scenario_free(r);
    sim_diag_clear(&d2);
    if (first) {
      sim_scenario_free(s);
      sim_diag_clear(&d);
    } else {
      first = s;
      d0 = d;
    }
  }
  sim_scenario_free(first);
  sim_diag_clear(&d0);
  unlink(trace);
}

int register_tests(void) {
  static const test_case tests[] = {{"spread within one entry", test_spread_one_entry},
                                    {"spread goes on across entries", test_spread_across_entries},
                                    {"rated is in the resolved text", test_rated_resolved},
                                    {NULL, NULL}};
  return add_suite("scenario_guests", tests);
}
