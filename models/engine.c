/* models/engine.c: execution of guests on hosts, by events.
 * Models: every host has `cores` physical CPUs (pCPUs) and one CPU scheduler
 * (models/scheduler.h); every guest has vCPUs that advance through their
 * workload's phases.  A vCPU runs in slices the scheduler grants; at each
 * dispatch the engine asks the guest's technique (models/technique.h) what
 * the units of work that fit in the slice cost, in cycles by mechanism, and
 * what switching the guest onto that pCPU costs when the pCPU last ran
 * another context (world switch, TLB refill where untagged, shadow-table
 * rebuild); cycles become time at the host clock.  The same units are charged
 * through the host's native technique too, so every guest has a cost
 * relative to native without a native twin in the scenario.
 *
 * Units: time in ns (sim_time), work in the workload's units, costs in
 * cycles, clock in Hz.  A run of c cycles lasts ceil(c * 1e9 / clock) ns.
 *
 * Work split and phases: each vCPU of a guest does 1/vcpus of every phase's
 * units (a phase given by duration instead runs that long on every vCPU) and
 * moves through the phases on its own; a guest completes when all its vCPUs
 * have.  A phase with cpu_demand d < 1 runs in bursts of at most d times the
 * demand period and sleeps (1-d)/d of each burst's length.  Replications do
 * not change this deterministic model and are simulated once.
 *
 * Trace-driven workloads (DATASETS.md "Utilisation traces"): at set-up the
 * engine reads a workload's trace once (PlanetLab/CoMon: one CPU % per line;
 * Google 2011 derived: CPU % then memory %, the first is used; blank lines
 * are skipped) and expands it into a phase list it owns, shared by every
 * guest of that workload: one phase per sample, lasting the trace interval,
 * with cpu_demand = sample / 100 clamped to (0, 1] and the operation mix of
 * the workload's first phase (the work done per unit of CPU time; plain
 * instructions at CPI 1 when it has no phases).  An idle (0) sample runs at
 * a demand of 1/1000 (its timer ticks): the vCPU sleeps nearly all the
 * interval.  The guest completes at the trace's end unless the workload
 * repeats.  Cost: one sim_phase (232 bytes on x86-64) per sample per
 * trace-driven workload, 66 KB for a 288-sample day, none per guest, and
 * one pass over the file.  An unreadable file or a malformed line fails the
 * run with a FILE:LINE message.
 *
 * Fitting units into a slice: a technique's cost per unit may change as it
 * runs (BT's translation cache warms), so on entering a phase the engine
 * charges a small probe of units to learn the cost per unit, and each later
 * chunk is sized from the cost per unit of the chunk before.  A run cut short
 * by a preemption keeps the share of its units and cycles that elapsed.
 *
 * Outputs (to the recorder; DATASETS.md): tables summary/guests (time to
 * complete, units, throughput, relative_to_native, steal, switches, cycles
 * by mechanism), summary/hosts (busy time, utilisation) and summary/mmu (1D
 * and 2D page walks of each guest's memory streams); per guest, sampled at
 * the record interval only when series are kept: progress, cpu_share, steal
 * and cycles_<mechanism> rates, and per vCPU vcpu_steal (its share of the
 * interval spent runnable but not running); events guest_start, guest_finish, phase and
 * context_switch.  relative_to_native is the time the work done would take
 * on the host's native technique (idle shares included) over the guest's
 * time from start to completion (or to the end of the run).
 *
 * I/O (models/io.h): a phase with disk requests or network exchanges runs
 * to the end of the unit that owes a request, issues the requests through
 * the guest's I/O path (its guest cycles are part of the unit's work, under
 * mechanism io) to its host's shared disk or NIC, and goes on running while
 * at most the phase's io_window units' I/O is in flight; it waits when one
 * more unit's is (io_window 0: until its unit's I/O completes, a
 * request/response exchange) and at the end of the phase until all of it
 * completes (and its demand sleep, if any, is over), so a bulk stream's
 * protocol work overlaps the wire as a socket buffer lets it; tables
 * io/requests and io/guests.
 *
 * Fidelity: a host of fidelity `quantum` runs its scheduler's slices on its
 * pCPUs; one of fidelity `fluid` shares its cores by weighted processor
 * sharing (models/sched_fluid.c): every runnable vCPU runs on a slot of its
 * own at `rate` CPUs, its time split into CPU time (rate) and steal (the
 * rest), and runs are re-planned only when a wake-up or a block changes the
 * rates.
 *
 * Live migration (models/migration.h): a migration pauses its guest's vCPUs
 * for its downtime and resumes them on the destination host, whose scheduler
 * and technique state were prepared at set-up; it may throttle the vCPUs
 * (auto-converge: a share of every demand period asleep) and slow the
 * guest's progress (its network share, post-copy faults), which then holds
 * its CPU longer per unit of work.
 *
 * Invariants: a vCPU is BLOCKED (not started, sleeping), RUNNABLE (queued in
 * the scheduler), RUNNING (on exactly one pCPU) or DONE; steal is the time a
 * vCPU spends RUNNABLE; every iteration is in index order (hosts, guests,
 * vCPUs, pCPUs), so runs are deterministic.  The model draws no random
 * numbers.
 * Sources: switch and work costs come from the technique model and the
 * calibration profile; the scheduler's time slice from the profile ([XEN]). */
#include "models/engine.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/io.h"
#include "models/registry.h"
#include "models/scheduler.h"
#include "models/migration.h"
#include "models/mmu.h"
#include "models/technique.h"
#include "models/vcost.h"
#include "sim/alloc.h"

/* Event priorities at equal times: state changes before samples. */
enum { PRIO_RUN = 0, PRIO_WAKE = 1, PRIO_SAMPLE = 10 };

typedef enum vcpu_state { V_BLOCKED, V_RUNNABLE, V_RUNNING, V_DONE } vcpu_state;

typedef struct eng eng;
typedef struct eng_host eng_host;

typedef struct eng_vcpu {
  uint32_t guest;            /* index of its guest */
  int32_t sched_id;          /* id in its host's scheduler */
  int32_t entity;            /* recorder entity id */
  vcpu_state state;          /* see invariants */
  size_t phase;              /* current phase index */
  double units_left;         /* units of the current phase still to do (units phases) */
  double units_phase;        /* units of the current phase for this vCPU; 0 for duration phases */
  sim_time phase_start_ns;   /* ns: when the current phase began */
  sim_time phase_end_ns;     /* ns: end of a duration phase; SIM_TIME_MAX otherwise */
  double est_cycles_per_unit; /* cycles: cost of one unit in the last chunk; 0 unknown */
  double units_done;         /* units completed over the whole run */
  double io_units;           /* units of an I/O phase done since its unit's I/O was last issued */
  bool io_wait;              /* BLOCKED waiting for its I/O to complete */
  uint32_t io_inflight;      /* units whose I/O was issued and has not completed */
  uint32_t io_limit;         /* units of I/O it may leave in flight and run on: the phase's
                              * io_window, 0 at the phase's end */
  sim_time sleep_until_ns;   /* ns: end of its demand sleep while BLOCKED */
  double native_ns;          /* ns: time the work done would take natively (idle included) */
  sim_time runnable_since;   /* ns: when it last became RUNNABLE */
  sim_time steal_ns;         /* ns: total time RUNNABLE */
  sim_time run_ns;           /* ns: total time RUNNING */
  double prev_steal_ns;      /* ns: steal at the previous sample (vcpu_steal signal) */
  double rate;               /* CPUs: speed of the current run, 1 except in fluid mode */
  double want;               /* CPUs: what the current run wants (fluid: its demand), >= rate */
  /* the current run, valid while RUNNING */
  int32_t pcpu;              /* pCPU index on its host, -1 */
  sim_time run_start_ns;     /* ns: dispatch time */
  sim_time work_start_ns;    /* ns: after the switch cost */
  sim_time run_end_ns;       /* ns: planned end */
  double run_units;          /* units charged for the run */
  cycles_by_mech run_cycles; /* cycles of those units, by mechanism */
  double run_native_cycles;  /* cycles the same units cost natively */
  sim_event_id end_ev;       /* the run's end event */
  /* live migration (models/migration.h) */
  bool resume_wake;          /* stopped by a pause while runnable, or woken while paused: wake on resume */
  double run_demand;         /* share of its time the current run was dispatched with (run_demand), (0, 1] */
  eng_host *stale_on;        /* host whose run queue still holds it since a pause, NULL: none */
} eng_vcpu;

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
  int32_t entity;            /* recorder entity id */
  sim_time finish_ns;        /* ns: completion time, -1 while running */
  cycles_by_mech cycles;     /* cycles spent so far, by mechanism */
  int64_t switches;          /* context switches onto a pCPU, count */
  /* cumulative values at the previous sample, for interval signals */
  double prev_run_ns, prev_steal_ns;  /* ns */
  double prev_cycles[MECH_COUNT];     /* cycles */
  /* live migration (models/migration.h) */
  bool paused;               /* stopped by a migration (stop-and-copy, downtime) */
  double throttle;           /* share of its vCPUs' time taken away (auto-converge), [0, 0.99] */
  double service;            /* share of its unimpeded progress rate it gets, (0, 1] */
  uint32_t n_homes;          /* hosts it may run on, its own first; 0: it never migrates */
  uint32_t *home_host;       /* n_homes host indices */
  void **home_tech;          /* its technique's state on each home (one is tech_state) */
  void **home_native;        /* the native technique's state on each home */
  int32_t *home_sched;       /* scheduler id of vCPU i on home k: [k * vcpus + i] */
} eng_guest;

