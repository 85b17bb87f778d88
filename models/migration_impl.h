/* models/migration_impl.h: the state every migration strategy shares, and the
 * helpers of migration.c they build on (network share, rounds, recording,
 * pause and resume).  Internal to the migration_*.c files; what only one
 * strategy uses is in its own file (mig_strategy_state).
 * Units as in migration.h: ns, bit/s, bytes, pages.
 * Invariants: action_ns >= the time of the last step; rate_bps <= the target
 * asked of net_share; downtime accumulates only while the guest is stopped. */
#ifndef MODELS_MIGRATION_IMPL_H
#define MODELS_MIGRATION_IMPL_H
#include "models/dirty.h"
#include "models/migration.h"

/* The steps of the shared stop-and-copy (migration.phase); a strategy
 * numbers its own steps from MIG_PH_STRATEGY on. */
enum {
  MIG_PH_FINAL,    /* stop-and-copy in flight (guest stopped) */
  MIG_PH_RESUME,   /* resume and ARP at the destination */
  MIG_PH_STRATEGY  /* the first value of a strategy's own steps */
};

typedef enum mig_state {
  MIG_WAITING,  /* before spec->at_ns */
  MIG_RUNNING,  /* the strategy's actions run */
  MIG_DONE      /* finished (or failed) */
} mig_state;

struct migration {
  migration_env env;            /* as given (spec and view borrowed) */
  const migration_ops *ops;     /* the strategy */
  void *strategy_state;         /* its private state (ops->create), or NULL */
  mig_state state;
  int phase;                    /* the strategy's own step within MIG_RUNNING */
  sim_time action_ns;           /* next strategy action; SIM_TIME_MAX: none */
  sim_time sample_ns;           /* next signal sample; SIM_TIME_MAX: none */
  int error;                    /* first error of a step, 0 */
  /* event loop (migration_attach) */
  sim_loop *loop;               /* NULL: stepped by the caller */
  int32_t priority;             /* of its events */
  sim_event_id event;           /* its pending event */
  /* the guest and its pages */
  dirty_model *dirty;           /* due pages, groups of the current phase */
  const sim_dirty_group *groups;/* groups last read from the view (to notice a phase change) */
  size_t n_groups;
  bool paused;                  /* the guest is stopped */
  bool switched;                /* the guest runs at the destination */
  sim_time paused_at_ns;        /* when it was stopped */
  double throttle;              /* fraction of vCPU time taken away, [0, 0.99] */
  double fault_service;         /* share of time not stalled on faults (post-copy), [0, 1] */
  /* network */
  int mig_flow;                 /* the migration stream in env.net */
  int guest_flow;               /* the guest's own traffic in env.net */
  double target_bps;            /* rate asked for the stream */
  double rate_bps;              /* rate the stream gets */
  double guest_demand_bps;      /* the guest's demand at the last update */
  double guest_bps;             /* the guest's throughput at the last update */
  double net_service;           /* guest_bps / demand (1 without demand) */
  double service;               /* the guest's service share now, [0, 1] */
  sim_time service_since_ns;    /* when it last changed */
  bool at_source;               /* the guest ran at the source since service_since_ns */
  double guest_bps_since;       /* its throughput since service_since_ns, bit/s */
  double source_bits;           /* guest traffic while running at the source, bits */
  sim_time source_ns;           /* time it ran at the source during the migration */
  double slow_told;             /* the last value given to view.slow */
  net_share *own_net;           /* used when env.net is NULL (every flow unlimited) */
  /* the transfer in flight (a round, the stop-and-copy, a post-copy step) */
  sim_time round_start_ns;      /* its start */
  dirty_round planned;          /* its plan */
  double round_rate_bps;        /* its wire rate */
  /* results */
  migration_round *rounds;
  size_t n_rounds, cap_rounds;
  migration_summary summary;
  int32_t entity;               /* recorder entity of the migration, -1 */
};

/* The strategy's private state (migration_ops.create). */
void *mig_strategy_state(migration *m);
/* Reads the view's dirty groups and passes them on to the dirty model when
 * the phase changed.  0 or negative. */
int mig_sync_groups(migration *m);
/* Asks the network for `target_bps` for the stream (0: idle) and gives the
 * guest its share; calls view.slow when the guest's service changed. */
void mig_net_update(migration *m, sim_time now, double target_bps);
/* Takes a new service share of the guest after fault_service or throttle
 * changed: tells the guest (view.slow) and records it. */
void mig_service_update(migration *m, sim_time now);
/* Stops the guest (downtime starts) / resumes it at the destination (the
 * switch-over: its traffic moves to the destination NIC). */
void mig_pause(migration *m, sim_time now);
void mig_resume(migration *m, sim_time now);
/* Sets the auto-converge throttle: view.throttle and the dirty rates. */
void mig_set_throttle(migration *m, double fraction);
/* Starts the stop-and-copy: stops the guest, sends every due page and the
 * CPU state at the maximum rate ([CL05] 5.3), then resumes it at the
 * destination after resume + ARP and finishes (phases FINAL, RESUME, driven
 * by mig_final_act).  0 or negative. */
int mig_stop_and_copy(migration *m, sim_time now);
int mig_final_act(migration *m, sim_time now);
/* Schedules the next strategy action `delay_s` seconds from now (at least 1 ns later). */
void mig_after(migration *m, sim_time now, double delay_s);
/* The stream's maximum rate: the spec's maximum, under the compressor's cap. */
double mig_max_rate_bps(const migration *m);
/* Appends a round (and its table row). 0 or negative. */
int mig_add_round(migration *m, const migration_round *r);
/* Finishes: summary row, flows removed, full service back, callback. */
int mig_finish(migration *m, sim_time now);
/* Wire bytes of a page / a zero page under the spec's options. */
double mig_page_wire_bytes(const migration *m);
double mig_zero_wire_bytes(const migration *m);
/* The stream's rate cap from the compressor, bit/s (INFINITY without compression). */
double mig_compress_cap_bps(const migration *m);
/* Records an event by name (migration_start, migration_switchover, migration_end). */
void mig_event(migration *m, sim_time now, int which, double v0, double v1);
enum { MIG_EV_START, MIG_EV_SWITCH, MIG_EV_END, MIG_EV_COUNT };

#endif
