/* tests/test_hosted_io.c: the I/O paths under a hosted (type II)
 * hypervisor (hypervisor.hosted, models/guest_ops.h; models/iopath_*.c):
 * an emulated request pays one world switch per register access that exits
 * to the device model and one for its completion, a virtio batch one for its
 * kick and one for its completion; a type I profile (hosted 0) pays none
 * whatever its world switch; the other paths never pay one.  Then an
 * I/O-bound guest on the engine: its I/O cycles and its time per request
 * grow by exactly the world switches.  Every expected value follows by hand
 * from the quantities the test's profiles set (written to temporary files
 * that fall back to generic-x86-2020). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/io.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

/* The quantities every profile of this file sets: a request's register
 * accesses, the world switch and a virtio batch, so the expected extras are
 * literal: emulated (8 + 1) x 10000, virtio 2 x 10000 / 4 per segment. */
#define EXITS 8.0
#define WORLD 10000.0
#define BATCH 4.0

/* A profile named hosted-test-`tag` falling back to generic-x86-2020 with
 * the quantities above and hypervisor.hosted `hosted` (-1: the fallback's
 * hosted key and world switch, type I), as YAML text in buf. */
static void profile_text(char *buf, size_t cap, const char *tag, int hosted) {
  int n = snprintf(buf, cap,
                   "profile:\n  name: hosted-test-%s\n  description: test\n  fallback: generic-x86-2020\n"
                   "quantities:\n"
                   "  io.emulated.exits_per_request: {value: %g, source: test}\n"
                   "  io.virtio.batch: {value: %g, source: test}\n",
                   tag, EXITS, BATCH);
  if (hosted >= 0)
    snprintf(buf + n, cap - (size_t)n,
             "  hypervisor.hosted: {value: %d, source: test}\n"
             "  hypervisor.world_switch: {value: %g cycles, source: test}\n",
             hosted, WORLD);
}

/* The profile of hypervisor.hosted `hosted` (see profile_text); the test
 * fails when it does not load. */
static sim_profile *load_profile(const char *tag, int hosted) {
  char text[1024];
  profile_text(text, sizeof text, tag, hosted);
  return fx_profile_text(text);
}

/* ---- the cost of one request, path by path ---- */

/* The requests each path is priced for: a 4 KiB disk request, a one-segment
 * network message and a four-segment one (200 kB over 64 KiB segments). */
static const struct {
  io_class cls;
  uint64_t bytes;
  double segments;
} requests[] = {{IO_CLASS_DISK, 4096, 1}, {IO_CLASS_NET, 200, 1}, {IO_CLASS_NET, 200000, 4}};
#define N_REQUESTS (sizeof requests / sizeof requests[0])

/* Type II = type I + (exits + 1) world switches per emulated request (per
 * segment), + 2 / batch per virtio request (per segment); backend work and
 * latency unchanged. */
static void test_hosted_request_costs(void) {
  sim_profile *type1 = load_profile("type1", 0), *type2 = load_profile("type2", 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(type1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(type2);
  sim_diag d;
  sim_diag_init(&d);
  for (size_t r = 0; r < N_REQUESTS; r++) {
    iopath_cost e1, e2, v1, v2;
    CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(&iopath_emulated_ops, type1, requests[r].cls,
                                                   requests[r].bytes, &e1, &d), 0);
    CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(&iopath_emulated_ops, type2, requests[r].cls,
                                                   requests[r].bytes, &e2, &d), 0);
    CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(&iopath_virtio_ops, type1, requests[r].cls,
                                                   requests[r].bytes, &v1, &d), 0);
    CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(&iopath_virtio_ops, type2, requests[r].cls,
                                                   requests[r].bytes, &v2, &d), 0);
    double n = requests[r].segments;
    CU_ASSERT_DOUBLE_EQUAL(e2.guest_cycles - e1.guest_cycles, n * 90000.0, 1e-6);
    CU_ASSERT_DOUBLE_EQUAL(v2.guest_cycles - v1.guest_cycles, n * 5000.0, 1e-6);
    CU_ASSERT_EQUAL(e2.backend_ns, e1.backend_ns);
    CU_ASSERT_EQUAL(e2.latency_ns, e1.latency_ns);
    CU_ASSERT_EQUAL(v2.backend_ns, v1.backend_ns);
    CU_ASSERT_EQUAL(v2.latency_ns, v1.latency_ns);
  }
  /* pv (Xen is type I), the container paths, passthrough and native have no
   * exit to a host OS: the same cost under either profile */
  const iopath_ops *others[] = {&iopath_pv_ops, &iopath_bridge_ops, &iopath_nat_ops, &iopath_passthrough_ops,
                                &iopath_native_ops};
  for (size_t o = 0; o < sizeof others / sizeof others[0]; o++)
    for (size_t r = 0; r < N_REQUESTS; r++) {
      iopath_cost c1, c2;
      CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(others[o], type1, requests[r].cls,
                                                     requests[r].bytes, &c1, &d), 0);
      CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(others[o], type2, requests[r].cls,
                                                     requests[r].bytes, &c2, &d), 0);
      CU_ASSERT(memcmp(&c1, &c2, sizeof c1) == 0);
    }
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_diag_clear(&d);
  sim_profile_free(type1);
  sim_profile_free(type2);
}