typedef struct eng_pcpu {
  int32_t vcpu;              /* global vCPU index running, -1 idle */
  int32_t last_guest;        /* guest whose context it holds, -1 none yet */
  sim_event_id kick_ev;      /* pending dispatch, or SIM_EVENT_NONE */
} eng_pcpu;

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
};

struct eng {
  const sim_scenario *sc;    /* the scenario */
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
  int failed;                /* a recorder call failed: negative code */
  migration_set *migrations; /* live migrations (models/migration.h); NULL: none */
  io_model *io;              /* disks, NICs and I/O paths (models/io.h); NULL: no guest does I/O */
  sim_diag *diag;            /* errors */
  sim_workload *trace_wl;    /* sc->n_workloads entries: each trace-driven workload expanded
                              * (phases owned, one per sample), built on first use; others zero */
};

static double mech_sum(const cycles_by_mech *c) {
  double s = 0;
  for (int m = 0; m < MECH_COUNT; m++) s += c->cycles[m];
  return s;
}

/* ns that `cycles` take at `clock_hz`, rounded up so any work takes time. */
static sim_time cycles_to_ns(double cycles, double clock_hz) {
  if (!(cycles > 0)) return 0;
  double ns = ceil(cycles * 1e9 / clock_hz - 1e-9);
  return ns >= 9e18 ? SIM_TIME_MAX / 4 : (sim_time)ns;
}

static void note_rec(eng *e, int rc) {
  if (rc < 0 && !e->failed) e->failed = rc;
}

static const sim_phase *cur_phase(const eng *e, const eng_vcpu *v) {
  return &e->guests[v->guest].wl->phases[v->phase];
}

/* Share of its time v's current run may use, (0, 1]: the phase's cpu_demand,
 * less what a migration's auto-converge throttle takes ([QEMU] cpu-throttle:
 * the vCPU sleeps that share of every period). */
static double run_demand(const eng *e, const eng_vcpu *v) {
  double d = cur_phase(e, v)->cpu_demand;
  if (!(d > 0) || d > 1) d = 1;
  return d * (1 - e->guests[v->guest].throttle);
}

static void dispatch(eng *e, eng_host *h, uint32_t p);
static void wake_vcpu(eng *e, eng_vcpu *v);
static void fluid_replan(eng *e, eng_host *h);
static int setup_homes(eng *e, size_t gi);
static void teardown_homes(eng_guest *g);
static void count_host_vcpus(eng *e);

/* Puts v at the start of phase v->phase (skipping empty phases); marks it
 * DONE past the last phase of a non-repeating workload. */
static void enter_phase(eng *e, eng_vcpu *v, sim_time now) {
  eng_guest *g = &e->guests[v->guest];
  const sim_workload *wl = g->wl;
  for (size_t tries = 0; tries <= wl->n_phases; tries++) {
    if (v->phase >= wl->n_phases) {
      if (!wl->repeat) {
        v->state = V_DONE;
        if (++g->vcpus_done == g->spec->vcpus) {
          g->finish_ns = now;
          e->guests_done++;
          note_rec(e, sim_record_event(e->rec, e->ev_finish, now, g->entity,
                                       sim_time_to_s(now - g->spec->start_ns), 0));
        }
        return;
      }
      v->phase = 0;
    }
    const sim_phase *ph = &wl->phases[v->phase];
    v->phase_start_ns = now;
    v->est_cycles_per_unit = 0;
    if (ph->units > 0) {
      v->units_phase = ph->units / g->spec->vcpus;
      v->units_left = v->units_phase;
      v->phase_end_ns = SIM_TIME_MAX;
    } else if (ph->duration_ns > 0) {
      v->units_phase = 0;
      v->units_left = INFINITY;
      v->phase_end_ns = now > SIM_TIME_MAX - ph->duration_ns ? SIM_TIME_MAX : now + ph->duration_ns;
    } else {
      v->phase++; /* an empty phase */
      continue;
    }
    note_rec(e, sim_record_event(e->rec, e->ev_phase, now, v->entity, (double)v->phase, 0));
    return;
  }
  /* Every phase is empty (the loader forbids it; stay safe): done. */
  v->phase = wl->n_phases;
  v->state = V_DONE;
  if (++g->vcpus_done == g->spec->vcpus) {
    g->finish_ns = now;
    e->guests_done++;
  }
}

/* Whether v's current phase is complete at `now`. */
static bool phase_complete(const eng_vcpu *v, sim_time now) {
  if (v->units_phase > 0) return v->units_left <= v->units_phase * 1e-12;
  return now >= v->phase_end_ns;
}

/* Charges `units` of v's phase through its technique and the native one. */
static void charge_units(eng *e, eng_vcpu *v, double units, cycles_by_mech *out, double *native) {
  eng_guest *g = &e->guests[v->guest];
  const sim_phase *ph = cur_phase(e, v);
  cycles_by_mech n = {{0}};
  g->tech->charge(g->tech_state, ph, units, out);
  g->native->charge(g->native_state, ph, units, &n);
  *native += mech_sum(&n);
  if (e->io && io_phase_has_io(ph)) { /* the I/O path's work on the guest's CPU */
    out->cycles[MECH_IO] += units * io_unit_cycles(e->io, v->guest, ph, false);
    *native += units * io_unit_cycles(e->io, v->guest, ph, true);
  }
}

/* ---- I/O (models/io.h) ---- */

/* All the requests of one of v's units completed: it runs again if it waits
 * for its window to open and now it has. */
static void io_done(void *ctx, uint64_t arg, sim_time now) {
  eng *e = ctx;
  eng_vcpu *v = &e->vcpus[arg];
  if (v->io_inflight) v->io_inflight--;
  if (!v->io_wait || v->io_inflight > v->io_limit) return;
  v->io_wait = false;
  if (v->state == V_BLOCKED && now >= v->sleep_until_ns) wake_vcpu(e, v); /* else its sleep's end will */
}

/* Whether the model lookup knows any model of `kind` (the registry knows
 * every I/O path the loader accepts). */
static bool model_names_of(const eng *e, model_kind kind) {
  static const char *const io_paths[] = {"native", "emulated", "pv", "virtio", "passthrough", "bridge", "nat"};
  if (kind != MODEL_IO_PATH) return true;
  for (size_t i = 0; i < sizeof io_paths / sizeof io_paths[0]; i++)
    if (e->find(kind, io_paths[i])) return true;
  return false;
}

/* The I/O model, when some guest's workload does I/O: each such guest with
 * its I/O path (guests[].io_path) and the native path as reference. */
static int setup_io(eng *e) {
  const sim_scenario *sc = e->sc;
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    bool any = false;
    for (size_t k = 0; k < g->wl->n_phases; k++) any |= io_phase_has_io(&g->wl->phases[k]);
    if (!any) continue;
    const char *pname = g->spec->io_path ? g->spec->io_path : "native";
    const model_entry *pe = e->find(MODEL_IO_PATH, pname);
    const model_entry *ne = e->find(MODEL_IO_PATH, "native");
    /* A model table without I/O paths (a test's) runs without the I/O model. */
    if (!model_names_of(e, MODEL_IO_PATH)) continue;
    if (!pe || !ne || !pe->ops || !ne->ops) {
      sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s': unknown I/O path '%s'", g->spec->name,
                     pe ? "native" : pname);
      return -1;
    }
    if (!e->io && !(e->io = io_model_new(e->loop, sc, e->rec, PRIO_RUN))) return -1;
    int rc = io_model_add_guest(e->io, (uint32_t)gi, g->host->profile, pe->ops, ne->ops, g->entity, e->diag);
    if (rc < 0) return rc;
  }
  return 0;
}

static void dispatch_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  eng_host *h = ctx;
  h->pcpus[arg].kick_ev = SIM_EVENT_NONE;
  if (h->pcpus[arg].vcpu < 0) dispatch(h->e, h, (uint32_t)arg);
  if (h->fluid) fluid_replan(h->e, h);
}

/* Applies the elapsed share of v's run up to `now` and ends it. */
static void finish_run(eng *e, eng_host *h, eng_vcpu *v, sim_time now) {
  eng_guest *g = &e->guests[v->guest];
  double f = 1.0;
  if (now < v->run_end_ns) {
    sim_time work = v->run_end_ns - v->work_start_ns;
    f = now <= v->work_start_ns || work <= 0 ? 0.0 : (double)(now - v->work_start_ns) / (double)work;
  }
  double units = v->run_units * f;
  for (int m = 0; m < MECH_COUNT; m++) g->cycles.cycles[m] += v->run_cycles.cycles[m] * f;
  if (v->units_phase > 0) {
    v->units_left -= units;
    if (f >= 1.0 && v->units_left < 0) v->units_left = 0;
  }
  v->units_done += units;
  if (e->io && io_phase_has_io(cur_phase(e, v))) v->io_units += units;
  double demand = cur_phase(e, v)->cpu_demand;
  if (!(demand > 0) || demand > 1) demand = 1;
  v->native_ns += v->run_native_cycles * f * 1e9 / h->clock_hz / demand;
  sim_time ran = now - v->run_start_ns;
  /* In fluid mode the vCPU held `rate` of a CPU and waited for the rest of
   * what it wanted. */
  sim_time got = v->rate >= 1 ? ran : (sim_time)llround((double)ran * v->rate);
  v->run_ns += got;
  h->busy_ns += got;
  if (v->want > v->rate) v->steal_ns += (sim_time)llround((double)ran * (v->want - v->rate));
  h->pcpus[v->pcpu].vcpu = -1;
  v->pcpu = -1;
  v->end_ev = SIM_EVENT_NONE;
}

