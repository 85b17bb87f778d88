/* models/datacenter.h: the data-center policies of dynamic VM consolidation
 * [BB12] (Beloglazov & Buyya, CCPE 2012), each a catalog entry in a file of
 * its own (models/registry.h):
 *   placement_*.c  where a VM goes: first fit, best fit, worst fit, PABFD,
 *                  random (placement_random.h [SDQ10])
 *   overload_*.c   whether a host is overloaded: THR, IQR, MAD, LR, LRR
 *   underload_*.c  which host to empty: the least utilised one
 *   vmselect_*.c   which VM leaves an overloaded host: MMT, MC, MU, RS
 *   power_*.c      a host's power at a CPU utilisation: linear, cubic,
 *                  SPECpower tables
 * the statistics they share (datacenter_stats.c), and the indexes of the
 * hosts' room and rank that let placements and underload picks skip hosts
 * (placement_index.c).  Every policy is a
 * pure function of the state it is handed: utilisation histories, host
 * capacities and loads, power models; the consolidation controller that
 * feeds them from a run is separate.
 * Units: utilisation is a share of a host's (or VM's) CPU capacity, [0, 1]
 * for a host (a VM's demand may exceed what it gets); CPU capacity and
 * demand in Hz (cores x clock, cycles per second); memory in bytes; time in
 * seconds (s) where a policy reasons in the paper's terms; power in W.
 * Invariants: histories are oldest first, their last sample is the current
 * one; no policy keeps state between calls (the random selection draws from
 * the stream it is handed). */
#ifndef MODELS_DATACENTER_H
#define MODELS_DATACENTER_H
#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

/* ---- power models ---- */

#define DC_POWER_TABLE_POINTS SIM_POWER_TABLE_POINTS /* SPECpower: 0 %, 10 %, ... 100 % load */

typedef struct dc_power_ops dc_power_ops;

/* A host's power model with its parameters. */
typedef struct dc_power_model {
  const dc_power_ops *ops;
  double idle_w;                         /* W at 0 % load (linear, cubic) */
  double max_w;                          /* W at 100 % load (linear, cubic) */
  double table_w[DC_POWER_TABLE_POINTS]; /* W at 0, 10, ... 100 % (specpower) */
} dc_power_model;

/* What parameters a power model takes (scenarios/SCHEMA.md "power"). */
typedef enum dc_power_form {
  DC_POWER_IDLE_MAX, /* idle and max */
  DC_POWER_TABLE,    /* a table of DC_POWER_TABLE_POINTS values */
  DC_POWER_SHIPPED   /* none: a measured table shipped with the model */
} dc_power_form;

struct dc_power_ops {
  const char *name;
  dc_power_form form;
  const double *shipped_w; /* DC_POWER_SHIPPED: its DC_POWER_TABLE_POINTS values, W */
  /* W at utilisation u in [0, 1] (clamped). */
  double (*watts)(const dc_power_model *m, double u);
};

/* m's power at u, W. */
double dc_power_watts(const dc_power_model *m, double u);
/* Interpolates a table of DC_POWER_TABLE_POINTS values at u (clamped to
 * [0, 1]): linear between the measured points [BB12, Table 1]. */
double dc_power_table_watts(const double *table_w, double u);
/* ---- utilisation statistics [BB12, Section 6] ---- */

/* The longest history a statistic takes: the samples a host keeps [BB12,
 * Section 8.2] (30 intervals, 2.5 h at 300 s). */
#define DC_HISTORY_MAX 30

/* Median of x[0..n-1], 1 <= n <= DC_HISTORY_MAX (mean of the middle two when n is even). */
double dc_median(const double *x, size_t n);
/* Median absolute deviation: median of |x_i - median(x)|, n >= 1. */
double dc_mad(const double *x, size_t n);
/* Interquartile range Q3 - Q1, n >= 1, the quartiles taken as the
 * order statistics of rank round(0.25 (n + 1)) and round(0.75 (n + 1)). */
