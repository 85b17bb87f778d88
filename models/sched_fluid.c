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
 * it is blocked.  Water-filling is O(n^2) in the vCPUs of one host, and
 * runs only when a wake-up, a block or a demand changed, and a vCPU runs or
 * is dispatched; on a host with cores to spare it takes no passes
 * (recompute_spare), and there a block or a wake that changes no other
 * rate is not even marked (sched_fluid.h sched_fluid_change_settled).  The
 * engine re-plans the running vCPUs only when the rate of one of them came
 * to differ from the rate it was last told (sched_fluid_replan_due,
 * models/sched_fluid.h): on a host with cores to spare, or when a vCPU
 * takes its next request, nothing is re-planned. */
#include <stdlib.h>

#include "models/sched_common.h"
#include "models/sched_fluid.h"
#include "sim/alloc.h"

static int fl_create(const sched_env *env, void **state, sim_diag *diag) {
  (void)diag;
  sched_fluid_state *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  if (sched_host_init(&s->host, env->n_pcpus) < 0) {
    sim_free(s);
    return -1;
  }
  *state = s;
  return 0;
}

static void fl_destroy(void *state) {
  sched_fluid_state *s = state;
  if (!s) return;
  sched_host_free(&s->host);
  sim_free(s->vcpus);
  sim_free(s->runnable);
  sim_free(s);
}

static int fl_add_vcpu(void *state, const sched_vcpu_info *info) {
  sched_fluid_state *s = state;
  bool new_guest;
  long g = sched_host_add_vcpu(&s->host, info, &new_guest);
  if (g < 0) return -1;
  if (new_guest) {
    if (sched_exact_room((void **)&s->runnable, &s->cap_runnable, s->host.n_guests, sizeof *s->runnable)) return -1;
    s->runnable[g] = 0;
  }
  if (s->host.guests[g].cap > 0) s->capped = true;
  size_t n = s->host.n_vcpus;
  if (sched_exact_room((void **)&s->vcpus, &s->cap_vcpus, n, sizeof *s->vcpus)) return -1;
  s->vcpus[n - 1] = (sched_fluid_vcpu){.demand = 1.0};
  return 0;
}

int sched_fluid_reserve(void *state, size_t n_vcpus, size_t n_guests) {
  sched_fluid_state *s = state;
  if (sched_host_reserve(&s->host, n_vcpus, n_guests) < 0 ||
      sched_exact_room((void **)&s->runnable, &s->cap_runnable, n_guests, sizeof *s->runnable) < 0)
    return -1;
  return sched_exact_room((void **)&s->vcpus, &s->cap_vcpus, n_vcpus, sizeof *s->vcpus);
}

/* Upper bound of one runnable vCPU's rate: its demand (at most one CPU), or
 * its part of the cap of its guest g (index in host.guests). */
static double bound(const sched_fluid_state *s, const sched_fluid_vcpu *v, uint32_t g) {
  double cap = s->host.guests[g].cap;
  uint32_t runnable = s->runnable[g];
  double b = v->demand;
  if (cap > 0 && cap / runnable < b) b = cap / runnable;
  return b;
}

/* Whether a pass of the water-filling below must saturate every runnable
 * vCPU at its bound: fewer runnable vCPUs than cores (at most
 * SCHED_FLUID_SPARE_MAX_RUNNABLE), none of a capped guest (so a bound is
 * the vCPU's demand, at most 1).  A pass that saturated none would share `left`, at
 * least one core more than the vCPUs left open and so than the sum of
 * their bounds, among them each below its bound: impossible, and the
 * spare core dwarfs what rounding takes from `left` and the weight sum
 * (weights 1 to 65535, split over at most a guest's vCPUs).  So every
 * rate is exactly the bound, whatever the order of the passes. */
static bool all_saturate(const sched_fluid_state *s) {
  return !s->capped && s->n_runnable < s->host.n_pcpus &&
         s->n_runnable <= SCHED_FLUID_SPARE_MAX_RUNNABLE;
}

/* After vCPU i's rate is set: whether it is running at another rate than
 * its run was planned at (*changed_running), or at next to none (*tiny). */
static inline void note_rate(const sched_fluid_state *s, size_t i, bool *changed_running, bool *tiny) {
  const sched_fluid_vcpu *v = &s->vcpus[i];
  if (!s->host.vcpus[i].running) return;
  *changed_running |= v->rate != v->reported;
  *tiny |= !(v->rate > 1e-9);
}

