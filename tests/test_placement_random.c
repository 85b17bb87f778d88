/* tests/test_placement_random.c: random placement
 * (models/placement_random.c) and the run times of one instance type on
 * host types of different generations.  Against hand-computed cases: the
 * policy takes the k-th of the m hosts a VM fits on for a draw in
 * [k/m, (k+1)/m), skipping full, excluded and refused hosts, with or
 * without the room index; it refuses (-1) when nothing fits, as first fit
 * does; its draws over many guests (one seed) and over many replications
 * (one guest) spread evenly over the hosts that fit (chi-square below the
 * 0.1 % critical value); in a run every host is offered, twins included, and
 * each guest lands where its own draw says whatever the order of the
 * scenario's entries.  An instance of U compute units on a host of clock f
 * runs work W (cycles) in W / min(f, U x 1 GHz) seconds [LECT]: capped on
 * the fast host, at the whole core on the slow one; compute units that no
 * host type can give are refused where the type gives them. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/datacenter.h"
#include "models/placement_random.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

#define G (1ULL << 30)

/* Six hosts of 4000 Hz and 4 GiB: h0 full, h1 fits, h2 fits, h3 fits,
 * h4 has no memory left, h5 fits (switched off). */
static void cluster(dc_host_load h[6]) {
  for (int i = 0; i < 6; i++) h[i] = (dc_host_load){4000, 1000, 4 * G, G, NULL, i != 5};
  h[0].used_hz = 3900;
  h[4].used_bytes = 4 * G;
}

static long pick(const dc_host_load *h, const bool *excluded, const dc_room *room, double draw,
                 dc_admit_fn admit) {
  dc_vm_load vm = {500, G, draw};
  return placement_random_ops.choose(h, 6, excluded, room, &vm, admit, NULL);
}

static bool refuse_host3(void *ctx, size_t host, const dc_vm_load *vm) {
  (void)ctx;
  (void)vm;
  return host != 3;
}

/* Fitting h1, h2, h3, h5 (m = 4): draw d takes the floor(4 d)-th; h2
 * excluded leaves h1, h3, h5 (m = 3); h3 refused too leaves h1, h5. */
static void test_pick_by_draw(void) {
  dc_host_load h[6];
  cluster(h);
  dc_room *room = dc_room_new(6);
  CU_ASSERT_FATAL(room != NULL);
  bool excluded[6] = {false, false, true, false, false, false};
  for (int indexed = 0; indexed < 2; indexed++) {
    const dc_room *r = indexed ? room : NULL;
    if (indexed) dc_room_build(room, h, NULL);
    CU_ASSERT_EQUAL(pick(h, NULL, r, 0, NULL), 1);
    CU_ASSERT_EQUAL(pick(h, NULL, r, 0.2499, NULL), 1);
    CU_ASSERT_EQUAL(pick(h, NULL, r, 0.25, NULL), 2);
    CU_ASSERT_EQUAL(pick(h, NULL, r, 0.5, NULL), 3);
    CU_ASSERT_EQUAL(pick(h, NULL, r, 0.7499, NULL), 3);
    CU_ASSERT_EQUAL(pick(h, NULL, r, 0.75, NULL), 5); /* switched off: as likely as the others */
    CU_ASSERT_EQUAL(pick(h, NULL, r, nextafter(1.0, 0.0), NULL), 5);
    if (indexed) dc_room_build(room, h, excluded);
    CU_ASSERT_EQUAL(pick(h, excluded, r, 0.34, NULL), 3); /* floor(3 x 0.34) = 1 */
    CU_ASSERT_EQUAL(pick(h, excluded, r, 0.33, NULL), 1);
    CU_ASSERT_EQUAL(pick(h, excluded, r, 0.67, NULL), 5);
    CU_ASSERT_EQUAL(pick(h, excluded, r, 0.34, refuse_host3), 1); /* h1, h5: floor(0.68) = 0 */
    CU_ASSERT_EQUAL(pick(h, excluded, r, 0.5, refuse_host3), 5);
  }
  CU_ASSERT_FALSE(placement_random_ops.decreasing);
  CU_ASSERT_TRUE(placement_random_ops.random);
  CU_ASSERT_FALSE(placement_first_fit_ops.random || placement_best_fit_ops.random ||
                  placement_worst_fit_ops.random || placement_pabfd_ops.random);
  CU_ASSERT_PTR_EQUAL(model_ops(MODEL_PLACEMENT, "random"), &placement_random_ops);
  dc_room_free(room);
}

