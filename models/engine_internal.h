/* models/engine_internal.h: the engine's state, shared by its files and by
 * nothing else (models/engine.h is the public interface).
 *   engine.c           the run loop and the vCPU state machine: dispatch,
 *                      runs and their ends, wake-ups, phases, charging
 *   engine_setup.c     hosts, guests, migration homes, I/O, trace workloads;
 *                      teardown
 *   engine_report.c    what is recorded: signals, events, sampling, the
 *                      summary tables (guests, hosts, mmu)
 *   engine_migration.c the hooks through which live migrations act on guests
 *   engine_dc.c        dynamic consolidation of a `datacenter` section [BB12]
 *   engine_dc_report.c its measures (energy, SLA) and tables
 *   engine_dvfs.c      DVFS: each host's governor sets its clock every period
 *   engine_requests.c  request-driven guests: arrivals, the guest's request
 *                      queue served by its vCPUs, response times
 *   engine_instances.c IaaS instances' CPU caps: burstable credits, compute units
 *   engine_billing.c   what the instances cost, per instance and per tenant
 *   engine_provision.c guests provisioned from images: layer pulls, unpacking,
 *                      a VM's boot before its workload; start-up times
 *   engine_elastic.c   elastic services: a balancer over member guests, autoscaling
 * Units: ns (sim_time), cycles, Hz, as in every field's comment.
 * Invariants: see engine.c (vCPU states, index-order iteration). */
#ifndef MODELS_ENGINE_INTERNAL_H
#define MODELS_ENGINE_INTERNAL_H
#include <stdbool.h>
#include <stdint.h>

#include "models/dvfs.h"
#include "models/engine.h"
#include "models/io.h"
#include "models/migration.h"
#include "models/sched_fluid.h"
#include "models/scheduler.h"
#include "models/technique.h"
#include "models/technique_unit.h"

/* Event priorities at equal times: state changes before samples. */
enum { PRIO_RUN = 0, PRIO_WAKE = 1, PRIO_SAMPLE = 10 };
/* A guest departs after the starts and wake-ups due at the same time, so a
 * lifetime of 0 still starts it, and before consolidation (engine_dc.c). */
enum { PRIO_DEPART = 2 };
/* Credits are accounted after the runs and wake-ups due at the same time (engine_instances.c). */
enum { PRIO_CREDITS = 5 };

/* See engine.c, "Invariants". */
typedef enum vcpu_state { V_BLOCKED, V_RUNNABLE, V_RUNNING, V_DONE } vcpu_state;

typedef struct eng eng;
typedef struct eng_host eng_host;
struct eng_dc;
typedef struct eng_reqs eng_reqs; /* engine_requests.c */