/* hosted 0 with a world switch of 10000 cycles costs, bit for bit, what
 * the fallback's type I profile (hosted 0, its own world switch) costs. */
static void test_type1_pays_nothing(void) {
  sim_profile *type1 = load_profile("type1", 0), *fallback = load_profile("fallback", -1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(type1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(fallback);
  sim_diag d;
  sim_diag_init(&d);
  double hosted = -1, world = 0;
  CU_ASSERT_EQUAL(sim_profile_get(fallback, "hypervisor.hosted", &hosted, NULL), 0);
  CU_ASSERT_EQUAL(sim_profile_get(fallback, "hypervisor.world_switch", &world, NULL), 0);
  CU_ASSERT(hosted == 0 && world > 0 && world != WORLD);
  const iopath_ops *paths[] = {&iopath_emulated_ops, &iopath_virtio_ops};
  for (size_t o = 0; o < 2; o++)
    for (size_t r = 0; r < N_REQUESTS; r++) {
      iopath_cost a, b;
      CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(paths[o], type1, requests[r].cls,
                                                     requests[r].bytes, &a, &d), 0);
      CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(paths[o], fallback, requests[r].cls,
                                                     requests[r].bytes, &b, &d), 0);
      CU_ASSERT(memcmp(&a, &b, sizeof a) == 0);
    }
  sim_diag_clear(&d);
  sim_profile_free(type1);
  sim_profile_free(fallback);
}

/* A profile without the hosted keys: an error naming the path and the key. */
static void test_missing_key(void) {
  sim_diag d;
  sim_diag_init(&d);
  iopath_cost c;
  CU_ASSERT(iopath_cost_from_profile(&iopath_emulated_ops, NULL, IO_CLASS_DISK, 4096, &c, &d) < 0);
  CU_ASSERT(d.errors > 0);
  sim_diag_clear(&d);
}

/* ---- an I/O-bound guest on the engine ---- */

/* One guest alone on a 2-core host, its reads one at a time (io_window 0:
 * the vCPU waits for each), no instructions besides the I/O path's (so no
 * host timer interrupt is charged beside them): each unit costs the path's
 * guest cycles, then the device model's work on the other core, then the
 * disk. */
static const char *const guest_scenario =
    "name: hosted-io\n"
    "simulation: {record: {events: false, series: false}}\n"
    "calibration: %s\n"
    "host_types:\n"
    "  h: {cores: 2, clock: 3 GHz, memory: 16 GiB, scheduler: cfs,\n"
    "      disks: [{name: ssd, iops: 1000000, bandwidth: 4 GB/s, latency: 20 us, queue_depth: 64}]}\n"
    "hosts: [{name: h0, type: h}]\n"
    "workloads:\n"
    "  io: {phases: [{units: %u, ops: {disk: {reads: 1, request_size: 4 KiB, random: true}}}]}\n"
    "guests:\n"
    "  - {name: io, technique: %s, io_path: %s, memory: 2 GiB, host: h0, workload: io}\n";

