/* tests/test_provision.c: images and provisioning (sim/scenario_images.c,
 * models/engine_provision.c) against hand-computed cases: pulls serialised
 * on a host's registry link, unpacks in layer order (decompression and disk
 * write overlapped), a per-host layer cache shared between images, layers
 * in flight for an earlier guest, pre-pulled hosts, a VM's boot run through
 * its technique before its workload; and the loader's keys. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "sim/alloc.h"
#include "sim/recorder.h"
#include "sim/image.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

#define NEAR(a, b) CU_ASSERT_DOUBLE_EQUAL(a, b, 1e-9 * (fabs((double)(b)) + 1))

/* The quantities the hand computations use, given explicitly. */
static const char profile[] =
    "profile: {name: provision-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  sched.tick: {value: 10 ms, source: test}\n"
    "  provision.unpack_cycles_per_byte: {value: 10 cycles, source: test}\n"
    "  provision.overlay_mount: {value: 5 ms, source: test}\n"
    "  container.namespace_create: {value: 2 ms, source: test}\n"
    "  container.cgroup_enter: {value: 50 us, source: test}\n";

/* Hosts of 1 GHz with a 1 Gbit/s NIC (below the registry's 2 Gbit/s) and a
 * 200 MB/s disk; a registry round trip of 1 ms.
 *   a-cold (h0, t 0, img1: L1 10 MB -> 20 MB, L2 1 MB -> 50 MB):
 *     L1 pulled 0.001 + 0.080 = 0.081; unpacked max(0.2 cpu, 0.1 disk) -> 0.281
 *     L2 pulled 0.081 + 0.009 = 0.090; unpacked from 0.281, max(0.5, 0.25) -> 0.781
 *     mount 5 ms: provisioned 0.786; set-up 2.05 ms: ready 0.78805
 *   b-share (h0, t 0, after a-cold: img2: L1, L3 2 MB -> 10 MB):
 *     L1 on its way (ready 0.281): cached; L3 pulled 0.090 + 0.017 = 0.107,
 *     unpacked after the host's last unpack (0.781), max(0.1, 0.05) -> 0.881
 *     provisioned 0.886
 *   c-warm (h0, t 10 s, img1): both cached, provisioned 10.005
 *   d-pre (h1, img1 pre-pulled there): nothing pulled, provisioned 0.005
 *   e-vm (h2, vm image 100 MB): pulled 0.801, copied 0.5 s -> provisioned
 *     1.301; then its boot, then its workload, each costing hvm-ept what it
 *     costs f-boot and g-w, which run them alone on hosts of their own
 *     (1e9 and 1e8 plain instructions at 1 GHz, plus hvm-ept's timer exits). */
static const char scenario[] =
    "name: provision\n"
    "registry: {bandwidth: 2 Gbit/s, latency: 1 ms}\n"
    "host_types:\n"
    "  t: {cores: 8, clock: 1 GHz, memory: 64 GiB, nics: [{name: eth0, bandwidth: 1 Gbit/s}],\n"
    "      disks: [{name: d, iops: 10000, bandwidth: 200 MB/s}]}\n"
    "hosts: [{name: h0, type: t}, {name: h1, type: t}, {name: h2, type: t}, {name: h3, type: t},\n"
    "        {name: h4, type: t}]\n"
    "workloads:\n"
    "  w: {phases: [{units: 1, ops: {instructions: 100000000}}]}\n"
    "  boot: {phases: [{name: kernel, units: 1, ops: {instructions: 1000000000}}]}\n"
    "images:\n"
    "  img1: {kind: container, prepull: [h1], layers: [{digest: L1, size: 10 MB, unpacked: 20 MB},\n"
    "                                   {digest: L2, size: 1 MB, unpacked: 50 MB, parent: L1}]}\n"
    "  img2: {kind: container, layers: [{digest: L1, size: 10 MB, unpacked: 20 MB},\n"
    "                                   {digest: L3, size: 2 MB, unpacked: 10 MB}]}\n"
    "  vm: {kind: vm, size: 100 MB, boot: boot}\n"
    "guests:\n"
    "  - {name: a-cold, technique: container, host: h0, image: img1, workload: w}\n"
    "  - {name: b-share, technique: container, host: h0, image: img2, workload: w}\n"
    "  - {name: c-warm, technique: container, host: h0, image: img1, workload: w, start: 10 s}\n"
    "  - {name: d-pre, technique: container, host: h1, image: img1, workload: w}\n"
    "  - {name: e-vm, technique: hvm-ept, host: h2, image: vm, workload: w}\n"
    "  - {name: f-boot, technique: hvm-ept, host: h3, workload: boot}\n"
    "  - {name: g-w, technique: hvm-ept, host: h4, workload: w}\n";