typedef struct eng_vcpu {
  uint32_t guest;            /* index of its guest */
  int32_t sched_id;          /* id in its host's scheduler */
  int32_t entity;            /* recorder entity id */
  vcpu_state state;          /* see invariants */
  /* the 4-byte and 1-byte fields first, together, so that none leaves a
   * hole before an 8-byte one (a data center holds one record per vCPU) */
  uint32_t io_inflight;      /* units whose I/O was issued and has not completed */
  uint32_t io_limit;         /* units of I/O it may leave in flight and run on: the phase's
                              * io_window, 0 at the phase's end */
  int32_t pcpu;              /* pCPU index on its host of the current run (valid while
                              * RUNNING), -1 */
  bool io_wait;              /* BLOCKED waiting for its I/O to complete */
  bool resume_wake;          /* live migration: stopped by a pause while runnable, or woken
                              * while paused: wake on resume */
  bool req_idle;             /* request-driven and holding no request now */
  bool done_noted;           /* it became DONE at done_ns by finishing its phases */
  size_t phase;              /* current phase index */
  double units_left;         /* units of the current phase still to do (units phases) */
  double units_phase;        /* units of the current phase for this vCPU; 0 for duration phases */
  sim_time phase_start_ns;   /* ns: when the current phase began */
  sim_time phase_end_ns;     /* ns: end of a duration phase; SIM_TIME_MAX otherwise */
  double est_cycles_per_unit; /* cycles: cost of one unit in the last chunk; 0 unknown */
  double units_done;         /* units completed over the whole run */
  double io_units;           /* units of an I/O phase done since its unit's I/O was last issued */
  sim_time sleep_until_ns;   /* ns: end of its demand sleep while BLOCKED */
  double native_ns;          /* ns: time the work done would take natively (idle included) */
  sim_time runnable_since;   /* ns: when it last became RUNNABLE */
  sim_time steal_ns;         /* ns: total time RUNNABLE */
  sim_time run_ns;           /* ns: total time RUNNING */
  double rate;               /* CPUs: speed of the current run, 1 except in fluid mode */
  double want;               /* CPUs: what the current run wants (fluid: its demand), >= rate */
  /* the current run, valid while RUNNING */
  sim_time run_start_ns;     /* ns: dispatch time */
  sim_time work_start_ns;    /* ns: after the switch cost */
  sim_time run_end_ns;       /* ns: planned end */
  double run_units;          /* units charged for the run */
  cycles_by_mech run_cycles; /* cycles of those units, by mechanism */
  double run_native_cycles;  /* cycles the same units cost natively */
  sim_event_id end_ev;       /* the run's end event */
  /* live migration (models/migration.h) */
  double
      run_demand; /* share of its time the current run was dispatched with (run_demand), (0, 1] */
  eng_host *stale_on;        /* host whose run queue still holds it since a pause, NULL: none */
  sim_phase *req_ph;         /* request-driven guest: the phase of its request (engine_requests.c);
                              * NULL: it follows its workload's phases */
  /* one unit of its current phase prepared for its technique and its native reference
   * (models/technique_unit.h), where their charges are split (eng_guest.tech_unit, native_unit) */
  const sim_phase *unit_phase; /* the phase they are of; NULL: none */
  const void *unit_state;    /* the technique state they were prepared with */
  const void *unit_native_state; /* the native state (host type) they were prepared with */
  technique_unit unit_tech;  /* its technique's */
  technique_unit unit_native; /* its native reference's */
  /* its time per unit of work and the native twin's (engine_report.c relative_to_native):
   * also its waits (eng.waits) */
  sim_time done_ns;          /* ns: when it finished its last phase, valid when done_noted */
  /* its time waiting for a CPU, left out of its time per unit (engine_report.c relative_to_native) */
  double steal_slept_ns;     /* ns: fluid, a partial demand d: the demand sleep its steal stretched,
                              * steal x (1 - d) / d summed over its runs; with steal_ns, the time
                              * its work waited for a CPU */
  double run_clock_hz;       /* Hz: the host clock its current run was dispatched at, which the
                              * native twin's time of the run is charged at */
  double run_native_switch_cycles; /* cycles: the native twin's context switch at the current
                              * run's start, 0 when the run switched no context */
  double contention_unit;    /* cycles per unit its co-runners add to the current run, and to its
                              * native twin's (models/contention.h) */
} eng_vcpu;

/* A vCPU's waits, apart from eng_vcpu: only a run in which some guest does
 * I/O or serves requests has them (eng.waits). */
typedef struct eng_vcpu_waits {
  double io_stall_ns;        /* ns: BLOCKED for its I/O alone (past any demand sleep), total */
  sim_time io_stall_since;   /* ns: when its current wait for I/O (io_wait) began */
  double idle_ns;            /* ns: request-driven, holding no request (BLOCKED idle), total */
  sim_time idle_since;       /* ns: when its current idle began, valid while req_idle */
} eng_vcpu_waits;

/* A guest's signal values last written (engine_report.c eng_sample_handler
 * writes a value only when it differs bitwise from these). */
typedef struct eng_sampled {
  double progress;           /* 1 */
  double share;              /* CPUs */
  bool quiet;                /* at the last sample: every vCPU done, no I/O in flight, not
                              * request-driven; nothing changes its values any more */
  bool settled;              /* quiet one sample ago: its values since are final (rates 0),
                              * written already; every later sample skips it, the run's last
                              * included (its series declare their end) */
  uint32_t next;             /* next guest not settled (eng.first_unsettled), ENG_NO_GUEST */
} eng_sampled;
#define ENG_NO_GUEST UINT32_MAX /* end of a chain of guest indices */
/* A guest's cycle rates as sampled (engine_report.c), kept apart from
 * eng_guest: only runs that record a cycles_* signal hold them; a guest's
 * steal or a vCPU's (eng_sampled_steal) likewise. */
