/* models/dvfs.h: dynamic voltage and frequency scaling (DVFS) of a host's
 * cores.  A host type may list its P-states, each a clock frequency and the
 * core voltage it runs at (scenarios/SCHEMA.md "dvfs"), and name a governor
 * that picks its hosts' P-state every sampling period from the share of
 * their cores' time that was busy over the period, as the cpufreq governors
 * of Linux (and Xen's port of them) do [CPUFREQ].  Each governor is a
 * catalog entry in a file of its own (models/registry.h, MODEL_GOVERNOR):
 *   dvfs_performance.c  always the highest P-state
 *   dvfs_powersave.c    always the lowest P-state
 *   dvfs_ondemand.c     the highest above up_threshold, else the lowest that
 *                       keeps the utilisation under it
 *   dvfs_conservative.c a step of freq_step up above up_threshold, down
 *                       under down_threshold
 * The governor's periodic event, and what a P-state does to a host, are the
 * engine's (models/engine_dvfs.c): the P-state's frequency becomes the
 * host's clock, the one cycles are turned into time with, and scales the
 * host's dynamic power (below).
 *
 * Power at a P-state.  A CMOS core's switching power is a C V^2 f (activity,
 * switched capacitance, voltage, frequency) [BB12, Section 3]; the rest of a
 * server's draw does not follow the core clock.  A host's power model
 * (models/datacenter.h) gives its draw at the highest P-state; at P-state k
 * its part above idle is scaled by
 *     s_k = (f_k V_k^2) / (f_top V_top^2),
 * so P_k(u) = P(0) + (P(u) - P(0)) s_k, u being the busy share of the cores'
 * time at that P-state.  Idle power stays P(0).  A task of fixed cycles takes
 * f_top / f_k as long at P-state k, at u f_top / f_k, so its dynamic energy
 * scales with V_k^2 / V_top^2: the energy per cycle of CMOS logic.
 * Units: frequencies in Hz, voltages in V, utilisation a share in [0, 1],
 * power in W.
 * Invariants: a policy lists n >= 1 P-states by strictly increasing
 * frequency; a governor is a function of the policy, the current P-state,
 * the load and what it keeps of the host between samples (dvfs_memory). */
#ifndef MODELS_DVFS_H
#define MODELS_DVFS_H
#include <stdbool.h>
#include <stddef.h>

#include "models/datacenter.h"
#include "sim/scenario.h"

/* What a governor sees of a host type. */
typedef struct dvfs_policy {
  size_t n;                 /* P-states, >= 1 */
  const double *hz;         /* Hz: their frequencies, strictly increasing */
  double up_threshold;      /* share of the cores' time, (0, 1] (ondemand) */
  double down_differential; /* share, [0, up_threshold): how far under up_threshold
                             * ondemand aims when it lowers the clock */
  double down_threshold;    /* share, [0, up_threshold): conservative steps down under it */
  double freq_step;         /* share of the top frequency, (0, 1]: conservative's step */
} dvfs_policy;

/* What a governor keeps of one host between samples (cpufreq's per-policy
 * dbs_info). */
typedef struct dvfs_memory {
  double requested_hz; /* Hz: the frequency conservative last asked for (not always a P-state's) */
} dvfs_memory;

typedef struct dvfs_governor_ops {
  const char *name;
  /* false: its choice never depends on the load, so a run schedules no
   * sampling event for it (a static governor costs nothing per period) */
  bool samples;
  /* The P-state (index into policy->hz) a host is in when the run starts;
   * *mem is the host's, zero before. */
  size_t (*start)(const dvfs_policy *p, dvfs_memory *mem);
  /* The P-state for the next period: `cur` the P-state of the period just
   * ended, `load` the share of the host's cores' time busy over it, [0, 1]. */
  size_t (*next)(const dvfs_policy *p, size_t cur, double load, dvfs_memory *mem);
} dvfs_governor_ops;

extern const dvfs_governor_ops dvfs_performance_ops, dvfs_powersave_ops, dvfs_ondemand_ops,
    dvfs_conservative_ops;

/* The lowest P-state whose frequency is at least hz, the highest when none
 * is: the choice cpufreq calls CPUFREQ_RELATION_L [CPUFREQ]. */
static inline size_t dvfs_lowest_at_least(const dvfs_policy *p, double hz) {
  for (size_t k = 0; k < p->n; k++)
    if (p->hz[k] >= hz) return k;
  return p->n - 1;
}

/* The highest P-state whose frequency is at most hz, the lowest when none
 * is: CPUFREQ_RELATION_H [CPUFREQ]. */
static inline size_t dvfs_highest_at_most(const dvfs_policy *p, double hz) {
  for (size_t k = p->n; k-- > 0;)
    if (p->hz[k] <= hz) return k;
  return 0;
}

/* s_k of host type t's P-state k: its dynamic power over the top P-state's,
 * f_k V_k^2 / (f_top V_top^2) (see above). */
static inline double dvfs_dynamic_scale(const sim_host_type *t, size_t k) {
  size_t top = t->n_pstates - 1;
  return t->pstate_hz[k] * t->pstate_volts[k] * t->pstate_volts[k] /
         (t->pstate_hz[top] * t->pstate_volts[top] * t->pstate_volts[top]);
}

/* m's power at utilisation u (clamped to [0, 1]) with its part above idle
 * scaled by `dynamic_scale` (models/power_linear.c): P(0) + (P(u) - P(0)) s. */
double dvfs_power_watts(const dc_power_model *m, double u, double dynamic_scale);

#endif