static void wake_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  eng *e = ctx;
  if (e->vcpus[arg].io_wait) return; /* its I/O's completion wakes it */
  wake_vcpu(e, &e->vcpus[arg]);
}

static void run_end_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng_host *h = ctx;
  eng *e = h->e;
  sim_time now = sim_loop_now(loop);
  uint32_t p = (uint32_t)arg;
  eng_vcpu *v = &e->vcpus[h->pcpus[p].vcpu];
  sim_time worked = now - v->work_start_ns;
  sim_time ran = now - v->run_start_ns;
  /* the demand the run was planned with: a throttle set during the run
   * applies from the next one */
  double demand = v->run_demand;
  finish_run(e, h, v, now);
  /* A unit of an I/O phase is done: issue its I/O; wait for it when the
   * phase's window is full or the phase ends. */
  int io_n = 0;
  uint32_t io_window = cur_phase(e, v)->io_window;
  if (e->io && io_phase_has_io(cur_phase(e, v)) &&
      v->io_units >= io_units_to_next(e->io, v->guest, cur_phase(e, v)) - 1e-9) {
    double whole = floor(v->io_units + 1e-9);
    v->io_units = fmax(0.0, v->io_units - whole);
    io_n = io_issue_units(e->io, v->guest, cur_phase(e, v), whole, io_done, e, (uint64_t)(v - e->vcpus));
    if (io_n < 0) note_rec(e, io_n);
    if (io_n > 0) v->io_inflight++;
  }
  v->io_limit = io_window;
  if (phase_complete(v, now)) {
    v->io_limit = 0; /* the phase's I/O completes before the next phase */
    v->phase++;
    v->io_units = 0;
    enter_phase(e, v, now);
  }
  bool runnable = v->state != V_DONE;
  sim_time sleep = 0;
  /* Bursts and sleeps of a partial demand; the fluid level runs the vCPU
   * steadily at no more than its demand instead. */
  if (runnable && !h->fluid && demand > 0 && demand < 1 && worked > 0) {
    sleep = (sim_time)llround((double)worked * (1 - demand) / demand);
    if (sleep > 0) runnable = false;
  }
  /* Waiting for its I/O too: it wakes when both the sleep and the I/O are over. */
  bool io_full = v->io_inflight > v->io_limit;
  if (io_full && runnable) runnable = false;
  v->io_wait = io_full && v->state != V_DONE;
  h->sched->account(h->sched_state, v->sched_id, (int32_t)p, ran, runnable, now);
  if (runnable) {
    v->state = V_RUNNABLE;
    v->runnable_since = now;
  } else if (v->state != V_DONE) {
    v->state = V_BLOCKED;
    sim_time at = now > SIM_TIME_MAX - sleep ? SIM_TIME_MAX : now + sleep;
    v->sleep_until_ns = at;
    if (sleep > 0 && at <= e->end_ns &&
        !sim_schedule(loop, at, PRIO_WAKE, wake_handler, e, (uint64_t)(v - e->vcpus)))
      note_rec(e, -1);
  }
  dispatch(e, h, p);
  if (h->fluid) fluid_replan(e, h);
}

/* Asks the scheduler what runs on pCPU p now and starts it. */
static void dispatch(eng *e, eng_host *h, uint32_t p) {
  sim_time now = sim_loop_now(e->loop);
  sched_pick pick = h->sched->pick_next(h->sched_state, (int32_t)p, now);
  if (pick.vcpu < 0) {
    /* Idle; a scheduler holding back a capped vCPU asks to be called again
     * when it may run (models/scheduler.h, retry_at_ns). */
    eng_pcpu *c = &h->pcpus[p];
    if (pick.retry_at_ns > 0 && pick.retry_at_ns <= e->end_ns && !c->kick_ev) {
      c->kick_ev = sim_schedule(e->loop, pick.retry_at_ns < now ? now : pick.retry_at_ns, PRIO_RUN,
                                dispatch_handler, h, p);
      if (!c->kick_ev) note_rec(e, -1);
    }
    return;
  }
  eng_vcpu *v = &e->vcpus[h->vcpu_of_sched[pick.vcpu]];
  eng_guest *g = &e->guests[v->guest];
  if (g->paused || g->host != h || v->state != V_RUNNABLE) {
    /* A run-queue entry a migration's pause left behind: drop it. */
    if (v->stale_on == h) v->stale_on = NULL;
    h->sched->account(h->sched_state, pick.vcpu, (int32_t)p, 0, false, now);
    dispatch(e, h, p);
    return;
  }
  v->steal_ns += now - v->runnable_since;
  v->state = V_RUNNING;
  v->pcpu = (int32_t)p;
  v->run_start_ns = now;
  /* World switch when the pCPU held another context. */
  cycles_by_mech sw = {{0}};
  if (h->pcpus[p].last_guest != (int32_t)v->guest) {
    g->tech->switch_in(g->tech_state, &sw);
    for (int m = 0; m < MECH_COUNT; m++) g->cycles.cycles[m] += sw.cycles[m];
    g->switches++;
    note_rec(e, sim_record_event(e->rec, e->ev_switch, now, v->entity, (double)p,
                                 (double)h->pcpus[p].last_guest));
    h->pcpus[p].last_guest = (int32_t)v->guest;
  }
  double sw_cycles = mech_sum(&sw);
  /* The speed of this run: the host clock, times the fluid share (which
   * a partial demand bounds). */
  v->want = 1.0;
  if (h->fluid) {
    double d = run_demand(e, v);
    v->want = d > 0 && d < 1 ? d : 1.0;
    h->sched->set_demand(h->sched_state, v->sched_id, v->want);
  }
  v->rate = h->fluid ? h->sched->rate(h->sched_state, v->sched_id) : 1.0;
  if (!(v->rate > 1e-9)) v->rate = 1e-9;
  /* A migration may slow the guest's progress (g->service): it holds its
   * CPU while it waits for the network or for faulted pages. */
  double hz = h->clock_hz * v->rate * g->service;
  v->work_start_ns = now + cycles_to_ns(sw_cycles, hz);
  /* Cycles available for work in the slice, also bounded by a duration
   * phase's end, a demand burst and the run's end. */
  double avail = INFINITY;
  sim_time limit = pick.slice_ns == SIM_TIME_MAX ? SIM_TIME_MAX : now + pick.slice_ns;
  if (v->phase_end_ns < limit) limit = v->phase_end_ns;
  double run_d = v->run_demand = run_demand(e, v);
  if (!h->fluid && run_d < 1) {
    sim_time burst = (sim_time)llround(run_d * (double)e->demand_period_ns);
    if (burst < 1) burst = 1;
    if (now + burst < limit) limit = now + burst;
  }
  if (e->end_ns != SIM_TIME_MAX && e->end_ns < limit) limit = e->end_ns;
  if (limit != SIM_TIME_MAX) avail = (double)(limit - v->work_start_ns) * hz * 1e-9;
  memset(&v->run_cycles, 0, sizeof v->run_cycles);
  v->run_native_cycles = 0;
  double units = 0;
  double left = v->units_left;
  if (v->est_cycles_per_unit <= 0) {
    /* Probe: a thousandth of the phase, at most one unit. */
    double probe = v->units_phase > 0 ? fmin(fmin(left, 1.0), v->units_phase * 1e-3) : 1.0;
    if (e->io && io_phase_has_io(cur_phase(e, v)))
      probe = fmin(probe, io_units_to_next(e->io, v->guest, cur_phase(e, v)) - v->io_units);
    if (probe > 0) {
      charge_units(e, v, probe, &v->run_cycles, &v->run_native_cycles);
      units = probe;
      double c = mech_sum(&v->run_cycles);
      v->est_cycles_per_unit = c > 0 ? c / probe : 1e-300;
    }
  }
  double more = fmax(0.0, left - units);
  if (avail != INFINITY) {
    double fit = (avail - mech_sum(&v->run_cycles)) / v->est_cycles_per_unit;
    more = fmin(more, fmax(0.0, fit));
  }
  if (more == INFINITY) more = 0; /* a duration phase is always bounded by its end */
  if (units <= 0 && more <= 0) {
    /* A switch longer than the slice still lets the vCPU progress, so
     * over-committed hosts cannot livelock. */
    more = v->units_phase > 0 ? fmin(left, v->units_phase * 1e-3) : 1.0;
  }
  /* An I/O phase runs to the end of the unit that owes a request, where the
   * I/O is issued. */
  if (e->io && io_phase_has_io(cur_phase(e, v)))
    more = fmin(more, fmax(0.0, io_units_to_next(e->io, v->guest, cur_phase(e, v)) - v->io_units - units));
  if (more > 0) {
    cycles_by_mech c = {{0}};
    charge_units(e, v, more, &c, &v->run_native_cycles);
    double cs = mech_sum(&c);
    if (cs > 0) v->est_cycles_per_unit = cs / more;
    for (int m = 0; m < MECH_COUNT; m++) v->run_cycles.cycles[m] += c.cycles[m];
    units += more;
  }
  v->run_units = units;
  sim_time work_ns = cycles_to_ns(mech_sum(&v->run_cycles), hz);
  v->run_end_ns = v->work_start_ns + work_ns;
  /* A duration phase whose work costs nothing still lasts until its end. */
  if (v->units_phase <= 0 && mech_sum(&v->run_cycles) <= 0 && limit != SIM_TIME_MAX)
    v->run_end_ns = limit;
  h->pcpus[p].vcpu = (int32_t)(v - e->vcpus);
  v->end_ev = sim_schedule(e->loop, v->run_end_ns, PRIO_RUN, run_end_handler, h, p);
  if (!v->end_ev) note_rec(e, -1);
}