typedef struct eng_sampled_cycles {
  double prev[MECH_COUNT];   /* cycles: cumulative at the previous sample */
  double last[MECH_COUNT];   /* cycles/s: values last written */
} eng_sampled_cycles;
typedef struct eng_sampled_steal {
  double prev_ns;            /* ns: cumulative steal at the previous sample */
  double last;               /* the value last written */
} eng_sampled_steal;

typedef struct eng_guest {
  const sim_guest *spec;     /* from the scenario */
  const sim_workload *wl;    /* its workload */
  eng_host *host;            /* where it runs */
  const technique_ops *tech; /* its technique */
  void *tech_state;          /* technique's per-guest state */
  const technique_ops *native; /* the host's native technique, the reference cost */
  void *native_state;        /* its state for this guest */
  uint32_t first_vcpu;       /* index of its first vCPU in eng.vcpus */
  uint32_t vcpus_done;       /* vCPUs in V_DONE */
  /* the 4-byte and 1-byte fields together, so that few leave a hole
   * before an 8-byte one (a data center holds one record per guest) */
  int32_t entity;            /* recorder entity id */
  uint32_t n_homes;          /* hosts it may run on, its own first; 0: it never migrates */
  uint32_t homes_cap;        /* homes the home_* arrays have room for, >= n_homes (homes
                              * made on demand: engine_setup.c eng_home_prepare) */
  bool paused;               /* live migration: stopped by a migration (stop-and-copy, downtime) */
  bool arriving;             /* arrivals and departures (engine.c "Arrivals and departures"):
                              * it arrives (spec->churn with a process): under a datacenter section
                              * it is placed at its arrival, and holds no host before */
  bool departed;             /* its lifetime ended before its work did (finish_ns is then the departure) */
  bool depart_pending;       /* its lifetime ended during its consolidation migration: it departs
                              * when the migration ends */
  bool rejected;             /* no host had room at its arrival: it never ran (finish_ns: then) */
  uint8_t tech_unit;         /* tech's charge split (models/technique_unit.h technique_unit_index,
                              * set with tech), 0: none */
  uint8_t native_unit;       /* native's likewise */
  sim_time finish_ns;        /* ns: completion time, -1 while running */
  cycles_by_mech cycles;     /* cycles spent so far, by mechanism */
  int64_t switches;          /* context switches onto a pCPU, count */
  /* cumulative values at the previous sample, for interval signals */
  double prev_run_ns;        /* ns */
  /* live migration (models/migration.h) */
  double throttle;           /* share of its vCPUs' time taken away (auto-converge), [0, 0.99] */
  double service;            /* share of its unimpeded progress rate it gets, (0, 1] */
  void **home_tech;          /* its technique's state on each home (one is tech_state); the
                              * allocation the other home arrays share, after it (engine_setup.c
                              * homes_grow; eng_home_native, eng_home_host, eng_home_sched) */
  eng_reqs *rq;              /* request-driven guest's queue and statistics; NULL: phases */
  gsl_rng *length_rng;       /* "<guest>/phase_length": its phases' random lengths; NULL: none has one */
  sim_time departure_ns;     /* ns: when it left (lifetime's end, or a migration's end after it); -1: not */
  /* series written on change (engine_report.c eng_sample_handler) */
  eng_sampled sampled;       /* its signal values last written */
  double io_path_excess_ns;  /* ns: over the requests it issued, its I/O path's backend time and
                              * added latency beyond the native path's, summed (models/io.h) */
  uint32_t unit_holder;      /* the vCPU (index in eng.vcpus) of the guest that last prepared or
                              * took a phase's units (engine.c prepared_sibling) */
} eng_guest;

/* Guest g's home arrays after home_tech, in its allocation (homes_cap homes;
 * derived, not held: a data center holds a record per guest): the native
 * technique's state on each home, */
static inline void **eng_home_native(const eng_guest *g) {
  return g->home_tech ? g->home_tech + g->homes_cap : NULL;
}
/* the host index of each home, */
static inline uint32_t *eng_home_host(const eng_guest *g) {
  return g->home_tech ? (uint32_t *)(g->home_tech + 2 * (size_t)g->homes_cap) : NULL;
}
/* and the scheduler id of vCPU i on home k, [k * vcpus + i]. */
static inline int32_t *eng_home_sched(const eng_guest *g) {
  return g->home_tech ? (int32_t *)(eng_home_host(g) + g->homes_cap) : NULL;
}

