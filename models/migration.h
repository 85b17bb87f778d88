/* models/migration.h: live migration of a guest between hosts.
 *
 * What it models: moving a running guest's memory (and, with block migration,
 * its disk) to another host, and what that costs: total time, downtime, bytes
 * on the wire, bandwidth taken from other traffic, and the guest's slowdown.
 * One strategy a file, chosen by name (rows MODEL_MIGRATION in registry.c):
 *   precopy        [CL05] sec. 5.3 and [XEN] xc_domain_save.c rounds, rate
 *                  adaptation and stop conditions; [QEMU] max downtime,
 *                  bandwidth limit and auto-converge (migration_precopy.c)
 *   stop-and-copy  pause, copy everything, resume (migration_stopcopy.c)
 *   postcopy       resume at the destination at once, pull pages on fault,
 *                  push the rest in the background (migration_postcopy.c)
 *   container      CRIU: freeze, dump, transfer, restore (migration_container.c)
 * A strategy keeps what only it uses in a private state of its own
 * (migration_ops.create/destroy) and says which profile keys beyond the
 * common ones it reads (migration_ops.needs); migration.c knows strategies
 * only through their ops.  A new strategy is one migration_<name>.c with its
 * ops, its extern below, its line in models/CMakeLists.txt, one
 * MODEL_MIGRATION row in models/registry.c, and its profile keys (if any) in
 * migration_profile.c and models/profiles/README.md.
 * Which pages are dirty comes from the page-group model (models/dirty.h); the
 * migration stream shares the links it crosses with the guest's own traffic
 * and other migrations (models/net_share.h).
 *
 * How it runs: a migration is a state machine with its own next-action time.
 * The engine either attaches it to the event loop (migration_attach: it then
 * schedules itself, starting at the spec's `at`) or asks migration_next_ns
 * and calls migration_step itself.  The guest is seen only through
 * migration_guest_view: its memory, its current dirty groups, its network
 * demand, and callbacks to pause, resume, throttle and slow it.
 *
 * Units: time int64 ns, rates bit/s unless named _Bps (bytes/s), sizes bytes,
 * pages 4 KiB (params.page_bytes).
 *
 * Output (through sim/recorder.h, never files):
 *   table migration/rounds, one row per round; the last row of a migration is
 *   its stop-and-copy (post-copy: the switch-over, then the background push):
 *     migration (str)       migration name
 *     round (i64)           0-based round number
 *     start_s (s)           round start, simulated time
 *     duration_s (s)        round duration
 *     pages (1)             pages sent (expected value, may be fractional)
 *     bytes (bytes)         bytes on the wire
 *     rate_bps (bit/s)      wire rate the round ran at
 *     dirty_rate_bps (bit/s) pages dirtied during the round x page size / duration
 *     pages_skipped (1)     due pages not sent because dirtied again in the round
 *   table migration/summary, one row per migration:
 *     migration, guest, strategy, source, destination (str)
 *     total_time_s (s)      start to the guest running at the destination
 *                           with all its pages (pre-copy: the resume;
 *                           post-copy: the last page pushed)
 *     downtime_s (s)        guest stopped: final copy + CPU state + resume + ARP
 *     total_bytes (bytes)   on the wire, all rounds
 *     rounds (i64)          rows in migration/rounds, stop-and-copy included
 *     first_round_s (s)     duration of round 0
 *     remaining_rounds_s (s) end of round 0 to the start of the stop-and-copy
 *     converged (i64)       1: stopped because little was left to send
 *     stop_reason (str)     which stop condition ended pre-copy
 *     first_round_bytes (bytes) bytes on the wire in round 0
 *     guest_throughput_bps (bit/s) the guest's mean network throughput while
 *                           it ran at the source during the migration
 *     min_service (1)       lowest service share the guest had (0: stopped)
 *     degraded_s (s)        time the guest ran below full service (downtime
 *                           included)
 *     status (str)          complete, failed, or unfinished: still running (or
 *                           not begun) at the run's end; then total_time_s and
 *                           remaining_rounds_s are NaN and the others stand as
 *                           at the end, its completed rounds in migration/rounds
 *   signals (entity: the migration for the rate, the guest for the others):
 *     migration_rate_bps              rate of the migration stream, bit/s
 *     migration_guest_throughput_bps  the guest's own network throughput, bit/s
 *     migration_guest_service         share of its unimpeded service rate the
 *                                     guest gets (network share, faults,
 *                                     throttling; 0 while stopped), 1
 *   events: migration_start, migration_switchover (value0: downtime s),
 *   migration_end (value0: total time s, value1: total bytes). */
