/* tests/test_sched.c: the share-based CPU schedulers (credit, credit2, cfs).
 * Each scheduler is driven through models/scheduler.h by a small harness that
 * plays the engine's part: pCPUs run what pick_next returns for its slice,
 * kicks cut runs short or wake idle pCPUs, and vCPUs are either CPU-bound
 * (always runnable) or I/O-bound (run a short burst, then sleep).  The
 * harness checks the protocol's invariants at every pick (a pinned vCPU only
 * on its pCPU, never on two pCPUs, never a vCPU that is not runnable) and
 * measures, per vCPU, CPU time obtained, time runnable but waiting (steal)
 * and wake-up latency.  Expected shares follow from weights and caps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/sched_common.h"
#include "models/scheduler.h"
#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

#define MAX_V 16
#define MAX_P 4

typedef enum hv_state { HV_BLOCKED, HV_RUNNABLE, HV_RUNNING } hv_state;

typedef struct hvcpu {
  sim_time burst_ns;  /* I/O-bound: CPU per wake-up; 0: CPU-bound */
  sim_time sleep_ns;  /* I/O-bound: sleep after each burst */
  hv_state state;
  sim_time left_ns;   /* of the current burst */
  sim_time wake_at;   /* when blocked: next wake-up, SIM_TIME_MAX none */
  sim_time since;     /* when it became runnable */
  bool woke;          /* runnable since a wake-up, not yet run */
  sim_time run_ns, steal_ns;   /* totals */
  double lat_sum_ns;  /* wake-to-run latencies, summed */
  long lat_n;         /* their count */
  int32_t pcpu;       /* where it runs */
} hvcpu;

typedef struct hpcpu {
  int32_t vcpu;       /* running, -1 */
  sim_time start, end; /* run start and end */
  sim_time kick_at;   /* pending pick on an idle pCPU, SIM_TIME_MAX none */
} hpcpu;

typedef struct harness {
  const scheduler_ops *ops;
  void *st;
  sim_profile *profile; /* the shipped generic profile the scheduler reads its parameters from */
  uint32_t np, nv;
  hvcpu v[MAX_V];
  sched_vcpu_info info[MAX_V];
  hpcpu p[MAX_P];
  sim_time now;
  long picks;
  int violations; /* protocol invariants broken */
} harness;

static void h_init(harness *h, const scheduler_ops *ops, uint32_t np) {
  memset(h, 0, sizeof *h);
  h->ops = ops;
  h->np = np;
  for (uint32_t p = 0; p < np; p++) h->p[p] = (hpcpu){-1, 0, 0, SIM_TIME_MAX};
}

/* Adds a vCPU of guest g (one vCPU per guest unless g repeats). */
static void h_vcpu(harness *h, uint32_t g, uint32_t weight, double cap, int32_t pin, sim_time burst,
                   sim_time sleep) {
  uint32_t i = h->nv++;
  h->info[i] = (sched_vcpu_info){g, pin, weight, cap};
  h->v[i] = (hvcpu){.burst_ns = burst, .sleep_ns = sleep, .state = HV_BLOCKED, .wake_at = 0, .pcpu = -1};
}

static int h_start(harness *h) {
  sim_diag d = {0};
  if (sim_profile_load(test_data_path(), "generic-x86-2020", &h->profile, &d) < 0) return -1;
  sched_env env = {NULL, h->profile, h->np};
  if (h->ops->create(&env, &h->st, &d) < 0) return -1;
  for (uint32_t i = 0; i < h->nv; i++)
    if (h->ops->add_vcpu(h->st, &h->info[i]) < 0) return -1;
  return 0;
}

static void h_pick(harness *h, uint32_t p) {
  hpcpu *c = &h->p[p];
  sched_pick k = h->ops->pick_next(h->st, (int32_t)p, h->now);
  h->picks++;
  if (k.vcpu < 0) {
    c->vcpu = -1;
    if (k.retry_at_ns > 0 && k.retry_at_ns < c->kick_at) c->kick_at = k.retry_at_ns < h->now ? h->now : k.retry_at_ns;
    return;
  }
  hvcpu *v = &h->v[k.vcpu];
  if (v->state != HV_RUNNABLE || (h->info[k.vcpu].pinned >= 0 && h->info[k.vcpu].pinned != (int32_t)p) ||
      k.slice_ns <= 0)
    h->violations++;
  v->steal_ns += h->now - v->since;
  if (v->woke) {
    v->lat_sum_ns += (double)(h->now - v->since);
    v->lat_n++;
    v->woke = false;
  }
  v->state = HV_RUNNING;
  v->pcpu = (int32_t)p;
  c->vcpu = k.vcpu;
  c->start = h->now;
  c->end = k.slice_ns == SIM_TIME_MAX ? SIM_TIME_MAX : h->now + k.slice_ns;
  if (v->burst_ns > 0 && h->now + v->left_ns < c->end) c->end = h->now + v->left_ns;
}

/* Ends the run on p at now; the vCPU blocks when its burst is done. */
static void h_stop(harness *h, uint32_t p) {
  hpcpu *c = &h->p[p];
  hvcpu *v = &h->v[c->vcpu];
  sim_time ran = h->now - c->start;
  v->run_ns += ran;
  bool runnable = true;
  if (v->burst_ns > 0) {
    v->left_ns -= ran;
    if (v->left_ns <= 0) {
      runnable = false;
      v->wake_at = h->now + v->sleep_ns;
    }
  }
  h->ops->account(h->st, c->vcpu, (int32_t)p, ran, runnable, h->now);
  v->state = runnable ? HV_RUNNABLE : HV_BLOCKED;
  v->since = h->now;
  v->pcpu = -1;
  c->vcpu = -1;
}

