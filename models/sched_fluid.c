/* models/sched_fluid.c: the fluid fair-share fidelity of every scheduler.
 * Models CPU sharing as weighted processor sharing, the limit that Xen credit,
 * credit2 and CFS approach over many slices (CFS's "ideal, precise
 * multi-tasking CPU", Documentation/scheduler/sched-design-CFS.rst): every
 * runnable vCPU runs at once, at a rate (in CPUs) given by weighted max-min
 * fairness over the host's cores: a guest's weight is split evenly over its
 * runnable vCPUs, no vCPU gets more than its demand (one CPU, or the
 * cpu_demand of a partly idle phase, which then runs steadily instead of in
 * bursts and sleeps), and a capped guest's
 * runnable vCPUs together get at most its cap.  The engine (models/engine.c)
 * gives every vCPU a slot of its own (pick_next(slot v) runs vCPU v, without
 * a time limit), runs it at `rate` times the host clock, and re-plans the
 * running vCPUs whenever a wake-up or a block changes the rates: events only
 * when rates change, none per slice or tick.
 *
 * What the fluid level leaves out, by design: slices, ticks, boost, rate
 * limits and wake-up latency (a woken vCPU runs at once, at its share), world
 * switches between guests, and pinning (a pinned vCPU shares the whole host).
 * The quantum schedulers keep those; scenarios/host-16-guests.yaml runs both.
 *
 * Units: rates in CPUs (1 = one full core); weights relative; caps in CPUs.
 * Guests (weight, cap) are kept in models/sched_common.h's host; its pCPUs
 * are only counted (the capacity shared), never run.
 * Invariants: the rates of the runnable vCPUs sum to at most the cores, each
 * at most 1 and each capped guest's at most its cap; a vCPU's rate is 0 while
 * it is blocked.  Water-filling is O(n^2) in the vCPUs of one host. */
#include <stdlib.h>

#include "models/sched_common.h"
#include "sim/alloc.h"

typedef struct fl_vcpu {
  bool runnable;   /* queued or running (running: in sched_host, picked on its slot) */
  double rate;     /* CPUs: current share, valid while runnable */
  double demand;   /* CPUs: the most it wants (its phase's cpu_demand), (0, 1] */
} fl_vcpu;

typedef struct fl_state {
  sched_host host;             /* cores (n_pcpus: the capacity shared, CPUs) and guests */
  fl_vcpu *vcpus;              /* per vCPU of host.vcpus: its rate */
  size_t cap_vcpus;            /* capacity */
  uint32_t *runnable;          /* per guest of host.guests: its runnable vCPUs, count */
  size_t cap_runnable;         /* capacity */
  bool *fixed;                 /* scratch of the water-filling, cap_fixed entries */
  size_t cap_fixed;            /* capacity */
  bool dirty;                  /* rates must be recomputed */
} fl_state;

static int fl_create(const sched_env *env, void **state, sim_diag *diag) {
  (void)diag;
  fl_state *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  if (sched_host_init(&s->host, env->n_pcpus) < 0) {
    sim_free(s);
    return -1;
  }
  *state = s;
  return 0;
}

static void fl_destroy(void *state) {
  fl_state *s = state;
  if (!s) return;
  sched_host_free(&s->host);
  sim_free(s->vcpus);
  sim_free(s->runnable);
  sim_free(s->fixed);
  sim_free(s);
}

static int fl_add_vcpu(void *state, const sched_vcpu_info *info) {
  fl_state *s = state;
  bool new_guest;
  long g = sched_host_add_vcpu(&s->host, info, &new_guest);
  if (g < 0) return -1;
  if (new_guest) {
    if (sim_grow((void **)&s->runnable, &s->cap_runnable, s->host.n_guests, sizeof *s->runnable)) return -1;
    s->runnable[g] = 0;
  }
  size_t n = s->host.n_vcpus;
  if (sim_grow((void **)&s->vcpus, &s->cap_vcpus, n, sizeof *s->vcpus)) return -1;
  if (sim_grow((void **)&s->fixed, &s->cap_fixed, n, sizeof *s->fixed)) return -1;
  s->vcpus[n - 1] = (fl_vcpu){.demand = 1.0};
  return 0;
}

