/* tests/test_contention_in_place.c: the contention mechanism
 * (models/contention.c) on a host whose co-runner serves requests: each
 * request fills its vCPU's phase in place with its own drawn content, so
 * the running set must be collected again at every one of its dispatches,
 * never taken as kept from the slots' entries.  The reference is the same
 * host with one more guest beside them that serves requests using nothing a
 * model counts: it changes no co-runner's cost, and its own requests, which
 * change in place too, keep the host's running set from ever being taken as
 * unchanged, so that every evaluation there collects it in full.  Both runs
 * must give the same results, bit for bit.
 * Units: seconds, cycles, units of work as summary/guests records them.
 * Invariants: none kept; each test runs its scenarios in a scratch
 * directory and removes it. */
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

/* A fluid host: a VM serving requests of drawn instructions that re-read
 * 8 MiB at random, beside a VM streaming through DRAM on two vCPUs, and
 * (the %s) the guest line of the idle request server or nothing. */
static const char in_place_text[] =
    "name: in-place\n"
    "simulation: {duration: 2 s, seed: 7, record: {series: false, events: false}}\n"
    "calibration: xeon-e5-2014\n"
    "host_types:\n"
    "  e5: {cores: 8, clock: 2.4 GHz, memory: 256 GiB, scheduler: credit, fidelity: fluid}\n"
    "hosts: [{name: a, type: e5}]\n"
    "workloads:\n"
    "  svc:\n"
    "    requests:\n"
    "      count: 400\n"
    "      ops:\n"
    "        instructions: {dist: uniform, min: 10k, max: 20M}\n"
    "        cpi: 1\n"
    "        memory: [{count: 100, working_set: 8 MiB, pattern: random}]\n"
    "      arrivals: {process: poisson, rate: 400/s}\n"
    "  noise: {repeat: true, phases: [{units: 1e9, ops: {instructions: 1, cpi: 0.25, memory: "
    "[{count: 2, working_set: 2 GiB, pattern: sequential, stride: 8 B, page_size: 2 MiB}]}}]}\n"
    "  idle:\n"
    "    requests:\n"
    "      ops: {instructions: 1M, cpi: 1}\n"
    "      clients: {count: 1}\n"
    "guests:\n"
    "  - {name: victim, technique: hvm-ept, memory: 4 GiB, host: a, workload: svc}\n"
    "  - {name: noise, technique: hvm-ept, vcpus: 2, memory: 4 GiB, host: a, workload: noise}\n"
    "%s";

static const char idle_guest[] =
    "  - {name: idle, technique: hvm-ept, memory: 4 GiB, host: a, workload: idle}\n";

/* What a run gives guests victim and noise: units done, cycles spent. */
typedef struct pair_out {
  double units[2];
  double cycles[2];
} pair_out;

/* Runs in_place_text with `extra` guest lines: 0, or nonzero on a failed
 * run. */
static int run_in_place(const char *extra, pair_out *out) {
  char text[4096];
  snprintf(text, sizeof text, in_place_text, extra);
  sim_record_config cfg = {0};
  fx_run o;
  int rc = fx_run_scenario("test_contention_in_place", "in-place.yaml", text, &cfg, NULL, &o);
  char **names = NULL;
  double *units = NULL, *cycles = NULL;
  size_t n = 0, nu = 0, nc = 0;
  if (rc == 0) rc = sim_result_column_str(o.r, "summary/guests", "name", &names, &n);
  if (rc == 0) rc = sim_result_column_f64(o.r, "summary/guests", "units", &units, &nu);
  if (rc == 0) rc = sim_result_column_f64(o.r, "summary/guests", "cycles_total", &cycles, &nc);
  memset(out, 0, sizeof *out);
  int found = 0;
  for (size_t i = 0; rc == 0 && i < n && i < nu && i < nc; i++) {
    int k = !strcmp(names[i], "victim") ? 0 : !strcmp(names[i], "noise") ? 1 : -1;
    if (k < 0) continue;
    out->units[k] = units[i];
    out->cycles[k] = cycles[i];
    found++;
  }
  if (names) sim_result_free_strings(names, n);
  sim_free(units);
  sim_free(cycles);
  fx_run_close(&o);
  return rc == 0 && found == 2 ? 0 : -1;
}

/* The victim's requests, each costed with its own content beside the
 * streaming neighbour, give what full collections give. */
static void test_requests_change_in_place(void) {
  pair_out kept, full;
  CU_ASSERT_FATAL(run_in_place("", &kept) == 0);
  CU_ASSERT_FATAL(run_in_place(idle_guest, &full) == 0);
  for (int k = 0; k < 2; k++) {
    CU_ASSERT(kept.units[k] > 0);
    CU_ASSERT_EQUAL(kept.units[k], full.units[k]);
    CU_ASSERT_EQUAL(kept.cycles[k], full.cycles[k]);
  }
}

int register_tests(void) {
  static const test_case tests[] = {
      {"requests' phases changing in place are collected again", test_requests_change_in_place},
      {NULL, NULL}};
  return add_suite("contention_in_place", tests);
}