static void h_wake(harness *h, uint32_t i) {
  hvcpu *v = &h->v[i];
  v->state = HV_RUNNABLE;
  v->since = h->now;
  v->woke = true;
  v->left_ns = v->burst_ns;
  v->wake_at = SIM_TIME_MAX;
  sched_kick k = h->ops->wake(h->st, (int32_t)i, h->now);
  if (k.pcpu < 0) return;
  if (k.at < h->now) h->violations++;
  hpcpu *c = &h->p[k.pcpu];
  if (c->vcpu >= 0) {
    if (k.at < c->end) c->end = k.at;
  } else if (k.at < c->kick_at) {
    c->kick_at = k.at;
  }
}

/* Runs until `end`: run ends first, then kicks, then wake-ups, each in index
 * order at equal times. */
static void h_run(harness *h, sim_time end) {
  for (;;) {
    sim_time t = SIM_TIME_MAX;
    for (uint32_t p = 0; p < h->np; p++) {
      if (h->p[p].vcpu >= 0 && h->p[p].end < t) t = h->p[p].end;
      if (h->p[p].vcpu < 0 && h->p[p].kick_at < t) t = h->p[p].kick_at;
    }
    for (uint32_t i = 0; i < h->nv; i++)
      if (h->v[i].state == HV_BLOCKED && h->v[i].wake_at < t) t = h->v[i].wake_at;
    if (t > end) t = end;
    h->now = t;
    if (t == end) break;
    bool did = false;
    for (uint32_t p = 0; p < h->np && !did; p++)
      if (h->p[p].vcpu >= 0 && h->p[p].end == t) {
        h_stop(h, p);
        h_pick(h, p);
        did = true;
      }
    for (uint32_t p = 0; p < h->np && !did; p++)
      if (h->p[p].vcpu < 0 && h->p[p].kick_at == t) {
        h->p[p].kick_at = SIM_TIME_MAX;
        h_pick(h, p);
        did = true;
      }
    for (uint32_t i = 0; i < h->nv && !did; i++)
      if (h->v[i].state == HV_BLOCKED && h->v[i].wake_at == t) {
        h_wake(h, i);
        did = true;
      }
  }
  /* Close the books at `end`. */
  for (uint32_t p = 0; p < h->np; p++)
    if (h->p[p].vcpu >= 0) h->v[h->p[p].vcpu].run_ns += end - h->p[p].start;
  for (uint32_t i = 0; i < h->nv; i++)
    if (h->v[i].state == HV_RUNNABLE) h->v[i].steal_ns += end - h->v[i].since;
  /* No vCPU runs on two pCPUs. */
  for (uint32_t p = 0; p < h->np; p++)
    for (uint32_t q = p + 1; q < h->np; q++)
      if (h->p[p].vcpu >= 0 && h->p[p].vcpu == h->p[q].vcpu) h->violations++;
}

static void h_free(harness *h) {
  h->ops->destroy(h->st);
  sim_profile_free(h->profile);
}

static double share(const harness *h, uint32_t i, sim_time end) {
  return (double)h->v[i].run_ns / (double)end;
}

static double mean_latency_ns(const harness *h, uint32_t i) {
  return h->v[i].lat_n ? h->v[i].lat_sum_ns / (double)h->v[i].lat_n : NAN;
}

#define SEC ((sim_time)1000000000)
#define MS ((sim_time)1000000)
#define US ((sim_time)1000)

static const scheduler_ops *const share_scheds[] = {&sched_credit_ops, &sched_credit2_ops, &sched_cfs_ops};
#define N_SHARE (sizeof share_scheds / sizeof share_scheds[0])

/* Two CPU-bound guests of weights 256 and 512 on one pCPU: 1/3 and 2/3. */
static void test_weights_one_pcpu(void) {
  for (size_t k = 0; k < N_SHARE; k++) {
    harness h;
    h_init(&h, share_scheds[k], 1);
    h_vcpu(&h, 0, 256, 0, -1, 0, 0);
    h_vcpu(&h, 1, 512, 0, -1, 0, 0);
    CU_ASSERT_EQUAL_FATAL(h_start(&h), 0);
    h_run(&h, 30 * SEC);
    CU_ASSERT_EQUAL(h.violations, 0);
    double a = share(&h, 0, 30 * SEC), b = share(&h, 1, 30 * SEC);
    CU_ASSERT(fabs(a + b - 1.0) < 1e-9); /* work conserving */
    CU_ASSERT(fabs(b / a - 2.0) < 0.04); /* within 2 % */
    /* steal: each waits while the other runs */
    CU_ASSERT(llabs(h.v[0].steal_ns - h.v[1].run_ns) < MS);
    h_free(&h);
  }
}

/* Four guests of weights 1:2:2:3 on two pCPUs: 0.25, 0.5, 0.5 and 0.75 CPU. */
static void test_weights_two_pcpus(void) {
  static const uint32_t w[4] = {128, 256, 256, 384};
  for (size_t k = 0; k < N_SHARE; k++) {
    harness h;
    h_init(&h, share_scheds[k], 2);
    for (uint32_t i = 0; i < 4; i++) h_vcpu(&h, i, w[i], 0, -1, 0, 0);
    CU_ASSERT_EQUAL_FATAL(h_start(&h), 0);
    h_run(&h, 30 * SEC);
    CU_ASSERT_EQUAL(h.violations, 0);
    for (uint32_t i = 0; i < 4; i++) {
      double want = 2.0 * w[i] / 1024.0;
      CU_ASSERT(fabs(share(&h, i, 30 * SEC) / want - 1.0) < 0.02);
    }
    h_free(&h);
  }
}