/* The index of v's guest in host.guests and runnable. */
static uint32_t guest_of(const fl_state *s, const fl_vcpu *v) { return s->host.vcpus[v - s->vcpus].guest; }

/* Upper bound of one runnable vCPU's rate: its demand (at most one CPU), or
 * its part of the cap. */
static double bound(const fl_state *s, const fl_vcpu *v) {
  double cap = s->host.guests[guest_of(s, v)].cap;
  uint32_t runnable = s->runnable[guest_of(s, v)];
  double b = v->demand;
  if (cap > 0 && cap / runnable < b) b = cap / runnable;
  return b;
}

/* Weighted max-min fair rates (water-filling). */
static void recompute(fl_state *s) {
  double left = s->host.n_pcpus, wsum = 0;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    fl_vcpu *v = &s->vcpus[i];
    s->fixed[i] = !v->runnable;
    v->rate = 0;
    if (v->runnable) wsum += (double)s->host.guests[guest_of(s, v)].weight / s->runnable[guest_of(s, v)];
  }
  for (;;) {
    bool changed = false;
    for (size_t i = 0; i < s->host.n_vcpus; i++) {
      if (s->fixed[i]) continue;
      fl_vcpu *v = &s->vcpus[i];
      double w = (double)s->host.guests[guest_of(s, v)].weight / s->runnable[guest_of(s, v)];
      double b = bound(s, v);
      if (left * w / wsum >= b) { /* saturated: give it its bound, share the rest */
        v->rate = b;
        s->fixed[i] = true;
        left -= b;
        wsum -= w;
        changed = true;
      }
    }
    if (!changed || wsum <= 0) break;
  }
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    if (s->fixed[i]) continue;
    fl_vcpu *v = &s->vcpus[i];
    double w = (double)s->host.guests[guest_of(s, v)].weight / s->runnable[guest_of(s, v)];
    v->rate = wsum > 0 && left > 0 ? left * w / wsum : 0;
  }
  s->dirty = false;
}

static void set_runnable(fl_state *s, int32_t vcpu, bool on) {
  fl_vcpu *v = &s->vcpus[vcpu];
  if (v->runnable == on) return;
  v->runnable = on;
  if (on)
    s->runnable[guest_of(s, v)]++;
  else
    s->runnable[guest_of(s, v)]--;
  s->dirty = true;
}

static sched_kick fl_wake(void *state, int32_t vcpu, sim_time now) {
  fl_state *s = state;
  set_runnable(s, vcpu, true);
  return (sched_kick){vcpu, now}; /* its own slot */
}

static sched_pick fl_pick_next(void *state, int32_t slot, sim_time now) {
  fl_state *s = state;
  (void)now;
  if (slot < 0 || (size_t)slot >= s->host.n_vcpus || !s->vcpus[slot].runnable || s->host.vcpus[slot].running)
    return (sched_pick){-1, 0, 0};
  s->host.vcpus[slot].running = true;
  return (sched_pick){slot, SIM_TIME_MAX, 0};
}

static void fl_account(void *state, int32_t vcpu, int32_t slot, sim_time ran_ns, bool runnable,
                       sim_time now) {
  fl_state *s = state;
  (void)slot;
  (void)ran_ns;
  (void)now;
  s->host.vcpus[vcpu].running = false;
  set_runnable(s, vcpu, runnable);
}

static void fl_set_demand(void *state, int32_t vcpu, double cpus) {
  fl_state *s = state;
  fl_vcpu *v = &s->vcpus[vcpu];
  if (!(cpus > 0) || cpus > 1) cpus = 1;
  if (v->demand != cpus) {
    v->demand = cpus;
    s->dirty = true;
  }
}

static double fl_rate(void *state, int32_t vcpu) {
  fl_state *s = state;
  if (s->dirty) recompute(s);
  return s->vcpus[vcpu].runnable ? s->vcpus[vcpu].rate : 0;
}

const scheduler_ops sched_fluid_ops = {
    .name = "fluid",
    .summary = "fluid fair share: weighted processor sharing with caps, events only when rates change",
    .modes = SCHED_FLUID,
    .create = fl_create,
    .destroy = fl_destroy,
    .add_vcpu = fl_add_vcpu,
    .wake = fl_wake,
    .pick_next = fl_pick_next,
    .account = fl_account,
    .rate = fl_rate,
    .set_demand = fl_set_demand,
};
