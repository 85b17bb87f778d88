/* tests/test_io.c: shared disks and NICs (FCFS and fair queueing) and the
 * cost of each I/O path (models/io.h).  Devices run on a real event loop;
 * every expected time follows by hand from the device parameters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/io.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

#define MAXR 256

typedef struct log_t {
  size_t n;                /* completions */
  uint64_t tag[MAXR];      /* in order */
  sim_time at[MAXR];       /* when */
} log_t;

static void on_done(void *ctx, uint64_t tag, sim_time now) {
  log_t *l = ctx;
  if (l->n < MAXR) {
    l->tag[l->n] = tag;
    l->at[l->n] = now;
  }
  l->n++;
}

/* One random 4 KiB read alone: latency + 1/iops; a full queue sustains the
 * IOPS; a sequential read is bounded by bandwidth. */
static void test_disk_service(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  sim_disk_spec spec = {.name = "d", .iops = 100000, .bandwidth_Bps = 100e6, .latency_ns = 80000,
                        .queue_depth = 32};
  io_device *d = io_disk_new(loop, &spec, IO_FCFS, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  log_t l = {0};
  CU_ASSERT_EQUAL(io_submit(d, 0, 1, 4096, true, on_done, &l, 1), 0);
  sim_loop_run(loop, SIM_TIME_MAX);
  CU_ASSERT_EQUAL(l.n, 1);
  /* 80 us + max(10 us, 4096 B / 100 MB/s = 40.96 us) */
  CU_ASSERT_EQUAL(l.at[0], 80000 + 40960);
  /* 200 random 512 B reads: the transfer stage at 1/iops = 10 us each */
  memset(&l, 0, sizeof l);
  sim_time t0 = sim_loop_now(loop);
  for (uint64_t i = 0; i < 200; i++) CU_ASSERT_EQUAL(io_submit(d, 0, 1, 512, true, on_done, &l, i), 0);
  CU_ASSERT_EQUAL(io_outstanding(d), 200);
  sim_loop_run(loop, SIM_TIME_MAX);
  CU_ASSERT_EQUAL(l.n, 200);
  CU_ASSERT_EQUAL(io_outstanding(d), 0);
  double iops = 199.0 / ((double)(l.at[199] - l.at[0]) * 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(iops, 100000, 1000);
  for (size_t i = 0; i < 200; i++) CU_ASSERT_EQUAL(l.tag[i], i); /* FCFS */
  CU_ASSERT(l.at[0] - t0 >= 80000 + 10000);
  io_device_free(d);
  sim_loop_free(loop);
}

/* A NIC: one frame at a time at line rate, then the wire latency. */
static void test_nic_line_rate(void) {
  sim_loop *loop = sim_loop_new();
  sim_nic_spec spec = {.name = "n", .bandwidth_bps = 10e9, .latency_ns = 20000};
  io_device *n = io_nic_new(loop, &spec, IO_FCFS, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(n);
  log_t l = {0};
  for (uint64_t i = 0; i < 100; i++) CU_ASSERT_EQUAL(io_submit(n, 0, 1, 125000, false, on_done, &l, i), 0);
  sim_loop_run(loop, SIM_TIME_MAX);
  CU_ASSERT_EQUAL(l.n, 100);
  /* 125 kB at 10 Gbit/s = 100 us each, + 20 us wire latency */
  CU_ASSERT_EQUAL(l.at[0], 100000 + 20000);
  CU_ASSERT_EQUAL(l.at[99], 100 * 100000 + 20000);
  io_device_free(n);
  sim_loop_free(loop);
}

/* A heavy flow floods the NIC with 100 frames, then a light flow sends one:
 * FCFS makes it wait behind all of them, fair queueing serves it next. */
static sim_time light_latency(io_queueing q) {
  sim_loop *loop = sim_loop_new();
  sim_nic_spec spec = {.name = "n", .bandwidth_bps = 8e9}; /* 1 byte per ns */
  io_device *n = io_nic_new(loop, &spec, q, 0);
  log_t heavy = {0}, light = {0};
  for (uint64_t i = 0; i < 100; i++) io_submit(n, 1, 1, 10000, false, on_done, &heavy, i);
  io_submit(n, 2, 1, 10000, false, on_done, &light, 0);
  sim_loop_run(loop, SIM_TIME_MAX);
  sim_time t = light.n == 1 && heavy.n == 100 ? light.at[0] : -1;
  io_device_free(n);
  sim_loop_free(loop);
  return t;
}

static void test_fair_queueing(void) {
  sim_time fcfs = light_latency(IO_FCFS), fair = light_latency(IO_FAIR);
  CU_ASSERT_EQUAL(fcfs, 101 * 10000);
  CU_ASSERT(fair > 0 && fair <= 2 * 10000); /* right after the frame in service */
}

/* Two backlogged flows of weights 1 and 3 share a disk 1:3 under fair
 * queueing, 1:1 (by arrival) under FCFS. */
static void test_fair_weights(void) {
  for (int q = 0; q < 2; q++) {
    sim_loop *loop = sim_loop_new();
    sim_disk_spec spec = {.name = "d", .bandwidth_Bps = 1e9, .queue_depth = 1};
    io_device *d = io_disk_new(loop, &spec, q ? IO_FAIR : IO_FCFS, 0);
    log_t l = {0};
    for (uint64_t i = 0; i < 100; i++) {
      io_submit(d, 1, 1, 1000, false, on_done, &l, 0);
      io_submit(d, 2, 3, 1000, false, on_done, &l, 1);
    }
    sim_loop_run(loop, SIM_TIME_MAX);
    int first[2] = {0, 0}; /* completions by flow among the first 80 */
    for (size_t i = 0; i < 80; i++) first[l.tag[i]]++;
    if (q) {
      CU_ASSERT(first[1] >= 3 * first[0] - 4 && first[1] <= 3 * first[0] + 4);
    } else {
      CU_ASSERT_EQUAL(first[0], first[1]);
    }
    io_device_free(d);
    sim_loop_free(loop);
  }
}

/* Allocation failures of a submission leave nothing queued. */
static void test_submit_oom(void) {
  sim_loop *loop = sim_loop_new();
  sim_nic_spec spec = {.name = "n", .bandwidth_bps = 1e9};
  io_device *n = io_nic_new(loop, &spec, IO_FAIR, 0);
  log_t l = {0};
  int failures = 0;
  for (int k = 1; k <= 4; k++) {
    sim_fault_arm(SIM_FAULT_ALLOC, 1); /* the first allocation of this new flow's submission */
    if (io_submit(n, (uint32_t)k, 1, 100, false, on_done, &l, 0) < 0) failures++;
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
  }
  CU_ASSERT(failures > 0);
  sim_loop_run(loop, SIM_TIME_MAX);
  CU_ASSERT_EQUAL(l.n, 4 - (size_t)failures);
  CU_ASSERT_EQUAL(io_outstanding(n), 0);
  io_device_free(n);
  sim_loop_free(loop);
}

/* The paths from the shipped profile: passthrough and bridge stay near
 * native; virtio, PV and emulation cost more CPU; NAT costs more than the
 * bridge; emulation exits most. */
static void test_path_costs(void) {
  sim_profile *p = NULL;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), "generic-x86-2020", &p, &d), 0);
  static const char *const names[] = {"native", "passthrough", "bridge", "nat", "virtio", "pv", "emulated"};
  iopath_cost c[7], n[7];
  for (int i = 0; i < 7; i++) {
    const model_entry *me = model_find(MODEL_IO_PATH, names[i]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(me);
    const iopath_ops *ops = me->ops;
    CU_ASSERT_STRING_EQUAL(ops->name, names[i]);
    CU_ASSERT_EQUAL(iopath_cost_from_profile(ops, p, IO_CLASS_DISK, 4096, &c[i], &d), 0);
    CU_ASSERT_EQUAL(iopath_cost_from_profile(ops, p, IO_CLASS_NET, 200, &n[i], &d), 0);
  }
  /* native: no backend, no added latency */
  CU_ASSERT(c[0].guest_cycles > 0 && c[0].backend_ns == 0 && c[0].latency_ns == 0);
  /* containers: the native disk path; the network pays the bridge, NAT more */
  CU_ASSERT_DOUBLE_EQUAL(c[2].guest_cycles, c[0].guest_cycles, 1e-9);
  CU_ASSERT(n[2].backend_ns > 0 && n[3].backend_ns > n[2].backend_ns);
  /* passthrough: native work plus interrupt remapping */
  CU_ASSERT(c[1].backend_ns == 0 && c[1].latency_ns > 0 && c[1].guest_cycles >= c[0].guest_cycles);
  /* virtio and PV: backends; emulation: the most guest CPU (exits) */
  CU_ASSERT(c[4].backend_ns > 0 && c[5].backend_ns > 0);
  for (int i = 0; i < 6; i++) CU_ASSERT(c[6].guest_cycles > c[i].guest_cycles);
  /* a 64 KiB segment is one; 200 kB are four */
  iopath_cost big;
  CU_ASSERT_EQUAL(iopath_cost_from_profile(&iopath_nat_ops, p, IO_CLASS_NET, 200000, &big, &d), 0);
  CU_ASSERT_DOUBLE_EQUAL(big.backend_ns, 4 * n[3].backend_ns, 1e-6);
  /* a profile without the quantities: an error naming the path */
  sim_profile_free(p);
  CU_ASSERT_EQUAL(iopath_cost_from_profile(&iopath_virtio_ops, NULL, IO_CLASS_DISK, 4096, &big, &d) < 0, 1);
  CU_ASSERT(d.errors > 0);
  sim_diag_clear(&d);
}

/* ---- the container paths' softirq work on the host's cores ---- */

/* A Redis-like service (64 B requests, 128 B responses, 5000 instructions
 * each) with `clients` requests in flight, natively, on the bridge and
 * behind NAT, each on a host of its own with the format's cores and the
 * [FE14] testbed's calibration. */
static const char *const kv_scenario =
    "name: kv\n"
    "simulation: {record: {events: false, series: false}}\n"
    "calibration: xeon-e5-2014\n"
    "host_types:\n"
    "  h: {cores: %u, clock: 2.4 GHz, memory: 64 GiB, scheduler: credit,\n"
    "      nics: [{name: eth0, bandwidth: 9.41 Gbit/s, latency: 15.6 us}]}\n"
    "hosts: [{name: h0, type: h}, {name: h1, type: h}, {name: h2, type: h}]\n"
    "workloads:\n"
    "  kv: {phases: [{units: 20000, io_window: %u,\n"
    "        ops: {instructions: 5000, net: {messages: 1, tx: 64 B, rx: 128 B}}}]}\n"
    "guests:\n"
    "  - {name: a-native, technique: native, io_path: native, memory: 1 GiB, host: h0, workload: kv}\n"
    "  - {name: b-bridge, technique: container, io_path: bridge, memory: 1 GiB, host: h1, workload: kv}\n"
    "  - {name: c-nat, technique: container, io_path: nat, memory: 1 GiB, host: h2, workload: kv}\n";

/* Runs scenario `text` (messages name it `name`) on the calibration profile
 * it names, and reads columns cols[0..nc-1] of `table`, whose rows must be
 * the guests rows[0..nr-1] in some order: out[c][k] is column c of rows[k].
 * 0, or nonzero with the diagnostics printed. */
static int run_columns(const char *name, const char *text, const char *table, const char *const *cols, size_t nc,
                       const char *const *rows, size_t nr, double **out) {
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  int rc = fx_run_scenario("io", name, text, &cfg, NULL, &run);
  char **names = NULL;
  size_t nn = 0;
  if (rc == 0 && (rc = sim_result_column_str(run.r, table, "name", &names, &nn)) == 0 && nn != nr) rc = -1;
  for (size_t c = 0; c < nc && rc == 0; c++) {
    double *v = NULL;
    size_t n = 0;
    rc = sim_result_column_f64(run.r, table, cols[c], &v, &n);
    if (rc == 0 && n != nn) rc = -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
      size_t k = 0;
      while (k < nr && strcmp(names[i], rows[k])) k++;
      if (k == nr)
        rc = -1;
      else
        out[c][k] = v[i];
    }
    sim_free(v);
  }
  if (names) sim_result_free_strings(names, nn);
  fx_run_close(&run);
  return rc;
}