/* A guest capped at 25 % of a CPU gets no more, alone or not, while an
 * uncapped neighbour takes the rest. */
static void test_cap_holds(void) {
  for (size_t k = 0; k < N_SHARE; k++) {
    harness h;
    h_init(&h, share_scheds[k], 1);
    h_vcpu(&h, 0, 256, 0.25, -1, 0, 0);
    CU_ASSERT_EQUAL_FATAL(h_start(&h), 0);
    h_run(&h, 10 * SEC);
    CU_ASSERT_EQUAL(h.violations, 0);
    CU_ASSERT(fabs(share(&h, 0, 10 * SEC) - 0.25) < 0.005);
    h_free(&h);

    h_init(&h, share_scheds[k], 1);
    h_vcpu(&h, 0, 256, 0.25, -1, 0, 0);
    h_vcpu(&h, 1, 256, 0, -1, 0, 0);
    CU_ASSERT_EQUAL_FATAL(h_start(&h), 0);
    h_run(&h, 10 * SEC);
    CU_ASSERT(fabs(share(&h, 0, 10 * SEC) - 0.25) < 0.005);
    CU_ASSERT(fabs(share(&h, 1, 10 * SEC) - 0.75) < 0.005);
    h_free(&h);
  }
}

/* A pinned vCPU runs only on its pCPU; two vCPUs pinned to pCPU 0 share it
 * while pCPU 1 serves the unpinned one alone. */
static void test_pinning(void) {
  for (size_t k = 0; k < N_SHARE; k++) {
    harness h;
    h_init(&h, share_scheds[k], 2);
    h_vcpu(&h, 0, 256, 0, 0, 0, 0);
    h_vcpu(&h, 1, 256, 0, 0, 0, 0);
    h_vcpu(&h, 2, 256, 0, -1, 0, 0);
    CU_ASSERT_EQUAL_FATAL(h_start(&h), 0);
    h_run(&h, 10 * SEC);
    CU_ASSERT_EQUAL(h.violations, 0);
    CU_ASSERT(fabs(share(&h, 0, 10 * SEC) - 0.5) < 0.02);
    CU_ASSERT(fabs(share(&h, 1, 10 * SEC) - 0.5) < 0.02);
    CU_ASSERT(share(&h, 2, 10 * SEC) > 0.97);
    h_free(&h);
  }
}

/* Runs an I/O-bound vCPU (0.2 ms of CPU, then 5 ms asleep) beside two
 * CPU-bound ones on one pCPU; returns its mean wake-up latency, ns. */
static double io_latency(const scheduler_ops *ops, harness *h) {
  h_init(h, ops, 1);
  h_vcpu(h, 0, 256, 0, -1, 0, 0);
  h_vcpu(h, 1, 256, 0, -1, 0, 0);
  h_vcpu(h, 2, 256, 0, -1, 200 * US, 5 * MS);
  if (h_start(h) < 0) return NAN;
  h_run(h, 10 * SEC);
  double lat = mean_latency_ns(h, 2);
  return lat;
}

/* Xen credit's wake-up boost: the I/O-bound vCPU waits at most the rate
 * limit with boost, and for CPU-bound neighbours' slices without. */
static void test_credit_boost(void) {
  harness h;
  double with = io_latency(&sched_credit_ops, &h);
  CU_ASSERT_EQUAL(h.violations, 0);
  CU_ASSERT(h.v[2].lat_n > 500);
  h_free(&h);
  /* the same with boost off, through the validation profile that says so */
  sim_profile *p = NULL;
  char path[512];
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  snprintf(path, sizeof path, "%s/validation/scenarios/sched-credit-noboost.profile.yaml", src ? src : ".");
  sim_diag d = {0};
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), path, &p, &d), 0);
  h_init(&h, &sched_credit_ops, 1);
  h_vcpu(&h, 0, 256, 0, -1, 0, 0);
  h_vcpu(&h, 1, 256, 0, -1, 0, 0);
  h_vcpu(&h, 2, 256, 0, -1, 200 * US, 5 * MS);
  sched_env env = {NULL, p, 1};
  CU_ASSERT_EQUAL_FATAL(h.ops->create(&env, &h.st, &d), 0);
  for (uint32_t i = 0; i < h.nv; i++) CU_ASSERT_EQUAL_FATAL(h.ops->add_vcpu(h.st, &h.info[i]), 0);
  h_run(&h, 10 * SEC);
  double without = mean_latency_ns(&h, 2);
  CU_ASSERT_EQUAL(h.violations, 0);
  h_free(&h);
  sim_profile_free(p);
  CU_ASSERT(with <= 1.0 * MS + 1);
  CU_ASSERT(without > 5 * with);
}

/* The fluid level: weighted max-min fair rates with one-CPU, cap and demand
 * bounds, summing to at most the cores. */
