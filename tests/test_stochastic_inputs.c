/* tests/test_stochastic_inputs.c: the quantities of a scenario that may be
 * random processes rather than constants, each drawing from its own stream
 * (sim/rng.h): a disk's access time and a NIC's jitter (models/io.h, read by
 * sim/scenario_hosts.c) and a dirty page group's writes (models/dirty.h,
 * `process` read by sim/scenario_workloads.c) and a phase's length (read
 * by sim/scenario_workloads.c).  Sample means are checked
 * against the distribution's analytic mean within 5 standard errors (a
 * false failure about once in 3.5 million runs); a draw is checked to depend
 * on the seed and only on it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/dirty.h"
#include "models/engine.h"
#include "models/io.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

enum { N_IO = 4000 }; /* requests or messages per sample */

typedef struct times_t {
  size_t n;            /* completions */
  sim_time at[N_IO];   /* when each completed, by tag */
} times_t;

static void on_done(void *ctx, uint64_t tag, sim_time now) {
  times_t *t = ctx;
  if (tag < N_IO) t->at[tag] = now;
  t->n++;
}

/* Mean and standard error of n values. */
static void mean_se(const double *v, size_t n, double *mean, double *se) {
  double s = 0, ss = 0;
  for (size_t i = 0; i < n; i++) s += v[i];
  *mean = s / (double)n;
  for (size_t i = 0; i < n; i++) ss += (v[i] - *mean) * (v[i] - *mean);
  *se = sqrt(ss / (double)(n - 1) / (double)n);
}

/* N_IO requests on a disk of access time `dist`, no IOPS limit, infinite
 * bandwidth and a queue deep enough to admit them all at once: each
 * completes after its own positioning draw.  Fills their times, ns. */
static int disk_draws(const sim_dist *dist, uint64_t seed, double *ns) {
  sim_loop *loop = sim_loop_new();
  if (!loop) return -1;
  sim_disk_spec spec = {.name = "sda", .latency_ns = (sim_time)llround(sim_dist_mean(dist)),
                        .queue_depth = 65536, .latency_dist = *dist};
  io_device *d = io_disk_new(loop, &spec, IO_FCFS, 0);
  times_t *t = sim_calloc(1, sizeof *t);
  int rc = d && t ? io_device_seed(d, seed, 0, "h0", "sda") : -1;
  for (uint64_t i = 0; i < N_IO && rc == 0; i++) rc = io_submit(d, 0, 1, 4096, true, on_done, t, i);
  if (rc == 0) sim_loop_run(loop, SIM_TIME_MAX);
  if (rc == 0 && t->n != N_IO) rc = -1;
  for (size_t i = 0; rc == 0 && i < N_IO; i++) ns[i] = (double)t->at[i];
  sim_free(t);
  io_device_free(d);
  sim_loop_free(loop);
  return rc;
}

/* N_IO messages on a NIC of infinite line rate, wire latency `wire_ns` and
 * jitter `dist`: each arrives one wire latency and its jitter after it was
 * sent.  Fills each message's jitter, ns. */
static int nic_draws(const sim_dist *dist, sim_time wire_ns, uint64_t seed, double *ns) {
  sim_loop *loop = sim_loop_new();
  if (!loop) return -1;
  sim_nic_spec spec = {.name = "eth0", .latency_ns = wire_ns, .jitter = *dist};
  io_device *d = io_nic_new(loop, &spec, IO_FCFS, 0);
  times_t *t = sim_calloc(1, sizeof *t);
  int rc = d && t ? io_device_seed(d, seed, 0, "h0", "eth0") : -1;
  for (uint64_t i = 0; i < N_IO && rc == 0; i++) rc = io_submit(d, 0, 1, 1500, false, on_done, t, i);
  if (rc == 0) sim_loop_run(loop, SIM_TIME_MAX);
  if (rc == 0 && t->n != N_IO) rc = -1;
  for (size_t i = 0; rc == 0 && i < N_IO; i++) ns[i] = (double)(t->at[i] - wire_ns);
  sim_free(t);
  io_device_free(d);
  sim_loop_free(loop);
  return rc;
}

