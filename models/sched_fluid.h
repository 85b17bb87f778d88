/* models/sched_fluid.h: the fluid scheduler's state (models/sched_fluid.c),
 * open to the engine: a fluid host's every event reads it (is a re-plan
 * due), and every run there asks it whether the vCPU still runs, picks its
 * slot, plans its rate and accounts it; every vCPU's start wakes it.  Those
 * answers are inline here, without a call: the calls cost more than their
 * work.  The water-filling stays in sched_fluid.c.
 * Units: rates in CPUs (1 = one full core).
 * Invariants: see sched_fluid.c. */
#ifndef MODELS_SCHED_FLUID_H
#define MODELS_SCHED_FLUID_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/sched_common.h"

/* The first member of a fluid scheduler's state: what eng_fluid_replan reads
 * of it at every event of its host, without a call when no re-plan is due. */
typedef struct sched_fluid_signal {
  bool dirty;                  /* rates must be recomputed */
  bool tiny_running;           /* a running vCPU was reported a rate of at most 1e-9 CPUs,
                                * which the engine raises to 1e-9 and re-plans every time */
  uint32_t n_running;          /* vCPUs running (picked, not yet accounted), count */
  uint64_t replans;            /* times a running vCPU's rate came to differ from the one
                                * reported for it (sched_fluid_replan_due), count */
} sched_fluid_signal;

typedef struct sched_fluid_vcpu {
  bool runnable;   /* queued or running (running: in sched_host, picked on its slot) */
  uint32_t open;   /* recompute's scratch, by position, not of this vCPU: entry k of the list of
                    * runnable vCPUs not yet saturated, in index order (vcpus[k].open, k below
                    * the list's length): kept beside the rates, without an array of its own */
  double rate;     /* CPUs: current share, valid while runnable */
  double demand;   /* CPUs: the most it wants (its phase's cpu_demand), (0, 1] */
  double reported; /* CPUs: what fl_rate last returned for it (what its run was planned at) */
  double share_weight; /* relative: its guest's weight over the guest's runnable vCPUs
                        * (recompute's scratch) */
  double bound;    /* CPUs: the most it may get, bound() (recompute's scratch) */
} sched_fluid_vcpu;

typedef struct sched_fluid_state {
  sched_fluid_signal sig;      /* first: dirty, n_running, replans, tiny_running, which the
                                * engine reads at every event */
  sched_host host;             /* cores (n_pcpus: the capacity shared, CPUs) and guests */
  sched_fluid_vcpu *vcpus;     /* per vCPU of host.vcpus: its rate */
  size_t cap_vcpus;            /* capacity (sched_exact_room) */
  uint32_t *runnable;          /* per guest of host.guests: its runnable vCPUs, count */
  size_t cap_runnable;         /* capacity (sched_exact_room) */
  bool capped;                 /* some guest of the host has a cap */
  uint32_t n_runnable;         /* runnable vCPUs, count */
  bool settled;                /* the last recompute took recompute_spare's shortcut and found
                                * no running vCPU at another rate than it was reported */
} sched_fluid_state;

/* Whether the rate of a vCPU running on the fluid scheduler `state` may
 * differ from the rate its run was planned at (the last rate the scheduler
 * reported for it), since the count *seen was taken; updates *seen.  false:
 * a re-plan would change no run. */
bool sched_fluid_replan_due(void *state, uint64_t *seen);
/* Whether sched_fluid_replan_due(state, &seen) would say false without
 * recomputing the rates (the common case), read from the signal without a
 * call: nothing runs, or the rates are clean, none running is tiny, and no
 * running vCPU's rate came to differ since `seen`.  false: ask it. */
static inline bool sched_fluid_replan_none(const void *state, uint64_t seen) {
  const sched_fluid_signal *sig = state;
  return !sig->n_running || (!sig->dirty && sig->replans == seen && !sig->tiny_running);
}
/* Room in the fluid scheduler `state` for n_vcpus vCPUs of n_guests guests,
 * before they are added (eng_setup_host).  0, or -1 when out of memory. */
int sched_fluid_reserve(void *state, size_t n_vcpus, size_t n_guests);
/* The rates of the runnable vCPUs of s, marked dirty, computed again. */
void sched_fluid_recompute(sched_fluid_state *s);

/* The most runnable vCPUs for which the water-filling may be skipped on a
 * host with cores to spare (sched_fluid.c all_saturate: its rounding
 * argument holds up to this many). */
#define SCHED_FLUID_SPARE_MAX_RUNNABLE 512

/* A block or a wake on a settled host that keeps cores to spare changes
 * nothing recompute would find but the woken vCPU's rate, its demand: the
 * others keep their demands, their rates are the ones they were reported
 * (the last recompute found none that was not, and a vCPU dispatched since
 * was reported its rate), none of them is tiny (tiny_running would say so),
 * the woken one does not run yet, and a blocked vCPU's rate is not read.
 * The rates are then not marked for recomputing. */