typedef struct eng_pcpu {
  int32_t vcpu;              /* global vCPU index running, -1 idle */
  int32_t last_guest;        /* guest whose context it holds, -1 none yet */
  sim_event_id kick_ev;      /* pending dispatch, or SIM_EVENT_NONE */
} eng_pcpu;

/* A host's DVFS state (engine_dvfs.c): its governor's P-state and what the
 * governor and the energy account measure. */
typedef struct eng_dvfs_host {
  const dvfs_governor_ops *governor; /* NULL: no DVFS, clock_hz stays the type's */
  dvfs_policy policy;        /* its type's P-states and thresholds */
  dvfs_memory memory;        /* what its governor keeps between samples */
  size_t pstate;             /* index of the P-state it runs at */
  double scale;              /* that P-state's dynamic power over the top one's (models/dvfs.h) */
  sim_time prev_ns;          /* ns: the governor's previous sample */
  double prev_busy_ns;       /* ns: busy time of its cores at that sample, runs in progress included */
  double scaled_busy_ns;     /* ns: busy time up to that sample, each period's weighted by its scale */
  double mark_busy_ns;       /* ns: busy time at the last energy account (eng_dvfs_watts) */
  double mark_scaled_ns;     /* ns: scaled busy time at that account */
} eng_dvfs_host;

struct eng_host {
  eng *e;                    /* back pointer */
  const sim_host *spec;      /* from the scenario */
  const sim_host_type *type; /* its type */
  const sim_profile *profile; /* its calibration profile */
  double clock_hz;           /* Hz */
  const scheduler_ops *sched; /* its scheduler */
  void *sched_state;         /* scheduler state */
  eng_pcpu *pcpus;           /* n_slots entries: pCPUs, or one slot per vCPU in fluid mode */
  uint32_t n_slots;          /* count */
  bool fluid;                /* fidelity fluid: sched_fluid_ops, runs at a rate (sched_fluid.c) */
  uint32_t *vcpu_of_sched;   /* scheduler id -> global vCPU index */
  size_t n_vcpus;            /* vCPUs on the host */
  size_t vcpu_cap;           /* vCPUs that may run on it: its guests' and those migrating to it */
  sim_time busy_ns;          /* ns: pCPU time spent running vCPUs, all pCPUs */
  int32_t entity;            /* recorder entity id */
  uint64_t fluid_replans_seen; /* fluid: sched_fluid_replan_due's count at the last re-plan */
  eng_dvfs_host dvfs;        /* DVFS (engine_dvfs.c); dvfs.governor NULL: none */
  struct contention_host *contention; /* shared cache, memory and kernel (models/contention.h);
                                       * NULL: its profile describes none */
  size_t guest_cap;          /* guests that may run on it, counted with vcpu_cap */
};

/* A technique's cost table on hosts of one (profile, host type): loaded once,
 * shared by every guest of the technique on such hosts. */
typedef struct eng_params {
  const technique_ops *ops;   /* the technique */
  const sim_profile *profile; /* the hosts' profile */
  uint32_t host_type;         /* index of the hosts' type */
  void *params;               /* what ops->load made */
} eng_params;

