/* tests/test_io_tables.c: the I/O paths' quantities read once
 * (iopath_ops.load, models/io.h) and the requests priced from them.
 * A table priced (iopath_ops.price) gives what the path's formula gives
 * from the profile's quantities read directly; a scenario's guests, each
 * registered with a profile of its own, are priced from their own profile
 * and never from another guest's or a stale one; a missing quantity fails
 * at registration with the path's message; and the keys a run takes from a
 * fallback profile are those registration read, in that order, however
 * many requests are priced after it.
 * Units: cycles (guest), ns (backend, latency). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/io.h"
#include "models/registry.h"
#include "sim/loop.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

/* The scenario `text` (the test fails when it does not load). */
static sim_scenario *scenario(const char *text) {
  char msg[512];
  int line = 0, col = 0;
  sim_scenario *sc = fx_load_text("io-tables.yaml", text, msg, sizeof msg, &line, &col);
  if (!sc) fprintf(stderr, "io-tables.yaml:%d:%d: %s\n", line, col, msg);
  return sc;
}

/* A quantity of p read directly (the test fails when it is absent). */
static double q(const sim_profile *p, const char *key) {
  double v = NAN;
  CU_ASSERT_EQUAL(sim_profile_get(p, key, &v, NULL), 0);
  return v;
}

/* The cost of one request through path `name`, by the formulas of
 * models/iopath_*.c from quantities read straight from p. */
static iopath_cost direct_cost(const char *name, const sim_profile *p, io_class cls, uint64_t bytes) {
  bool net = cls == IO_CLASS_NET;
  double n = 1;
  if (net) {
    n = ceil((double)bytes / q(p, "net.segment"));
    if (n < 1) n = 1;
  }
  iopath_cost c = {net ? q(p, "io.native.net_segment") * n : q(p, "io.native.disk_request"), 0, 0};
  double world = q(p, "hypervisor.hosted") != 0 ? q(p, "hypervisor.world_switch") : 0;
  if (!strcmp(name, "emulated")) {
    double exits = q(p, "io.emulated.exits_per_request");
    c.guest_cycles += n * (exits * (q(p, "hvm.exit.roundtrip") + q(p, "hvm.exit.user")) + q(p, "hvm.exit.interrupt"));
    c.guest_cycles += n * (exits + 1) * world;
    c.backend_ns = n * q(p, "io.emulated.device_model");
  } else if (!strcmp(name, "virtio")) {
    double batch = fmax(1, q(p, "io.virtio.batch"));
    c.guest_cycles += n * (q(p, "hvm.exit.roundtrip") + q(p, "hvm.exit.interrupt")) / batch;
    c.guest_cycles += n * 2 * world / batch;
    c.backend_ns = n * q(p, net ? "io.virtio.net_backend" : "io.virtio.disk_backend");
    c.latency_ns = 2 * q(p, "io.virtio.notify_latency");
  } else if (!strcmp(name, "pv")) {
    double batch = fmax(1, q(p, "io.pv.batch"));
    c.guest_cycles += n * (q(p, "io.pv.ring_per_request") + q(p, "pv.hypercall") / batch);
    c.backend_ns = n * q(p, "io.pv.backend_per_request");
    c.latency_ns = 2 * q(p, "io.pv.event_latency");
  } else if (!strcmp(name, "passthrough")) {
    c.guest_cycles += n * q(p, "io.passthrough.interrupt_exits") * q(p, "hvm.exit.interrupt");
    c.latency_ns = n * q(p, "io.passthrough.interrupt_remap");
  } else if (net && (!strcmp(name, "bridge") || !strcmp(name, "nat"))) {
    bool nat = !strcmp(name, "nat");
    c.backend_ns = n * (q(p, "io.bridge.per_segment") + (nat ? q(p, "io.nat.per_segment") : 0));
    c.latency_ns = n * (q(p, "io.bridge.latency") + (nat ? q(p, "io.nat.latency") : 0));
  }
  return c;
}