static inline bool sched_fluid_change_settled(const sched_fluid_state *s, bool on) {
  if (s->sig.dirty || !s->settled || s->sig.tiny_running || s->capped) return false;
  return !on || (s->n_runnable + 1 < s->host.n_pcpus &&
                 s->n_runnable + 1 <= SCHED_FLUID_SPARE_MAX_RUNNABLE);
}

/* Marks vCPU `vcpu` runnable or not (inline in the wake and the account). */
static inline __attribute__((always_inline)) void sched_fluid_set_runnable(sched_fluid_state *s, int32_t vcpu, bool on) {
  sched_fluid_vcpu *v = &s->vcpus[vcpu];
  if (v->runnable == on) return;
  bool unchanged = sched_fluid_change_settled(s, on);
  v->runnable = on;
  uint32_t g = s->host.vcpus[vcpu].guest; /* its index in host.guests and runnable */
  if (on) {
    s->runnable[g]++;
    s->n_runnable++;
  } else {
    s->runnable[g]--;
    s->n_runnable--;
  }
  if (!unchanged)
    s->sig.dirty = true;
  else if (on)
    v->rate = v->demand;
}

/* wake of the fluid scheduler: vCPU `vcpu` is runnable, its own slot kicked. */
static inline sched_kick sched_fluid_wake(void *state, int32_t vcpu, sim_time now) {
  sched_fluid_set_runnable(state, vcpu, true);
  return (sched_kick){vcpu, now};
}

/* account of the fluid scheduler: vCPU `vcpu`'s run ended, and it is
 * runnable still or not (the time it ran is not needed). */
static inline void sched_fluid_account(void *state, int32_t vcpu, bool runnable) {
  sched_fluid_state *s = state;
  if (s->host.vcpus[vcpu].running) s->sig.n_running--;
  s->host.vcpus[vcpu].running = false;
  sched_fluid_set_runnable(s, vcpu, runnable);
}

/* Whether vCPU `vcpu` of the fluid scheduler `state` is running (picked,
 * not yet accounted) and runnable: then accounting it runnable and picking
 * its slot again would leave the scheduler as it is (run_end_handler of a
 * re-planned run). */
static inline bool sched_fluid_running(const void *state, int32_t vcpu) {
  const sched_fluid_state *s = state;
  return s->vcpus[vcpu].runnable && s->host.vcpus[vcpu].running;
}

/* pick_next of the fluid scheduler: slot `slot` runs its own vCPU, without
 * a time limit, when that is runnable and not running yet; else nothing
 * (and no retry). */
static inline sched_pick sched_fluid_pick(void *state, int32_t slot) {
  sched_fluid_state *s = state;
  if (slot < 0 || (size_t)slot >= s->host.n_vcpus || !s->vcpus[slot].runnable ||
      s->host.vcpus[slot].running)
    return (sched_pick){-1, 0, 0};
  s->host.vcpus[slot].running = true;
  s->sig.n_running++;
  return (sched_pick){slot, SIM_TIME_MAX, 0};
}

/* set_demand of the fluid scheduler: vCPU `vcpu` wants `cpus` CPUs (taken
 * as 1 outside (0, 1]); a change marks the rates for recomputing. */
static inline void sched_fluid_set_demand(void *state, int32_t vcpu, double cpus) {
  sched_fluid_state *s = state;
  sched_fluid_vcpu *v = &s->vcpus[vcpu];
  if (!(cpus > 0) || cpus > 1) cpus = 1;
  if (v->demand != cpus) {
    v->demand = cpus;
    s->sig.dirty = true;
  }
}

/* rate of the fluid scheduler: vCPU `vcpu`'s share, CPUs (0 unless
 * runnable), recomputed first when marked; what it reports is what its run
 * is planned at. */
static inline double sched_fluid_rate(void *state, int32_t vcpu) {
  sched_fluid_state *s = state;
  if (s->sig.dirty) sched_fluid_recompute(s);
  sched_fluid_vcpu *v = &s->vcpus[vcpu];
  double r = v->runnable ? v->rate : 0;
  v->reported = r;
  if (!(r > 1e-9) && s->host.vcpus[vcpu].running) s->sig.tiny_running = true;
  return r;
}

/* A run of vCPU `vcpu` of the fluid scheduler `state` is planned wanting
 * `want` CPUs: its set_demand(want), then its rate() (start_run plans every
 * run of a fluid host so).  The rate, CPUs. */
static inline double sched_fluid_plan(void *state, int32_t vcpu, double want) {
  sched_fluid_set_demand(state, vcpu, want);
  return sched_fluid_rate(state, vcpu);
}

#endif