struct eng {
  const sim_scenario *sc;    /* the scenario */
  sim_guest *guest_specs;    /* sc->n_guests copies of sc->guests, start_ns each guest's arrival
                              * (engine_setup.c eng_setup_arrivals); eng_guest.spec points here */
  sim_loop *loop;            /* the event loop */
  sim_recorder *rec;         /* where results go */
  const engine_options *opt; /* progress callback, may be NULL */
  const model_entry *(*find)(model_kind, const char *); /* model lookup by name */
  eng_host *hosts;           /* sc->n_hosts entries */
  eng_guest *guests;         /* sc->n_guests entries */
  eng_vcpu *vcpus;           /* all vCPUs, guest by guest */
  size_t n_vcpus;            /* count */
  sim_profile **own_profiles; /* per host type: a profile loaded for it, or NULL */
  size_t guests_done;        /* guests completed */
  sim_time end_ns;           /* ns: the run's end (scenario duration), SIM_TIME_MAX: none */
  sim_time demand_period_ns; /* ns: burst period for phases with cpu_demand < 1 */
  sim_time sample_ns;        /* ns: sampling interval; 0 when no series are kept */
  uint64_t traced;           /* events seen by the progress observer */
  int sig_progress, sig_share, sig_steal; /* signal ids (or SIM_SIGNAL_OFF) */
  int sig_vsteal;            /* per-vCPU steal signal id (or SIM_SIGNAL_OFF) */
  int sig_cycles[MECH_COUNT];  /* signal ids of the cycle rates */
  int ev_start, ev_finish, ev_phase, ev_switch; /* event type ids */
  int ev_depart, ev_reject;  /* event type ids, declared when some guest entry has churn; else -1 */
  int failed;                /* a recorder call failed: negative code */
  migration_set *migrations; /* live migrations (models/migration.h); NULL: none */
  io_model *io;              /* disks, NICs and I/O paths (models/io.h); NULL: no guest does I/O */
  sim_diag *diag;            /* errors */
  sim_workload *trace_wl;    /* sc->n_workloads entries: each trace-driven workload as runs play
                              * it (trace_mix owned, one phase composed per sample), built on
                              * first use; others zero */
  eng_params *params;        /* technique cost tables loaded so far */
  size_t n_params, params_cap; /* entries used, allocated */
  struct eng_dc *dc;         /* dynamic consolidation (engine_dc.c); NULL: none */
  /* rated trace-driven guests (engine_setup.c "rated speed") */
  double *type_clock_hz;     /* Hz: clock of each host type's hosts (0: no host of it) */
  /* series written on change (engine_report.c eng_sample_handler) */
  bool sampled;              /* the first sample was taken */
  uint32_t first_unsettled;  /* first guest not settled (eng_sampled), ENG_NO_GUEST: none */
  struct eng_instances *instances; /* IaaS instances' caps and credits (engine_instances.c); NULL: none */
  eng_sampled_cycles *sampled_cycles; /* sc->n_guests entries when a cycles_* signal is kept
                              * (engine_report.c); NULL: none is */
  eng_sampled_steal *sampled_steal;  /* sc->n_guests entries when `steal` is kept; NULL: not */
  eng_sampled_steal *sampled_vsteal; /* n_vcpus entries when `vcpu_steal` is kept; NULL: not */
  eng_vcpu_waits *waits;     /* n_vcpus entries when some guest does I/O or serves requests
                              * (engine.c); NULL: none does, and no vCPU waits */
  struct eng_mix *mixes;     /* played traces' mixes shared by a template's workloads, chained
                              * (engine_setup.c); the others are their workload's alone */
  struct eng_provision *prov; /* guests' provisioning from images (engine_provision.c); NULL: none has one */
  struct eng_backends *backends; /* I/O back ends on the hosts' cores (models/backend.h); NULL: none */
  struct eng_elastic *elastic; /* elastic services (engine_elastic.c), owned by prov; NULL: none */
  struct contention_shared *contention_shared; /* contention models' parameters and native costs
                              * per (profile, host type), chained (models/contention.c); NULL: none */
  const char *setup_tname;   /* the technique the last guest set up found (engine_setup.c
                              * eng_setup_guest); NULL: none yet */
  const model_entry *setup_tech, *setup_native; /* its row and the native one (e->find's) */
};

/* ---- engine.c: the state machine ---- */

/* Notes the first failed recorder (or scheduling) call: negative rc. */
void eng_note_rec(eng *e, int rc);
/* The phase v is in. */
const sim_phase *eng_cur_phase(const eng *e, const eng_vcpu *v);
/* Phase k of guest g's played trace (its workload's trace_mix, owned by the
 * engine, the only phase stored): the mix with sample k's demand on g's host
 * set in place, valid until the next call for a workload of the same mix
 * (engine_setup.c); past the last sample, the last one's. */
const sim_phase *eng_trace_phase(const eng *e, const eng_guest *g, size_t k);
/* The share of a vCPU's time sample k (< its samples) of guest g's played
 * trace asks on g's host (engine_setup.c "rated speed"). */
double eng_trace_demand(const eng *e, const eng_guest *g, size_t k);
/* Puts v at the start of phase v->phase (skipping empty phases); marks it
 * DONE past the last phase of a non-repeating workload. */