/* Runs scenario `text` with the catalog's techniques (the container's and
 * hvm-ept's set-up and charges are part of what is computed) under the
 * profile above; as fx_run_text otherwise. */
static int run_text(const char *name, const char *text, fx_run *o) {
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  return fx_run_text_shipped("test-provision", profile, name, text, &cfg, o);
}

static void test_hand_computed(void) {
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(run_text("provision.yaml", scenario, &o), 0);
  const char *T = "summary/provisioning";
  size_t rows = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_table_rows(o.r, T, &rows), 0);
  CU_ASSERT_EQUAL_FATAL(rows, 5);
  /* rows in guest order: a-cold, b-share, c-warm, d-pre, e-vm */
  NEAR(fx_col(o.r, T, "layers_pulled", 0), 2);
  NEAR(fx_col(o.r, T, "layers_cached", 0), 0);
  NEAR(fx_col(o.r, T, "pull_s", 0), 0.090);
  NEAR(fx_col(o.r, T, "unpack_s", 0), 0.7);
  NEAR(fx_col(o.r, T, "mount_s", 0), 0.005);
  NEAR(fx_col(o.r, T, "provisioned_s", 0), 0.786);
  NEAR(fx_col(o.r, T, "boot_s", 0), 0.00205);
  NEAR(fx_col(o.r, T, "ready_s", 0), 0.78805);
  NEAR(fx_col(o.r, T, "layers_pulled", 1), 1);
  NEAR(fx_col(o.r, T, "layers_cached", 1), 1);
  NEAR(fx_col(o.r, T, "pull_s", 1), 0.017);
  NEAR(fx_col(o.r, T, "unpack_s", 1), 0.1);
  NEAR(fx_col(o.r, T, "provisioned_s", 1), 0.886);
  NEAR(fx_col(o.r, T, "layers_pulled", 2), 0);
  NEAR(fx_col(o.r, T, "layers_cached", 2), 2);
  NEAR(fx_col(o.r, T, "provisioned_s", 2), 0.005);
  NEAR(fx_col(o.r, T, "ready_s", 2), 0.00705);
  NEAR(fx_col(o.r, T, "layers_pulled", 3), 0);
  NEAR(fx_col(o.r, T, "provisioned_s", 3), 0.005);
  NEAR(fx_col(o.r, T, "layers_pulled", 4), 1);
  NEAR(fx_col(o.r, T, "pull_s", 4), 0.801);
  NEAR(fx_col(o.r, T, "unpack_s", 4), 0.5);
  NEAR(fx_col(o.r, T, "mount_s", 4), 0);
  NEAR(fx_col(o.r, T, "provisioned_s", 4), 1.301);
  /* the boot is charged by the technique as the same phases alone are */
  double boot_alone = fx_col(o.r, "summary/guests", "time_to_complete_s", 5);
  double work_alone = fx_col(o.r, "summary/guests", "time_to_complete_s", 6);
  CU_ASSERT(boot_alone > 1.0 && boot_alone < 1.05); /* 1e9 cycles, and hvm-ept's exits */
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, T, "boot_s", 4), boot_alone, 1e-6);
  NEAR(fx_col(o.r, T, "ready_s", 4), fx_col(o.r, T, "provisioned_s", 4) + fx_col(o.r, T, "boot_s", 4));
  /* each guest's work starts once it is ready: 0.1 s of workload after it */
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, "summary/guests", "time_to_complete_s", 0), 0.78805 + 0.1, 1e-5);
  /* within 50 us: e-vm switches onto its pCPU once for both, and its timer
   * ticks fall differently across the boundary (about 11 us apart) */
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, "summary/guests", "time_to_complete_s", 4),
                         1.301 + boot_alone + work_alone, 5e-5);
  fx_run_close(&o);
}

