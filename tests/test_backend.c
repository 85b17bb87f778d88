/* tests/test_backend.c: I/O back ends as work on the host's cores
 * (models/backend.h): a host never delivers more CPU than its cores have,
 * back-end work takes CPU from a CPU-bound neighbour, and the driver
 * domain's weight and cap act under Xen's credit scheduler.  Each case runs
 * a small scenario through the engine on a calibration profile derived from
 * generic-x86-2020 (written to a temporary file) and reads its results. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

/* A run's results: what the cases read. */
typedef struct bk_result {
  double guest_cpu_s[2];  /* s: CPU time of guests "io" and "cpu" (their cycles at the clock) */
  double backend_cpu_s;   /* s: io/guests backend_cpu_s of guest "io" */
  double host_busy_s;     /* s: summary/hosts busy_s of the only host */
  double entities_cpu_s;  /* s: io/backends cpu_s summed (0 without the table) */
  double dom0_cpu_s;      /* s: io/backends cpu_s of the dom0 rows */
} bk_result;

/* The clock of every host in these scenarios, Hz. */
#define HOST_CLOCK_HZ 3e9

/* CPU seconds of guest `row`: all its cycles at the hosts' clock. */
static double guest_cpu(sim_result *r, const char *row) {
  return fx_cell(r, "summary/guests", row, "cycles_total") / HOST_CLOCK_HZ;
}

/* Runs scenario `text` (a format with %s for its calibration) on a profile
 * falling back to generic-x86-2020 with the quantities `extra` (lines
 * "  key: {value: ..., source: test}"); fills *out.  0, or nonzero with the
 * diagnostics printed. */
static int run_backend(const char *name, const char *text, const char *extra, bk_result *out) {
  char profile[2048], scen[4096];
  snprintf(profile, sizeof profile,
           "profile:\n  name: backend-test\n  description: test\n  fallback: generic-x86-2020\n"
           "quantities:\n%s",
           *extra ? extra : "  io.dom0.weight: {value: 256, source: test}\n");
  snprintf(scen, sizeof scen, text, "backend-test");
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  int rc = fx_run_text_shipped("backend", profile, name, scen, &cfg, &run);
  sim_result *r = run.r;
  if (rc == 0) {
    *out = (bk_result){{guest_cpu(r, "io"), guest_cpu(r, "cpu")},
                       fx_cell(r, "io/guests", "io", "backend_cpu_s"),
                       fx_cell(r, "summary/hosts", "h0", "busy_s"),
                       0,
                       0};
    char **names = NULL, **kinds = NULL;
    size_t nn = 0, nk = 0, n = 0;
    double *v = NULL;
    if (sim_result_column_str(r, "io/backends", "name", &names, &nn) == 0 &&
        sim_result_column_str(r, "io/backends", "kind", &kinds, &nk) == 0 &&
        sim_result_column_f64(r, "io/backends", "cpu_s", &v, &n) == 0 && n == nn && n == nk)
      for (size_t i = 0; i < n; i++) {
        out->entities_cpu_s += v[i];
        if (!strcmp(kinds[i], "dom0")) out->dom0_cpu_s += v[i];
      }
    if (names) sim_result_free_strings(names, nn);
    if (kinds) sim_result_free_strings(kinds, nk);
    sim_free(v);
    if (isnan(out->guest_cpu_s[0]) || isnan(out->backend_cpu_s) || isnan(out->host_busy_s)) rc = -1;
  }
  fx_run_close(&run);
  return rc;
}

/* ---- a 1-core host delivers at most 1 CPU-second per second ---- */

/* An I/O-heavy guest alone on one core for 2 s, its random reads pipelined
 * (32 in flight) so that it never waits for them: the vCPU would use the
 * whole core, and its back end (dom0 under credit, QEMU's I/O thread under
 * CFS) wants most of one more. */
static const char *const one_core_scenario =
    "name: one-core\n"
    "simulation: {duration: 2 s, record: {events: false, series: false}}\n"
    "calibration: %%s\n"
    "host_types:\n"
    "  h: {cores: 1, clock: 3 GHz, memory: 16 GiB, scheduler: %s, fidelity: %s,\n"
    "      allow_overcommit: true,\n"
    "      disks: [{name: ssd, iops: 1000000, bandwidth: 4 GB/s, latency: 20 us, queue_depth: 64}]}\n"
    "hosts: [{name: h0, type: h}]\n"
    "workloads:\n"
    "  io: {repeat: true, phases: [{units: 100000, io_window: 32,\n"
    "       ops: {instructions: 3000, disk: {reads: 1, request_size: 4 KiB, random: true}}}]}\n"
    "guests:\n"
    "  - {name: io, technique: %s, io_path: %s, memory: 2 GiB, host: h0, workload: io}\n";