void eng_enter_phase(eng *e, eng_vcpu *v, sim_time now);
/* Whether v's current phase is complete at `now`. */
bool eng_phase_complete(const eng_vcpu *v, sim_time now);
/* Applies the elapsed share of v's run on h up to `now` and ends it. */
void eng_finish_run(eng *e, eng_host *h, eng_vcpu *v, sim_time now);
/* Asks h's scheduler what runs on pCPU p now and starts it. */
void eng_dispatch(eng *e, eng_host *h, uint32_t p);
/* v becomes runnable: queue it and act on the scheduler's kick. */
void eng_wake_vcpu(eng *e, eng_vcpu *v);
/* Fluid mode: ends now every run on h whose rate changed. */
void eng_fluid_replan(eng *e, eng_host *h);
/* Event: guest `arg` starts its workload (arriving under a datacenter
 * section: placed first, or rejected). */
void eng_start_handler(sim_loop *loop, void *ctx, uint64_t arg);
/* Event: guest `arg`'s lifetime ends. */
void eng_depart_handler(sim_loop *loop, void *ctx, uint64_t arg);
/* Guest gi leaves now: its vCPUs stop for good, its host's CPU and its
 * memory are free; `deferred`: its lifetime ended earlier, during a migration. */
void eng_depart(eng *e, uint32_t gi, bool deferred);

/* ---- engine_setup.c ---- */

/* vCPUs each host may run (eng_host.vcpu_cap), before the hosts are set up. */
void eng_count_host_vcpus(eng *e);
/* Host hi: its profile, clock, scheduler and pCPUs. */
int eng_setup_host(eng *e, size_t hi, const sim_profile *scenario_profile);
/* Guest gi: its workload, technique states, vCPUs (from *next_vcpu on), its
 * migration homes and its start event. */
int eng_setup_guest(eng *e, size_t gi, uint32_t *next_vcpu);
/* The demand period (e->demand_period_ns): how finely a partly idle vCPU
 * interleaves work and sleep, the scheduler's tick in Xen credit, 10 ms
 * ([XEN] credit.c): sched.tick of the scenario's profile. */
int eng_setup_demand_period(eng *e, const sim_profile *profile);
/* The I/O model, when some guest's workload does I/O. */
int eng_setup_io(eng *e);
/* Guest gi has a home on host `host` (technique states there, its vCPUs
 * registered with the host's scheduler), made now if it had none; for
 * guests that consolidation may move (set-up gave them a home list).  0, or
 * negative (out of memory, a technique's error in diag). */
int eng_home_prepare(eng *e, uint32_t gi, uint32_t host);
/* Guest gi, which has not started, was moved away from host `host` before
 * running there: its technique states there are freed (eng_home_prepare
 * makes them again, alike, if a move brings it back).  Only without
 * scripted migrations, which resume a guest on a home set-up prepared. */
void eng_home_release(eng *e, uint32_t gi, uint32_t host);
/* Loads the cost tables every guest's technique needs on every host type,
 * so that a home made mid-run (eng_home_prepare) finds them: 0 or negative
 * with the error in diag. */
int eng_homes_preload(eng *e);
/* Each guest's arrival (its spec's start_ns, in e->guest_specs) drawn from
 * its entry's arrival stream, before the guests are set up; the event types
 * of departures and rejections when some entry has churn. */
int eng_setup_arrivals(eng *e);
/* Frees everything set-up made (what exists of it after a failure too). */
void eng_teardown(eng *e);

/* ---- engine_report.c ---- */

/* Declares the signals and event types; sets e->sample_ns. */
int eng_declare_records(eng *e);
/* Event: one sample of every guest's kept signals, every e->sample_ns,
 * written on change (settled guests skipped). */
void eng_sample_handler(sim_loop *loop, void *ctx, uint64_t arg);
/* Tables summary/guests and summary/hosts at the run's end `end`. */
int eng_write_summary(eng *e, sim_time end);
/* Table summary/mmu. */
int eng_write_mmu_table(eng *e);

/* ---- engine_requests.c ---- */