static void assert_same_cost(iopath_cost a, iopath_cost b) {
  CU_ASSERT_DOUBLE_EQUAL(a.guest_cycles, b.guest_cycles, 1e-9 * fabs(b.guest_cycles));
  CU_ASSERT_DOUBLE_EQUAL(a.backend_ns, b.backend_ns, 1e-9 * fabs(b.backend_ns));
  CU_ASSERT_DOUBLE_EQUAL(a.latency_ns, b.latency_ns, 1e-9 * fabs(b.latency_ns));
}

/* A type II profile: every path's quantity of generic-x86-2020 but the
 * hosted hypervisor's and three of the paths' own, so its prices differ. */
static const char *const hosted_profile =
    "profile: {name: io-tables-hosted, description: test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  hypervisor.hosted: {value: 1, source: test}\n"
    "  hypervisor.world_switch: {value: 12345 cycles, source: test}\n"
    "  io.virtio.batch: {value: 3, source: test}\n"
    "  io.virtio.disk_backend: {value: 7777 ns, source: test}\n"
    "  io.pv.event_latency: {value: 4321 ns, source: test}\n";

static const struct {
  io_class cls;
  uint64_t bytes;
} requests[] = {{IO_CLASS_DISK, 4096}, {IO_CLASS_DISK, 1 << 20}, {IO_CLASS_NET, 200}, {IO_CLASS_NET, 200000}};

/* Every path of the catalog on three profiles: its table priced is its
 * formula on the profile's quantities. */
static void test_tables_price_as_the_profile(void) {
  sim_profile *profiles[] = {fx_shipped_profile("generic-x86-2020"), fx_shipped_profile("xeon-e5-2014"),
                             fx_profile_text(hosted_profile)};
  static const char *const names[] = {"native", "passthrough", "bridge", "nat", "virtio", "pv", "emulated"};
  for (size_t pi = 0; pi < 3; pi++) {
    CU_ASSERT_PTR_NOT_NULL_FATAL(profiles[pi]);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
      const model_entry *me = model_find(MODEL_IO_PATH, names[i]);
      CU_ASSERT_PTR_NOT_NULL_FATAL(me);
      const iopath_ops *ops = me->ops;
      for (size_t r = 0; r < sizeof requests / sizeof requests[0]; r++) {
        sim_diag d;
        sim_diag_init(&d);
        iopath_table t;
        iopath_cost priced, via_cost;
        CU_ASSERT_EQUAL_FATAL(ops->load(profiles[pi], requests[r].cls, &t, &d), 0);
        ops->price(&t, requests[r].cls, requests[r].bytes, &priced);
        CU_ASSERT_EQUAL_FATAL(iopath_cost_from_profile(ops, profiles[pi], requests[r].cls,
                                                       requests[r].bytes, &via_cost, &d), 0);
        iopath_cost direct = direct_cost(names[i], profiles[pi], requests[r].cls, requests[r].bytes);
        assert_same_cost(priced, direct);
        assert_same_cost(via_cost, direct);
        sim_diag_clear(&d);
      }
    }
  }
  /* the hosted profile prices virtio and emulated differently: a table of
   * one profile used for the other would show */
  iopath_cost a = direct_cost("virtio", profiles[0], IO_CLASS_DISK, 4096);
  iopath_cost b = direct_cost("virtio", profiles[2], IO_CLASS_DISK, 4096);
  CU_ASSERT(a.guest_cycles != b.guest_cycles && a.backend_ns != b.backend_ns);
  for (size_t pi = 0; pi < 3; pi++) sim_profile_free(profiles[pi]);
}

/* Two guests on virtio doing disk and network I/O, each on a host of its
 * own. */