/* The profile's per-segment costs of the container paths (ns): the CPU
 * work and the latency of the bridge and of NAT. */
typedef struct kv_costs {
  double bridge_cpu, bridge_wait, nat_cpu, nat_wait;
} kv_costs;

/* Runs kv_scenario; fills io/guests' requests_per_s and mean_latency_s of
 * the native, bridge and NAT guests (in that order), and the profile's
 * bridge and NAT costs per segment.  0 or negative. */
static int run_kv(unsigned cores, unsigned clients, double rps[3], double lat[3], kv_costs *k) {
  char text[2048];
  snprintf(text, sizeof text, kv_scenario, cores, clients);
  static const char *const cols[] = {"requests_per_s", "mean_latency_s"};
  static const char *const rows[] = {"a-native", "b-bridge", "c-nat"};
  double *out[] = {rps, lat};
  int rc = run_columns("kv.yaml", text, "io/guests", cols, 2, rows, 3, out);
  sim_profile *prof = fx_shipped_profile("xeon-e5-2014"); /* kv_scenario's calibration */
  if (rc == 0) rc = sim_profile_get(prof, "io.bridge.per_segment", &k->bridge_cpu, NULL);
  if (rc == 0) rc = sim_profile_get(prof, "io.bridge.latency", &k->bridge_wait, NULL);
  if (rc == 0) rc = sim_profile_get(prof, "io.nat.per_segment", &k->nat_cpu, NULL);
  if (rc == 0) rc = sim_profile_get(prof, "io.nat.latency", &k->nat_wait, NULL);
  sim_profile_free(prof);
  return rc;
}