/* Guest g's request state (its workload has requests), after its vCPUs. */
int eng_requests_setup(eng *e, eng_guest *g);
/* g starts at `now`: its vCPUs idle, its arrivals or clients begin. */
void eng_requests_start(eng *e, eng_guest *g, sim_time now);
/* v finished its request's CPU work: the request completes (unless it
 * waits for its I/O) and v takes the next; whether v has a request now. */
bool eng_request_cpu_done(eng *e, eng_vcpu *v, sim_time now);
/* v's I/O completed: the same when its request waited for it. */
bool eng_request_io_done(eng *e, eng_vcpu *v, sim_time now);
/* Its progress signal at `now`: requests completed over requests.count, or
 * without a count the share of the run's duration gone. */
double eng_requests_progress(const eng *e, const eng_guest *g, sim_time now);
/* Table summary/requests (when some guest is request-driven). */
int eng_requests_write(eng *e, sim_time end);
void eng_requests_free(eng_guest *g);

/* ---- engine_migration.c ---- */

/* The hooks through which live migrations pause, move, throttle and slow
 * the guests of e. */
migration_engine_hooks eng_migration_hooks(eng *e);

/* ---- engine_dc.c ---- */

/* The consolidation controller of the scenario's datacenter section, its
 * first interval scheduled (nothing without the section): 0 or negative. */
int eng_dc_start(eng *e, const sim_profile *profile);
/* Guest gi arrives now: the placement policy puts it on a host with room
 * (switched on for it if off), 1; or none has room: 0, it is rejected;
 * negative on failure.  *start_ns: when it may start (its host's boot). */
int eng_dc_arrive(eng *e, uint32_t gi, sim_time *start_ns);
/* Whether a consolidation migration of guest gi is under way. */
bool eng_dc_migrating(const eng *e, uint32_t gi);
/* Its tables at the run's end `end` (nothing without the section). */
int eng_dc_finish(eng *e, sim_time end);
void eng_dc_free(struct eng_dc *dc);

/* ---- engine_instances.c ---- */

/* The caps of instances with burstable credits or compute units, and the
 * accounting step that keeps them (nothing when there are none): 0 or
 * negative with the error in diag. */
int eng_instances_start(eng *e);
/* Credits accounted up to the run's end `end`; table summary/credits. */
int eng_instances_finish(eng *e, sim_time end);
/* Surplus credits billed to guest gi (unlimited burstable), credits. */
double eng_instances_surplus(const eng *e, uint32_t gi);
void eng_instances_free(struct eng_instances *in);

/* ---- engine_billing.c ---- */

/* Tables summary/billing and summary/tenants at the run's end `end`, after
 * eng_instances_finish (nothing when no guest is an instance). */
int eng_billing_write(eng *e, sim_time end);
/* When guest g stops running (and being billed) in a run ending at `end`:
 * its departure; its start when it was rejected (it never ran); else `end`. */
sim_time eng_billing_running_end(const eng_guest *g, sim_time end);

/* ---- engine_dvfs.c ---- */

/* Every host whose type has a governor: its first P-state, and the
 * governor's sampling event scheduled; 0 or negative (unknown governor in
 * diag, out of memory). */
int eng_dvfs_start(eng *e);
/* Host h's mean power by model m over the time since the previous call for
 * h (the energy account's interval), at mean utilisation u: m's power with
 * its dynamic part scaled by the busy-time-weighted mean of the P-states'
 * scales over the interval (models/dvfs.h); exactly dc_power_watts(m, u)
 * without DVFS. */
double eng_dvfs_watts(eng_host *h, const dc_power_model *m, double u);

/* ---- engine_provision.c ---- */

/* Guest gi's provisioning from its image (nothing without one): *start_ns
 * set to when its image is ready on its host; a VM's boot phases composed in
 * front of its workload (g->wl).  Every guest's pulls are planned at the
 * first call.  0 or negative with the error in diag. */
int eng_provision_guest(eng *e, size_t gi, sim_time *start_ns);
/* v entered phase v->phase at `now` (e->prov not NULL): a VM's boot ends
 * when its last vCPU passes it. */
void eng_provision_phase(eng *e, const eng_vcpu *v, sim_time now);
/* Table summary/provisioning (nothing when no guest has an image). */
int eng_provision_write(eng *e, sim_time end);
void eng_provision_free(struct eng_provision *p);

/* ---- engine.c, for models/backend.c ---- */