double dc_iqr(const double *x, size_t n);
/* The local regression of y (y[i] at x = i + 1, n >= 3): the line
 * a + b x fitted by least squares with tricube weights that favour the
 * newest samples (3 <= n <= DC_HISTORY_MAX); `robust`: one more fit with bisquare weights on its
 * residuals (LRR).  *a, *b set; 0, or -1 when the fit is singular. */
int dc_local_regression(const double *y, size_t n, bool robust, double *a, double *b);
/* R^2 of the least-squares regression of y on the k columns x[j] (each n
 * samples), with an intercept: how well the other VMs' loads explain this
 * one's [BB12, Section 7.3].  0, or -1 when n <= k + 1 (no degrees of
 * freedom) or the fit is singular. */
int dc_multiple_r2(const double *y, const double *const *x, size_t k, size_t n, double *r2);

/* ---- overload detection ---- */

/* What an overload detector sees of one host. */
typedef struct dc_host_history {
  const double *util;     /* its CPU utilisation per interval, oldest first; the last is now */
  size_t n;               /* samples, >= 1 */
  double max_migration_s; /* s: the longest migration of any of its VMs (LR, LRR) */
  double interval_s;      /* s: the consolidation interval (LR, LRR) */
} dc_host_history;

typedef struct dc_overload_ops {
  const char *name;
  /* the default of `threshold`: the static threshold (thr), or the
   * threshold used while the history is too short for the statistics */
  double default_threshold;
  double default_safety;  /* the safety parameter s; 0 when it takes none */
  size_t min_history;     /* samples it needs before it stops falling back on the threshold */
  /* true when the host is overloaded [BB12, Section 6]. */
  bool (*overloaded)(const dc_host_history *h, double threshold, double safety);
} dc_overload_ops;

/* The static-threshold test every detector falls back on: u > threshold. */
bool dc_over_threshold(const dc_host_history *h, double threshold);

/* ---- the cluster as placement and underload detection see it ---- */

typedef struct dc_host_load {
  double capacity_hz;       /* Hz: cores x clock */
  double used_hz;           /* Hz: the CPU its VMs demand now */
  uint64_t memory_bytes;    /* bytes: its memory */
  uint64_t used_bytes;      /* bytes: its VMs' memory */
  const dc_power_model *power; /* its power model (PABFD); NULL: none */
  bool active;              /* switched on */
} dc_host_load;

typedef struct dc_vm_load {
  double demand_hz;         /* Hz: the CPU it demands now */
  uint64_t memory_bytes;    /* bytes */
  double draw;              /* in [0, 1): the VM's own uniform draw for this placement, by which
                             * a random policy picks (placement_random.c); 0 for the others */
} dc_vm_load;

/* Whether a host may take the VM beyond fitting: PABFD asks the overload
 * detector whether the host would be overloaded with it [BB12, Alg. 1]. */
typedef bool (*dc_admit_fn)(void *ctx, size_t host, const dc_vm_load *vm);

/* Whether vm fits on h: CPU and memory. */
bool dc_fits(const dc_host_load *h, const dc_vm_load *vm);

/* An index of the room each host has left (placement_index.c), kept by the
 * one who changes the loads: dc_room_set after each change of a host's load
 * or exclusion, dc_room_build for all. */
typedef struct dc_room dc_room;
dc_room *dc_room_new(size_t n);
void dc_room_free(dc_room *r);
void dc_room_build(dc_room *r, const dc_host_load *hosts, const bool *excluded);
void dc_room_set(dc_room *r, size_t i, const dc_host_load *h, bool excluded);
/* The first host i >= from not `excluded` that vm fits on (dc_fits), -1
 * when none: what a scan from `from` finds, through `room` when it is not
 * NULL (it must index hosts and excluded as they are). */
long dc_next_fit(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                 const dc_vm_load *vm, size_t from);