/* The container paths' backend is the host's softirq; the others' a thread
 * of the guest's own. */
static void test_softirq_paths(void) {
  CU_ASSERT(iopath_in_softirq(&iopath_bridge_ops));
  CU_ASSERT(iopath_in_softirq(&iopath_nat_ops));
  const iopath_ops *own[] = {&iopath_native_ops, &iopath_emulated_ops, &iopath_pv_ops, &iopath_virtio_ops,
                             &iopath_passthrough_ops};
  for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) CU_ASSERT(!iopath_in_softirq(own[i]));
}

/* Utilisation (summary/hosts) of kv_scenario's three hosts, h0 (native),
 * h1 (bridge), h2 (NAT).  0 or negative. */
static int run_kv_util(unsigned cores, unsigned clients, double util[3]) {
  char text[2048];
  snprintf(text, sizeof text, kv_scenario, cores, clients);
  static const char *const cols[] = {"utilisation"};
  static const char *const rows[] = {"h0", "h1", "h2"};
  double *out[] = {util};
  return run_columns("kv-util.yaml", text, "summary/hosts", cols, 1, rows, 3, out);
}

/* No more requests in flight than cores: a message seldom waits for a
 * core's softirq (on average well under a ns), so a request's latency is
 * the native one plus the per-packet costs of its request and its response
 * (one segment each), CPU and latency alike, and NAT about doubles the
 * bridge's and the native latency as [FE14] sec. IV.C's round trip (2
 * within 10 %, io_fe14_rr_docker_nat_doubles).  With its few requests in
 * flight, the longer round trip costs the service throughput: NAT less
 * than the bridge, the bridge less than native. */