static const char *const two_guests =
    "name: io-tables\n"
    "simulation: {duration: 1 s, record: {events: false, series: false}}\n"
    "calibration: generic-x86-2020\n"
    "host_types:\n"
    "  h: {cores: 2, clock: 3 GHz, memory: 8 GiB,\n"
    "      nics: [{name: eth0, bandwidth: 1 Gbit/s, latency: 20 us}],\n"
    "      disks: [{name: ssd, iops: 20000, bandwidth: 200 MB/s, latency: 80 us, queue_depth: 8}]}\n"
    "hosts: [{name: a, type: h}, {name: b, type: h}]\n"
    "workloads:\n"
    "  io:\n"
    "    phases:\n"
    "      - {units: 100, ops: {instructions: 100k, net: {messages: 1, tx: 200 KB, rx: 600 B},\n"
    "         disk: {reads: 0.5, writes: 0.25, request_size: 16 KiB}}}\n"
    "guests:\n"
    "  - {name: ga, technique: hvm-ept, io_path: virtio, vcpus: 1, memory: 1 GiB, host: a, workload: io}\n"
    "  - {name: gb, technique: hvm-ept, io_path: virtio, vcpus: 1, memory: 1 GiB, host: b, workload: io}\n";

/* A unit of ph through `path` priced from p directly: its cycles and its
 * path time as io_unit_cycles and io_unit_path_ns count them. */
static void direct_unit(const char *path, const sim_profile *p, const sim_phase *ph, double *cycles,
                        double *path_ns) {
  iopath_cost d = direct_cost(path, p, IO_CLASS_DISK, ph->disk_request_bytes);
  iopath_cost tx = direct_cost(path, p, IO_CLASS_NET, ph->net_tx_bytes);
  iopath_cost rx = direct_cost(path, p, IO_CLASS_NET, ph->net_rx_bytes);
  double disks = ph->disk_reads + ph->disk_writes;
  *cycles = disks * d.guest_cycles + ph->net_messages * (tx.guest_cycles + rx.guest_cycles);
  *path_ns = disks * (double)(llround(d.backend_ns) + llround(d.latency_ns)) +
             ph->net_messages * (double)(llround(tx.backend_ns + rx.backend_ns) +
                                         llround(tx.latency_ns + rx.latency_ns));
}

/* Each guest priced from its own profile, its path and the native one
 * apart, however often asked and in whatever order. */