static void one_core_case(const char *sched, const char *fidelity, const char *technique, const char *path) {
  char text[2048];
  snprintf(text, sizeof text, one_core_scenario, sched, fidelity, technique, path);
  bk_result r;
  CU_ASSERT_EQUAL_FATAL(run_backend("one-core", text, "", &r), 0);
  /* the back end did real work, the guest too */
  CU_ASSERT(r.backend_cpu_s > 0.3);
  CU_ASSERT(r.guest_cpu_s[0] > 0.3);
  /* vCPU plus back end: at most the core's 2 CPU-seconds */
  CU_ASSERT(r.guest_cpu_s[0] + r.backend_cpu_s <= 2.0 + 1e-6);
  CU_ASSERT(r.host_busy_s <= 2.0 + 1e-6);
  /* the host's busy time is the vCPU's and the back end's */
  CU_ASSERT_DOUBLE_EQUAL(r.host_busy_s, r.guest_cpu_s[0] + r.entities_cpu_s, 1e-3);
  CU_ASSERT(r.backend_cpu_s <= r.entities_cpu_s + 1e-9);
}

static void test_one_core_pv_credit(void) { one_core_case("credit", "quantum", "pv", "pv"); }
static void test_one_core_virtio_cfs(void) { one_core_case("cfs", "quantum", "hvm-ept", "virtio"); }
static void test_one_core_fluid(void) {
  one_core_case("credit", "fluid", "pv", "pv");
  one_core_case("cfs", "fluid", "hvm-ept", "emulated");
}

/* ---- a costlier back end lowers a CPU-bound neighbour's share ---- */

/* On one core: guest "io" exchanges request/response disk reads (one at a
 * time: it waits for each), guest "cpu" only computes.  The back end's cost
 * per request is the profile's (the run's argument). */
static const char *const neighbour_scenario =
    "name: neighbour\n"
    "simulation: {duration: 2 s, record: {events: false, series: false}}\n"
    "calibration: %%s\n"
    "host_types:\n"
    "  h: {cores: 1, clock: 3 GHz, memory: 16 GiB, scheduler: %s, fidelity: %s,\n"
    "      allow_overcommit: true,\n"
    "      disks: [{name: ssd, iops: 1000000, bandwidth: 4 GB/s, latency: 20 us, queue_depth: 64}]}\n"
    "hosts: [{name: h0, type: h}]\n"
    "workloads:\n"
    "  io: {repeat: true, phases: [{units: 100000, io_window: %u,\n"
    "       ops: {instructions: 3000, disk: {reads: 1, request_size: 4 KiB, random: true}}}]}\n"
    "  cpu: {repeat: true, phases: [{units: 1000, ops: {instructions: 10M}}]}\n"
    "guests:\n"
    "  - {name: io, technique: %s, io_path: %s, memory: 2 GiB, host: h0, workload: io}\n"
    "  - {name: cpu, technique: %s, io_path: %s, memory: 2 GiB, host: h0, workload: cpu}\n";

/* The CPU-bound neighbour's share of the core (CPU-s per s) with back-end
 * cost `extra` (profile lines); the run's results in *out when not NULL. */
static double neighbour_share(const char *sched, const char *fidelity, const char *technique, const char *path,
                              unsigned window, const char *extra, bk_result *out) {
  char text[4096];
  snprintf(text, sizeof text, neighbour_scenario, sched, fidelity, window, technique, path, technique, path);
  bk_result r;
  if (run_backend("neighbour", text, extra, &r) != 0) return NAN;
  if (out) *out = r;
  return r.guest_cpu_s[1] / 2.0;
}

static void neighbour_case(const char *sched, const char *fidelity, const char *technique, const char *path,
                           const char *cheap, const char *costly) {
  bk_result rc, rx;
  double s_cheap = neighbour_share(sched, fidelity, technique, path, 0, cheap, &rc);
  double s_costly = neighbour_share(sched, fidelity, technique, path, 0, costly, &rx);
  CU_ASSERT_FATAL(!isnan(s_cheap) && !isnan(s_costly));
  /* the costlier back end took more CPU, and took it from the neighbour */
  CU_ASSERT(rx.entities_cpu_s > 2 * rc.entities_cpu_s);
  CU_ASSERT(s_costly < s_cheap - 0.02);
  /* the core is shared, never exceeded */
  CU_ASSERT(rx.host_busy_s <= 2.0 + 1e-6 && rc.host_busy_s <= 2.0 + 1e-6);
}