/* Without images there is no table, and guests start at their start time. */
static void test_no_images(void) {
  static const char plain[] =
      "name: plain\n"
      "host_types: {t: {cores: 1, clock: 1 GHz, memory: 4 GiB}}\n"
      "hosts: [{name: h0, type: t}]\n"
      "workloads: {w: {phases: [{units: 1, ops: {instructions: 100000000}}]}}\n"
      "guests: [{name: a, technique: container, host: h0, workload: w}]\n";
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(run_text("plain.yaml", plain, &o), 0);
  CU_ASSERT_EQUAL(sim_result_has(o.r, "summary/provisioning"), 0);
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, "summary/guests", "time_to_complete_s", 0), 0.1 + 0.00205, 1e-5);
  fx_run_close(&o);
}

/* The loader: images in name order, layers, sizes, the registry, prepull
 * hosts, a guest's image; the resolved text loads back to the same. */
static void test_loader_round_trip(void) {
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  int rc = sim_scenario_load_text("p.yaml", scenario, strlen(scenario), test_vocabulary(), NULL, 0, &s, &d);
  if (rc) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL_FATAL(s->n_images, 3);
  CU_ASSERT_STRING_EQUAL(s->images[0].name, "img1");
  CU_ASSERT_EQUAL(s->images[0].kind, SIM_IMAGE_CONTAINER);
  CU_ASSERT_EQUAL(s->images[0].n_layers, 2);
  CU_ASSERT_EQUAL(s->images[0].layers[1].size_bytes, 1000000);
  CU_ASSERT_EQUAL(s->images[0].layers[1].unpacked_bytes, 50000000);
  CU_ASSERT_EQUAL(s->images[1].layers[1].unpacked_bytes, 10000000);
  CU_ASSERT_EQUAL_FATAL(s->images[0].n_prepull, 1);
  CU_ASSERT_STRING_EQUAL(s->hosts[s->images[0].prepull[0]].name, "h1");
  CU_ASSERT_EQUAL(s->images[2].kind, SIM_IMAGE_VM);
  CU_ASSERT_EQUAL_FATAL(s->images[2].boot, 1 + 0); /* workloads in name order: boot, w */
  CU_ASSERT_STRING_EQUAL(s->workloads[s->images[2].boot - 1].name, "boot");
  CU_ASSERT_DOUBLE_EQUAL(s->registry_bandwidth_bps, 2e9, 1e-3);
  CU_ASSERT_EQUAL(s->registry_latency_ns, 1000000);
  CU_ASSERT_EQUAL(s->guests[4].image, 3);
  CU_ASSERT_EQUAL(s->guests[5].image, 0);
  CU_ASSERT_EQUAL(s->guests[0].image, 1);
  sim_scenario *t = NULL;
  rc = sim_scenario_load_text("r.yaml", s->resolved_text, strlen(s->resolved_text), test_vocabulary(), NULL, 0,
                              &t, &d);
  if (rc) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_STRING_EQUAL(t->resolved_text, s->resolved_text);
  sim_scenario_free(t);
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {{"hand-computed pulls, unpacks, cache and boot", test_hand_computed},
                                    {"no images, no table", test_no_images},
                                    {"loader keys and resolved text", test_loader_round_trip},
                                    {NULL, NULL}};
  return add_suite("provision", tests);
}