static void test_nat_latency_per_packet(void) {
  double rps[3], lat[3];
  kv_costs k;
  CU_ASSERT_EQUAL_FATAL(run_kv(4, 4, rps, lat, &k), 0);
  double bridge = k.bridge_cpu + k.bridge_wait, nat = k.nat_cpu + k.nat_wait;
  CU_ASSERT_DOUBLE_EQUAL(lat[1] - lat[0], 2 * bridge * 1e-9, 1e-10);
  CU_ASSERT_DOUBLE_EQUAL(lat[2] - lat[0], 2 * (bridge + nat) * 1e-9, 1e-10);
  CU_ASSERT(lat[2] / lat[0] >= 1.8 && lat[2] / lat[0] <= 2.2);
  CU_ASSERT(lat[2] / lat[1] >= 1.8 && lat[2] / lat[1] <= 2.2);
  /* the window holds the service: each path's added latency costs it throughput */
  CU_ASSERT(rps[2] < rps[1] && rps[1] < rps[0]);
}

/* The split of a container path's cost per segment on the [FE14]
 * testbed's profile: the CPU parts (io.bridge.per_segment,
 * io.nat.per_segment) are backend work on the host's cores, the waits
 * (io.bridge.latency, io.nat.latency) latency without CPU; the bridge pays
 * no NAT, a disk request neither; and the NAT wait fitted to [FE14]'s
 * doubled round trip outweighs the rest. */