#ifndef MODELS_MIGRATION_H
#define MODELS_MIGRATION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/net_share.h"
#include "sim/diag.h"
#include "sim/loop.h"
#include "sim/recorder.h"
#include "sim/scenario.h"
#include "sim/time.h"

typedef struct migration migration;
typedef struct sim_profile sim_profile; /* sim/profile.h */

/* The guest as the migration sees it; the engine fills it in. */
typedef struct migration_guest_view {
  void *ctx;                   /* passed to every callback */
  uint64_t memory_bytes;       /* guest memory (a container: its resident set) */
  uint64_t resident_bytes;     /* memory ever written; the rest are zero pages */
  uint64_t disk_bytes;         /* disk image copied by block migration */
  double disk_write_Bps;       /* rate it writes disk blocks, bytes/s (block migration) */
  uint32_t vcpus;              /* post-copy faults stall one vCPU each */
  int32_t entity;              /* recorder entity of the guest, -1: none */
  /* The dirty groups of the phase running now (kept valid until the next
   * call) and the guest's utilisation in it, (0, 1] (its share of its
   * vCPUs' time: a trace sample's); returns their count. */
  size_t (*dirty_groups)(void *ctx, const sim_dirty_group **groups, double *utilisation);
  /* The network throughput the guest would use if unimpeded now, bit/s. */
  double (*net_demand_bps)(void *ctx);
  void (*pause)(void *ctx);
  /* Resumes the guest, now on host `host` (index into the scenario's hosts). */
  void (*resume)(void *ctx, uint32_t host);
  /* Takes `fraction` in [0, 0.99] of the vCPUs' time away (auto-converge). */
  void (*throttle)(void *ctx, double fraction);
  /* The guest now progresses at `service` in [0, 1] of its unimpeded rate
   * (its network share, post-copy fault stalls); 1 restores it. */
  void (*slow)(void *ctx, double service);
} migration_guest_view;

/* Costs of the machinery, from the calibration profile (every field
 * required; see migration_params_from_profile for the keys). */
typedef struct migration_params {
  double page_bytes;           /* bytes per page (4096) */
  double cpu_state_bytes;      /* vCPU and device state sent while stopped, bytes */
  sim_time resume_ns;          /* destination: rebuild and unpause the guest */
  sim_time arp_ns;             /* unsolicited ARP until traffic reaches the new host [CL05] 3.2 */
  double zero_page_wire_bytes; /* bytes sent for an elided zero page (its header) */
  double compress_ratio;       /* wire bytes / page bytes when compressing, (0, 1] */
  double compress_Bps;         /* compressor throughput, page bytes/s */
  sim_time fault_ns;           /* post-copy: handling one remote fault, besides the wire */
  sim_time freeze_ns;          /* container: freezing the process tree (cgroup freezer) */
  double dump_Bps;             /* container: writing the memory image, bytes/s */
  double restore_Bps;          /* container: restoring it at the destination, bytes/s */
} migration_params;

/* Reads the params the given migrations need from the profile: always
 * migration.page_size (bytes), migration.cpu_state (bytes),
 * migration.resume (ns), migration.arp (ns); with zero_page_elision
 * migration.zero_page_header (bytes); with compress migration.compress_ratio
 * (1) and migration.compress_rate (bit/s); for postcopy migration.fault (ns);
 * for container container.freeze (ns), container.dump_rate and
 * container.restore_rate (bit/s).  Fields not needed are left 0.  0, or
 * negative with one error per missing key in diag. */
