/* tests/test_relative_native.c: relative_to_native (models/engine_report.c
 * guest_relative_to_native) on crowded hosts.  The native twin serves the
 * same work on the same crowded host, so the time a vCPU waits for a CPU
 * (steal, a cap) is no one's cost: a native guest reports 1 however crowded
 * or capped, and another technique the same ratio crowded as alone.
 * Runs go through the engine with the shipped profile and techniques.
 * Units: ratios (1), seconds in summary/guests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

enum { MAX_GUESTS = 8 };

/* summary/guests of one run, in the table's row order. */
typedef struct guests_table {
  size_t n;                     /* rows */
  char name[MAX_GUESTS][32];    /* guest names */
  double relative[MAX_GUESTS];  /* relative_to_native */
  double steal_s[MAX_GUESTS];   /* s */
  double units[MAX_GUESTS];     /* units done */
} guests_table;

/* The row of guest `name` (the test fails when it is absent). */
static size_t row_of(const guests_table *t, const char *name) {
  for (size_t i = 0; i < t->n; i++)
    if (!strcmp(t->name[i], name)) return i;
  CU_FAIL("guest missing from summary/guests");
  return 0;
}

/* Runs scenario `text` (named `name` in messages) with its calibration
 * profile from the data path; fills *t from summary/guests.  0 or nonzero
 * with the diagnostics printed. */
static int run_guests(const char *name, const char *text, guests_table *t) {
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  int rc = fx_run_scenario("relative-native", name, text, &cfg, NULL, &run);
  char **names = NULL;
  size_t nn = 0;
  if (rc == 0 && (rc = sim_result_column_str(run.r, "summary/guests", "name", &names, &nn)) == 0 &&
      (nn == 0 || nn > MAX_GUESTS))
    rc = -1;
  static const char *const cols[] = {"relative_to_native", "steal_s", "units"};
  double *outs[] = {t->relative, t->steal_s, t->units};
  for (size_t c = 0; c < 3 && rc == 0; c++) {
    double *v = NULL;
    size_t n = 0;
    rc = sim_result_column_f64(run.r, "summary/guests", cols[c], &v, &n);
    if (rc == 0 && n != nn) rc = -1;
    for (size_t i = 0; rc == 0 && i < n; i++) outs[c][i] = v[i];
    sim_free(v);
  }
  t->n = rc == 0 ? nn : 0;
  for (size_t i = 0; i < t->n; i++) snprintf(t->name[i], sizeof t->name[i], "%s", names[i]);
  if (names) sim_result_free_strings(names, nn);
  fx_run_close(&run);
  return rc;
}

/* One 1-core host (fidelity `fidelity`, scheduler `scheduler`) running a
 * compute loop for `seconds`: guest x of technique `tech` with `x_extra`
 * keys (e.g. a cap), and, when `crowded`, native guests a and b and a
 * guest c of technique `tech` beside it. */
static int run_crowd(const char *fidelity, const char *scheduler, const char *tech, const char *x_extra,
                     bool crowded, int seconds, guests_table *t) {
  char text[2048];
  snprintf(text, sizeof text,
           "name: crowd\n"
           "simulation: {duration: %d s, seed: 1, record: {events: false, series: false}}\n"
           "calibration: generic-x86-2020\n"
           "host_types:\n"
           "  h: {cores: 1, clock: 2 GHz, memory: 8 GiB, allow_overcommit: true, fidelity: %s,"
           " scheduler: %s}\n"
           "hosts: [{name: h0, type: h}]\n"
           "workloads:\n"
           "  compute:\n"
           "    phases: [{name: loop, units: 100G, ops: {instructions: 1000}}]\n"
           "guests:\n"
           "  - {name: x, technique: %s, vcpus: 1, memory: 1 GiB, host: h0, workload: compute%s}\n"
           "%s",
           seconds, fidelity, scheduler, tech, x_extra,
           crowded ? "  - {name: a, technique: native, vcpus: 1, memory: 1 GiB, host: h0, workload: compute}\n"
                     "  - {name: b, technique: native, vcpus: 1, memory: 1 GiB, host: h0, workload: compute}\n"
                   : "");
  if (crowded) {
    size_t len = strlen(text);
    snprintf(text + len, sizeof text - len,
             "  - {name: c, technique: %s, vcpus: 1, memory: 1 GiB, host: h0, workload: compute}\n", tech);
  }
  return run_guests("crowd", text, t);
}

static const char *const fidelities[] = {"quantum", "fluid"};

/* Three native guests and an HVM one share one core: each waits for it
 * three quarters of the time, and each is its own twin: 1 to the ns clock's
 * rounding, which the twin shares. */
static void test_native_crowded_is_one(void) {
  for (int f = 0; f < 2; f++) {
    guests_table t;
    CU_ASSERT_EQUAL_FATAL(run_crowd(fidelities[f], "credit", "native", "", true, 4, &t), 0);
    const char *natives[] = {"x", "a", "b"};
    for (int k = 0; k < 3; k++) {
      size_t i = row_of(&t, natives[k]);
      CU_ASSERT(t.steal_s[i] > 2.5 && t.units[i] > 0); /* it waited most of the run, and worked */
      CU_ASSERT_DOUBLE_EQUAL(t.relative[i], 1.0, 1e-9);
    }
  }
}

/* An HVM (EPT) or binary-translated guest on a core it shares with three
 * others costs what it costs alone per unit of work: within 1 %, which
 * leaves room for the world switches that crowding adds (a native context
 * switch is the twin's) and for BT's translation cache warming over fewer
 * units; and below 1 in both. */