/* Progress through the loop's dispatch observer, every 1024 events of any
 * kind (a fluid host dispatches runs rarely, a sampled run mostly samples).
 * An observer schedules nothing, so the event sequence, and with it every
 * result, is the same with or without a progress bar. */
static void progress_observer(void *ctx, sim_time t, int32_t priority, uint64_t sequence,
                              sim_handler fn, uint64_t arg) {
  (void)priority;
  (void)sequence;
  (void)fn;
  (void)arg;
  eng *e = ctx;
  if ((++e->traced & 1023) == 0)
    e->opt->progress(e->opt->progress_ctx, t, e->end_ns == SIM_TIME_MAX ? t : e->end_ns);
}

/* v becomes runnable: queue it and act on the scheduler's kick. */
static void wake_vcpu(eng *e, eng_vcpu *v) {
  eng_host *h = e->guests[v->guest].host;
  sim_time now = sim_loop_now(e->loop);
  if (e->guests[v->guest].paused) { /* a migration stopped it: wake it on resume */
    v->state = V_BLOCKED;
    v->resume_wake = true;
    return;
  }
  v->state = V_RUNNABLE;
  v->runnable_since = now;
  sched_kick k = h->sched->wake(h->sched_state, v->sched_id, now);
  if (k.pcpu < 0) return;
  eng_pcpu *c = &h->pcpus[k.pcpu];
  if (k.at < now) k.at = now;
  if (c->vcpu >= 0) {
    eng_vcpu *r = &e->vcpus[c->vcpu];
    if (r->end_ev && sim_event_time(e->loop, r->end_ev) > k.at) {
      sim_reschedule(e->loop, r->end_ev, k.at);
    }
  } else if (!c->kick_ev) {
    c->kick_ev = sim_schedule(e->loop, k.at, PRIO_RUN, dispatch_handler, h, (uint64_t)k.pcpu);
    if (!c->kick_ev) note_rec(e, -1);
  } else if (sim_event_time(e->loop, c->kick_ev) > k.at) {
    sim_reschedule(e->loop, c->kick_ev, k.at); /* an idle pCPU's retry, brought forward */
  }
  if (h->fluid) fluid_replan(e, h);
}

/* Fluid mode: the rates changed (a wake-up or a block); every running vCPU
 * whose rate differs ends its run now, keeping the work done, and is
 * dispatched again at its new rate (models/sched_fluid.c). */
static void fluid_replan(eng *e, eng_host *h) {
  sim_time now = sim_loop_now(e->loop);
  for (uint32_t p = 0; p < h->n_slots; p++) {
    int32_t vi = h->pcpus[p].vcpu;
    if (vi < 0) continue;
    eng_vcpu *r = &e->vcpus[vi];
    double rate = h->sched->rate(h->sched_state, r->sched_id);
    if (fabs(rate - r->rate) <= 1e-9 * r->rate || !r->end_ev) continue;
    if (sim_event_time(e->loop, r->end_ev) > now) sim_reschedule(e->loop, r->end_ev, now);
  }
}

static void start_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng *e = ctx;
  eng_guest *g = &e->guests[arg];
  sim_time now = sim_loop_now(loop);
  note_rec(e, sim_record_event(e->rec, e->ev_start, now, g->entity, 0, 0));
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    v->phase = 0;
    enter_phase(e, v, now);
    if (v->state != V_DONE) wake_vcpu(e, v);
  }
}

/* Fraction of the guest's phases done, vCPUs averaged, at `now`. */
static double guest_progress(const eng *e, const eng_guest *g, sim_time now) {
  double sum = 0;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (v->state == V_DONE) {
      sum += 1;
      continue;
    }
    if (g->finish_ns < 0 && now < g->spec->start_ns) continue;
    double frac = 0;
    if (v->units_phase > 0) {
      double left = v->units_left;
      if (v->state == V_RUNNING && now > v->work_start_ns && v->run_end_ns > v->work_start_ns)
        left -= v->run_units * fmin(1.0, (double)(now - v->work_start_ns) /
                                             (double)(v->run_end_ns - v->work_start_ns));
      frac = 1 - left / v->units_phase;
    } else if (v->phase_end_ns > v->phase_start_ns && v->phase_end_ns != SIM_TIME_MAX) {
      frac = (double)(now - v->phase_start_ns) / (double)(v->phase_end_ns - v->phase_start_ns);
    }
    size_t n = g->wl->n_phases ? g->wl->n_phases : 1;
    double within = (double)(v->phase % n) + fmin(1.0, fmax(0.0, frac));
    sum += within / (double)n;
  }
  return sum / g->spec->vcpus;
}

/* Cumulative run time, steal and cycles of guest g as they stand at `now`,
 * with runs in progress counted pro rata. */
static void guest_cumulative(const eng *e, const eng_guest *g, sim_time now, double *run_ns,
                             double *steal_ns, double cycles[MECH_COUNT]) {
  *run_ns = 0;
  *steal_ns = 0;
  for (int m = 0; m < MECH_COUNT; m++) cycles[m] = g->cycles.cycles[m];
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    *run_ns += (double)v->run_ns;
    *steal_ns += (double)v->steal_ns;
    if (v->state == V_RUNNABLE) *steal_ns += (double)(now - v->runnable_since);
    if (v->state == V_RUNNING) {
      *run_ns += (double)(now - v->run_start_ns) * fmin(1.0, v->rate);
      *steal_ns += (double)(now - v->run_start_ns) * fmax(0.0, v->want - v->rate);
      sim_time work = v->run_end_ns - v->work_start_ns;
      double f = now <= v->work_start_ns || work <= 0
                     ? 0.0
                     : fmin(1.0, (double)(now - v->work_start_ns) / (double)work);
      for (int m = 0; m < MECH_COUNT; m++) cycles[m] += v->run_cycles.cycles[m] * f;
    }
  }
}

static void sample_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  eng *e = ctx;
  sim_time now = sim_loop_now(loop);
  double dt = (double)e->sample_ns;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    double run_ns, steal_ns, cyc[MECH_COUNT];
    guest_cumulative(e, g, now, &run_ns, &steal_ns, cyc);
    note_rec(e, sim_emit(e->rec, e->sig_progress, g->entity, now, guest_progress(e, g, now)));
    note_rec(e, sim_emit(e->rec, e->sig_share, g->entity, now, (run_ns - g->prev_run_ns) / dt));
    note_rec(e, sim_emit(e->rec, e->sig_steal, g->entity, now, (steal_ns - g->prev_steal_ns) / dt));
    for (int m = 0; m < MECH_COUNT; m++) {
      note_rec(e, sim_emit(e->rec, e->sig_cycles[m], g->entity, now,
                           (cyc[m] - g->prev_cycles[m]) / (dt * 1e-9)));
      g->prev_cycles[m] = cyc[m];
    }
    g->prev_run_ns = run_ns;
    g->prev_steal_ns = steal_ns;
    for (uint32_t i = 0; i < g->spec->vcpus && e->sig_vsteal >= 0; i++) {
      eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
      double st = (double)v->steal_ns + (v->state == V_RUNNABLE ? (double)(now - v->runnable_since) : 0) +
                  (v->state == V_RUNNING ? (double)(now - v->run_start_ns) * fmax(0.0, v->want - v->rate) : 0);
      note_rec(e, sim_emit(e->rec, e->sig_vsteal, v->entity, now, (st - v->prev_steal_ns) / dt));
      v->prev_steal_ns = st;
    }
  }
  bool more = e->end_ns != SIM_TIME_MAX ? now + e->sample_ns <= e->end_ns
                                        : e->guests_done < e->sc->n_guests;
  if (more && !sim_schedule_in(loop, e->sample_ns, PRIO_SAMPLE, sample_handler, e, 0))
    note_rec(e, -1);
}

/* ---- set-up ---- */

