/* models/engine_dc_internal.h: the consolidation controller's state
 * (engine_dc.c: the policies, migrations and set-up; engine_dc_report.c:
 * what it measures each interval and the tables it writes), private to the
 * two files.  Units as in engine_dc.c: ns internally; s, W, kWh, bytes in
 * tables; a demand in Hz. */
#ifndef VDCSIM_ENGINE_DC_INTERNAL_H
#define VDCSIM_ENGINE_DC_INTERNAL_H

#include "models/datacenter.h"
#include "models/engine_internal.h"

enum { PRIO_DC = 5 }; /* after the runs and wake-ups due at the same time, before samples */
enum { LINKS_LATER = -2 }; /* a host's NIC links before it first takes part in a migration */

#define FULL_UTILISATION 0.99 /* an interval at or above this share of capacity counts as 100 % */
#define MIGRATION_DEGRADATION 0.1 /* share of a VM's CPU lost while it migrates [BB12, Section 8.3] */

typedef struct dc_hstate {
  double hist[DC_HISTORY_MAX]; /* requested utilisation per interval, oldest first */
  size_t n_hist;               /* samples kept */
  bool on;                     /* switched on */
  bool has_power;              /* its type has a power model (the two flags together: a data
                                * center holds one record per host) */
  sim_time booted_ns;          /* ns: its boot ends (on) */
  sim_time prev_busy_ns;       /* ns: busy time at the previous interval */
  dc_power_model power;        /* the model, when it has one */
  double energy_j;             /* J */
  double power_row_w;          /* W: its last row of series/host_power_w; NAN: none yet */
  double active_s, full_s;     /* s: switched on; at 100 % utilisation */
  int64_t shutdowns, boots;    /* count */
} dc_hstate;

typedef struct dc_gstate {
  double prev_want_ns;         /* ns: run + steal at the previous interval, all vCPUs */
  double demand_cpus;          /* CPUs it requested over the last interval */
  double degraded_s;           /* CPU s lost to migrations */
  uint32_t n_hist;             /* samples in its history (dc_guest_hist), at most DC_HISTORY_MAX */
  bool migrating;              /* a consolidation migration of it is under way (its dc_mig) */
} dc_gstate;

typedef struct dc_mig {
  struct eng_dc *dc;           /* owner */
  uint32_t guest, src, dst;    /* scenario indices */
  const char *reason;          /* "overload" or "underload" */
  sim_migration_spec spec;     /* what migration_create is given (kept: it keeps a pointer) */
  char name[SIM_STR_CELL];
  migration *m;
  double run_at_start_ns;      /* ns: the guest's run time when the migration started */
} dc_mig;

/* A move one consolidation decided. */
typedef struct dc_move {
  uint32_t guest, dst;         /* scenario indices: the guest, the host it goes to */
  const char *reason;          /* "overload" or "underload" */
} dc_move;

struct eng_dc {
  eng *e;
  double *guest_hist;          /* DC_HISTORY_MAX entries per guest: requested CPUs per interval,
                                * oldest first (dc_gstate.n_hist of them); NULL unless the VM
                                * selection reads them (MC) */
  const sim_datacenter_spec *spec;
  const dc_placement_ops *placement;
  const dc_overload_ops *overload;
  const dc_underload_ops *underload; /* NULL: hosts are not emptied */
  const dc_vmselect_ops *select;
  double threshold, safety;          /* the detector's, defaults resolved */
  gsl_rng *rng;                      /* the selection's own stream */
  dc_hstate *hosts;                  /* per host */
  dc_gstate *guests;                 /* per guest */
  migration_engine_hooks hooks;      /* how migrations act on guests */
  migration_params params;           /* the machinery's costs, from the profile */
  net_share *net;                    /* the hosts' first NICs, as the running migrations share them */
  net_share **old_nets;              /* networks of migrations all finished (they keep pointers) */
  size_t n_old_nets, cap_old_nets;
  bool net_used;                     /* a migration has been started on net */
  int *tx_link, *rx_link;            /* per host; -1: no NIC; LINKS_LATER: not made yet */
  migration_recording *recording;    /* migration/rounds and /summary; NULL when scripted ones own them */
  int64_t rejected;                  /* arriving guests no host had room for, count */
  dc_mig **migs;                     /* every consolidation migration */
  size_t n_migs, cap_migs;
  size_t *live;                      /* indices in migs of those not known finished, in start order */
  size_t n_live;
  uint32_t *migrating_n;             /* per host: migrations under way from or to it */
  sim_table *t_migs, *t_place;
  int sig_power;                     /* series/host_power_w (SIM_SIGNAL_OFF: not kept) */
  sim_time last_ns;                  /* ns: the previous interval's end */
  /* scratch of one consolidation, per host or guest */
  dc_host_load *load;
  bool *excluded, *excluded_under;
  double *requested_hz;              /* per host: its guests' demand over the last interval, Hz */
  bool *used;                        /* per host: has guests or an incoming migration */
  double *mig_s;                     /* per host: max_migration_s of its guests where they are now */
  dc_vm_candidate *cand;             /* the VM selection's candidates: the movable guests of one
                                      * host, grown to the most seen (not one per guest) */
  size_t cap_cand;                   /* entries cand has room for */
  uint32_t *host_first;              /* per host + 1: where its guests start in on_host */
  uint32_t *on_host;                 /* guests by host, each host's in guest order */
  uint32_t *sort_tmp;                /* per guest: sort_by_demand's scratch */
  double *mig_in;                    /* per host: max_migration_s of the guests placed on it at the start */
  uint32_t *twin;                    /* per host: the next host alike at the start (hide_twins); UINT32_MAX: none */
  dc_room *room;                     /* the room of dc->load's hosts, while room_live */
  const bool *room_excluded;         /* the exclusions it indexes (NULL: none) */
  bool room_live;
  dc_rank *rank;                     /* the underload ranks of dc->load, excluded_under, while rank_live */
  bool rank_live;
  dc_move *moves;                    /* decided moves, grown to the most one consolidation decided
                                      * (not one per guest) */
  size_t n_moves, cap_moves;
};

/* Guest gi's history of requested CPUs (dc_gstate.n_hist entries), NULL
 * when the histories are not kept. */
static inline double *dc_guest_hist(const struct eng_dc *dc, size_t gi) {
  return dc->guest_hist ? dc->guest_hist + gi * DC_HISTORY_MAX : NULL;
}

/* ---- engine_dc_report.c ---- */

/* Whether guest gi is on a host: arrived (or there from the start), not
 * departed, not rejected.  Every guest without `arrival` or `lifetime` is. */
bool dc_present(const eng *e, size_t gi);
/* ns: guest g's run and steal time, all vCPUs (what it asked for). */
double dc_want_ns(const eng *e, const eng_guest *g);
/* ns: guest g's run time, all vCPUs. */
double dc_run_ns(const eng *e, const eng_guest *g);
/* Appends x to a history of at most DC_HISTORY_MAX samples, oldest dropped. */
void dc_push(double *hist, size_t *n, double x);
/* Hz: host h's capacity at its top clock (cores x clock). */
double dc_capacity_hz(const eng_host *h);
/* Energy, activity and 100 % time of every host from the last interval's
 * end to `now`; with `sample`, the utilisation histories grow by one. */
void dc_account(struct eng_dc *dc, sim_time now, bool sample);
/* A row of datacenter/placement: guest on host from `now`. */
int dc_place_row(struct eng_dc *dc, sim_time now, uint32_t guest, uint32_t host);
/* Declares datacenter/migrations, datacenter/placement and the power series. */
int dc_declare_tables(struct eng_dc *dc);

#endif