/* Nothing fits: -1, as first fit answers, whatever the draw. */
static void test_refuses_when_nothing_fits(void) {
  dc_host_load h[6];
  cluster(h);
  dc_vm_load huge = {3500, G, 0.5}, fat = {100, 3 * G + 1, 0.5};
  CU_ASSERT_EQUAL(placement_random_ops.choose(h, 6, NULL, NULL, &huge, NULL, NULL), -1);
  CU_ASSERT_EQUAL(placement_first_fit_ops.choose(h, 6, NULL, NULL, &huge, NULL, NULL), -1);
  CU_ASSERT_EQUAL(placement_random_ops.choose(h, 6, NULL, NULL, &fat, NULL, NULL), -1);
  CU_ASSERT_EQUAL(placement_first_fit_ops.choose(h, 6, NULL, NULL, &fat, NULL, NULL), -1);
  bool all[6] = {true, true, true, true, true, true};
  dc_vm_load small = {1, 1, 0.999};
  CU_ASSERT_EQUAL(placement_random_ops.choose(h, 6, all, NULL, &small, NULL, NULL), -1);
  CU_ASSERT_EQUAL(placement_random_ops.choose(h, 0, NULL, NULL, &small, NULL, NULL), -1);
}

/* Chi-square of counts[0..m-1] against n / m each. */
static double chi_square(const unsigned *counts, size_t m, unsigned n) {
  double expected = (double)n / (double)m, x2 = 0;
  for (size_t i = 0; i < m; i++) x2 += (counts[i] - expected) * (counts[i] - expected) / expected;
  return x2;
}

/* 10 hosts, the odd ones full: the 5 even ones fit.  20,000 guests of
 * seed 1, and 20,000 replications of one guest, each spread over them; with
 * 4 degrees of freedom the chi-square stays below 18.47, the critical value
 * at 0.1 % (a fair spread fails this one time in a thousand: the seed is
 * fixed, so the test is deterministic). */
static void test_uniform_over_fitting_hosts(void) {
  enum { HOSTS = 10, FIT = 5, DRAWS = 20000 };
  const double CHI2_4DOF_P001 = 18.467;
  dc_host_load h[HOSTS];
  for (int i = 0; i < HOSTS; i++) h[i] = (dc_host_load){4000, i % 2 ? 4000 : 0, 4 * G, 0, NULL, true};
  unsigned by_guest[HOSTS] = {0}, by_replication[HOSTS] = {0};
  bool in_range = true;
  for (unsigned k = 0; k < DRAWS; k++) {
    char name[32];
    snprintf(name, sizeof name, "vm-%u", k);
    dc_vm_load vm = {1000, G, dc_placement_draw(1, 0, name)};
    in_range &= vm.draw >= 0 && vm.draw < 1;
    long d = placement_random_ops.choose(h, HOSTS, NULL, NULL, &vm, NULL, NULL);
    CU_ASSERT_FATAL(d >= 0 && d % 2 == 0);
    by_guest[d]++;
    vm.draw = dc_placement_draw(1, k, "vm");
    in_range &= vm.draw >= 0 && vm.draw < 1;
    d = placement_random_ops.choose(h, HOSTS, NULL, NULL, &vm, NULL, NULL);
    CU_ASSERT_FATAL(d >= 0 && d % 2 == 0);
    by_replication[d]++;
  }
  CU_ASSERT_TRUE(in_range);
  unsigned a[FIT], b[FIT];
  for (int i = 0; i < FIT; i++) {
    a[i] = by_guest[2 * i];
    b[i] = by_replication[2 * i];
  }
  CU_ASSERT(chi_square(a, FIT, DRAWS) < CHI2_4DOF_P001);
  CU_ASSERT(chi_square(b, FIT, DRAWS) < CHI2_4DOF_P001);
  /* and the statistic can fail: everything on one host is far above it */
  unsigned lopsided[FIT] = {DRAWS, 0, 0, 0, 0};
  CU_ASSERT(chi_square(lopsided, FIT, DRAWS) > CHI2_4DOF_P001);
}

/* A draw depends on the seed, the run index and the name, nothing else. */
static void test_draw_keyed_by_name(void) {
  double a = dc_placement_draw(7, 3, "web-1");
  CU_ASSERT_EQUAL(dc_placement_draw(7, 3, "web-2"), dc_placement_draw(7, 3, "web-2"));
  CU_ASSERT_EQUAL(dc_placement_draw(7, 3, "web-1"), a);
  CU_ASSERT_NOT_EQUAL(dc_placement_draw(8, 3, "web-1"), a);
  CU_ASSERT_NOT_EQUAL(dc_placement_draw(7, 4, "web-1"), a);
  CU_ASSERT_NOT_EQUAL(dc_placement_draw(7, 3, "web-2"), a);
}