static void test_fluid_rates(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  sched_env env = {NULL, NULL, 2};
  sim_diag d = {0};
  void *st = NULL;
  CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
  /* guests: 0 (w128), 1 (w128), 2 (w1024), 3 (w256, cap 0.25), 4 (w256, two vCPUs) */
  static const sched_vcpu_info in[] = {{0, -1, 128, 0}, {1, -1, 128, 0}, {2, -1, 1024, 0},
                                       {3, -1, 256, 0.25}, {4, -1, 256, 0}, {4, -1, 256, 0}};
  for (size_t i = 0; i < 6; i++) CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &in[i]), 0);
  for (int32_t v = 0; v < 3; v++) {
    sched_kick k = o->wake(st, v, 0);
    CU_ASSERT_EQUAL(k.pcpu, v); /* its own slot */
  }
  /* 2 cores: w1024 saturates at one CPU, the rest is split 0.5 / 0.5 */
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 2), 1.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 0), 0.5, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 1), 0.5, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 3), 0.0, 1e-12); /* blocked */
  /* the capped guest gets its cap, the others share what is left by weight */
  o->wake(st, 3, 0);
  o->wake(st, 4, 0);
  o->wake(st, 5, 0);
  double sum = 0;
  for (int32_t v = 0; v < 6; v++) sum += o->rate(st, v);
  CU_ASSERT_DOUBLE_EQUAL(sum, 2.0, 1e-9);
  CU_ASSERT(o->rate(st, 3) <= 0.25 + 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 4), o->rate(st, 5), 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 4) * 2, o->rate(st, 0) * 2, 1e-9); /* 256 over two = 128 each */
  /* 2 x 1024/1792 > 1: saturated; 0.75 left over four vCPUs of weight 128 */
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 2), 1.0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 0), 0.1875, 1e-12);
  /* a partial demand bounds the rate and frees the rest for the others */
  double before = o->rate(st, 0);
  o->set_demand(st, 2, 0.1);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 2), 0.1, 1e-12);
  CU_ASSERT(o->rate(st, 0) > before);
  /* a block frees its share */
  sched_pick pk = o->pick_next(st, 0, 0);
  CU_ASSERT_EQUAL(pk.vcpu, 0);
  CU_ASSERT_EQUAL(pk.slice_ns, SIM_TIME_MAX);
  CU_ASSERT_EQUAL(o->pick_next(st, 0, 0).vcpu, -1); /* already running */
  double r1 = o->rate(st, 1);
  o->account(st, 0, 0, 0, false, 0);
  CU_ASSERT_DOUBLE_EQUAL(o->rate(st, 0), 0.0, 1e-12);
  CU_ASSERT(o->rate(st, 1) > r1);
  o->destroy(st);
}

/* ---- the engine at both fidelities ---- */

static const char *const mixed_scenario =
    "name: mixed\n"
    "simulation: {duration: 4 s, record: {events: false, series: false}}\n"
    "calibration: generic-x86-2020\n"
    "host_types:\n"
    "  h: {cores: 2, clock: 3 GHz, memory: 16 GiB, scheduler: %s, fidelity: %s, allow_overcommit: true}\n"
    "hosts: [{name: h0, type: h}]\n"
    "workloads:\n"
    "  busy: {repeat: true, phases: [{units: 1M, ops: {instructions: 3000}}]}\n"
    "  idle: {repeat: true, phases: [{units: 1M, cpu_demand: 10%%, ops: {instructions: 3000}}]}\n"
    "guests:\n"
    "  - {name: a, technique: native, memory: 1 GiB, host: h0, workload: busy, weight: 256}\n"
    "  - {name: b, technique: native, memory: 1 GiB, host: h0, workload: busy, weight: 320}\n"
    "  - {name: c, technique: native, memory: 1 GiB, host: h0, workload: busy, weight: 256, cap: 20%%}\n"
    "  - {name: d, technique: native, memory: 1 GiB, host: h0, workload: idle}\n";

/* Runs mixed_scenario; fills the share of a CPU each of a..d obtained,
 * 1 - steal_s / 4 s (a..c want a whole CPU all the time: d's is then 1 when
 * it gets all its demand), and the events. */
static int run_mixed(const char *sched, const char *fidelity, double share[4], uint64_t *events) {
  char text[2048];
  snprintf(text, sizeof text, mixed_scenario, sched, fidelity);
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  engine_stats st = {0};
  fx_run run;
  int rc = fx_run_scenario("sched-mixed", "mixed.yaml", text, &cfg, &st, &run);
  double *v = NULL;
  size_t n = 0;
  if (rc == 0) rc = sim_result_column_f64(run.r, "summary/guests", "steal_s", &v, &n);
  if (rc == 0 && n == 4)
    for (size_t i = 0; i < 4; i++) share[i] = 1 - v[i] / 4.0;
  if (rc == 0 && n != 4) rc = -1;
  *events = st.events;
  sim_free(v);
  fx_run_close(&run);
  return rc;
}

/* Both fidelities honour weights, caps and a partial demand on the same
 * scenario; the fluid level needs far fewer events. */
static void test_engine_fidelities(void) {
  static const char *const scheds[] = {"credit", "credit2", "cfs"};
  double fl[4] = {0};
  uint64_t fl_events = 0;
  CU_ASSERT_EQUAL_FATAL(run_mixed("credit", "fluid", fl, &fl_events), 0);
  /* 2 cores: c capped at 0.2, d wants 0.1; a and b share 1.7 as 256:320 */
  CU_ASSERT_DOUBLE_EQUAL(fl[2], 0.2, 0.002);
  CU_ASSERT_DOUBLE_EQUAL(fl[3], 1.0, 0.002); /* d gets all it wants */
  CU_ASSERT_DOUBLE_EQUAL(fl[0], 1.7 * 256 / 576, 0.005);
  CU_ASSERT_DOUBLE_EQUAL(fl[1], 1.7 * 320 / 576, 0.005);
  for (size_t k = 0; k < 3; k++) {
    double q[4] = {0};
    uint64_t q_events = 0;
    CU_ASSERT_EQUAL_FATAL(run_mixed(scheds[k], "quantum", q, &q_events), 0);
    CU_ASSERT_DOUBLE_EQUAL(q[2], 0.2, 0.01); /* the cap holds */
    CU_ASSERT(fabs(q[0] - fl[0]) < 0.1);     /* shares within 0.1 CPU of the fluid limit */
    CU_ASSERT(fabs(q[1] - fl[1]) < 0.1);
    CU_ASSERT(q_events > 5 * fl_events);
  }
}