/* The sample mean of the access times is the distribution's mean within 5
 * standard errors, for a light and a heavy tail; seeds change the draws,
 * the same seed repeats them. */
static void test_disk_access_time(void) {
  static double a[N_IO], b[N_IO], c[N_IO];
  sim_dist exp5 = {.family = SIM_DIST_EXPONENTIAL, .kind = SIM_UNIT_TIME, .a = 5e6};
  sim_dist lognormal = {.family = SIM_DIST_LOGNORMAL, .kind = SIM_UNIT_TIME, .a = log(2e6), .b = 0.8};
  const sim_dist *dists[] = {&exp5, &lognormal};
  for (int k = 0; k < 2; k++) {
    CU_ASSERT_EQUAL_FATAL(disk_draws(dists[k], 1, a), 0);
    double mean, se;
    mean_se(a, N_IO, &mean, &se);
    double want = sim_dist_mean(dists[k]);
    CU_ASSERT(se > 0);
    CU_ASSERT(fabs(mean - want) < 5 * se);
    /* the standard error is the distribution's sd over sqrt(n), within 20% */
    CU_ASSERT(fabs(se / (sqrt(sim_dist_variance(dists[k]) / N_IO)) - 1) < 0.2);
  }
  CU_ASSERT_EQUAL_FATAL(disk_draws(&exp5, 2, b), 0);
  CU_ASSERT_EQUAL_FATAL(disk_draws(&exp5, 2, c), 0);
  CU_ASSERT(memcmp(b, c, sizeof b) == 0);
  CU_ASSERT_EQUAL_FATAL(disk_draws(&exp5, 1, c), 0);
  CU_ASSERT(memcmp(b, c, sizeof b) != 0);
}

/* A deterministic access time is the latency, for every request. */
static void test_disk_constant_access(void) {
  static double a[N_IO];
  sim_dist c = sim_dist_constant(SIM_UNIT_TIME, 3e6);
  CU_ASSERT_EQUAL_FATAL(disk_draws(&c, 1, a), 0);
  for (size_t i = 0; i < N_IO; i++) CU_ASSERT_EQUAL(a[i], 3e6);
}

/* Jitter: the sample mean of the added delay is the distribution's within 5
 * standard errors; seeds change it; no jitter adds nothing. */
static void test_nic_jitter(void) {
  static double a[N_IO], b[N_IO], c[N_IO];
  sim_dist gamma = {.family = SIM_DIST_GAMMA, .kind = SIM_UNIT_TIME, .a = 2, .b = 5000}; /* mean 10 us */
  CU_ASSERT_EQUAL_FATAL(nic_draws(&gamma, 20000, 7, a), 0);
  double mean, se;
  mean_se(a, N_IO, &mean, &se);
  CU_ASSERT(se > 0);
  CU_ASSERT(fabs(mean - sim_dist_mean(&gamma)) < 5 * se);
  for (size_t i = 0; i < N_IO; i++) CU_ASSERT(a[i] >= 0);
  CU_ASSERT_EQUAL_FATAL(nic_draws(&gamma, 20000, 7, b), 0);
  CU_ASSERT(memcmp(a, b, sizeof a) == 0);
  CU_ASSERT_EQUAL_FATAL(nic_draws(&gamma, 20000, 8, b), 0);
  CU_ASSERT(memcmp(a, b, sizeof a) != 0);
  sim_dist none = sim_dist_constant(SIM_UNIT_TIME, 0);
  CU_ASSERT_EQUAL_FATAL(nic_draws(&none, 20000, 7, c), 0);
  for (size_t i = 0; i < N_IO; i++) CU_ASSERT_EQUAL(c[i], 0);
}

/* ---- through the loader and the engine ---- */

/* One guest reading a disk one request at a time and one exchanging
 * messages, on hosts of their own; the format's arguments: the disk's
 * latency, the NIC's jitter (a key and its value, or nothing), the seed. */