static void test_guests_priced_from_their_own_profile(void) {
  sim_scenario *sc = scenario(two_guests);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
  sim_profile *profiles[2] = {fx_shipped_profile("generic-x86-2020"), fx_profile_text(hosted_profile)};
  sim_loop *loop = sim_loop_new();
  io_model *m = io_model_new(loop, sc, NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  sim_diag d;
  sim_diag_init(&d);
  for (uint32_t g = 0; g < 2; g++)
    CU_ASSERT_EQUAL_FATAL(io_model_add_guest(m, g, profiles[g], &iopath_virtio_ops, &iopath_native_ops, -1, &d), 0);
  const sim_phase *ph = sim_workload_phase_body(&sc->workloads[0], 0);
  for (int round = 0; round < 3; round++) {
    for (uint32_t g = 0; g < 2; g++) {
      uint32_t gi = round == 1 ? 1 - g : g; /* the other order too */
      for (int native = 0; native < 2; native++) {
        double cycles, path_ns;
        direct_unit(native ? "native" : "virtio", profiles[gi], ph, &cycles, &path_ns);
        CU_ASSERT_DOUBLE_EQUAL(io_unit_cycles(m, gi, ph, native), cycles, 1e-9 * cycles);
        CU_ASSERT_DOUBLE_EQUAL(io_unit_path_ns(m, gi, ph, native), path_ns, 1e-9 * path_ns);
      }
    }
  }
  /* the two profiles price virtio differently, so a shared table shows */
  CU_ASSERT(io_unit_cycles(m, 0, ph, false) != io_unit_cycles(m, 1, ph, false));
  CU_ASSERT(io_unit_path_ns(m, 0, ph, false) != io_unit_path_ns(m, 1, ph, false));
  io_model_free(m);
  sim_loop_free(loop);
  for (int i = 0; i < 2; i++) sim_profile_free(profiles[i]);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

/* A profile lacking io.virtio.batch: registration fails with the path's
 * message, as loading the path's table alone does. */
static void test_missing_quantity_fails_at_registration(void) {
  sim_scenario *sc = scenario(two_guests);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
  sim_profile *p = fx_profile_text("profile: {name: io-tables-bare, description: test}\n"
                                   "quantities:\n"
                                   "  io.fair_queueing: 1\n"
                                   "  io.native.disk_request: 5000 cycles\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  sim_loop *loop = sim_loop_new();
  io_model *m = io_model_new(loop, sc, NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  static const char *const message = "I/O path 'virtio': calibration profile 'io-tables-bare' has no 'io.virtio.batch'";
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT(io_model_add_guest(m, 0, p, &iopath_virtio_ops, &iopath_native_ops, -1, &d) < 0);
  CU_ASSERT_EQUAL_FATAL(d.errors, 1);
  CU_ASSERT_STRING_EQUAL(d.entries[0].message, message);
  sim_diag_clear(&d);
  iopath_table t;
  CU_ASSERT(iopath_virtio_ops.load(p, IO_CLASS_DISK, &t, &d) < 0);
  CU_ASSERT_EQUAL_FATAL(d.errors, 1);
  CU_ASSERT_STRING_EQUAL(d.entries[0].message, message);
  sim_diag_clear(&d);
  io_model_free(m);
  sim_loop_free(loop);
  sim_profile_free(p);
  sim_scenario_free(sc);
}

/* A profile with none of the I/O quantities takes them all from its
 * fallback: the record lists the keys registration read, in the order the
 * paths read them, and pricing requests afterwards adds none. */
static void test_fallback_keys_are_read_at_registration(void) {
  sim_scenario *sc = scenario(two_guests);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
  sim_profile *p = fx_profile_text("profile: {name: io-tables-empty, description: test, fallback: generic-x86-2020}\n"
                                   "quantities:\n"
                                   "  cpu.clock: 3 GHz\n");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  sim_loop *loop = sim_loop_new();
  io_model *m = io_model_new(loop, sc, NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(io_model_add_guest(m, 0, p, &iopath_virtio_ops, &iopath_native_ops, -1, &d), 0);
  static const char *const expected[] = {
      "io.fair_queueing",         "io.native.disk_request", "io.virtio.batch",
      "io.virtio.disk_backend",   "io.virtio.notify_latency", "hvm.exit.roundtrip",
      "hvm.exit.interrupt",       "hypervisor.hosted",      "hypervisor.world_switch",
      "io.native.net_segment",    "net.segment",            "io.virtio.net_backend"};
  enum { N_EXPECTED = sizeof expected / sizeof expected[0] };
  const char **keys = NULL;
  size_t n = sim_profile_fallback_keys(p, &keys);
  CU_ASSERT_EQUAL_FATAL(n, N_EXPECTED);
  for (size_t i = 0; i < N_EXPECTED; i++) CU_ASSERT_STRING_EQUAL(keys[i], expected[i]);
  const sim_phase *ph = sim_workload_phase_body(&sc->workloads[0], 0);
  for (int native = 0; native < 2; native++) {
    CU_ASSERT(io_unit_cycles(m, 0, ph, native) > 0);
    CU_ASSERT(io_unit_path_ns(m, 0, ph, native) >= 0);
  }
  CU_ASSERT_EQUAL(sim_profile_fallback_keys(p, &keys), N_EXPECTED);
  io_model_free(m);
  sim_loop_free(loop);
  sim_profile_free(p);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"a path's table priced is its formula on the profile", test_tables_price_as_the_profile},
      {"each guest priced from its own profile, not a stale one", test_guests_priced_from_their_own_profile},
      {"a missing quantity fails at registration with its message", test_missing_quantity_fails_at_registration},
      {"fallback keys are those registration read, in order", test_fallback_keys_are_read_at_registration},
      {NULL, NULL}};
  return add_suite("io tables", tests);
}