int migration_params_from_profile(const sim_profile *profile, const sim_migration_spec *specs,
                                  size_t n_specs, migration_params *out, sim_diag *diag);

/* Tables, signals and event types, declared once per run and shared by every
 * migration.  NULL when out of memory; belongs to the caller. */
typedef struct migration_recording migration_recording;
migration_recording *migration_recording_new(sim_recorder *rec);
void migration_recording_free(migration_recording *r);

/* Everything a migration needs. */
typedef struct migration_env {
  const sim_migration_spec *spec; /* strategy, rates, options, start time */
  const char *guest_name;         /* for the summary table */
  const char *streams_name;       /* its random streams' key (sim_guest_streams); NULL: guest_name */
  uint64_t seed;                  /* the run's scenario seed and run index: the guest's */
  uint32_t run_index;             /* dirty-page streams (models/dirty.h, sim/rng.h) */
  const char *source_name;        /* source host name */
  const char *dest_name;          /* destination host name */
  uint32_t source_host;           /* index of the source host */
  uint32_t dest_host;             /* index of the destination host */
  migration_guest_view view;
  migration_params params;
  net_share *net;                 /* shared by all traffic of the run */
  int src_tx_link;                /* source NIC, transmit direction */
  int dst_rx_link;                /* destination NIC, receive direction */
  int dst_tx_link;                /* destination NIC, transmit: the guest's traffic later */
  sim_time link_latency_ns;       /* one-way latency source-destination (post-copy faults) */
  migration_recording *recording; /* NULL: record nothing */
  sim_time sample_interval_ns;    /* signal samples while it runs (> 0) */
  /* Called once when the migration has finished; may be NULL. */
  void (*finished)(void *ctx, migration *m);
  void *finished_ctx;
} migration_env;

/* Profile keys a strategy reads beyond those every one does (a bit set in
 * migration_ops.needs; migration_params_from_profile). */
enum {
  MIGRATION_NEEDS_FAULT = 1u << 0,     /* migration.fault */
  MIGRATION_NEEDS_CHECKPOINT = 1u << 1 /* container.freeze, .dump_rate, .restore_rate (> 0) */
};

/* The strategy interface: one ops table a file.  A strategy keeps what only
 * it uses in a private state of its own type, made by create and reached
 * through mig_strategy_state (models/migration_impl.h). */
typedef struct migration_ops {
  const char *name;    /* as written in scenarios */
  const char *summary; /* one line for --help and docs */
  unsigned needs;      /* MIGRATION_NEEDS_* */
  /* Its private state for migration m, made when m is created (NULL: the
   * strategy has none).  0, or negative when out of memory. */
  int (*create)(const migration *m, void **state);
  void (*destroy)(void *state); /* NULL when create is */
  /* First action, at spec->at_ns. 0 or negative (out of memory). */
  int (*begin)(migration *m, sim_time now);
  /* The strategy's action due at `now` (migration_action_ns). */
  int (*act)(migration *m, sim_time now);
} migration_ops;

extern const migration_ops migration_precopy_ops;
extern const migration_ops migration_stopcopy_ops;
extern const migration_ops migration_postcopy_ops;
extern const migration_ops migration_container_ops;

/* Creates a migration of env->spec (the strategy looked up by name in the
 * registry); it starts at spec->at_ns.  0, or negative with a message
 * (unknown strategy, guest groups larger than its memory, out of memory). */
int migration_create(const migration_env *env, migration **out, sim_diag *diag);
void migration_free(migration *m);

/* Time of its next action; SIM_TIME_MAX once finished. */
sim_time migration_next_ns(const migration *m);
/* Runs what is due at `now` (== migration_next_ns).  0 or negative (out of
 * memory, or a recorder error): the migration is then finished. */
int migration_step(migration *m, sim_time now);
/* Lets the migration schedule its own steps on the loop. 0, or -1 when out of
 * memory.  Errors of later steps are kept: see migration_error. */