static int setup_host(eng *e, size_t hi, const sim_profile *scenario_profile) {
  eng_host *h = &e->hosts[hi];
  const sim_scenario *sc = e->sc;
  h->e = e;
  h->spec = &sc->hosts[hi];
  h->type = &sc->host_types[h->spec->type];
  uint32_t ti = h->spec->type;
  if (h->type->calibration && !e->own_profiles[ti]) {
    if (sim_profile_load(h->type->calibration, &e->own_profiles[ti], e->diag) < 0) return -1;
  }
  h->profile = e->own_profiles[ti] ? e->own_profiles[ti] : scenario_profile;
  h->clock_hz = h->type->clock_hz;
  if (!(h->clock_hz > 0)) {
    if (!h->profile || sim_profile_get(h->profile, "cpu.clock", &h->clock_hz, NULL) < 0 ||
        !(h->clock_hz > 0)) {
      sim_diag_error(e->diag, sc->path, 0, 0,
                     "host '%s': no clock: set host_types.%s.clock or cpu.clock in the profile",
                     h->spec->name, h->type->name);
      return -1;
    }
  }
  if (h->type->cores == 0) {
    sim_diag_error(e->diag, sc->path, 0, 0, "host '%s' has no cores", h->spec->name);
    return -1;
  }
  const char *sname = h->type->scheduler ? h->type->scheduler : SCHED_DEFAULT_NAME;
  const model_entry *me = e->find(MODEL_SCHEDULER, sname);
  if (!me || !me->ops) {
    sim_diag_error(e->diag, sc->path, 0, 0, "host type '%s': unknown scheduler '%s'",
                   h->type->name, sname);
    return -1;
  }
  h->sched = me->ops;
  /* fidelity fluid: whatever the scheduler, CPU time is shared as its
   * weights and caps would share it in the limit (models/sched_fluid.c). */
  h->fluid = h->type->fidelity && !strcmp(h->type->fidelity, "fluid");
  if (h->fluid) h->sched = &sched_fluid_ops;
  if (!(h->sched->modes & (h->fluid ? SCHED_FLUID : SCHED_QUANTUM)) ||
      (h->fluid && (!h->sched->rate || !h->sched->set_demand))) {
    sim_diag_error(e->diag, sc->path, 0, 0, "scheduler '%s' has no %s mode", sname,
                   h->fluid ? "fluid" : "time-slice");
    return -1;
  }
  sched_env env = {h->type, h->profile, h->type->cores};
  if (h->sched->create(&env, &h->sched_state, e->diag) < 0) return -1;
  h->n_slots = h->type->cores;
  if (h->fluid && h->vcpu_cap > h->n_slots) h->n_slots = (uint32_t)h->vcpu_cap;
  h->pcpus = sim_calloc(h->n_slots, sizeof *h->pcpus);
  if (!h->pcpus) return -1;
  for (uint32_t p = 0; p < h->n_slots; p++) {
    h->pcpus[p].vcpu = -1;
    h->pcpus[p].last_guest = -1;
  }
  h->entity = sim_recorder_entity(e->rec, "host", h->spec->name, -1);
  return h->entity < 0 ? h->entity : 0;
}

/* ---- trace-driven workloads ---- */

/* The demand of an idle trace sample: the vCPU runs a 1/1000 share (its
 * timer ticks) and sleeps the rest of the interval, so an idle interval
 * costs a few events per demand period, like any partly idle phase. */
#define TRACE_IDLE_DEMAND 1e-3

/* Reads one sample, CPU % (the first column), from `line`; the rest may be
 * one more number (the Google derived set's memory %).  Returns 1 with *cpu
 * set, 0 for a blank line, -1 when the line is malformed. */
static int trace_parse_line(const char *line, double *cpu) {
  const char *p = line;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  if (!*p) return 0;
  char *end;
  double v = strtod(p, &end);
  if (end == p || !isfinite(v) || v < 0) return -1;
  for (int col = 1;; col++) {
    p = end;
    while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r' || *p == '\n') p++;
    if (!*p) break;
    if (col >= 2) return -1;
    double m = strtod(p, &end);
    if (end == p || !isfinite(m)) return -1;
  }
  *cpu = v;
  return 1;
}

/* Builds e->trace_wl[wi] from the trace file of workload wi, once: one
 * duration phase per sample, of the trace's interval, with the operation mix
 * of the workload's first phase (plain instructions at CPI 1 when it has
 * none) and cpu_demand = sample / 100 clamped to [TRACE_IDLE_DEMAND, 1].
 * Errors go to the diag as FILE:LINE. */
static int trace_expand(eng *e, uint32_t wi) {
  const sim_workload *src = &e->sc->workloads[wi];
  sim_workload *w = &e->trace_wl[wi];
  if (w->phases) return 0;
  sim_phase mix = {.instructions = 1000, .cycles_per_instruction = 1.0};
  if (src->n_phases) mix = src->phases[0];
  mix.units = 0;
  mix.duration_ns = src->trace_interval_ns;
  if (mix.duration_ns <= 0) {
    sim_diag_error(e->diag, src->trace_path, 0, 0, "trace of workload '%s' has no interval",
                   src->name);
    return -1;
  }
  FILE *f = fopen(src->trace_path, "r");
  if (!f) {
    sim_diag_error(e->diag, src->trace_path, 0, 0, "cannot read trace of workload '%s': %s",
                   src->name, strerror(errno));
    return -1;
  }
  size_t n = 0, cap = 0;
  sim_phase *ph = NULL;
  char line[512];
  int rc = 0;
  for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
    size_t len = strlen(line);
    if (len == sizeof line - 1 && line[len - 1] != '\n' && !feof(f)) {
      sim_diag_error(e->diag, src->trace_path, lineno, 0, "line too long for a trace sample");
      rc = -1;
      break;
    }
    double cpu = 0;
    int got = trace_parse_line(line, &cpu);
    if (got < 0) {
      sim_diag_error(e->diag, src->trace_path, lineno, 0,
                     "malformed trace sample: expected CPU %% (a number >= 0), optionally "
                     "followed by memory %%");
      rc = -1;
      break;
    }
    if (!got) continue;
    if (n == cap) {
      size_t nc = cap ? 2 * cap : 64;
      sim_phase *np = sim_realloc(ph, nc * sizeof *np);
      if (!np) {
        rc = -1;
        break;
      }
      ph = np;
      cap = nc;
    }
    double d = cpu / 100;
    ph[n] = mix;
    ph[n].cpu_demand = d > 1 ? 1 : d < TRACE_IDLE_DEMAND ? TRACE_IDLE_DEMAND : d;
    n++;
  }
  if (!rc && ferror(f)) {
    sim_diag_error(e->diag, src->trace_path, 0, 0, "error reading trace: %s", strerror(errno));
    rc = -1;
  }
  fclose(f);
  if (!rc && n == 0) {
    sim_diag_error(e->diag, src->trace_path, 0, 0, "trace of workload '%s' has no samples",
                   src->name);
    rc = -1;
  }
  if (rc < 0) {
    sim_free(ph);
    return -1;
  }
  sim_phase *fit = n < cap ? sim_realloc(ph, n * sizeof *ph) : NULL; /* drop the growth slack */
  if (fit) ph = fit;
  *w = *src;
  w->phases = ph;
  w->n_phases = n;
  return 0;
}

static int setup_guest(eng *e, size_t gi, uint32_t *next_vcpu) {
  const sim_scenario *sc = e->sc;
  eng_guest *g = &e->guests[gi];
  g->spec = &sc->guests[gi];
  g->wl = &sc->workloads[g->spec->workload];
  g->host = &e->hosts[g->spec->host];
  g->finish_ns = -1;
  g->service = 1;
  eng_host *h = g->host;
  const char *tname = g->spec->technique ? g->spec->technique : "native";
  const model_entry *me = e->find(MODEL_TECHNIQUE, tname);
  const model_entry *nat = e->find(MODEL_TECHNIQUE, "native");
  if (!me || !nat || !me->ops || !nat->ops) {
    sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s': unknown technique '%s'", g->spec->name,
                   me ? "native" : tname);
    return -1;
  }
  if (g->wl->trace_path) {
    if (trace_expand(e, g->spec->workload) < 0) return -1;
    g->wl = &e->trace_wl[g->spec->workload];
  }
  if (g->wl->repeat && e->end_ns == SIM_TIME_MAX) {
    sim_diag_error(e->diag, sc->path, 0, 0,
                   "guest '%s': workload '%s' repeats forever: set simulation.duration",
                   g->spec->name, g->wl->name);
    return -1;
  }
  if (g->spec->vcpus == 0) {
    sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s' has no vCPUs", g->spec->name);
    return -1;
  }
  g->tech = me->ops;
  technique_env env = {h->profile, h->type, g->spec};
  if (g->tech->create(&env, &g->tech_state, e->diag) < 0) return -1;
  g->native = nat->ops;
  if (g->native->create(&env, &g->native_state, e->diag) < 0) return -1;
  g->entity = sim_recorder_entity(e->rec, "guest", g->spec->name, h->entity);
  if (g->entity < 0) return g->entity;
  g->first_vcpu = *next_vcpu;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[*next_vcpu];
    v->guest = (uint32_t)gi;
    v->pcpu = -1;
    v->rate = 1.0;
    v->want = 1.0;
    v->state = V_BLOCKED;
    v->phase_end_ns = SIM_TIME_MAX;
    int32_t pin = g->spec->pinning ? g->spec->pinning[i] : -1;
    if (pin >= (int32_t)h->type->cores) {
      sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s': vCPU %u pinned to CPU %d of %u",
                     g->spec->name, i, pin, h->type->cores);
      return -1;
    }
    sched_vcpu_info info = {(uint32_t)gi, pin, g->spec->weight, g->spec->cap};
    if (h->sched->add_vcpu(h->sched_state, &info) < 0) return -1;
    v->sched_id = (int32_t)h->n_vcpus;
    h->vcpu_of_sched[h->n_vcpus++] = *next_vcpu;
    char name[160];
    snprintf(name, sizeof name, "%s/vcpu%u", g->spec->name, i);
    v->entity = sim_recorder_entity(e->rec, "vcpu", name, g->entity);
    if (v->entity < 0) return v->entity;
    (*next_vcpu)++;
  }
  if (setup_homes(e, gi) < 0) return -1;
  if (!sim_schedule(e->loop, g->spec->start_ns, PRIO_WAKE, start_handler, e, gi)) return -1;
  return 0;
}