/* Under credit2 (Xen's default scheduler since 4.12). */
static void test_neighbour_pv_credit2(void) {
  neighbour_case("credit2", "quantum", "pv", "pv", "  io.pv.backend_per_request: {value: 2 us, source: test}\n",
                 "  io.pv.backend_per_request: {value: 60 us, source: test}\n");
}
static void test_neighbour_virtio_cfs(void) {
  neighbour_case("cfs", "quantum", "hvm-ept", "virtio", "  io.virtio.disk_backend: {value: 2 us, source: test}\n",
                 "  io.virtio.disk_backend: {value: 60 us, source: test}\n");
}
static void test_neighbour_fluid(void) {
  neighbour_case("credit", "fluid", "pv", "pv", "  io.pv.backend_per_request: {value: 2 us, source: test}\n",
                 "  io.pv.backend_per_request: {value: 60 us, source: test}\n");
}

/* ---- dom0's weight and cap under credit ---- */

/* The pipelined I/O guest (32 requests in flight) keeps dom0 busy: dom0
 * competes with the neighbour by its weight (credit's weights at fidelity
 * fluid, where they set the shares exactly), and its cap bounds it (credit,
 * both fidelities). */
static void test_dom0_weight_cap(void) {
  static const char *const cost = "  io.pv.backend_per_request: {value: 30 us, source: test}\n";
  char light[512], heavy[512], capped[512];
  snprintf(light, sizeof light, "%s  io.dom0.weight: {value: 64, source: test}\n", cost);
  snprintf(heavy, sizeof heavy, "%s  io.dom0.weight: {value: 4096, source: test}\n", cost);
  snprintf(capped, sizeof capped, "%s  io.dom0.cap: {value: 0.1, source: test}\n", cost);
  bk_result r_light = {0}, r_base = {0}, r_heavy = {0};
  double s_light = neighbour_share("credit", "fluid", "pv", "pv", 32, light, &r_light);
  double s_base = neighbour_share("credit", "fluid", "pv", "pv", 32, cost, &r_base);
  double s_heavy = neighbour_share("credit", "fluid", "pv", "pv", 32, heavy, &r_heavy);
  CU_ASSERT_FATAL(!isnan(s_light) && !isnan(s_base) && !isnan(s_heavy));
  /* a heavier dom0 takes more of the core, the neighbour gets less */
  CU_ASSERT(r_light.dom0_cpu_s < r_base.dom0_cpu_s - 0.1 && r_base.dom0_cpu_s < r_heavy.dom0_cpu_s - 0.1);
  CU_ASSERT(s_light > s_base + 0.05 && s_base > s_heavy + 0.05);
  /* a capped dom0 gets at most its cap (0.1 CPU over 2 s; quantum: within
   * a slice), the neighbour more than beside an uncapped one */
  static const char *const fidelities[] = {"quantum", "fluid"};
  for (size_t f = 0; f < 2; f++) {
    bk_result r_free = {0}, r_capped = {0};
    double s_free = neighbour_share("credit", fidelities[f], "pv", "pv", 32, cost, &r_free);
    double s_capped = neighbour_share("credit", fidelities[f], "pv", "pv", 32, capped, &r_capped);
    CU_ASSERT_FATAL(!isnan(s_free) && !isnan(s_capped));
    CU_ASSERT(r_capped.dom0_cpu_s <= 0.1 * 2 + 0.03);
    CU_ASSERT(r_capped.dom0_cpu_s < r_free.dom0_cpu_s - 0.03);
    CU_ASSERT(s_capped > s_free + 0.02);
  }
}

/* ---- a bad dom0 in the profile ---- */

static void test_dom0_bad_profile(void) {
  char text[4096];
  snprintf(text, sizeof text, neighbour_scenario, "credit", "quantum", 0u, "pv", "pv", "pv", "pv");
  bk_result r;
  CU_ASSERT(run_backend("bad-dom0", text, "  io.dom0.vcpus: {value: 2, source: test}\n", &r) != 0);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"1 core: vCPU + dom0 (credit) at most 1 CPU-s per s", test_one_core_pv_credit},
      {"1 core: vCPU + QEMU I/O thread (CFS) at most 1 CPU-s per s", test_one_core_virtio_cfs},
      {"1 core, fluid: vCPU + back end at most 1 CPU-s per s", test_one_core_fluid},
      {"a costlier dom0 lowers a CPU-bound neighbour's share (credit2)", test_neighbour_pv_credit2},
      {"a costlier I/O thread lowers a CPU-bound neighbour's share (CFS)", test_neighbour_virtio_cfs},
      {"a costlier back end lowers a neighbour's share (fluid)", test_neighbour_fluid},
      {"dom0's weight and cap act under credit", test_dom0_weight_cap},
      {"dom0 with more vCPUs than the host has cores is refused", test_dom0_bad_profile},
      {NULL, NULL},
  };
  return add_suite("backend", tests);
}