#define UNITS 2000u

typedef struct guest_result {
  double time_s;     /* s: time_to_complete_s */
  double rate;       /* 1/s: throughput_units_per_s */
  double cycles_io;  /* cycles: cycles_io */
  double requests;   /* io/guests requests */
} guest_result;

/* Runs the guest of `technique` on `path` on the profile of hosted
 * `hosted`.  0, or nonzero with the diagnostics printed. */
static int run_guest(const char *technique, const char *path, int hosted, guest_result *out) {
  char profile[1024], text[4096];
  const char *tag = hosted ? "run2" : "run1";
  profile_text(profile, sizeof profile, tag, hosted);
  char calibration[64];
  snprintf(calibration, sizeof calibration, "hosted-test-%s", tag);
  snprintf(text, sizeof text, guest_scenario, calibration, UNITS, technique, path);
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  int rc = fx_run_text_shipped("hosted-io", profile, "hosted-io", text, &cfg, &run);
  if (rc == 0) {
    *out = (guest_result){fx_col(run.r, "summary/guests", "time_to_complete_s", 0),
                          fx_col(run.r, "summary/guests", "throughput_units_per_s", 0),
                          fx_col(run.r, "summary/guests", "cycles_io", 0), fx_col(run.r, "io/guests", "requests", 0)};
    if (isnan(out->time_s) || isnan(out->rate) || isnan(out->cycles_io) || isnan(out->requests)) rc = -1;
  }
  fx_run_close(&run);
  return rc;
}

/* Type II costs the guest's vCPU (exits + 1) x world switch = 90000 cycles
 * more per request, 30 us at 3 GHz; the vCPU waits for each request, so
 * every request takes 30 us longer and the throughput drops from
 * 1 / t1 to 1 / (t1 + 30 us), t1 the type I time per request. */
static void hosted_guest_case(const char *technique) {
  guest_result r1, r2;
  CU_ASSERT_EQUAL_FATAL(run_guest(technique, "emulated", 0, &r1), 0);
  CU_ASSERT_EQUAL_FATAL(run_guest(technique, "emulated", 1, &r2), 0);
  CU_ASSERT_EQUAL(r1.requests, UNITS);
  CU_ASSERT_EQUAL(r2.requests, UNITS);
  CU_ASSERT_DOUBLE_EQUAL(r2.cycles_io - r1.cycles_io, UNITS * 90000.0, 1e-6 * r2.cycles_io);
  double extra_s = 90000.0 / 3e9;
  CU_ASSERT_DOUBLE_EQUAL(r2.time_s - r1.time_s, UNITS * extra_s, 1e-3 * UNITS * extra_s);
  double t1 = r1.time_s / UNITS;
  CU_ASSERT_DOUBLE_EQUAL(r2.rate, 1.0 / (t1 + extra_s), 1e-3 * r2.rate);
  CU_ASSERT(r2.rate < r1.rate);
  /* type I, by hand: the path's guest cycles (native 15000 + 8 x (600 +
   * 15000) + interrupt 1500 = 141300, 47.1 us), the device model (20 us),
   * the disk (20 us + 4 KiB at 4 GB/s = 21.024 us): 88.124 us a request,
   * within 0.1 % (the vCPU's wake-ups, the run's last request) */
  CU_ASSERT_DOUBLE_EQUAL(t1, 88.124e-6, 1e-3 * 88.124e-6);
}

static void test_hosted_guest_hvm(void) { hosted_guest_case("hvm"); }
static void test_hosted_guest_bt(void) { hosted_guest_case("bt"); }

int register_tests(void) {
  static const test_case tests[] = {
      {"type II: (exits + 1) world switches per emulated request, 2 per virtio batch", test_hosted_request_costs},
      {"type I: no world switch, bit for bit", test_type1_pays_nothing},
      {"a profile without the hosted keys is an error", test_missing_key},
      {"an I/O-bound hvm guest: type II slower by the world switches", test_hosted_guest_hvm},
      {"an I/O-bound bt guest: type II slower by the world switches", test_hosted_guest_bt},
      {NULL, NULL},
  };
  return add_suite("hosted_io", tests);
}