/* Four CPU-bound vCPUs fill four pCPUs with unbounded slices; 100 ms later
 * four more wake at the same instant.  Each newcomer must get a pCPU within
 * one time slice (30 ms, every running slice bounded, not only the first
 * one), and over the next 3 s the eight share the four pCPUs evenly: no
 * vCPU keeps a pCPU to itself while others queue. */
static void test_simultaneous_wakes_busy_host(void) {
  static const scheduler_ops *const scheds[] = {&sched_rr_ops, &sched_credit_ops};
  const sim_time t_wake = 100 * MS, end = t_wake + 3 * SEC;
  for (size_t k = 0; k < sizeof scheds / sizeof scheds[0]; k++) {
    harness h;
    h_init(&h, scheds[k], 4);
    for (uint32_t i = 0; i < 8; i++) {
      h_vcpu(&h, i, 256, 0, -1, 0, 0);
      if (i >= 4) h.v[i].wake_at = t_wake;
    }
    CU_ASSERT_EQUAL_FATAL(h_start(&h), 0);
    h_run(&h, end);
    CU_ASSERT_EQUAL(h.violations, 0);
    for (uint32_t i = 4; i < 8; i++) {
      CU_ASSERT_EQUAL(h.v[i].lat_n, 1);
      CU_ASSERT(mean_latency_ns(&h, i) <= (double)(30 * MS));
    }
    for (uint32_t i = 0; i < 8; i++) {
      double ran = (double)(h.v[i].run_ns - (i < 4 ? t_wake : 0));
      CU_ASSERT(fabs(ran / (double)(end - t_wake) - 0.5) < 0.05);
    }
    h_free(&h);
  }
}

/* A scheduler parameter the profile lacks is an error naming the key and the
 * profile, for every scheduler that reads one; none takes a default. */
static void test_missing_parameter(void) {
  char path[] = "/tmp/test_sched_XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  static const char text[] = "profile: {name: bare-machine}\nquantities:\n  cpu.clock: 3 GHz\n";
  CU_ASSERT_FATAL(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
  close(fd);
  sim_profile *p = NULL;
  sim_diag d = {0};
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), path, &p, &d), 0);
  static const struct {
    const scheduler_ops *ops;
    const char *first_key; /* the first parameter it reads */
  } cases[] = {{&sched_rr_ops, "sched.timeslice"},
               {&sched_credit_ops, "sched.timeslice"},
               {&sched_credit2_ops, "sched.credit2.max_runtime"},
               {&sched_cfs_ops, "sched.cfs.latency"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sched_env env = {NULL, p, 2};
    void *st = NULL;
    sim_diag_clear(&d);
    CU_ASSERT(cases[i].ops->create(&env, &st, &d) < 0);
    CU_ASSERT_PTR_NULL(st);
    CU_ASSERT_EQUAL_FATAL(d.errors, 1);
    const char *msg = d.entries[0].message;
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, cases[i].first_key));
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "bare-machine"));
  }
  sim_diag_clear(&d);
  sim_profile_free(p);
  unlink(path);
}

/* A scheduler that reads parameters refuses to run without a profile: it
 * never falls back to values of its own. */
static void test_no_profile_refused(void) {
  const scheduler_ops *ops[] = {&sched_rr_ops, &sched_credit_ops, &sched_credit2_ops, &sched_cfs_ops};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    sched_env env = {NULL, NULL, 2};
    sim_diag d = {0};
    void *st = NULL;
    CU_ASSERT(ops[i]->create(&env, &st, &d) < 0);
    CU_ASSERT_PTR_NULL(st);
    CU_ASSERT_EQUAL_FATAL(d.errors, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.entries[0].message, "no calibration profile"));
    sim_diag_clear(&d);
  }
}

/* ---- credit: FIFO within a priority, boost, an I/O guest beside a hog ---- */

/* One dispatch: when, and which vCPU. */
typedef struct dispatch {
  sim_time at_ns; /* ns */
  int32_t vcpu;
} dispatch;

/* Drives credit on one pCPU with n CPU-bound vCPUs of weight 256 (one guest
 * each), vCPU i waking at wake_ns[i], and records the first `max`
 * dispatches.  At equal times a run's end comes first, then a kick, then a
 * wake-up (the harness's order).  The count recorded. */
static size_t credit_dispatches(const sim_time *wake_ns, uint32_t n, dispatch *out, size_t max) {
  sim_profile *prof = NULL;
  sim_diag d = {0};
  void *st = NULL;
  if (sim_profile_load(test_data_path(), "generic-x86-2020", &prof, &d) < 0) return 0;
  sched_env env = {NULL, prof, 1};
  const scheduler_ops *o = &sched_credit_ops;
  size_t got = 0;
  if (o->create(&env, &st, &d) == 0) {
    bool ok = true;
    for (uint32_t i = 0; i < n; i++) ok = ok && o->add_vcpu(st, &(sched_vcpu_info){i, -1, 256, 0}) == 0;
    bool woken[MAX_V] = {false};
    int32_t running = -1;
    sim_time now = 0, start = 0, end = SIM_TIME_MAX, kick = SIM_TIME_MAX;
    while (ok && got < max) {
      sim_time wake = SIM_TIME_MAX;
      uint32_t w = 0;
      for (uint32_t i = 0; i < n; i++)
        if (!woken[i] && wake_ns[i] < wake) wake = wake_ns[i], w = i;
      bool pick = false;
      if (running >= 0 && end <= wake) {
        now = end;
        o->account(st, running, 0, now - start, true, now);
        running = -1;
        pick = true;
      } else if (running < 0 && kick <= wake) {
        now = kick;
        pick = true;
      } else if (wake != SIM_TIME_MAX) {
        now = wake;
        woken[w] = true;
        sched_kick k = o->wake(st, (int32_t)w, now);
        if (k.pcpu == 0 && running >= 0 && k.at < end) end = k.at;
        if (k.pcpu == 0 && running < 0 && k.at < kick) kick = k.at;
      } else {
        break; /* nothing left to happen */
      }
      if (!pick) continue;
      kick = SIM_TIME_MAX;
      sched_pick k = o->pick_next(st, 0, now);
      if (k.vcpu < 0) {
        if (k.retry_at_ns > 0) kick = k.retry_at_ns;
        continue;
      }
      out[got++] = (dispatch){now, k.vcpu};
      running = k.vcpu;
      start = now;
      end = k.slice_ns == SIM_TIME_MAX ? SIM_TIME_MAX : now + k.slice_ns;
    }
    o->destroy(st);
  }
  sim_profile_free(prof);
  return got;
}