static const char dc_profile[] =
    "profile: {name: placement-random-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  migration.page_size: {value: 4 KiB, source: test}\n"
    "  migration.cpu_state: {value: 16 KiB, source: test}\n"
    "  migration.resume: {value: 10 ms, source: test}\n"
    "  migration.arp: {value: 5 ms, source: test}\n";

/* Four alike hosts with room for every guest; the guests' lines (%s) and
 * the seed (%u).  The interval is longer than the run: placement only. */
static const char twins_fmt[] =
    "name: twins\n"
    "simulation: {duration: 100 s, seed: %u}\n"
    "host_types: {t: {cores: 8, clock: 1 GHz, memory: 64 GB, fidelity: fluid}}\n"
    "hosts: [{name: \"h{i}\", type: t, count: 4}]\n"
    "workloads: {w: {repeat: true, phases: [{duration: 1 s, cpu_demand: 0.2, ops: {instructions: 1000}}]}}\n"
    "guests:\n%s"
    "datacenter: {placement: random, place_at_start: true, interval: 1000 s, underload: none}\n";

static const char *const guest_names[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
enum { N_GUESTS = 8 };

/* Runs the twins with the guests listed forwards or backwards; *matches:
 * how many guests are on host h<floor(4 draw)> as their draw of `seed` says. */
static int run_twins(unsigned seed, bool backwards, int *matches, char hosts[N_GUESTS][16]) {
  char guests[1024] = "", text[4096];
  for (int k = 0; k < N_GUESTS; k++) {
    char line[128];
    snprintf(line, sizeof line, "  - {name: %s, technique: native, host: h0, workload: w}\n",
             guest_names[backwards ? N_GUESTS - 1 - k : k]);
    strcat(guests, line);
  }
  snprintf(text, sizeof text, twins_fmt, seed, guests);
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  if (fx_run_text("test-random", dc_profile, "twins.yaml", text, &cfg, &o) != 0) return -1;
  char **guest = NULL, **host = NULL;
  size_t ng = 0, nh = 0;
  int rc = sim_result_column_str(o.r, "datacenter/placement", "guest", &guest, &ng) == 0 &&
                   sim_result_column_str(o.r, "datacenter/placement", "host", &host, &nh) == 0 &&
                   ng == N_GUESTS && nh == N_GUESTS
               ? 0
               : -1;
  *matches = 0;
  for (size_t i = 0; rc == 0 && i < ng; i++) {
    char want[16];
    snprintf(want, sizeof want, "h%d", (int)(dc_placement_draw(seed, 0, guest[i]) * 4));
    *matches += !strcmp(host[i], want);
    for (int k = 0; k < N_GUESTS; k++)
      if (!strcmp(guest[i], guest_names[k])) snprintf(hosts[k], 16, "%s", host[i]);
  }
  sim_result_free_strings(guest, ng);
  sim_result_free_strings(host, nh);
  fx_run_close(&o);
  return rc;
}

/* In a run every host is offered (the alike ones too: hiding them would
 * put every guest on h0 or the next untouched host), each guest goes where
 * its own draw says, and listing the guests the other way round changes
 * nothing; another seed moves some. */
static void test_run_lands_by_draw(void) {
  char fwd[N_GUESTS][16], back[N_GUESTS][16], other[N_GUESTS][16];
  int m = 0;
  CU_ASSERT_EQUAL_FATAL(run_twins(1, false, &m, fwd), 0);
  CU_ASSERT_EQUAL(m, N_GUESTS);
  CU_ASSERT_EQUAL_FATAL(run_twins(1, true, &m, back), 0);
  CU_ASSERT_EQUAL(m, N_GUESTS);
  CU_ASSERT_EQUAL_FATAL(run_twins(2, false, &m, other), 0);
  CU_ASSERT_EQUAL(m, N_GUESTS);
  int same = 0, moved = 0, off_h0 = 0;
  for (int k = 0; k < N_GUESTS; k++) {
    same += !strcmp(fwd[k], back[k]);
    moved += strcmp(fwd[k], other[k]) != 0;
    off_h0 += strcmp(fwd[k], "h0") != 0;
  }
  CU_ASSERT_EQUAL(same, N_GUESTS);
  CU_ASSERT(moved > 0);
  CU_ASSERT(off_h0 > 0);
}

static const char ecu_profile[] =
    "profile: {name: ecu-test, fallback: generic-x86-2020}\n"
    "quantities: {sched.tick: {value: 10 ms, source: test}}\n";

/* One instance type of 1 compute unit on a new host of 2 GHz and an old one
 * of 0.8 GHz, 1e10 cycles of work (1e7 units of 1000 instructions at CPI 1,
 * the fake native technique): capped to 0.5 CPU on the new host, 1e9
 * cycles a second, 10 s; uncapped on the old, whose whole core gives less
 * than a compute unit, 0.8e9 cycles a second, 12.5 s. */
static void test_time_per_generation(void) {
  static const char text[] =
      "name: generations\n"
      "simulation: {duration: 60 s}\n"
      "host_types:\n"
      "  new: {cores: 4, clock: 2 GHz, memory: 16 GiB, scheduler: credit2}\n"
      "  old: {cores: 4, clock: 800 MHz, memory: 16 GiB, scheduler: credit2}\n"
      "hosts: [{name: fast, type: new}, {name: slow, type: old}]\n"
      "instance_types: {m1.small: {vcpus: 1, compute_units: 1, memory: 1 GiB, price_per_hour: 0.06}}\n"
      "workloads: {loop: {phases: [{units: 1e7, ops: {instructions: 1000, cpi: 1}}]}}\n"
      "guests:\n"
      "  - {name: on-new, technique: native, instance_type: m1.small, host: fast, workload: loop}\n"
      "  - {name: on-old, technique: native, instance_type: m1.small, host: slow, workload: loop}\n";
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(fx_run_text("test-ecu", ecu_profile, "generations.yaml", text, &cfg, &o), 0);
  const double work = 1e7 * 1000;                                   /* cycles */
  double t_new = work / fmin(2e9, 1 * 1e9), t_old = work / fmin(0.8e9, 1 * 1e9); /* 10 s, 12.5 s */
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, "summary/guests", "time_to_complete_s", 0), t_new, t_new * 0.002);
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, "summary/guests", "time_to_complete_s", 1), t_old, t_old * 0.002);
  fx_run_close(&o);
}