/* Acts on a scheduler's kick of a pCPU of h (an I/O back end woke). */
void eng_kick(eng *e, eng_host *h, sched_kick k);
/* ---- engine_requests.c, for elastic services ---- */

/* An open-loop arrival process and its state (engine_requests.c). */
typedef struct eng_arrivals {
  const sim_requests *spec;  /* process and rates */
  gsl_rng *arrivals, *modulation; /* gaps; MMPP state changes (mmpp2 only) */
  int mmpp_state;            /* mmpp2: 0 or 1 */
  double mmpp_switch_ns;     /* mmpp2: ns of the next state change */
  sim_time origin_ns;        /* ns: where a trace's first interval begins */
} eng_arrivals;

/* ns from `t` to a's next arrival (INFINITY: none). */
double eng_arrivals_gap(eng_arrivals *a, double t);
/* A request that arrived (at a balancer) at `arrival` joins g's queue now. */
void eng_requests_dispatch(eng *e, eng_guest *g, sim_time arrival, sim_time now);
/* Requests in g (queued or in service). */
int64_t eng_requests_outstanding(const eng_guest *g);
/* vCPU vi, its boot done, turns to its guest's requests (its hand-over phase is its last before them). */
void eng_requests_handover(eng *e, size_t vi);
/* g stops now, holding no request: its vCPUs are done, it departs (billing stops). */
void eng_requests_stop(eng *e, eng_guest *g, sim_time now);

/* ---- engine_elastic.c ---- */

/* The services' state (owned by the provisioning state), their arrivals
 * and first evaluations scheduled, members' specs given their service's
 * image; after the arrivals are drawn, before any guest is set up.  0 or -1. */
int eng_elastic_setup(eng *e);
/* Whether guest gi is a member not started at the run's start. */
bool eng_elastic_deferred(const eng *e, size_t gi);
/* Guest gi starts taking requests now; false when it is no member. */
bool eng_elastic_ready(eng *e, size_t gi, sim_time now);
/* A request of member gi completed now after response_ns. */
void eng_elastic_completed(eng *e, size_t gi, double response_ns, sim_time now);
/* Table summary/services. */
int eng_elastic_write(eng *e, sim_time end);
void eng_elastic_free(struct eng_elastic *el);
/* Bytes member guest gi's requests and responses carried across zones, and
 * (into *cost_usd) their price; 0 for a guest of no service. */
double eng_elastic_transfer(const eng *e, size_t gi, double *cost_usd);

/* ---- engine_provision.c, for elastic services ---- */

/* Guest gi is activated now: its start time becomes now, its image is
 * provisioned on its host's cache and links as they are; *start_ns: when
 * its image is ready.  0 or -1. */
int eng_provision_activate(eng *e, size_t gi, sim_time now, sim_time *start_ns);
/* Guest gi's workload began now (its start-up time, when not known yet). */
void eng_provision_ready(eng *e, size_t gi, sim_time now);
/* The provisioning state (made if need be) owns el, freed with it; 0 or -1. */
int eng_provision_own_elastic(eng *e, struct eng_elastic *el);
/* Whether guest gi, starting, runs its image's boot before its requests. */
bool eng_provision_boots(const eng *e, size_t gi);

/* ---- engine.c, inline for the callers of every dispatch and re-check ---- */

/* eng_cur_phase, which it is (models/contention.c reads it at every visit). */
static inline const sim_phase *eng_phase_of(const eng *e, const eng_vcpu *v) {
  if (v->req_ph) return v->req_ph;
  const eng_guest *g = &e->guests[v->guest];
  /* a workload without a trace holds its phases (sim_workload_phase_body),
   * read here at every event */
  return g->wl->trace_mix ? eng_trace_phase(e, g, v->phase) : &g->wl->phases[v->phase];
}

/* fmin(a, b) by comparison, without the library call (start_run sizes a
 * phase's first chunks so): a when a < b or b is NaN, else b (b of two
 * equal values), fmin's value bit for bit.  Of two zeros of opposite signs
 * it answers b, where C leaves fmin's sign open (the compiler, which takes
 * fmin's operands as interchangeable, may answer either); a chunk's size
 * is never such a pair. */
static inline double eng_fmin(double a, double b) { return a < b || b != b ? a : b; }

#endif