/* Three CPU-bound vCPUs of equal weight on one core take turns in the order
 * they queued ([XEN] __runq_insert: after every vCPU of equal or higher
 * priority).  Hand-computed with the shipped profile (30 ms slices, 10 ms
 * ticks, 1 ms rate limit, boost on), credits in ms:
 *  - all wake at 0, boosted: 0, 1, 2 run to the next tick (0, 10, 20 ms) and
 *    drop to UNDER; the accounting at 30 ms leaves each at 0 (UNDER), so the
 *    queue order 0, 1, 2 holds: 30 ms slices at 30, 60, 90 ms (at 60 ms: 0
 *    is OVER at -20, 1 and 2 UNDER at 10 each, 1 queued first), then again
 *    0, 1, 2 at 120, 150, 180 ms.
 *  - 0 and 1 wake at 0, 2 at 35 ms: 0 (10 ms boost), 1 (10 ms boost), 0 from
 *    20 ms (credit -5 after the accounting at 30 ms, OVER), preempted at
 *    35 ms by 2 (boosted, runs to the tick at 40 ms), then 1 (UNDER, 5) at
 *    40 ms to 70 ms; at 70 ms 0 (UNDER at 0, queued at 35 ms) goes before 2
 *    (UNDER at 5, queued at 40 ms): first come, not most credit, first
 *    served; 2 at 100 ms, 1 at 130 ms (UNDER at -5: a debit does not demote
 *    it before the accounting), 0 at 160 ms. */
static void test_credit_fifo_within_priority(void) {
  static const sim_time all_at_once[3] = {0, 0, 0};
  static const dispatch rr[9] = {{0, 0},       {10 * MS, 1},  {20 * MS, 2},  {30 * MS, 0},  {60 * MS, 1},
                                 {90 * MS, 2}, {120 * MS, 0}, {150 * MS, 1}, {180 * MS, 2}};
  dispatch got[9];
  CU_ASSERT_EQUAL_FATAL(credit_dispatches(all_at_once, 3, got, 9), 9);
  for (size_t i = 0; i < 9; i++) {
    CU_ASSERT_EQUAL(got[i].at_ns, rr[i].at_ns);
    CU_ASSERT_EQUAL(got[i].vcpu, rr[i].vcpu);
  }
  static const sim_time late[3] = {0, 0, 35 * MS};
  static const dispatch fifo[9] = {{0, 0},       {10 * MS, 1},  {20 * MS, 0},  {35 * MS, 2},  {40 * MS, 1},
                                   {70 * MS, 0}, {100 * MS, 2}, {130 * MS, 1}, {160 * MS, 0}};
  CU_ASSERT_EQUAL_FATAL(credit_dispatches(late, 3, got, 9), 9);
  for (size_t i = 0; i < 9; i++) {
    CU_ASSERT_EQUAL(got[i].at_ns, fifo[i].at_ns);
    CU_ASSERT_EQUAL(got[i].vcpu, fifo[i].vcpu);
  }
}

/* A vCPU that wakes with UNDER priority is boosted and preempts the running
 * CPU hog at once ([XEN] csched_unit_wake, __runq_tickle), every time: its
 * short bursts (0.2 ms every 5 ms, never across a 10 ms tick) leave its
 * credit negative, but no tick finds it running, so it never rejoins the
 * active vCPUs and no accounting demotes it to OVER. */