static void test_virtualized_crowded_as_alone(void) {
  const char *techs[] = {"hvm-ept", "bt"};
  for (int f = 0; f < 2; f++) {
    for (int k = 0; k < 2; k++) {
      guests_table alone, crowd;
      CU_ASSERT_EQUAL_FATAL(run_crowd(fidelities[f], "credit", techs[k], "", false, 4, &alone), 0);
      CU_ASSERT_EQUAL_FATAL(run_crowd(fidelities[f], "credit", techs[k], "", true, 4, &crowd), 0);
      double a = alone.relative[row_of(&alone, "x")];
      size_t i = row_of(&crowd, "x");
      CU_ASSERT(crowd.steal_s[i] > 2.5);
      CU_ASSERT(a < 1.0 && a > 0.5);
      CU_ASSERT_DOUBLE_EQUAL(crowd.relative[i] / a, 1.0, 0.01);
      CU_ASSERT_DOUBLE_EQUAL(crowd.relative[row_of(&crowd, "c")] / a, 1.0, 0.01);
    }
  }
}

/* A native guest capped to a quarter of a core (credit's cap, fluid's
 * bound) is held back three quarters of the time, alone or crowded: that
 * wait is the cap's, the twin's as much as its own, so it reports 1. */
static void test_native_capped_is_one(void) {
  for (int f = 0; f < 2; f++) {
    for (int crowded = 0; crowded < 2; crowded++) {
      guests_table t;
      CU_ASSERT_EQUAL_FATAL(run_crowd(fidelities[f], "credit", "native", ", cap: 0.25", crowded, 8, &t), 0);
      size_t i = row_of(&t, "x");
      CU_ASSERT(t.steal_s[i] > 5.5 && t.units[i] > 0);
      CU_ASSERT_DOUBLE_EQUAL(t.relative[i], 1.0, 1e-9);
    }
  }
}

/* I/O-bound native work (tests/test_io.c's web requests and phases: system
 * calls, a network exchange, disk reads and writes, a pipelined phase at
 * half CPU demand) on two cores crowded by two compute loops: it waits for
 * the core, for its I/O and for its requests, and is still its own twin. */
static void test_native_io_crowded_is_one(void) {
  static const char *const text =
      "name: native-io-crowded\n"
      "simulation: {duration: 2 s, seed: 7, record: {events: false, series: false}}\n"
      "calibration: generic-x86-2020\n"
      "host_types:\n"
      "  h: {cores: 2, clock: 3 GHz, memory: 32 GiB, scheduler: credit, allow_overcommit: true,\n"
      "      nics: [{name: eth0, bandwidth: 1 Gbit/s, latency: 20 us}],\n"
      "      disks: [{name: ssd, iops: 20000, bandwidth: 200 MB/s, latency: 80 us, queue_depth: 8}]}\n"
      "hosts: [{name: h-nat, type: h}]\n"
      "workloads:\n"
      "  web:\n"
      "    requests:\n"
      "      ops:\n"
      "        instructions: {dist: lognormal, mean: 600k, sd: 450k}\n"
      "        cpi: 1.2\n"
      "        syscalls: {dist: uniform, min: 10, max: 40}\n"
      "        net: {messages: 1, tx: {dist: lognormal, mean: 8 KiB, sd: 6 KiB}, rx: 600 B}\n"
      "        disk: {reads: {dist: exponential, mean: 0.3}, request_size: 4 KiB}\n"
      "      arrivals: {process: poisson, rate: 500/s}\n"
      "  phased:\n"
      "    repeat: true\n"
      "    phases:\n"
      "      - {units: 2000, ops: {instructions: 200k, syscalls: 20,\n"
      "         net: {messages: 1, tx: 4 KiB, rx: 600 B}, disk: {reads: 0.5, writes: 0.2, request_size: 4 KiB}}}\n"
      "      - {units: 2000, io_window: 4, cpu_demand: 50%,\n"
      "         ops: {instructions: 100k, syscalls: 5, net: {messages: 1, tx: 16 KiB, rx: 64 B},\n"
      "               disk: {writes: 1, request_size: 16 KiB}}}\n"
      "  compute:\n"
      "    phases: [{name: loop, units: 100G, ops: {instructions: 1000}}]\n"
      "guests:\n"
      "  - {name: req-native, technique: native, io_path: native, vcpus: 2, memory: 2 GiB, host: h-nat,"
      " workload: web, streams: web}\n"
      "  - {name: ph-native, technique: native, io_path: native, vcpus: 1, memory: 2 GiB, host: h-nat,"
      " workload: phased}\n"
      "  - {name: loop-a, technique: native, vcpus: 1, memory: 1 GiB, host: h-nat, workload: compute}\n"
      "  - {name: loop-b, technique: hvm-ept, vcpus: 1, memory: 1 GiB, host: h-nat, workload: compute}\n";
  guests_table t;
  CU_ASSERT_EQUAL_FATAL(run_guests("native-io-crowded", text, &t), 0);
  const char *natives[] = {"req-native", "ph-native", "loop-a"};
  for (int k = 0; k < 3; k++) {
    size_t i = row_of(&t, natives[k]);
    CU_ASSERT(t.units[i] > 100);   /* it did real work */
    CU_ASSERT(t.steal_s[i] > 0.1); /* and waited for the core */
    CU_ASSERT_DOUBLE_EQUAL(t.relative[i], 1.0, 1e-9);
  }
}

int register_tests(void) {
  static const test_case tests[] = {
      {"a native guest on a crowded core reports 1", test_native_crowded_is_one},
      {"a virtualized guest crowded reports what it does alone", test_virtualized_crowded_as_alone},
      {"a capped native guest reports 1", test_native_capped_is_one},
      {"I/O-bound native work on a crowded core reports 1", test_native_io_crowded_is_one},
      {NULL, NULL},
  };
  return add_suite("relative_native", tests);
}