static int declare_records(eng *e) {
  sim_recorder *r = e->rec;
  e->sig_progress = sim_recorder_signal(r, "progress", "1",
                                        "fraction of the guest's work done (of the current pass when it repeats)");
  e->sig_share = sim_recorder_signal(r, "cpu_share", "1",
                                     "CPUs obtained in the interval (1 = one full CPU)");
  e->sig_steal = sim_recorder_signal(r, "steal", "1",
                                     "vCPUs runnable but not running, averaged over the interval");
  e->sig_vsteal = sim_recorder_signal(r, "vcpu_steal", "1",
                                      "share of the interval the vCPU was runnable but not running");
  bool any = false;
  int sigs[4] = {e->sig_progress, e->sig_share, e->sig_steal, e->sig_vsteal};
  for (int i = 0; i < 4; i++) {
    if (sigs[i] < 0 && sigs[i] != SIM_SIGNAL_OFF) return sigs[i];
    any |= sigs[i] >= 0;
  }
  for (int m = 0; m < MECH_COUNT; m++) {
    char name[64], doc[128];
    snprintf(name, sizeof name, "cycles_%s", mechanism_names[m]);
    snprintf(doc, sizeof doc, "rate of cycles spent on %s in the interval", mechanism_names[m]);
    e->sig_cycles[m] = sim_recorder_signal(r, name, "cycles/s", doc);
    if (e->sig_cycles[m] < 0 && e->sig_cycles[m] != SIM_SIGNAL_OFF) return e->sig_cycles[m];
    any |= e->sig_cycles[m] >= 0;
  }
  e->sample_ns = any ? sim_recorder_sample_interval(r) : 0;
  if (e->sample_ns < 0) e->sample_ns = 0;
  e->ev_start = sim_recorder_event_type(r, "guest_start", "a guest starts its workload");
  e->ev_finish = sim_recorder_event_type(r, "guest_finish",
                                         "a guest completes its work; value0 = time taken, s");
  e->ev_phase = sim_recorder_event_type(r, "phase", "a vCPU enters a phase; value0 = phase index");
  e->ev_switch = sim_recorder_event_type(
      r, "context_switch", "a pCPU switches to this vCPU's guest; value0 = pCPU, value1 = previous guest or -1");
  if (e->ev_start < 0) return e->ev_start;
  if (e->ev_finish < 0) return e->ev_finish;
  if (e->ev_phase < 0) return e->ev_phase;
  return e->ev_switch < 0 ? e->ev_switch : 0;
}

/* ---- summary tables ---- */

static int write_summary(eng *e, sim_time end) {
  enum { FIXED = 12 };
  sim_column all[FIXED + MECH_COUNT + 1];
  static const sim_column fixed[FIXED] = {
      {"name", SIM_COL_STR, "", "guest name"},
      {"host", SIM_COL_STR, "", "host it ran on last (a migration's destination once moved)"},
      {"technique", SIM_COL_STR, "", "virtualization technique"},
      {"workload", SIM_COL_STR, "", "workload name"},
      {"vcpus", SIM_COL_I64, "1", "virtual CPUs"},
      {"time_to_complete_s", SIM_COL_F64, "s", "from start to completion; NaN if unfinished"},
      {"units", SIM_COL_F64, "1", "units of work done"},
      {"throughput_units_per_s", SIM_COL_F64, "1/s", "units done per second since start"},
      {"relative_to_native", SIM_COL_F64, "1",
       "throughput relative to the same work on the host's native technique"},
      {"native_time_s", SIM_COL_F64, "s", "time the work done would take natively"},
      {"steal_s", SIM_COL_F64, "s", "time vCPUs were runnable but not running, summed"},
      {"switches", SIM_COL_I64, "1", "context switches onto a pCPU"},
  };
  char names[MECH_COUNT][48];
  char docs[MECH_COUNT][96];
  memcpy(all, fixed, sizeof fixed);
  for (int m = 0; m < MECH_COUNT; m++) {
    snprintf(names[m], sizeof names[m], "cycles_%s", mechanism_names[m]);
    snprintf(docs[m], sizeof docs[m], "cycles spent on %s", mechanism_names[m]);
    all[FIXED + m] = (sim_column){names[m], SIM_COL_F64, "cycles", docs[m]};
  }
  all[FIXED + MECH_COUNT] = (sim_column){"cycles_total", SIM_COL_F64, "cycles", "all cycles spent"};
  sim_table *t = sim_recorder_table(e->rec, "summary/guests",
                                    "per guest: completion, throughput, cycles by mechanism",
                                    FIXED + MECH_COUNT + 1, all);
  if (!t) return -1;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    double units = 0, native_ns = 0;
    sim_time steal = 0;
    for (uint32_t i = 0; i < g->spec->vcpus; i++) {
      const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
      units += v->units_done;
      if (v->native_ns > native_ns) native_ns = v->native_ns;
      steal += v->steal_ns;
    }
    sim_time stop = g->finish_ns >= 0 ? g->finish_ns : end;
    double elapsed = stop > g->spec->start_ns ? (double)(stop - g->spec->start_ns) : 0;
    sim_cell row[FIXED + MECH_COUNT + 1];
    row[0].s = g->spec->name;
    row[1].s = g->host->spec->name;
    row[2].s = g->tech->name;
    row[3].s = g->wl->name;
    row[4].i = g->spec->vcpus;
    row[5].f = g->finish_ns >= 0 ? (double)(g->finish_ns - g->spec->start_ns) * 1e-9 : NAN;
    row[6].f = units;
    row[7].f = elapsed > 0 ? units / (elapsed * 1e-9) : NAN;
    row[8].f = elapsed > 0 ? native_ns / elapsed : NAN;
    row[9].f = native_ns * 1e-9;
    row[10].f = (double)steal * 1e-9;
    row[11].i = g->switches;
    for (int m = 0; m < MECH_COUNT; m++) row[FIXED + m].f = g->cycles.cycles[m];
    row[FIXED + MECH_COUNT].f = mech_sum(&g->cycles);
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  static const sim_column hcols[] = {
      {"name", SIM_COL_STR, "", "host name"},
      {"cores", SIM_COL_I64, "1", "physical CPUs"},
      {"clock_hz", SIM_COL_F64, "Hz", "core clock"},
      {"busy_s", SIM_COL_F64, "s", "CPU time spent running vCPUs, all cores"},
      {"utilisation", SIM_COL_F64, "1", "busy_s / (cores x simulated time)"},
  };
  sim_table *ht = sim_recorder_table(e->rec, "summary/hosts", "per host: CPU use",
                                     sizeof hcols / sizeof hcols[0], hcols);
  if (!ht) return -1;
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    sim_cell row[5];
    row[0].s = h->spec->name;
    row[1].i = h->type->cores;
    row[2].f = h->clock_hz;
    row[3].f = (double)h->busy_ns * 1e-9;
    row[4].f = end > 0 ? (double)h->busy_ns / ((double)end * h->type->cores) : 0;
    int rc = sim_table_append(ht, row);
    if (rc < 0) return rc;
  }
  return 0;
}

/* summary/mmu: for each guest whose workload accesses memory, one page walk
 * of the MMU model (models/mmu.h) on its host, natively (1D) and nested (2D,
 * EPT/NPT), averaged over its access streams weighted by their TLB misses, so
 * that [BH08]'s walk lengths and latencies can be read whatever technique
 * the guest runs. */