static const char *const io_scenario =
    "name: stochastic-io\n"
    "simulation: {seed: %u, record: {events: false, series: false}}\n"
    "calibration: generic-x86-2020\n"
    "host_types:\n"
    "  h: {cores: 2, clock: 3 GHz, memory: 16 GiB, scheduler: credit,\n"
    "      disks: [{name: sda, iops: 1000000, bandwidth: 100 Gbit/s, latency: %s}],\n"
    "      nics: [{name: eth0, bandwidth: 10 Gbit/s, latency: 20 us%s}]}\n"
    "hosts: [{name: h0, type: h}, {name: h1, type: h}]\n"
    "workloads:\n"
    "  reader: {phases: [{units: 2000, ops: {instructions: 1000, disk: {reads: 1, request_size: 4 KiB}}}]}\n"
    "  rr: {phases: [{units: 2000, ops: {instructions: 1000, net: {messages: 1, tx: 100 B, rx: 200 B}}}]}\n"
    "guests:\n"
    "  - {name: d, technique: native, io_path: native, memory: 1 GiB, host: h0, workload: reader}\n"
    "  - {name: n, technique: native, io_path: native, memory: 1 GiB, host: h1, workload: rr}\n";

/* Runs io_scenario; fills io/guests' mean_latency_s of d and n, s. */
static int run_io(const char *latency, const char *jitter, unsigned seed, double lat[2]) {
  char text[2048];
  snprintf(text, sizeof text, io_scenario, seed, latency, jitter);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_MS};
  fx_run run;
  int rc = fx_run_scenario("stochastic-io", "stochastic.yaml", text, &cfg, NULL, &run);
  double *v = NULL;
  size_t n = 0;
  if (rc == 0 && (rc = sim_result_column_f64(run.r, "io/guests", "mean_latency_s", &v, &n)) == 0) {
    if (n == 2) {
      lat[0] = v[0];
      lat[1] = v[1];
    } else {
      rc = -1;
    }
  }
  sim_free(v);
  fx_run_close(&run);
  return rc;
}

static int load(const char *text, sim_scenario **sc, sim_diag *d) {
  return sim_scenario_load_text("s.yaml", text, strlen(text), test_vocabulary(), NULL, 0, sc, d);
}

/* A disk latency written as a distribution and a NIC's jitter are read with
 * their units; latency_ns is the distribution's mean. */