static void test_nat_latency_takes_no_cpu(void) {
  sim_profile *p = NULL;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), "xeon-e5-2014", &p, &d), 0);
  iopath_cost c;
  CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(&iopath_nat_ops, p, IO_CLASS_NET, 200, &c, &d), 0);
  double br_cpu, br_wait, nat_cpu, nat_wait;
  CU_ASSERT_EQUAL_FATAL(sim_profile_get(p, "io.bridge.per_segment", &br_cpu, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(sim_profile_get(p, "io.bridge.latency", &br_wait, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(sim_profile_get(p, "io.nat.per_segment", &nat_cpu, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(sim_profile_get(p, "io.nat.latency", &nat_wait, NULL), 0);
  /* one segment: the CPU parts are backend work, the waits latency */
  CU_ASSERT_DOUBLE_EQUAL(c.backend_ns, br_cpu + nat_cpu, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(c.latency_ns, br_wait + nat_wait, 1e-9);
  /* the bridge pays no NAT; disk requests neither */
  CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(&iopath_bridge_ops, p, IO_CLASS_NET, 200, &c, &d), 0);
  CU_ASSERT_DOUBLE_EQUAL(c.backend_ns, br_cpu, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(c.latency_ns, br_wait, 1e-9);
  CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(&iopath_nat_ops, p, IO_CLASS_DISK, 4096, &c, &d), 0);
  CU_ASSERT(c.backend_ns == 0 && c.latency_ns == 0);
  /* the fitted latency is most of the NAT'd segment's cost, its CPU the least */
  CU_ASSERT(nat_wait > nat_cpu + br_cpu + br_wait);
  sim_profile_free(p);
  sim_diag_clear(&d);
}

/* 16 clients: on one core the softirq and the service's vCPU share that
 * core, which is then always busy (and never more than busy), so the NAT'd
 * service gets one request per the native service time plus the softirq
 * work of a request and its response (within 10 %), and its latency
 * exceeds the one on four cores, where the responses' softirq runs beside
 * the vCPU and the service is faster.  The native guest does not depend on
 * the cores; the bridge's work is light: with four cores its cores are
 * never all busy. */
static void test_nat_scales_with_cores(void) {
  double r1[3], l1[3], r4[3], l4[3], r4light[3], l4light[3], u1[3];
  kv_costs k;
  CU_ASSERT_EQUAL_FATAL(run_kv(1, 16, r1, l1, &k), 0);
  CU_ASSERT_EQUAL_FATAL(run_kv(4, 16, r4, l4, &k), 0);
  CU_ASSERT_EQUAL_FATAL(run_kv(4, 4, r4light, l4light, &k), 0);
  CU_ASSERT_EQUAL_FATAL(run_kv_util(1, 16, u1), 0);
  double one_core = 1e9 / (1e9 / r1[0] + 2 * (k.bridge_cpu + k.nat_cpu));
  CU_ASSERT(r1[2] < 1.1 * one_core && r1[2] > 0.9 * one_core);
  CU_ASSERT(u1[2] > 0.8 && u1[2] <= 1 + 1e-9);
  CU_ASSERT(r4[2] > 1.05 * r1[2]);
  CU_ASSERT(l1[2] > l4[2]);
  CU_ASSERT_EQUAL(r1[0], r4[0]);
  CU_ASSERT_EQUAL(l1[0], l4[0]);
  CU_ASSERT_DOUBLE_EQUAL(l4[1], l4light[1], 1e-12);
}

/* ---- the engine's I/O window ---- */

/* A bulk stream (64 KiB sends, 64 B acknowledgements) and a request/response
 * exchange on hosts of their own, each with a 10 Gbit/s NIC of 20 us wire
 * latency; the stream's io_window is the format's argument. */
static const char *const window_scenario =
    "name: window\n"
    "simulation: {record: {events: false, series: false}}\n"
    "calibration: generic-x86-2020\n"
    "host_types:\n"
    "  h: {cores: 2, clock: 3 GHz, memory: 16 GiB, scheduler: credit,\n"
    "      nics: [{name: eth0, bandwidth: 10 Gbit/s, latency: 20 us}]}\n"
    "hosts: [{name: h0, type: h}, {name: h1, type: h}]\n"
    "workloads:\n"
    "  stream: {phases: [{units: 2000, io_window: %u,\n"
    "            ops: {instructions: 1000, net: {messages: 1, tx: 64 KiB, rx: 64 B}}}]}\n"
    "  rr: {phases: [{units: 500, ops: {instructions: 2000, net: {messages: 1, tx: 100 B, rx: 200 B}}}]}\n"
    "guests:\n"
    "  - {name: bulk, technique: native, io_path: native, memory: 1 GiB, host: h0, workload: stream}\n"
    "  - {name: r, technique: native, io_path: native, memory: 1 GiB, host: h1, workload: rr}\n";

/* Runs window_scenario with the stream's window; fills io/guests' bits_per_s,
 * mean_latency_s and requests of bulk and r. */
static int run_window(unsigned window, double bps[2], double lat[2], double req[2]) {
  char text[2048];
  snprintf(text, sizeof text, window_scenario, window);
  static const char *const cols[] = {"bits_per_s", "mean_latency_s", "requests"};
  static const char *const rows[] = {"bulk", "r"};
  double *out[] = {bps, lat, req};
  return run_columns("window.yaml", text, "io/guests", cols, 3, rows, 2, out);
}

/* With a window of 64 sends the stream's protocol work overlaps the wire and
 * it reaches the NIC's rate within 1%; with window 0 every send waits for its
 * acknowledgement (a round trip of two wire latencies) and it stays far below.
 * The request/response guest, window 0, is the same in both runs. */
static void test_io_window(void) {
  double b0[2] = {0}, l0[2] = {0}, q0[2] = {0}, b64[2] = {0}, l64[2] = {0}, q64[2] = {0};
  CU_ASSERT_EQUAL_FATAL(run_window(0, b0, l0, q0), 0);
  CU_ASSERT_EQUAL_FATAL(run_window(64, b64, l64, q64), 0);
  CU_ASSERT_DOUBLE_EQUAL(q0[0], 2000, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(q64[0], 2000, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(b64[0], 10e9, 0.01 * 10e9);
  /* serialised: at least 52 us on the wire + 2 x 20 us latency per 64 KiB */
  CU_ASSERT(b0[0] < 0.6 * 10e9);
  /* queued behind up to 64 sends, a send's latency grows */
  CU_ASSERT(l64[0] > 10 * l0[0]);
  /* request/response: identical, one exchange at a time (>= 2 x 20 us) */
  CU_ASSERT_DOUBLE_EQUAL(q0[1], 500, 1e-9);
  CU_ASSERT_EQUAL(q64[1], q0[1]);
  CU_ASSERT_EQUAL(b64[1], b0[1]);
  CU_ASSERT_EQUAL(l64[1], l0[1]);
  CU_ASSERT(l0[1] >= 40e-6);
}

/* ---- relative_to_native of I/O-bound work ---- */

/* Web-like work (system calls, a network exchange, disk reads and writes)
 * request-driven as in scenarios/web-latency.yaml and phase-driven (a
 * request/response phase, then a pipelined one at half CPU demand), under
 * native, PV, HVM with EPT (virtio) and a container (bridge).  Each
 * technique has a host of its own, whose disk and NIC its two guests share,
 * and two more native guests share a host of theirs. */
static const char *const native_io_scenario =
    "name: native-io\n"
    "simulation: {duration: 2 s, seed: 7, record: {events: false, series: false}}\n"
    "calibration: generic-x86-2020\n"
    "host_types:\n"
    "  h: {cores: 4, clock: 3 GHz, memory: 32 GiB, scheduler: credit,\n"
    "      nics: [{name: eth0, bandwidth: 1 Gbit/s, latency: 20 us}],\n"
    "      disks: [{name: ssd, iops: 20000, bandwidth: 200 MB/s, latency: 80 us, queue_depth: 8}]}\n"
    "hosts: [{name: h-nat, type: h}, {name: h-pv, type: h}, {name: h-hvm, type: h},\n"
    "        {name: h-ct, type: h}, {name: h-shared, type: h}]\n"
    "workloads:\n"
    "  web:\n"
    "    requests:\n"
    "      ops:\n"
    "        instructions: {dist: lognormal, mean: 600k, sd: 450k}\n"
    "        cpi: 1.2\n"
    "        syscalls: {dist: uniform, min: 10, max: 40}\n"
    "        net: {messages: 1, tx: {dist: lognormal, mean: 8 KiB, sd: 6 KiB}, rx: 600 B}\n"
    "        disk: {reads: {dist: exponential, mean: 0.3}, request_size: 4 KiB}\n"
    "      arrivals: {process: poisson, rate: 2000/s}\n"
    "  phased:\n"
    "    repeat: true\n"
    "    phases:\n"
    "      - {units: 2000, ops: {instructions: 200k, syscalls: 20,\n"
    "         net: {messages: 1, tx: 4 KiB, rx: 600 B}, disk: {reads: 0.5, writes: 0.2, request_size: 4 KiB}}}\n"
    "      - {units: 2000, io_window: 4, cpu_demand: 50%,\n"
    "         ops: {instructions: 100k, syscalls: 5, net: {messages: 1, tx: 16 KiB, rx: 64 B},\n"
    "               disk: {writes: 1, request_size: 16 KiB}}}\n"
    "guests:\n"
    "  - {name: req-native, technique: native, io_path: native, vcpus: 2, memory: 2 GiB, host: h-nat, workload: web, streams: web}\n"
    "  - {name: ph-native, technique: native, io_path: native, vcpus: 1, memory: 2 GiB, host: h-nat, workload: phased}\n"
    "  - {name: req-pv, technique: pv, io_path: pv, vcpus: 2, memory: 2 GiB, host: h-pv, workload: web, streams: web}\n"
    "  - {name: ph-pv, technique: pv, io_path: pv, vcpus: 1, memory: 2 GiB, host: h-pv, workload: phased}\n"
    "  - {name: req-hvm, technique: hvm-ept, io_path: virtio, vcpus: 2, memory: 2 GiB, host: h-hvm, workload: web, streams: web}\n"
    "  - {name: ph-hvm, technique: hvm-ept, io_path: virtio, vcpus: 1, memory: 2 GiB, host: h-hvm, workload: phased}\n"
    "  - {name: req-ct, technique: container, io_path: bridge, vcpus: 2, memory: 2 GiB, host: h-ct, workload: web, streams: web}\n"
    "  - {name: ph-ct, technique: container, io_path: bridge, vcpus: 1, memory: 2 GiB, host: h-ct, workload: phased}\n"
    "  - {name: shared-a, technique: native, io_path: native, vcpus: 1, memory: 2 GiB, host: h-shared, workload: phased}\n"
    "  - {name: shared-b, technique: native, io_path: native, vcpus: 1, memory: 2 GiB, host: h-shared, workload: phased}\n";

enum { NATIVE_IO_GUESTS = 10 };

static const char *const native_io_guests[NATIVE_IO_GUESTS] = {
    "req-native", "ph-native", "req-pv", "ph-pv", "req-hvm",
    "ph-hvm",     "req-ct",    "ph-ct",  "shared-a", "shared-b"};

/* Runs native_io_scenario; fills relative_to_native and units of its
 * guests, in scenario order (native_io_guests). */
static int run_native_io(double rel[NATIVE_IO_GUESTS], double units[NATIVE_IO_GUESTS]) {
  static const char *const cols[] = {"relative_to_native", "units"};
  double *out[] = {rel, units};
  return run_columns("native-io.yaml", native_io_scenario, "summary/guests", cols, 2, native_io_guests,
                     NATIVE_IO_GUESTS, out);
}

/* The native twin of a guest does the same work on the same devices under
 * the same load, its I/O included: a native guest is its own twin, 1 within
 * 1% whether it serves requests, runs phases, waits for its I/O or
 * pipelines it, alone or sharing its devices.  The other techniques' I/O
 * costs more than native (exits, backends, added latency), so they fall
 * below it, and so below 1. */
static void test_native_io_relative(void) {
  double rel[NATIVE_IO_GUESTS] = {0}, units[NATIVE_IO_GUESTS] = {0};
  CU_ASSERT_EQUAL_FATAL(run_native_io(rel, units), 0);
  enum { REQ_NATIVE, PH_NATIVE, REQ_PV, PH_PV, REQ_HVM, PH_HVM, REQ_CT, PH_CT, SHARED_A, SHARED_B };
  for (int i = 0; i < NATIVE_IO_GUESTS; i++) CU_ASSERT(units[i] > 100); /* each did real work */
  int natives[] = {REQ_NATIVE, PH_NATIVE, SHARED_A, SHARED_B};
  for (int k = 0; k < 4; k++) CU_ASSERT_DOUBLE_EQUAL(rel[natives[k]], 1.0, 0.01);
  /* below native: a container's bridge a little, split drivers and virtio
   * (exits, a backend per request) by more than 2% */
  int req[] = {REQ_PV, REQ_HVM, REQ_CT}, ph[] = {PH_PV, PH_HVM, PH_CT};
  for (int k = 0; k < 3; k++) {
    CU_ASSERT(rel[req[k]] > 0.05 && rel[req[k]] < rel[REQ_NATIVE]);
    CU_ASSERT(rel[ph[k]] > 0.05 && rel[ph[k]] < rel[PH_NATIVE]);
  }
  CU_ASSERT(rel[REQ_PV] < 0.98 && rel[REQ_HVM] < 0.98 && rel[PH_PV] < 0.98 && rel[PH_HVM] < 0.98);
  CU_ASSERT(rel[REQ_PV] < rel[REQ_CT] && rel[REQ_HVM] < rel[REQ_CT]);
  CU_ASSERT(rel[PH_PV] < rel[PH_CT] && rel[PH_HVM] < rel[PH_CT]);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"disk service: latency, IOPS, FCFS order", test_disk_service},
      {"NIC line rate and wire latency", test_nic_line_rate},
      {"fair queueing serves a light flow first", test_fair_queueing},
      {"fair queueing by weight", test_fair_weights},
      {"allocation failures on submit", test_submit_oom},
      {"I/O path costs", test_path_costs},
      {"bridge and NAT work in the host's softirq", test_softirq_paths},
      {"NAT adds its per-packet cost to a request's latency", test_nat_latency_per_packet},
      {"a NAT'd service's throughput scales with the host's cores", test_nat_scales_with_cores},
      {"a container path's latency takes no CPU", test_nat_latency_takes_no_cpu},
      {"an I/O window pipelines a stream, not request/response", test_io_window},
      {"relative_to_native of I/O-bound work: native is 1", test_native_io_relative},
      {NULL, NULL},
  };
  return add_suite("io", tests);
}
