/* models/scheduler.h: the interface of a host's CPU scheduler.
 * A scheduler decides which runnable vCPU runs on each physical CPU (pCPU) and
 * for how long; the engine (models/engine.c) owns time, charges the work
 * through the technique model and tells the scheduler what ran.  The split is
 * the one of Xen's scheduler interface ([XEN] xen/common/sched/): the
 * scheduler never advances time or touches work, the engine never orders
 * vCPUs.
 *
 * Protocol, for one host (vCPU ids are 0..n-1 in the order add_vcpu was
 * called, pCPU ids 0..cores-1):
 *   create -> add_vcpu for every vCPU (all start not runnable)
 *   wake(v): v became runnable.  The scheduler queues it and returns a kick:
 *            a pCPU on which the engine must call pick_next at time `at`
 *            (an idle pCPU now, or a busy one whose current run is cut short
 *            at `at` >= now so v gets its turn), or pcpu -1 when nothing
 *            needs to change until a running slice ends.
 *   pick_next(p): the engine asks, when p is idle or its slice ended, for the
 *            vCPU to run next (removed from the run queue) and the length of
 *            its slice, SIM_TIME_MAX meaning "until it stops or is kicked".
 *   account(v, p, ran_ns, runnable): v stopped running on p after ran_ns; the
 *            scheduler charges it (credits, virtual time...) and, when
 *            `runnable`, queues it again; otherwise v is blocked (waiting,
 *            or its work is done) until the next wake.
 * The engine calls pick_next on a pCPU only after the previous vCPU's account.
 * Invariants the engine relies on: a vCPU pinned to pCPU p is only returned
 * by pick_next(p); a vCPU is never returned while it runs elsewhere; pick_next
 * returns -1 only when no queued vCPU may run on p.
 * Units: times in ns (sim_time); weights are relative shares; caps in CPUs.
 *
 * A new scheduler is one sched_<name>.c defining a scheduler_ops (its
 * policy; parameters, pCPUs and guests come from models/sched_common.h), its
 * extern below, its line in models/CMakeLists.txt and one MODEL_SCHEDULER row
 * in models/registry.c; its profile keys go in models/profiles/README.md. */
#ifndef MODELS_SCHEDULER_H
#define MODELS_SCHEDULER_H
#include <stdbool.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/profile.h"
#include "sim/scenario.h"
#include "sim/time.h"

/* How a scheduler's decisions are simulated.  QUANTUM: every slice and switch
 * is an event (what rr, credit and credit2 do).  FLUID: CPU time is shared
 * continuously in proportion to weights (processor sharing, CFS's ideal),
 * events only when the set of runnable vCPUs changes. */
typedef enum sched_mode { SCHED_QUANTUM = 1, SCHED_FLUID = 2 } sched_mode;

/* What a scheduler is created with. */
typedef struct sched_env {
  const sim_host_type *host_type; /* cores, scheduler name, fidelity */
  const sim_profile *profile;     /* the host's calibration profile (scheduler parameters) */
  uint32_t n_pcpus;               /* physical CPUs, count */
} sched_env;

/* A vCPU as the scheduler sees it. */
typedef struct sched_vcpu_info {
  uint32_t guest;  /* index of its guest in the scenario (vCPUs of a guest share it) */
  int32_t pinned;  /* pCPU it must run on, or -1 for any */
  uint32_t weight; /* relative share (credit: 256 by default) */
  double cap;      /* at most this many CPUs for the whole guest, 0 = uncapped */
} sched_vcpu_info;

/* A wake-up's request to the engine: call pick_next on `pcpu` at `at`. */
typedef struct sched_kick {
  int32_t pcpu;  /* pCPU, or -1: nothing to do */
  sim_time at;   /* ns, >= now: when to preempt the vCPU running there, if any */
} sched_kick;

/* A pick: the vCPU to run and for how long. */
typedef struct sched_pick {
  int32_t vcpu;      /* vCPU id, or -1: the pCPU idles until kicked */
  sim_time slice_ns; /* ns; SIM_TIME_MAX: until the vCPU blocks or is kicked */
  /* With vcpu -1: ns at which the engine asks pick_next again even without a
   * kick (a capped vCPU is unparked when credit or quota is refilled); 0:
   * only when kicked. */
  sim_time retry_at_ns;
} sched_pick;

typedef struct scheduler_ops {
  const char *name;    /* as written in scenarios (host_types[].scheduler) */
  const char *summary; /* one line for --help and docs */
  unsigned modes;      /* bit set of sched_mode it implements */
  /* 0, or negative with a diagnostic (bad parameter in the profile, say). */
  int (*create)(const sched_env *env, void **state, sim_diag *diag);
  void (*destroy)(void *state);
  /* Registers the next vCPU (id = number of earlier calls); 0 or negative
   * when out of memory. */
  int (*add_vcpu)(void *state, const sched_vcpu_info *info);
  sched_kick (*wake)(void *state, int32_t vcpu, sim_time now);
  sched_pick (*pick_next)(void *state, int32_t pcpu, sim_time now);
  void (*account)(void *state, int32_t vcpu, int32_t pcpu, sim_time ran_ns, bool runnable,
                  sim_time now);
  /* FLUID mode only (NULL otherwise): the vCPU's current rate in CPUs
   * (0..1).  In fluid mode the engine gives every vCPU a slot of its own
   * (pCPU id = vCPU id, wake kicks that slot, pick_next(v) returns v with an
   * unbounded slice), runs it at rate x the host clock, and after every wake
   * and account re-plans the running vCPUs whose rate changed. */
  double (*rate)(void *state, int32_t vcpu);
  /* FLUID mode only: the most CPU the vCPU wants now (its phase's
   * cpu_demand, 0..1]; the engine sets it at each dispatch. */
  void (*set_demand)(void *state, int32_t vcpu, double cpus);
  /* Guest `guest` (its index in the scenario) is capped at `cap` CPUs (0:
   * uncapped) from `now` on (models/engine_instances.c); NULL: the
   * scheduler cannot change a cap while it runs. */
  void (*set_cap)(void *state, uint32_t guest, double cap, sim_time now);
} scheduler_ops;

/* The schedulers, registered in models/registry.c. */
extern const scheduler_ops sched_rr_ops;
extern const scheduler_ops sched_credit_ops;  /* Xen credit, models/sched_credit.c */
extern const scheduler_ops sched_credit2_ops; /* Xen credit2, models/sched_credit2.c */
extern const scheduler_ops sched_cfs_ops;     /* Linux CFS with cgroups, models/sched_cfs.c */
/* The fluid fidelity of every scheduler (host_types[].fidelity: fluid), models/sched_fluid.c. */
extern const scheduler_ops sched_fluid_ops;

/* The scheduler used when a host type names none. */
#define SCHED_DEFAULT_NAME "rr"

#endif