static int write_mmu_table(eng *e) {
  static const sim_column cols[] = {
      {"name", SIM_COL_STR, "", "guest name"},
      {"tlb_misses", SIM_COL_F64, "1", "TLB misses of all the guest's work (4 KiB or its page size)"},
      {"walk_refs_1d", SIM_COL_F64, "1", "memory references of one native (1D) walk, uncached"},
      {"walk_refs_2d", SIM_COL_F64, "1", "memory references of one nested (2D) walk, uncached"},
      {"walk_memory_refs_2d", SIM_COL_F64, "1",
       "references of one 2D walk not absorbed by the page-walk cache or nested TLB"},
      {"walk_cycles_1d", SIM_COL_F64, "cycles", "expected cycles of one 1D walk"},
      {"walk_cycles_2d", SIM_COL_F64, "cycles", "expected cycles of one 2D walk"},
  };
  sim_table *t = NULL;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    bool any = false;
    for (size_t k = 0; k < g->wl->n_phases; k++) any |= g->wl->phases[k].n_access > 0;
    if (!any || !g->host->profile) continue;
    technique_env env = {g->host->profile, g->host->type, g->spec};
    vcost c;
    if (vcost_load(&env, &c, e->diag) < 0) return -1;
    double misses = 0, r1 = 0, r2 = 0, m2 = 0, c1 = 0, c2 = 0;
    for (size_t k = 0; k < g->wl->n_phases; k++) {
      const sim_phase *ph = &g->wl->phases[k];
      double units = ph->units > 0 ? ph->units : 1;
      for (size_t a = 0; a < ph->n_access; a++) {
        /* pages as the techniques charge them (vcost_charge_memory): guest
         * huge pages back every region, and nested pages match guest pages */
        sim_access_spec as = ph->access[a];
        uint64_t page = g->spec->huge_pages ? 2097152u : (as.page_bytes ? as.page_bytes : 4096u);
        as.page_bytes = page;
        double rate = mmu_tlb_miss_rate(&c.mmu, &as, page);
        double w = as.count * units * rate;
        if (!(w > 0)) continue;
        mmu_walk w1 = mmu_walk_1d(&c.mmu, &as, page, rate);
        mmu_walk w2 = mmu_walk_2d(&c.mmu, &as, page, page, rate);
        misses += w;
        r1 += w * w1.refs;
        r2 += w * w2.refs;
        m2 += w * (w2.refs - w2.refs_cached);
        c1 += w * w1.cycles;
        c2 += w * w2.cycles;
      }
    }
    if (!t && !(t = sim_recorder_table(e->rec, "summary/mmu",
                                       "per guest: page walks of the MMU model, 1D and 2D",
                                       sizeof cols / sizeof cols[0], cols)))
      return -1;
    sim_cell row[7];
    row[0].s = g->spec->name;
    row[1].f = misses;
    row[2].f = misses > 0 ? r1 / misses : NAN;
    row[3].f = misses > 0 ? r2 / misses : NAN;
    row[4].f = misses > 0 ? m2 / misses : NAN;
    row[5].f = misses > 0 ? c1 / misses : NAN;
    row[6].f = misses > 0 ? c2 / misses : NAN;
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  return 0;
}

/* At a time limit: close runs and waits in progress at `end`. */
static void settle(eng *e, sim_time end) {
  for (size_t i = 0; i < e->n_vcpus; i++) {
    eng_vcpu *v = &e->vcpus[i];
    if (v->state == V_RUNNING) {
      eng_host *h = e->guests[v->guest].host;
      sim_cancel(e->loop, v->end_ev);
      finish_run(e, h, v, end);
      v->state = V_BLOCKED;
    } else if (v->state == V_RUNNABLE) {
      v->steal_ns += end - v->runnable_since;
      v->state = V_BLOCKED;
    }
  }
}

/* ---- live migration hooks (models/migration.h) ---- */

/* The phase a guest runs: its first vCPU's (NULL once done). */
static const sim_phase *mig_phase(void *ctx, uint32_t guest) {
  const eng *e = ctx;
  const eng_guest *g = &e->guests[guest];
  const eng_vcpu *v = &e->vcpus[g->first_vcpu];
  return v->phase < g->wl->n_phases ? &g->wl->phases[v->phase] : NULL;
}

static int32_t mig_entity(void *ctx, uint32_t guest) {
  const eng *e = ctx;
  return e->guests[guest].entity;
}

/* What a migration does to its guest's execution.  pause stops every vCPU
 * (a run in progress keeps the work done so far); a vCPU that was queued
 * stays in its scheduler's run queue, since the scheduler interface has no
 * removal, and dispatch drops the entry when it comes up.  resume moves the
 * guest to the host given, where setup_homes registered its vCPUs and created
 * its technique state beforehand (so a move cannot fail mid-run), and wakes
 * the vCPUs that were running, queued or due to wake; its later CPU time and
 * cycles are charged there.  throttle and slow end the guest's runs in
 * progress so that the next ones run at the new demand or speed. */

/* Ends the guest's runs in progress now; they are dispatched again. */
static void mig_replan_guest(eng *e, const eng_guest *g) {
  sim_time now = sim_loop_now(e->loop);
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (v->state == V_RUNNING && v->end_ev && sim_event_time(e->loop, v->end_ev) > now)
      sim_reschedule(e->loop, v->end_ev, now);
  }
}

static void mig_pause(void *ctx, uint32_t guest) {
  eng *e = ctx;
  eng_guest *g = &e->guests[guest];
  eng_host *h = g->host;
  if (g->paused) return;
  g->paused = true;
  sim_time now = sim_loop_now(e->loop);
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (v->state == V_RUNNING) {
      int32_t p = v->pcpu;
      sim_time ran = now - v->run_start_ns;
      sim_cancel(e->loop, v->end_ev);
      finish_run(e, h, v, now);
      if (phase_complete(v, now)) {
        v->phase++;
        enter_phase(e, v, now);
      }
      h->sched->account(h->sched_state, v->sched_id, p, ran, false, now);
      if (v->state != V_DONE) {
        v->state = V_BLOCKED;
        v->resume_wake = true;
      }
      dispatch(e, h, (uint32_t)p);
    } else if (v->state == V_RUNNABLE) {
      v->steal_ns += now - v->runnable_since;
      v->state = V_BLOCKED;
      v->resume_wake = true;
      v->stale_on = h;
    }
  }
  if (h->fluid) fluid_replan(e, h);
}

static void mig_resume(void *ctx, uint32_t guest, uint32_t host) {
  eng *e = ctx;
  eng_guest *g = &e->guests[guest];
  if (!g->paused) return;
  for (uint32_t k = 0; k < g->n_homes; k++) {
    if (g->home_host[k] != host) continue;
    g->host = &e->hosts[host];
    g->tech_state = g->home_tech[k];
    g->native_state = g->home_native[k];
    for (uint32_t i = 0; i < g->spec->vcpus; i++)
      e->vcpus[g->first_vcpu + i].sched_id = g->home_sched[(size_t)k * g->spec->vcpus + i];
  }
  g->paused = false;
  sim_time now = sim_loop_now(e->loop);
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (!v->resume_wake) continue;
    v->resume_wake = false;
    if (v->state != V_BLOCKED) continue;
    if (v->stale_on == g->host) {
      /* Back where its queue entry still is: it is queued already. */
      v->stale_on = NULL;
      v->state = V_RUNNABLE;
      v->runnable_since = now;
    } else {
      wake_vcpu(e, v);
    }
  }
}

static void mig_throttle(void *ctx, uint32_t guest, double fraction) {
  eng *e = ctx;
  eng_guest *g = &e->guests[guest];
  fraction = fmin(0.99, fmax(0.0, fraction));
  if (fraction == g->throttle) return;
  g->throttle = fraction;
  mig_replan_guest(e, g);
}

static void mig_slow(void *ctx, uint32_t guest, double service) {
  eng *e = ctx;
  eng_guest *g = &e->guests[guest];
  /* a guest that makes no progress at all is paused, not slowed */
  service = fmin(1.0, fmax(1e-6, service));
  if (service == g->service) return;
  g->service = service;
  mig_replan_guest(e, g);
}

/* The network throughput the guest would send at if nothing slowed it: the
 * units per second its vCPUs do at their last measured cost per unit and
 * their phase's demand, times its phase's bits sent per unit (net messages x
 * tx bytes), at most its host's first NIC.  Before any unit is costed it is
 * taken to want the whole NIC. */
static double mig_net_demand(void *ctx, uint32_t guest) {
  const eng *e = ctx;
  const eng_guest *g = &e->guests[guest];
  const sim_host_type *t = g->host->type;
  double nic = t->n_nics ? t->nics[0].bandwidth_bps : INFINITY;
  double bps = 0;
  bool known = false;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (v->state == V_DONE || v->phase >= g->wl->n_phases) continue;
    const sim_phase *ph = cur_phase(e, v);
    double bits = ph->net_messages * (double)ph->net_tx_bytes * 8;
    if (!(bits > 0)) continue;
    if (!(v->est_cycles_per_unit > 0)) return isfinite(nic) ? nic : 0;
    double d = ph->cpu_demand > 0 && ph->cpu_demand < 1 ? ph->cpu_demand : 1;
    bps += g->host->clock_hz * d / v->est_cycles_per_unit * bits;
    known = true;
  }
  return known ? fmin(bps, nic) : 0;
}

/* vCPUs each host may run: its own guests', and those of guests migrating
 * to it (each guest counted once per host). */
static void count_host_vcpus(eng *e) {
  const sim_scenario *sc = e->sc;
  for (size_t gi = 0; gi < sc->n_guests; gi++) e->hosts[sc->guests[gi].host].vcpu_cap += sc->guests[gi].vcpus;
  for (size_t i = 0; i < sc->n_migrations; i++) {
    const sim_migration_spec *m = &sc->migrations[i];
    bool seen = m->dest_host == sc->guests[m->guest].host;
    for (size_t j = 0; j < i && !seen; j++)
      seen = sc->migrations[j].guest == m->guest && sc->migrations[j].dest_host == m->dest_host;
    if (!seen) e->hosts[m->dest_host].vcpu_cap += sc->guests[m->guest].vcpus;
  }
}