int migration_attach(migration *m, sim_loop *loop, int32_t priority);
int migration_error(const migration *m);

bool migration_finished(const migration *m);
/* At the run's end (`now`), a migration still running or not yet begun
 * appends its summary row with status "unfinished": its completed rounds
 * are already in migration/rounds; the times it has not reached are NaN.
 * Nothing is done to the guest.  0, or negative (recorder). */
int migration_record_unfinished(migration *m, sim_time now);

/* The result, for tests and the engine's own summary. */
typedef struct migration_round {
  uint32_t round;           /* 0-based */
  sim_time start_ns;        /* simulated time the round began */
  sim_time duration_ns;
  double pages;             /* pages sent */
  double bytes;             /* bytes on the wire */
  double rate_bps;          /* wire rate */
  double dirty_rate_bps;    /* dirtied pages x page size / duration */
  double pages_skipped;     /* dirtied again before their turn */
  bool stop_and_copy;       /* the guest was stopped during this round */
} migration_round;

typedef struct migration_summary {
  sim_time start_ns;           /* when it began */
  sim_time total_ns;           /* start to the guest running at the destination, all pages there */
  sim_time downtime_ns;        /* guest stopped */
  double total_bytes;          /* on the wire */
  uint32_t rounds;             /* rounds recorded, stop-and-copy included */
  sim_time first_round_ns;     /* round 0 */
  sim_time remaining_rounds_ns;/* end of round 0 to the start of the stop-and-copy */
  bool converged;              /* little was left when pre-copy stopped */
  const char *stop_reason;     /* which condition ended pre-copy (static string) */
  double first_round_bytes;    /* on the wire in round 0 */
  double guest_throughput_bps; /* mean network throughput at the source, while running */
  double min_service;          /* lowest service share the guest saw, [0, 1] */
  sim_time degraded_ns;        /* time the guest ran below full service */
} migration_summary;

const migration_summary *migration_get_summary(const migration *m);
size_t migration_get_rounds(const migration *m, const migration_round **rounds);

/* ---- the migrations of a run, for the engine (migration_set.c) ---- */

/* What the engine tells about, and does to, its guests (by scenario index).
 * Every member may be NULL: then the phase is the workload's first, a phase
 * that sends network data is taken as network-bound (it would use its whole
 * NIC) and one that does not as demanding nothing, and the guest's execution
 * is not paused, moved, throttled or slowed. */
typedef struct migration_engine_hooks {
  void *ctx;                                             /* passed to every hook */
  const sim_phase *(*phase)(void *ctx, uint32_t guest);  /* phase running now */
  double (*net_demand_bps)(void *ctx, uint32_t guest);   /* unimpeded network demand, bit/s */
  void (*pause)(void *ctx, uint32_t guest);
  void (*resume)(void *ctx, uint32_t guest, uint32_t host);
  void (*throttle)(void *ctx, uint32_t guest, double fraction);
  void (*slow)(void *ctx, uint32_t guest, double service);
  int32_t (*entity)(void *ctx, uint32_t guest);          /* recorder entity of a guest */
} migration_engine_hooks;

typedef struct migration_set migration_set;

/* Creates every migration of the scenario and schedules it on the loop at
 * its `at` (events at `priority`): one network of the hosts' first NICs
 * (transmit and receive apart, full duplex), the costs from the profile,
 * records through rec.  0, or negative with messages in diag. */
int migration_set_start(const sim_scenario *sc, const sim_profile *profile, sim_loop *loop,
                        sim_recorder *rec, const migration_engine_hooks *hooks, int32_t priority,
                        migration_set **out, sim_diag *diag);
/* First error of any migration during the run (recorder, memory), or 0. */
int migration_set_error(const migration_set *s);
/* Records the migrations that had not finished by the run's end `now`
 * (migration_record_unfinished).  0, or negative (recorder). */
int migration_set_record_unfinished(migration_set *s, sim_time now);
/* Frees the set (before the loop it was scheduled on). */
void migration_set_free(migration_set *s);

#endif