static void test_credit_boost_preempts(void) {
  sim_profile *prof = NULL;
  sim_diag d = {0};
  void *st = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), "generic-x86-2020", &prof, &d), 0);
  sched_env env = {NULL, prof, 1};
  const scheduler_ops *o = &sched_credit_ops;
  CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
  CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &(sched_vcpu_info){0, -1, 256, 0}), 0); /* the hog */
  CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &(sched_vcpu_info){1, -1, 256, 0}), 0); /* the I/O vCPU */
  sched_kick k = o->wake(st, 0, 0);
  CU_ASSERT_EQUAL(k.pcpu, 0);
  CU_ASSERT_EQUAL(o->pick_next(st, 0, 0).slice_ns, 10 * MS); /* boosted itself, to the first tick */
  o->account(st, 0, 0, 10 * MS, true, 10 * MS);
  sched_pick alone = o->pick_next(st, 0, 10 * MS);
  CU_ASSERT_EQUAL(alone.vcpu, 0);
  CU_ASSERT_EQUAL(alone.slice_ns, SIM_TIME_MAX); /* alone: unbounded */
  sim_time hog_start = 10 * MS;
  int preempted = 0, wakes = 0;
  for (sim_time t = 12 * MS; t < 312 * MS; t += 5 * MS) {
    wakes++;
    k = o->wake(st, 1, t);
    /* the hog has run past the rate limit: the kick is now */
    if (k.pcpu == 0 && k.at == t) {
      o->account(st, 0, 0, t - hog_start, true, t);
      sched_pick p = o->pick_next(st, 0, t);
      if (p.vcpu == 1 && p.slice_ns >= 200 * US) preempted++;
      if (p.vcpu != 1) {
        CU_FAIL("the kick did not hand the pCPU to the boosted vCPU");
        break;
      }
    } else {
      break; /* it waits behind the hog: not boosted */
    }
    o->account(st, 1, 0, 200 * US, false, t + 200 * US);
    sched_pick p = o->pick_next(st, 0, t + 200 * US);
    CU_ASSERT_EQUAL(p.vcpu, 0);
    hog_start = t + 200 * US;
  }
  CU_ASSERT_EQUAL(wakes, 60);
  CU_ASSERT_EQUAL(preempted, wakes);
  o->destroy(st);
  sim_profile_free(prof);
}

/* An open-loop request-driven guest (Poisson arrivals at 200/s, 0.1 ms of
 * CPU each: 2 % of the core) beside a CPU-bound guest on one core, 2 s. */
static const char *const io_beside_hog =
    "name: io-beside-hog\n"
    "simulation: {duration: 2 s, seed: 3, record: {events: false, series: false}}\n"
    "calibration: generic-x86-2020\n"
    "host_types:\n"
    "  h: {cores: 1, clock: 3 GHz, memory: 16 GiB, scheduler: %s, allow_overcommit: true}\n"
    "hosts: [{name: h0, type: h}]\n"
    "workloads:\n"
    "  web: {requests: {count: 100000, ops: {instructions: 300000, cpi: 1},\n"
    "        arrivals: {process: poisson, rate: 200/s}}}\n"
    "  busy: {repeat: true, phases: [{units: 1M, ops: {instructions: 3000}}]}\n"
    "guests:\n"
    "  - {name: web, technique: native, memory: 1 GiB, host: h0, workload: web}\n"
    "  - {name: hog, technique: native, memory: 1 GiB, host: h0, workload: busy}\n";

/* On one core: guest "io" issues disk reads one at a time (it blocks on
 * each; its back end is dom0, a vCPU of its own), guest "cpu" only
 * computes, 2 s. */
static const char *const disk_beside_hog =
    "name: disk-beside-hog\n"
    "simulation: {duration: 2 s, record: {events: false, series: false}}\n"
    "calibration: generic-x86-2020\n"
    "host_types:\n"
    "  h: {cores: 1, clock: 3 GHz, memory: 16 GiB, scheduler: %s, allow_overcommit: true,\n"
    "      disks: [{name: ssd, iops: 1000000, bandwidth: 4 GB/s, latency: 20 us, queue_depth: 64}]}\n"
    "hosts: [{name: h0, type: h}]\n"
    "workloads:\n"
    "  io: {repeat: true, phases: [{units: 100000,\n"
    "       ops: {instructions: 3000, disk: {reads: 1, request_size: 4 KiB, random: true}}}]}\n"
    "  cpu: {repeat: true, phases: [{units: 1000, ops: {instructions: 10M}}]}\n"
    "guests:\n"
    "  - {name: io, technique: pv, io_path: pv, memory: 2 GiB, host: h0, workload: io}\n"
    "  - {name: cpu, technique: pv, io_path: pv, memory: 2 GiB, host: h0, workload: cpu}\n";

/* What the I/O tests read from a run (NAN where the run has no such row). */
typedef struct io_outcome {
  double arrivals, completed;  /* requests of the I/O guest (request-driven) */
  double mean_s, p99_s;        /* s: its response times (request-driven) */
  double units;                /* workload units the I/O guest completed */
  double io_cpu_s, hog_cpu_s;  /* s: CPU time of the I/O guest and the hog (cycles at 3 GHz) */
} io_outcome;

/* Runs scenario `format` under scheduler `sched`; reads guest `io` and
 * guest `hog` into *out.  0, or nonzero with the diagnostics printed. */
static int run_io_beside_hog(const char *format, const char *sched, const char *io, const char *hog,
                             io_outcome *out) {
  char text[2048];
  snprintf(text, sizeof text, format, sched);
  sim_record_config cfg = {100 * SIM_MS, 0, 0, NULL, 0, 0};
  fx_run run;
  int rc = fx_run_scenario("sched-io", "io-beside-hog.yaml", text, &cfg, NULL, &run);
  sim_result *r = run.r;
  if (rc == 0)
    *out = (io_outcome){fx_cell(r, "summary/requests", io, "arrivals"),
                        fx_cell(r, "summary/requests", io, "completed"),
                        fx_cell(r, "summary/requests", io, "mean_response_s"),
                        fx_cell(r, "summary/requests", io, "p99_s"),
                        fx_cell(r, "summary/guests", io, "units"),
                        fx_cell(r, "summary/guests", io, "cycles_total") / 3e9,
                        fx_cell(r, "summary/guests", hog, "cycles_total") / 3e9};
  fx_run_close(&run);
  return rc;
}