/* For a guest that migrates: its vCPUs registered (blocked) on every
 * destination's scheduler and its technique state created for every
 * destination, so that a migration moves it without any allocation. */
static int setup_homes(eng *e, size_t gi) {
  const sim_scenario *sc = e->sc;
  eng_guest *g = &e->guests[gi];
  uint32_t n = 1;
  for (size_t i = 0; i < sc->n_migrations; i++)
    if (sc->migrations[i].guest == gi) n++;
  if (n == 1) return 0;
  uint32_t nv = g->spec->vcpus;
  g->home_host = sim_calloc(n, sizeof *g->home_host);
  g->home_tech = sim_calloc(n, sizeof *g->home_tech);
  g->home_native = sim_calloc(n, sizeof *g->home_native);
  g->home_sched = sim_calloc((size_t)n * nv, sizeof *g->home_sched);
  if (!g->home_host || !g->home_tech || !g->home_native || !g->home_sched) {
    sim_free(g->home_host);
    sim_free(g->home_tech);
    sim_free(g->home_native);
    sim_free(g->home_sched);
    return -1;
  }
  g->n_homes = 1;
  g->home_host[0] = g->spec->host;
  g->home_tech[0] = g->tech_state;
  g->home_native[0] = g->native_state;
  for (uint32_t i = 0; i < nv; i++) g->home_sched[i] = e->vcpus[g->first_vcpu + i].sched_id;
  for (size_t mi = 0; mi < sc->n_migrations; mi++) {
    uint32_t d = sc->migrations[mi].dest_host;
    if (sc->migrations[mi].guest != gi) continue;
    bool seen = false;
    for (uint32_t k = 0; k < g->n_homes; k++) seen |= g->home_host[k] == d;
    if (seen) continue;
    uint32_t k = g->n_homes++;
    eng_host *h = &e->hosts[d];
    g->home_host[k] = d;
    technique_env env = {h->profile, h->type, g->spec};
    if (g->tech->create(&env, &g->home_tech[k], e->diag) < 0) return -1;
    if (g->native->create(&env, &g->home_native[k], e->diag) < 0) return -1;
    for (uint32_t i = 0; i < nv; i++) {
      int32_t pin = g->spec->pinning ? g->spec->pinning[i] : -1;
      if (pin >= (int32_t)h->type->cores) pin = -1; /* a pin the destination lacks */
      sched_vcpu_info info = {(uint32_t)gi, pin, g->spec->weight, g->spec->cap};
      if (h->sched->add_vcpu(h->sched_state, &info) < 0) return -1;
      g->home_sched[(size_t)k * nv + i] = (int32_t)h->n_vcpus;
      h->vcpu_of_sched[h->n_vcpus++] = g->first_vcpu + i;
    }
  }
  return 0;
}

static void teardown_homes(eng_guest *g) {
  for (uint32_t k = 0; k < g->n_homes; k++) {
    if (g->home_tech[k]) g->tech->destroy(g->home_tech[k]);
    if (g->home_native[k]) g->native->destroy(g->home_native[k]);
  }
  sim_free(g->home_host);
  sim_free(g->home_tech);
  sim_free(g->home_native);
  sim_free(g->home_sched);
}

static void teardown(eng *e) {
  for (size_t gi = 0; gi < e->sc->n_guests && e->guests; gi++) {
    eng_guest *g = &e->guests[gi];
    if (g->n_homes) {
      teardown_homes(g);
      continue;
    }
    if (g->tech && g->tech_state) g->tech->destroy(g->tech_state);
    if (g->native && g->native_state) g->native->destroy(g->native_state);
  }
  for (size_t hi = 0; hi < e->sc->n_hosts && e->hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    if (h->sched && h->sched_state) h->sched->destroy(h->sched_state);
    sim_free(h->pcpus);
    sim_free(h->vcpu_of_sched);
  }
  for (size_t t = 0; t < e->sc->n_host_types && e->own_profiles; t++)
    sim_profile_free(e->own_profiles[t]);
  sim_free(e->own_profiles);
  sim_free(e->hosts);
  sim_free(e->guests);
  sim_free(e->vcpus);
  for (size_t wi = 0; wi < e->sc->n_workloads && e->trace_wl; wi++)
    sim_free(e->trace_wl[wi].phases); /* shallow copies: the mix's arrays are the scenario's */
  sim_free(e->trace_wl);
  migration_set_free(e->migrations); /* before the loop its events are on */
  io_model_free(e->io);
  sim_loop_free(e->loop);
}

int engine_run(const sim_scenario *scenario, const sim_profile *profile, sim_recorder *rec,
               const engine_options *options, engine_stats *stats, sim_diag *diag) {
  eng e;
  memset(&e, 0, sizeof e);
  e.sc = scenario;
  e.rec = rec;
  e.opt = options;
  e.find = options && options->find_model ? options->find_model : model_find;
  e.diag = diag;
  size_t errors_before = diag->errors;
  e.end_ns = scenario->duration_ns > 0 ? scenario->duration_ns : SIM_TIME_MAX;
  int rc = -1;
  size_t n_vcpus = 0;
  for (size_t gi = 0; gi < scenario->n_guests; gi++) n_vcpus += scenario->guests[gi].vcpus;
  e.n_vcpus = n_vcpus;
  e.loop = sim_loop_new();
  if (e.loop && options && options->progress) sim_loop_set_trace(e.loop, progress_observer, &e);
  e.hosts = sim_calloc(scenario->n_hosts ? scenario->n_hosts : 1, sizeof *e.hosts);
  e.guests = sim_calloc(scenario->n_guests ? scenario->n_guests : 1, sizeof *e.guests);
  e.vcpus = sim_calloc(n_vcpus ? n_vcpus : 1, sizeof *e.vcpus);
  e.own_profiles = sim_calloc(scenario->n_host_types ? scenario->n_host_types : 1,
                              sizeof *e.own_profiles);
  e.trace_wl = sim_calloc(scenario->n_workloads ? scenario->n_workloads : 1, sizeof *e.trace_wl);
  if (!e.loop || !e.hosts || !e.guests || !e.vcpus || !e.own_profiles || !e.trace_wl) goto fail;
  if ((rc = declare_records(&e)) < 0) goto fail;
  count_host_vcpus(&e);
  for (size_t hi = 0; hi < scenario->n_hosts; hi++) {
    size_t nv = e.hosts[hi].vcpu_cap;
    e.hosts[hi].vcpu_of_sched = sim_calloc(nv ? nv : 1, sizeof *e.hosts[hi].vcpu_of_sched);
    if (!e.hosts[hi].vcpu_of_sched) goto fail;
    if ((rc = setup_host(&e, hi, profile)) < 0) goto fail;
  }
  /* The demand period: how finely a partly idle vCPU interleaves work and
   * sleep; the scheduler's tick in Xen credit, 10 ms ([XEN] credit.c). */
  e.demand_period_ns = (sim_time)(profile ? sim_profile_get_or(profile, "sched.tick", 10e6) : 10e6);
  if (e.demand_period_ns < 1) e.demand_period_ns = 1;
  uint32_t next = 0;
  for (size_t gi = 0; gi < scenario->n_guests; gi++)
    if ((rc = setup_guest(&e, gi, &next)) < 0) goto fail;
  if ((rc = setup_io(&e)) < 0) goto fail;
  /* Live migrations, each scheduled at its `at`; they pause, move, throttle
   * and slow their guests through the hooks (live migration section). */
  migration_engine_hooks mig_hooks = {.ctx = &e,
                                      .phase = mig_phase,
                                      .net_demand_bps = mig_net_demand,
                                      .pause = mig_pause,
                                      .resume = mig_resume,
                                      .throttle = mig_throttle,
                                      .slow = mig_slow,
                                      .entity = mig_entity};
  if ((rc = migration_set_start(scenario, profile, e.loop, rec, &mig_hooks, PRIO_RUN,
                                &e.migrations, diag)) < 0)
    goto fail;
  if (e.sample_ns > 0 && !sim_schedule(e.loop, e.sample_ns, PRIO_SAMPLE, sample_handler, &e, 0))
    goto fail;
  sim_loop_run(e.loop, e.end_ns);
  sim_time end = sim_loop_now(e.loop);
  if (e.end_ns != SIM_TIME_MAX) {
    end = e.end_ns;
    settle(&e, end);
  }
  if (!e.failed) e.failed = migration_set_error(e.migrations);
  if (e.failed) {
    rc = e.failed;
    goto fail;
  }
  if ((rc = write_summary(&e, end)) < 0) goto fail;
  if ((rc = write_mmu_table(&e)) < 0) goto fail;
  if (e.io && (rc = io_model_write(e.io, end)) < 0) goto fail;
  if (stats) {
    stats->events = sim_loop_dispatched(e.loop);
    stats->simulated_ns = end;
  }
  if (options && options->progress) options->progress(options->progress_ctx, end, end);
  teardown(&e);
  return 0;
fail:
  /* Failures that did not explain themselves (allocation, recorder). */
  if (diag->errors == errors_before)
    sim_diag_error(diag, scenario->path, 0, 0, "simulation failed: out of memory or recorder error");
  teardown(&e);
  return rc < 0 ? rc : -1;
}