/* The rates are set: only a running vCPU at another rate than its run was
 * planned at gives the engine anything to re-plan. */
static inline void rates_done(sched_fluid_state *s, bool changed_running, bool tiny) {
  s->sig.dirty = false;
  if (changed_running) s->sig.replans++;
  s->sig.tiny_running = tiny;
}

/* The water-filling's result when all_saturate holds, without its passes:
 * every runnable vCPU at its demand; false (nothing done) when it does not
 * hold. */
static bool recompute_spare(sched_fluid_state *s) {
  if (!all_saturate(s)) return false;
  bool changed_running = false, tiny = false;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    sched_fluid_vcpu *v = &s->vcpus[i];
    if (!v->runnable) continue;
    v->rate = v->demand; /* bound() of an uncapped vCPU */
    note_rate(s, i, &changed_running, &tiny);
  }
  rates_done(s, changed_running, tiny);
  s->settled = !changed_running;
  return true;
}

/* Weighted max-min fair rates (water-filling): passes over the runnable
 * vCPUs not yet saturated, in index order, each saturating those whose fair
 * share of what is left reaches their bound, until none does.  A vCPU's
 * weight share and bound are the same in every pass, so they are computed
 * once (and the same way) before the first; the saturated ones leave the
 * list, the order of the others stays, so every sum is taken in the same
 * order as a pass over all vCPUs would take it. */
void sched_fluid_recompute(sched_fluid_state *s) {
  if (recompute_spare(s)) return;
  s->settled = false;
  double left = s->host.n_pcpus, wsum = 0;
  uint32_t n_open = 0;
  /* A running vCPU is runnable (picked runnable; accounted before it
   * blocks), so the running vCPUs are all among those given a rate here. */
  bool changed_running = false, tiny = false;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    sched_fluid_vcpu *v = &s->vcpus[i];
    if (!v->runnable) continue; /* its rate is 0 (fl_rate) */
    uint32_t g = s->host.vcpus[i].guest;
    v->share_weight = (double)s->host.guests[g].weight / s->runnable[g];
    v->bound = bound(s, v, g);
    wsum += v->share_weight;
    s->vcpus[n_open++].open = (uint32_t)i;
  }
  for (;;) {
    bool changed = false;
    uint32_t kept = 0;
    for (uint32_t k = 0; k < n_open; k++) {
      uint32_t i = s->vcpus[k].open;
      sched_fluid_vcpu *v = &s->vcpus[i];
      double w = v->share_weight, b = v->bound;
      if (left * w / wsum >= b) { /* saturated: give it its bound, share the rest */
        v->rate = b;
        left -= b;
        wsum -= w;
        changed = true;
        note_rate(s, i, &changed_running, &tiny);
      } else {
        s->vcpus[kept++].open = i;
      }
    }
    n_open = kept;
    if (!changed || wsum <= 0) break;
  }
  for (uint32_t k = 0; k < n_open; k++) {
    uint32_t i = s->vcpus[k].open;
    sched_fluid_vcpu *v = &s->vcpus[i];
    v->rate = wsum > 0 && left > 0 ? left * v->share_weight / wsum : 0;
    note_rate(s, i, &changed_running, &tiny);
  }
  rates_done(s, changed_running, tiny);
}

static sched_kick fl_wake(void *state, int32_t vcpu, sim_time now) {
  return sched_fluid_wake(state, vcpu, now);
}

static sched_pick fl_pick_next(void *state, int32_t slot, sim_time now) {
  (void)now;
  return sched_fluid_pick(state, slot);
}

static void fl_account(void *state, int32_t vcpu, int32_t slot, sim_time ran_ns, bool runnable,
                       sim_time now) {
  (void)slot;
  (void)ran_ns;
  (void)now;
  sched_fluid_account(state, vcpu, runnable);
}

static void fl_set_demand(void *state, int32_t vcpu, double cpus) {
  sched_fluid_set_demand(state, vcpu, cpus);
}

static double fl_rate(void *state, int32_t vcpu) { return sched_fluid_rate(state, vcpu); }

bool sched_fluid_replan_due(void *state, uint64_t *seen) {
  sched_fluid_state *s = state;
  if (!s->sig.n_running) return false; /* nothing runs: the rates wait for the next dispatch */
  if (s->sig.dirty) sched_fluid_recompute(s);
  if (s->sig.replans == *seen && !s->sig.tiny_running) return false;
  *seen = s->sig.replans;
  return true;
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