static void test_loader(void) {
  char text[2048];
  snprintf(text, sizeof text, io_scenario, 1u, "{dist: uniform, min: 1 ms, max: 3 ms}",
           ", jitter: {dist: exponential, mean: 15 us}");
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *sc = NULL;
  CU_ASSERT_EQUAL_FATAL(load(text, &sc, &d), 0);
  const sim_host_type *t = &sc->host_types[0];
  CU_ASSERT_EQUAL(t->disks[0].latency_dist.family, SIM_DIST_UNIFORM);
  CU_ASSERT_EQUAL(t->disks[0].latency_dist.a, 1e6);
  CU_ASSERT_EQUAL(t->disks[0].latency_dist.b, 3e6);
  CU_ASSERT_EQUAL(t->disks[0].latency_ns, 2000000);
  CU_ASSERT_EQUAL(t->nics[0].jitter.family, SIM_DIST_EXPONENTIAL);
  CU_ASSERT_EQUAL(t->nics[0].jitter.a, 15000);
  sim_scenario_free(sc);
  /* a scalar latency stays a constant, and no jitter is none */
  snprintf(text, sizeof text, io_scenario, 1u, "2 ms", "");
  CU_ASSERT_EQUAL_FATAL(load(text, &sc, &d), 0);
  t = &sc->host_types[0];
  CU_ASSERT_EQUAL(t->disks[0].latency_dist.family, SIM_DIST_DETERMINISTIC);
  CU_ASSERT_EQUAL(t->disks[0].latency_ns, 2000000);
  CU_ASSERT_EQUAL(t->nics[0].jitter.family, SIM_DIST_DETERMINISTIC);
  CU_ASSERT_EQUAL(t->nics[0].jitter.a, 0);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

/* Through the engine: 2000 disk reads, one at a time, with an exponential
 * access time of mean 2 ms have a mean latency that of the run with a
 * constant 2 ms, within 5 standard errors (2 ms / sqrt(2000)); an exchange's
 * two messages each add their jitter, 2 x 15 us on average (standard error
 * sqrt(2) 15 us / sqrt(2000)).  Another seed gives other latencies, the
 * same seed the same. */
static void test_engine_draws(void) {
  double base[2], r1[2], r1b[2], r2[2];
  CU_ASSERT_EQUAL_FATAL(run_io("2 ms", "", 1, base), 0);
  const char *lat = "{dist: exponential, mean: 2 ms}", *jit = ", jitter: {dist: exponential, mean: 15 us}";
  CU_ASSERT_EQUAL_FATAL(run_io(lat, jit, 1, r1), 0);
  CU_ASSERT_EQUAL_FATAL(run_io(lat, jit, 1, r1b), 0);
  CU_ASSERT_EQUAL_FATAL(run_io(lat, jit, 2, r2), 0);
  CU_ASSERT(fabs(r1[0] - base[0]) < 5 * 2e-3 / sqrt(2000));
  CU_ASSERT(fabs(r1[1] - base[1] - 30e-6) < 5 * sqrt(2) * 15e-6 / sqrt(2000));
  CU_ASSERT(r1[1] > base[1]);
  CU_ASSERT_EQUAL(r1[0], r1b[0]);
  CU_ASSERT_EQUAL(r1[1], r1b[1]);
  CU_ASSERT(r1[0] != r2[0]);
  CU_ASSERT(r1[1] != r2[1]);
}

/* ---- dirty pages as a random process ---- */

enum { N_SEEDS = 50 };

/* A 1 GiB guest with a hot group (5000 pages at 50 Hz) and a warm one
 * (100000 pages at 0.5 Hz), both as `process`; rounds at 1 Gbit/s of 4 KiB
 * pages.  Fills the distinct pages dirtied in rounds 0 to 2 (the sizes of
 * rounds 1 to 3). */
static int dirty_rounds(sim_dirty_process process, uint64_t seed, double dirtied[3]) {
  const double memory = 262144, pb = 4096, R = 1e9 / 8;
  dirty_model *dm = dirty_new(memory, memory, 0);
  if (!dm) return -1;
  sim_dirty_group g[] = {{5000, 50, process, false}, {100000, 0.5, process, false}};
  int rc = dirty_set_streams(dm, seed, 0, "vm");
  if (rc == 0) rc = dirty_set_groups(dm, g, 2, 0);
  for (int k = 0; k < 3 && rc == 0; k++) {
    dirty_round r;
    dirty_plan_round(dm, R, pb, pb, &r);
    dirtied[k] = r.pages_dirtied;
    dirty_commit_round(dm, &r);
    /* the round committed is the one drawn: next round's due pages */
    if (dirty_due_pages(dm) != r.pages_dirtied) rc = -1;
  }
  dirty_free(dm);
  return rc;
}

/* Round sizes vary from seed to seed; over 50 seeds the first round's mean
 * is the deterministic count within 5 standard errors, and its spread that
 * of the binomial; the same seed gives the same rounds. */
static void test_dirty_poisson_rounds(void) {
  double det[3], x[N_SEEDS][3];
  CU_ASSERT_EQUAL_FATAL(dirty_rounds(SIM_DIRTY_EXPECTED, 1, det), 0);
  for (uint64_t s = 0; s < N_SEEDS; s++)
    CU_ASSERT_EQUAL_FATAL(dirty_rounds(SIM_DIRTY_POISSON, s + 1, x[s]), 0);
  double first[N_SEEDS], mean, se;
  for (size_t s = 0; s < N_SEEDS; s++) first[s] = x[s][0];
  mean_se(first, N_SEEDS, &mean, &se);
  CU_ASSERT(se > 0);
  CU_ASSERT(fabs(mean - det[0]) < 5 * se);
  /* round 0 lasts as long either way (everything is due): its draw is a sum
   * of two binomials whose variance follows from the deterministic length */
  const double memory = 262144, pb = 4096, R = 1e9 / 8;
  dirty_model *dm = dirty_new(memory, memory, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
  sim_dirty_group g[] = {{5000, 50, SIM_DIRTY_EXPECTED, false}, {100000, 0.5, SIM_DIRTY_EXPECTED, false}};
  CU_ASSERT_EQUAL(dirty_set_groups(dm, g, 2, 0), 0);
  dirty_round r0;
  dirty_plan_round(dm, R, pb, pb, &r0);
  dirty_free(dm);
  double var = 0;
  for (int i = 0; i < 2; i++) {
    double p = -expm1(-g[i].rate_hz * r0.duration_s);
    var += (double)g[i].pages * p * (1 - p);
  }
  double sd = se * sqrt((double)N_SEEDS);
  CU_ASSERT(fabs(sd / sqrt(var) - 1) < 0.35); /* a sample sd of 50 values: within about 3.5 of its errors */
  /* later rounds vary too, and stay near the deterministic ones */
  for (int k = 1; k < 3; k++) {
    double v[N_SEEDS];
    for (size_t s = 0; s < N_SEEDS; s++) v[s] = x[s][k];
    mean_se(v, N_SEEDS, &mean, &se);
    CU_ASSERT(se > 0);
    CU_ASSERT(fabs(mean - det[k]) < 0.05 * det[k]);
  }
  double again[3];
  CU_ASSERT_EQUAL_FATAL(dirty_rounds(SIM_DIRTY_POISSON, 1, again), 0);
  CU_ASSERT(memcmp(again, x[0], sizeof again) == 0);
  /* whole pages: a draw is a count */
  for (int k = 0; k < 3; k++) CU_ASSERT_EQUAL(again[k], floor(again[k]));
}

/* A paused guest dirties nothing, random process or not. */
static void test_dirty_poisson_paused(void) {
  dirty_model *dm = dirty_new(1000, 1000, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
  sim_dirty_group g[] = {{500, 100, SIM_DIRTY_POISSON, false}};
  CU_ASSERT_EQUAL(dirty_set_streams(dm, 3, 0, "vm"), 0);
  CU_ASSERT_EQUAL(dirty_set_groups(dm, g, 1, 0), 0);
  dirty_set_activity(dm, 0);
  dirty_round r;
  dirty_plan_round(dm, 1e6, 4096, 4096, &r);
  CU_ASSERT_EQUAL(r.pages_dirtied, 0);
  dirty_commit_round(dm, &r);
  CU_ASSERT_EQUAL(dirty_due_pages(dm), 0);
  dirty_free(dm);
}

/* `process` is read per dirty group; absent, the expected count. */
static void test_dirty_process_loaded(void) {
  static const char *const text =
      "host_types:\n"
      "  std: {cores: 4, clock: 2 GHz, memory: 16 GiB}\n"
      "hosts: [{name: h0, type: std}]\n"
      "workloads:\n"
      "  w:\n"
      "    phases:\n"
      "      - {units: 10, ops: {instructions: 1000},\n"
      "         dirty: [{pages: 1000, rate: 5 Hz, process: poisson}, {pages: 10, rate: 1 Hz}]}\n"
      "guests:\n"
      "  - {name: g, technique: pv, memory: 1 GiB, host: h0, workload: w}\n";
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *sc = NULL;
  CU_ASSERT_EQUAL_FATAL(load(text, &sc, &d), 0);
  const sim_phase *ph = &sc->workloads[0].phases[0];
  CU_ASSERT_EQUAL(ph->n_dirty, 2);
  CU_ASSERT_EQUAL(ph->dirty[0].process, SIM_DIRTY_POISSON);
  CU_ASSERT_EQUAL(ph->dirty[1].process, SIM_DIRTY_EXPECTED);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

/* ---- phase lengths ---- */

/* A phase's units or duration written as a distribution: its mean stands
 * for the length, the distribution is kept for the draws. */
static void test_phase_length_loaded(void) {
  static const char *const text =
      "host_types:\n"
      "  std: {cores: 4, clock: 2 GHz, memory: 16 GiB}\n"
      "hosts: [{name: h0, type: std}]\n"
      "workloads:\n"
      "  w:\n"
      "    phases:\n"
      "      - {units: {dist: exponential, mean: 1000}, ops: {instructions: 1000}}\n"
      "      - {duration: {dist: uniform, min: 1 s, max: 3 s}, ops: {instructions: 1000}}\n"
      "      - {units: 5, ops: {instructions: 1000}}\n"
      "guests:\n"
      "  - {name: g, technique: pv, memory: 1 GiB, host: h0, workload: w}\n";
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *sc = NULL;
  CU_ASSERT_EQUAL_FATAL(load(text, &sc, &d), 0);
  const sim_phase *ph = sc->workloads[0].phases;
  CU_ASSERT_EQUAL(ph[0].length.family, SIM_DIST_EXPONENTIAL);
  CU_ASSERT_EQUAL(ph[0].units, 1000);
  CU_ASSERT_EQUAL(ph[0].duration_ns, 0);
  CU_ASSERT_EQUAL(ph[1].length.family, SIM_DIST_UNIFORM);
  CU_ASSERT_EQUAL(ph[1].length.kind, SIM_UNIT_TIME);
  CU_ASSERT_EQUAL(ph[1].duration_ns, 2 * SIM_S);
  CU_ASSERT_EQUAL(ph[1].units, 0);
  CU_ASSERT_EQUAL(ph[2].length.family, SIM_DIST_DETERMINISTIC);
  CU_ASSERT_EQUAL(ph[2].units, 5);
  sim_scenario_free(sc);
  sim_diag_clear(&d);
}

/* One guest, one vCPU, running a phase of `length` units of 1000
 * instructions; the units it did (summary/guests), or NaN. */
static double phase_units_run(const char *length, unsigned seed) {
  char text[1024];
  snprintf(text, sizeof text,
           "name: length\n"
           "simulation: {seed: %u, record: {events: false, series: false}}\n"
           "calibration: generic-x86-2020\n"
           "host_types: {h: {cores: 1, clock: 3 GHz, memory: 16 GiB, scheduler: credit}}\n"
           "hosts: [{name: h0, type: h}]\n"
           "workloads: {w: {phases: [{units: %s, ops: {instructions: 1000}}]}}\n"
           "guests: [{name: g, technique: native, memory: 1 GiB, host: h0, workload: w}]\n",
           seed, length);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_MS};
  fx_run run;
  double units = NAN;
  if (fx_run_scenario("stochastic-length", "length.yaml", text, &cfg, NULL, &run) == 0)
    units = fx_col(run.r, "summary/guests", "units", 0);
  fx_run_close(&run);
  return units;
}

/* The units a run does are drawn: over 40 seeds their mean is the
 * distribution's within 5 standard errors; the same seed repeats the draw,
 * another changes it; a constant length is that length. */
static void test_phase_length_drawn(void) {
  enum { RUNS = 40 };
  double u[RUNS], mean, se;
  for (unsigned s = 0; s < RUNS; s++) {
    u[s] = phase_units_run("{dist: exponential, mean: 100000}", s + 1);
    CU_ASSERT_FATAL(u[s] > 0);
  }
  mean_se(u, RUNS, &mean, &se);
  CU_ASSERT(se > 0);
  CU_ASSERT(fabs(mean - 100000) < 5 * se);
  CU_ASSERT_EQUAL(phase_units_run("{dist: exponential, mean: 100000}", 1), u[0]);
  CU_ASSERT(u[0] != u[1]);
  CU_ASSERT_DOUBLE_EQUAL(phase_units_run("100000", 1), 100000, 1e-6);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"disk access time drawn per request", test_disk_access_time},
      {"a constant access time is the latency", test_disk_constant_access},
      {"NIC jitter drawn per message", test_nic_jitter},
      {"disk latency and NIC jitter read as distributions", test_loader},
      {"access time and jitter through the engine", test_engine_draws},
      {"Poisson page writes: round sizes vary around the expected ones", test_dirty_poisson_rounds},
      {"Poisson page writes: a paused guest dirties nothing", test_dirty_poisson_paused},
      {"a dirty group's process is read", test_dirty_process_loaded},
      {"a phase's length read as a distribution", test_phase_length_loaded},
      {"a phase's length drawn when it starts", test_phase_length_drawn},
      {NULL, NULL},
  };
  return add_suite("stochastic_inputs", tests);
}