/* An instance lands on any host type, so the loader refuses compute units
 * no host type can give: U x 1 GHz above vCPUs x the fastest clock (2.4
 * GHz here), at the type's `compute_units`; exactly the fastest clock is
 * fine, and a second vCPU doubles what a host gives. */
static void test_compute_units_no_host_gives(void) {
  static const char fmt[] =
      "simulation: {duration: 10 min}\n"
      "host_types:\n"
      "  old: {cores: 8, clock: 2.3 GHz, memory: 32 GiB, scheduler: credit2}\n"
      "  new: {cores: 16, clock: 2.4 GHz, memory: 64 GiB, scheduler: credit2}\n"
      "hosts: [{name: a, type: old}, {name: b, type: new}]\n"
      "instance_types:\n"
      "  t: {vcpus: %u, compute_units: %s, memory: 1 GiB, price_per_hour: 0.1}\n"
      "workloads: {w: {phases: [{units: 1, ops: {instructions: 1}}]}}\n"
      "guests: [{name: g, technique: native, instance_type: t, host: a, workload: w}]\n";
  static const struct {
    unsigned vcpus;
    const char *units;
    bool refused;
  } cases[] = {{1, "2.4", false}, {1, "2.5", true}, {2, "4.8", false}, {2, "4.9", true}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char text[1024], msg[512];
    int line = 0, col = 0;
    snprintf(text, sizeof text, fmt, cases[k].vcpus, cases[k].units);
    sim_scenario *s = fx_load_text("ecu.yaml", text, msg, sizeof msg, &line, &col);
    CU_ASSERT_EQUAL(s == NULL, cases[k].refused);
    if (cases[k].refused) {
      CU_ASSERT_EQUAL(line, 7);
      CU_ASSERT_EQUAL(col, 32); /* the value of compute_units */
      CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no host can give them"));
      CU_ASSERT_PTR_NOT_NULL(strstr(msg, "host type 'new'"));
    }
    sim_scenario_free(s);
  }
}

int register_tests(void) {
  static const test_case tests[] = {{"the k-th host that fits for a draw in [k/m, (k+1)/m)", test_pick_by_draw},
                                    {"refuses when nothing fits", test_refuses_when_nothing_fits},
                                    {"uniform over the hosts that fit (chi-square)", test_uniform_over_fitting_hosts},
                                    {"a draw is keyed by seed, run index and name", test_draw_keyed_by_name},
                                    {"a run offers every host and follows the draws", test_run_lands_by_draw},
                                    {"run time per generation within the compute-unit cap", test_time_per_generation},
                                    {"compute units no host type can give", test_compute_units_no_host_gives},
                                    {NULL, NULL}};
  return add_suite("placement_random", tests);
}