/* Best and worst fit: among the admitted hosts vm fits on, switched-on ones
 * first, the one with the least (tightest) or the most CPU left over after
 * it, ties to the first; -1 when none. */
long dc_choose_by_room(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                       const dc_vm_load *vm, dc_admit_fn admit, void *ctx, bool tightest);

typedef struct dc_placement_ops {
  const char *name;
  bool decreasing; /* VMs are placed in decreasing order of demand */
  /* The host for vm among hosts[0..n-1] not `excluded` (NULL: none is),
   * -1 when none fits.  `room` (NULL: none) indexes hosts and excluded
   * (dc_next_fit); `admit` may be NULL. */
  long (*choose)(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                 const dc_vm_load *vm, dc_admit_fn admit, void *ctx);
  bool random;     /* it picks by the VM's draw among every host the VM fits on: it is
                    * offered every host, alike ones included (engine_dc.c hide_twins) */
} dc_placement_ops;

/* ---- underload detection ---- */

typedef struct dc_underload_ops {
  const char *name;
  /* The host's rank as the host to try to empty: the lowest is tried first
   * (ties to the first host); INFINITY when it is no candidate.  The
   * controller then checks that all its VMs can go elsewhere. */
  double (*rank)(const dc_host_load *h);
} dc_underload_ops;

/* The host to try to empty among hosts[0..n-1] not `excluded`: the lowest
 * ranked, -1 when none is a candidate (a scan; dc_rank keeps it current). */
long dc_underload_pick(const dc_underload_ops *ops, const dc_host_load *hosts, size_t n, const bool *excluded);

/* The hosts by rank (placement_index.c), kept by the one who changes the
 * loads: dc_rank_set after each change of a host's load or exclusion. */
typedef struct dc_rank dc_rank;
dc_rank *dc_rank_new(size_t n);
void dc_rank_free(dc_rank *t);
void dc_rank_build(dc_rank *t, const dc_underload_ops *ops, const dc_host_load *hosts, const bool *excluded);
void dc_rank_set(dc_rank *t, const dc_underload_ops *ops, size_t i, const dc_host_load *h, bool excluded);
/* What dc_underload_pick would answer now. */
long dc_rank_lowest(const dc_rank *t);

/* ---- VM selection ---- */

typedef struct dc_vm_candidate {
  double migration_s;    /* s: the time its migration would take */
  double util;           /* its CPU utilisation now, share of its host's capacity */
  const double *history; /* its utilisation per interval, oldest first (MC) */
  size_t n_history;      /* samples */
} dc_vm_candidate;

typedef struct dc_vmselect_ops {
  const char *name;
  bool needs_history; /* it reads the candidates' utilisation histories (MC): the
                       * controller keeps them only then (240 B a guest) */
  /* The VM to migrate among c[0..n-1] (n >= 1); `rng` is the selection's
   * own stream (RS). */
  size_t (*select)(const dc_vm_candidate *c, size_t n, gsl_rng *rng);
} dc_vmselect_ops;

/* The minimum-migration-time choice (also MC's fallback). */
size_t dc_select_min_migration_time(const dc_vm_candidate *c, size_t n);

extern const dc_power_ops power_linear_ops, power_cubic_ops, power_specpower_ops, power_hp_ml110_g4_ops,
    power_hp_ml110_g5_ops;
extern const dc_overload_ops overload_thr_ops, overload_iqr_ops, overload_mad_ops, overload_lr_ops,
    overload_lrr_ops;
extern const dc_underload_ops underload_least_utilized_ops;
extern const dc_placement_ops placement_first_fit_ops, placement_best_fit_ops, placement_worst_fit_ops,
    placement_pabfd_ops;
extern const dc_placement_ops placement_random_ops;
extern const dc_vmselect_ops vmselect_mmt_ops, vmselect_mc_ops, vmselect_mu_ops, vmselect_rs_ops;

#endif