/* Under credit an I/O guest beside a CPU hog on one core gets its demand
 * served, promptly: each wake-up is boosted and preempts the hog once the
 * hog has run the rate limit (1 ms).
 *  - request-driven: nearly every request completes, 99 % of them within a
 *    few rate limits (not behind the hog's 30 ms slices), and its CPU time
 *    is its demand (0.1 ms a request); the hog takes the rest;
 *  - blocking on each disk read (its back end in dom0): a read and its
 *    completion take a few boosted wake-ups (the guest's, dom0's), each at
 *    most a rate limit late, so a unit takes well under a 30 ms slice and
 *    the guest gets through hundreds a second, the hog keeping most of the
 *    core. */
static void test_credit_io_beside_hog(void) {
  io_outcome o;
  CU_ASSERT_EQUAL_FATAL(run_io_beside_hog(io_beside_hog, "credit", "web", "hog", &o), 0);
  CU_ASSERT(o.arrivals > 350 && o.arrivals < 450);
  CU_ASSERT(o.completed >= o.arrivals - 2);
  CU_ASSERT(o.mean_s < 0.002); /* the 1 ms rate limit plus service */
  CU_ASSERT(o.p99_s < 0.005);  /* not a 30 ms slice behind the hog */
  CU_ASSERT(fabs(o.io_cpu_s - o.completed * 1e-4) < 0.05 * o.completed * 1e-4);
  CU_ASSERT(o.hog_cpu_s > 2.0 - o.io_cpu_s - 0.02);
  printf("\n  credit, request-driven guest beside a hog: %.0f/%.0f requests, mean %.3g s, p99 %.3g s, "
         "CPU %.4g s, hog %.4g s\n",
         o.completed, o.arrivals, o.mean_s, o.p99_s, o.io_cpu_s, o.hog_cpu_s);
  CU_ASSERT_EQUAL_FATAL(run_io_beside_hog(disk_beside_hog, "credit", "io", "cpu", &o), 0);
  CU_ASSERT(o.units > 2.0 / 0.030);       /* a unit within a time slice */
  CU_ASSERT(o.units > 2.0 / (3 * 0.001)); /* within three rate limits */
  CU_ASSERT(o.hog_cpu_s > 1.8);
  printf("  credit, disk-bound guest beside a hog: %.0f units, CPU %.4g s, hog %.4g s\n", o.units, o.io_cpu_s,
         o.hog_cpu_s);
}

/* Room reserved for a host's vCPUs holds them all without moving: adding
 * the vCPUs reserved for keeps the arrays where they were, exactly as long,
 * their guests found as without the reservation; a vCPU of a guest coming
 * later grows them to exactly what they hold. */
static void test_host_reserve(void) {
  sched_host h;
  CU_ASSERT_EQUAL_FATAL(sched_host_init(&h, 4), 0);
  CU_ASSERT_EQUAL_FATAL(sched_host_reserve(&h, 5, 2), 0);
  CU_ASSERT_EQUAL(h.cap_vcpus, 5);
  CU_ASSERT_EQUAL(h.cap_guests, 2);
  const sched_vcpu *vcpus = h.vcpus;
  const sched_guest *guests = h.guests;
  static const sched_vcpu_info in[] = {{7, -1, 256, 0}, {7, -1, 256, 0}, {7, -1, 256, 0},
                                       {3, 1, 512, 0.5}, {3, 1, 512, 0.5}, {9, -1, 0, 0}};
  static const long guest_index[] = {0, 0, 0, 1, 1, 2};
  for (size_t i = 0; i < 6; i++) {
    bool new_guest = false;
    CU_ASSERT_EQUAL(sched_host_add_vcpu(&h, &in[i], &new_guest), guest_index[i]);
    CU_ASSERT_EQUAL(new_guest, i == 0 || i == 3 || i == 5);
    if (i == 4) { /* the reserved room: nothing moved */
      CU_ASSERT_PTR_EQUAL(h.vcpus, vcpus);
      CU_ASSERT_PTR_EQUAL(h.guests, guests);
      CU_ASSERT_EQUAL(h.cap_vcpus, 5);
    }
  }
  CU_ASSERT_EQUAL(h.n_vcpus, 6);
  CU_ASSERT_EQUAL(h.cap_vcpus, 6);
  CU_ASSERT_EQUAL(h.cap_guests, 3);
  CU_ASSERT_EQUAL(h.guests[1].id, 3);
  CU_ASSERT_EQUAL(h.guests[1].weight, 512);
  CU_ASSERT_EQUAL(h.guests[2].weight, 1); /* 0 means 1 */
  CU_ASSERT_EQUAL(h.vcpus[4].pinned, 1);
  CU_ASSERT_EQUAL(sched_host_guest(&h, 9), 2);
  /* a smaller reservation keeps the room there is */
  CU_ASSERT_EQUAL(sched_host_reserve(&h, 1, 1), 0);
  CU_ASSERT_EQUAL(h.cap_vcpus, 6);
  sched_host_free(&h);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"weights on one pCPU (2%)", test_weights_one_pcpu},
      {"weights on two pCPUs (2%)", test_weights_two_pcpus},
      {"caps hold", test_cap_holds},
      {"pinning", test_pinning},
      {"credit wake-up boost", test_credit_boost},
      {"fluid rates", test_fluid_rates},
      {"engine: quantum and fluid fidelities", test_engine_fidelities},
      {"simultaneous wakes on a busy host", test_simultaneous_wakes_busy_host},
      {"a missing parameter is an error", test_missing_parameter},
      {"no profile, no scheduler", test_no_profile_refused},
      {"credit: FIFO within a priority", test_credit_fifo_within_priority},
      {"credit: a boosted wake-up preempts", test_credit_boost_preempts},
      {"credit: an I/O guest beside a CPU hog", test_credit_io_beside_hog},
      {"a host's reserved room holds its vCPUs", test_host_reserve},
      {NULL, NULL},
  };
  return add_suite("sched", tests);
}
