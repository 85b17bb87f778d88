/* models/engine.c: execution of guests on hosts, by events.
 * Models: every host has `cores` physical CPUs (pCPUs) and one CPU scheduler
 * (models/scheduler.h); every guest has vCPUs that advance through their
 * workload's phases.  A vCPU runs in slices the scheduler grants; at each
 * dispatch the engine asks the guest's technique (models/technique.h) what
 * the units of work that fit in the slice cost, in cycles by mechanism, and
 * what switching the guest onto that pCPU costs when the pCPU last ran
 * another context (world switch, TLB refill where untagged, shadow-table
 * rebuild); cycles become time at the host clock.  The same units are charged
 * through the host's native technique and native I/O path too, and each
 * vCPU's waits for its I/O and for requests are kept, so every guest has a
 * native twin without one in the scenario: the same work natively on the
 * same host and devices under the same I/O load (engine_report.c
 * relative_to_native).
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
 * Fitting units into a slice: a technique's cost per unit may change as it
 * runs (BT's translation cache warms), so on entering a phase the engine
 * charges a small probe of units to learn the cost per unit, and each later
 * chunk is sized from the cost per unit of the chunk before.  A run cut short
 * by a preemption keeps the share of its units and cycles that elapsed.
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
 * Requests (engine_requests.c): a request-driven guest's vCPU serves one
 * request at a time as a one-unit phase of its own (eng_vcpu.req_ph); when
 * its CPU work and I/O are done it takes the next request or idles
 * (BLOCKED) until one arrives.
 *
 * Fidelity: a host of fidelity `quantum` runs its scheduler's slices on its
 * pCPUs; one of fidelity `fluid` shares its cores by weighted processor
 * sharing (models/sched_fluid.c): every runnable vCPU runs on a slot of its
 * own at `rate` CPUs, its time split into CPU time (rate) and steal (the
 * rest), and runs are re-planned only when a wake-up or a block changes the
 * rates.
 *
 * Files (models/engine_internal.h): this one runs the loop and the vCPU state
 * machine; engine_setup.c builds and frees hosts, guests and their technique
 * states; engine_report.c records signals, events and summary tables;
 * engine_migration.c lets live migrations act on guests.
 *
 * Invariants: a vCPU is BLOCKED (not started, sleeping), RUNNABLE (queued in
 * the scheduler), RUNNING (on exactly one pCPU) or DONE; steal is the time a
 * vCPU spends RUNNABLE; every iteration is in index order (hosts, guests,
 * vCPUs, pCPUs), so runs are deterministic.  Random numbers come from
 * streams of their own: request-driven guests' (engine_requests.c), random
 * phase lengths', and the arrivals and lifetimes drawn at set-up
 * (engine_setup.c).
 * Sources: switch and work costs come from the technique model and the
 * calibration profile; the scheduler's time slice from the profile ([XEN]). */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "models/backend.h"
#include "models/contention.h"
#include "models/engine_internal.h"
#include "models/registry.h"
#include "models/techniques.h"
#include "sim/alloc.h"

/* ns that `cycles` take at `clock_hz`, rounded up so any work takes time:
 * ceil(cycles * 1e9 / clock_hz - 1e-9), taken as an integer without ceil
 * (every run converts four times).  Below 9e18 the truncation t of that x
 * is its ceil when x is whole or not positive and its floor otherwise, so
 * ceil(x) is t, plus one when t < x. */
static sim_time cycles_to_ns(double cycles, double clock_hz) {
  if (!(cycles > 0)) return 0;
  double ns = cycles * 1e9 / clock_hz - 1e-9;
  if (ns >= 9e18) return SIM_TIME_MAX / 4;
  sim_time t = (sim_time)ns;
  return (double)t < ns ? t + 1 : t;
}

void eng_note_rec(eng *e, int rc) {
  if (rc < 0 && !e->failed) e->failed = rc;
}

const sim_phase *eng_cur_phase(const eng *e, const eng_vcpu *v) { return eng_phase_of(e, v); }

/* v's phase, eng_cur_phase's, when `looked_up` is what a look-up earlier in
 * the same event gave: the same pointer and content, but for a played
 * trace, whose mix (shared by the guests of its workload) every look-up
 * rewrites for the vCPU it is made for (eng_trace_phase): looked up again.
 * An event looks a vCPU's phase up once so, not at every use. */
static inline const sim_phase *phase_again(const eng *e, const eng_vcpu *v, bool trace,
                                           const sim_phase *looked_up) {
  return trace ? eng_cur_phase(e, v) : looked_up;
}

/* Share of its time v's current run may use, (0, 1]: the cpu_demand of its
 * phase ph, less what a migration's auto-converge throttle takes ([QEMU]
 * cpu-throttle: the vCPU sleeps that share of every period). */
static double run_demand(const eng *e, const eng_vcpu *v, const sim_phase *ph) {
  double d = ph->cpu_demand;
  if (!(d > 0) || d > 1) d = 1;
  return d * (1 - e->guests[v->guest].throttle);
}

/* Puts v at the start of phase v->phase (skipping empty phases); marks it
 * DONE past the last phase of a non-repeating workload.  Inline in the
 * handlers that start a guest's vCPUs and end their runs: the call's saving
 * and restoring of registers cost as much as its body's usual work. */
static inline __attribute__((always_inline)) void enter_phase(eng *e, eng_vcpu *v, sim_time now) {
  eng_guest *g = &e->guests[v->guest];
  const sim_workload *wl = g->wl;
  /* sim_workload_n_phases and sim_workload_phase_body read here, as
   * eng_phase_of reads them, without their calls */
  size_t n_phases = wl->trace_mix ? wl->n_trace_samples : wl->n_phases;
  for (size_t tries = 0; tries <= n_phases; tries++) {
    if (v->phase >= n_phases) {
      if (!wl->repeat) {
        v->state = V_DONE;
        v->done_noted = true;
        v->done_ns = now;
        if (++g->vcpus_done == g->spec->vcpus) {
          g->finish_ns = now;
          e->guests_done++;
          eng_note_rec(e, sim_record_event(e->rec, e->ev_finish, now, g->entity,
                                       sim_time_to_s(now - g->spec->start_ns), 0));
        }
        return;
      }
      v->phase = 0;
    }
    const sim_phase *ph = wl->trace_mix ? eng_trace_phase(e, g, v->phase) : &wl->phases[v->phase];
    double units = ph->units;
    sim_time duration_ns = ph->duration_ns;
    if (ph->length.family != SIM_DIST_DETERMINISTIC) {
      /* a random length, drawn each time a vCPU starts the phase: its share
       * of units, or its duration (sim/scenario.h) */
      double x = sim_dist_sample(&ph->length, g->length_rng);
      if (units > 0)
        units = x;
      else
        duration_ns = x >= 9e18 ? SIM_TIME_MAX : (sim_time)llround(x);
    }
    v->phase_start_ns = now;
    if (e->prov) eng_provision_phase(e, v, now);
    v->est_cycles_per_unit = 0;
    if (units > 0) {
      v->units_phase = units / g->spec->vcpus;
      v->units_left = v->units_phase;
      v->phase_end_ns = SIM_TIME_MAX;
    } else if (duration_ns > 0) {
      v->units_phase = 0;
      v->units_left = INFINITY;
      v->phase_end_ns = now > SIM_TIME_MAX - duration_ns ? SIM_TIME_MAX : now + duration_ns;
    } else {
      v->phase++; /* an empty phase */
      continue;
    }
    eng_note_rec(e, sim_record_event(e->rec, e->ev_phase, now, v->entity, (double)v->phase, 0));
    return;
  }
  /* Every phase is empty (the loader forbids it; stay safe): done. */
  v->phase = n_phases;
  v->state = V_DONE;
  v->done_noted = true;
  v->done_ns = now;
  if (++g->vcpus_done == g->spec->vcpus) {
    g->finish_ns = now;
    e->guests_done++;
  }
}

void eng_enter_phase(eng *e, eng_vcpu *v, sim_time now) { enter_phase(e, v, now); }

/* Whether v's current phase is complete at `now`. */
bool eng_phase_complete(const eng_vcpu *v, sim_time now) {
  if (v->units_phase > 0) return v->units_left <= v->units_phase * 1e-12;
  return now >= v->phase_end_ns;
}

/* Another vCPU of v's guest g whose units are prepared for ph under g's
 * states now, when ph is a phase of g's workload: they hold for v too (a
 * prepared unit holds for the phase's content, the state's table and the
 * technique only, models/technique_unit.h, and a workload's phase is the
 * same content for every vCPU), so v copies them instead of preparing its
 * own: the vCPUs of a guest enter a phase one after another, so the one
 * that last prepared or took a phase's units (g->unit_holder) is the one to
 * ask; another that holds them too would give the same units.  NULL: none,
 * or ph is a request's or a trace's, whose content is the vCPU's own. */
static const eng_vcpu *prepared_sibling(const eng *e, const eng_guest *g, const eng_vcpu *v,
                                        const sim_phase *ph) {
  if (v->req_ph || g->wl->trace_mix) return NULL;
  const eng_vcpu *s = &e->vcpus[g->unit_holder];
  if (s != v && s->unit_phase == ph && s->unit_state == g->tech_state &&
      s->unit_native_state == g->native_state)
    return s;
  return NULL;
}

/* Charges `units` of v's phase through its technique and the native one.
 * A technique whose charge is split (models/technique_unit.h) is charged
 * from one unit of the phase prepared at the phase's first charge
 * (start_run forgets it when a phase or request begins, as a request's
 * content changes in place), and prepared again only if the guest moved to
 * another host type: the same cycles, bit for bit, as its charge().  ph:
 * v's phase (phase_again); out: cycles all +0 (a run's, just cleared, or a
 * chunk's own), which a split charges by its apply_fresh.  Inline in
 * start_run, which charges once or twice a run: a call's saving and
 * restoring of registers cost more. */
static inline __attribute__((always_inline)) void charge_units(eng *e, eng_vcpu *v,
                                                               const sim_phase *ph, double units,
                                                               cycles_by_mech *out,
                                                               double *native) {
  eng_guest *g = &e->guests[v->guest];
  const technique_unit_ops *tech = technique_unit_ops_at(g->tech_unit);
  const technique_unit_ops *nat = technique_unit_ops_at(g->native_unit);
  if (v->unit_phase != ph || v->unit_state != g->tech_state ||
      v->unit_native_state != g->native_state) {
    const eng_vcpu *sibling = prepared_sibling(e, g, v, ph);
    if (sibling) {
      v->unit_tech = sibling->unit_tech;
      v->unit_native = sibling->unit_native;
    } else {
      if (tech) tech->prepare(g->tech_state, ph, &v->unit_tech);
      if (nat) nat->prepare(g->native_state, ph, &v->unit_native);
    }
    v->unit_phase = ph;
    v->unit_state = g->tech_state;
    v->unit_native_state = g->native_state;
    g->unit_holder = (uint32_t)(v - e->vcpus);
  }
  if (tech)
    tech->apply_fresh(g->tech_state, ph, units, &v->unit_tech, out);
  else
    g->tech->charge(g->tech_state, ph, units, out);
  if (nat && nat->apply_total) {
    *native += nat->apply_total(g->native_state, ph, units, &v->unit_native);
  } else {
    cycles_by_mech n = {{0}};
    if (nat)
      nat->apply(g->native_state, ph, units, &v->unit_native, &n);
    else
      g->native->charge(g->native_state, ph, units, &n);
    *native += cycles_total(&n);
  }
  if (v->contention_unit > 0) { /* its co-runners', its native twin's too (models/contention.h) */
    out->cycles[MECH_GUEST] += units * v->contention_unit;
    *native += units * v->contention_unit;
  }
  if (e->io && io_phase_has_io(ph)) { /* the I/O path's work on the guest's CPU */
    out->cycles[MECH_IO] += units * io_unit_cycles(e->io, v->guest, ph, false);
    *native += units * io_unit_cycles(e->io, v->guest, ph, true);
  }
}

/* ---- I/O (models/io.h) ---- */

/* v's wait for its I/O ends at `now`: the part of it past its demand sleep
 * (which it would have slept anyway) was spent on the I/O alone. */
static void io_stall_end(eng *e, eng_vcpu *v, sim_time now) {
  eng_vcpu_waits *w = &e->waits[v - e->vcpus];
  sim_time from = w->io_stall_since > v->sleep_until_ns ? w->io_stall_since : v->sleep_until_ns;
  if (now > from) w->io_stall_ns += (double)(now - from);
  v->io_wait = false;
}

/* A request-driven v holds no request from `now` on. */
static void idle_begin(eng *e, eng_vcpu *v, sim_time now) {
  v->req_idle = true;
  e->waits[v - e->vcpus].idle_since = now;
}

/* All the requests of one of v's units completed: it runs again if it waits
 * for its window to open and now it has. */
static void io_done(void *ctx, uint64_t arg, sim_time now) {
  eng *e = ctx;
  eng_vcpu *v = &e->vcpus[arg];
  if (v->io_inflight) v->io_inflight--;
  if (!v->io_wait || v->io_inflight > v->io_limit) return;
  io_stall_end(e, v, now);
  if (v->req_ph && !eng_request_io_done(e, v, now)) { /* its request done, none waits */
    idle_begin(e, v, now);
    return;
  }
  if (v->state == V_BLOCKED && now >= v->sleep_until_ns) eng_wake_vcpu(e, v); /* else its sleep's end will */
}

static inline void start_run(eng *e, eng_host *h, uint32_t p, uint32_t vi, sched_pick pick,
                             sim_time now, bool goes_on, const sim_phase *looked_up);
static void replan_runs(eng *e, eng_host *h);

/* eng_fluid_replan, inline in the handlers that end every event of a
 * fluid host.  h is fluid (every caller tests it), so its scheduler is
 * sched_fluid_ops (eng_setup_host pairs them). */
static inline __attribute__((always_inline)) void fluid_replan(eng *e, eng_host *h) {
  assert(h->fluid && h->sched == &sched_fluid_ops);
  /* Most wake-ups and blocks change no running vCPU's rate (a host with
   * cores to spare, a vCPU taking its next request): nothing to re-plan.
   * Its answer read without a call when the rates need no recomputing. */
  if (sched_fluid_replan_none(h->sched_state, h->fluid_replans_seen) ||
      !sched_fluid_replan_due(h->sched_state, &h->fluid_replans_seen))
    return;
  replan_runs(e, h);
}

static inline void dispatch(eng *e, eng_host *h, uint32_t p, sim_time now);

static void dispatch_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  eng_host *h = ctx;
  h->pcpus[arg].kick_ev = SIM_EVENT_NONE;
  if (h->pcpus[arg].vcpu < 0) dispatch(h->e, h, (uint32_t)arg, sim_loop_now(loop));
  if (h->fluid) fluid_replan(h->e, h);
}

/* eng_finish_run, ph v's phase (eng_cur_phase's, looked up in this event).
 * Inline in run_end_handler, which ends every run: the call's saving and
 * restoring of registers cost more than its body's work on a re-plan. */
static inline __attribute__((always_inline)) void finish_run(eng *e, eng_host *h, eng_vcpu *v, sim_time now, const sim_phase *ph) {
  eng_guest *g = &e->guests[v->guest];
  double f = 1.0;
  if (now < v->run_end_ns) {
    sim_time work = v->run_end_ns - v->work_start_ns;
    f = now <= v->work_start_ns || work <= 0 ? 0.0 : (double)(now - v->work_start_ns) / (double)work;
  }
  double units = v->run_units * f;
  cycles_add_scaled(&g->cycles, &v->run_cycles, f);
  if (v->units_phase > 0) {
    v->units_left -= units;
    if (f >= 1.0 && v->units_left < 0) v->units_left = 0;
  }
  v->units_done += units;
  if (e->io && io_phase_has_io(ph)) v->io_units += units;
  double demand = ph->cpu_demand;
  if (!(demand > 0) || demand > 1) demand = 1;
  /* The native twin's time of the run: its work at the clock the run ran
   * at, on the same ns clock (rounded up as the run was), and its context
   * switch as far as the run's went (engine_report.c relative_to_native). */
  double switched = 1.0;
  if (now < v->work_start_ns)
    switched = (double)(now - v->run_start_ns) / (double)(v->work_start_ns - v->run_start_ns);
  double native_ns = f * (double)cycles_to_ns(v->run_native_cycles, v->run_clock_hz) / demand;
  /* without a switch its term is switched (finite, >= 0) times 0 ns, +0,
   * which leaves the sum (>= +0) as it is */
  if (v->run_native_switch_cycles > 0)
    native_ns += switched * (double)cycles_to_ns(v->run_native_switch_cycles, v->run_clock_hz);
  v->native_ns += native_ns;
  sim_time ran = now - v->run_start_ns;
  /* In fluid mode the vCPU held `rate` of a CPU and waited for the rest of
   * what it wanted. */
  sim_time got = v->rate >= 1 ? ran : (sim_time)llround((double)ran * v->rate);
  v->run_ns += got;
  h->busy_ns += got;
  if (v->want > v->rate) {
    sim_time steal = (sim_time)llround((double)ran * (v->want - v->rate));
    v->steal_ns += steal;
    /* the demand sleep of the work it could not do stretched as well */
    if (v->want < 1) v->steal_slept_ns += (double)steal * (1 - v->want) / v->want;
  }
  if (h->contention) contention_run_ended(h, (uint32_t)v->pcpu);
  h->pcpus[v->pcpu].vcpu = -1;
  v->pcpu = -1;
  v->end_ev = SIM_EVENT_NONE;
}

/* Applies the elapsed share of v's run up to `now` and ends it. */
void eng_finish_run(eng *e, eng_host *h, eng_vcpu *v, sim_time now) {
  finish_run(e, h, v, now, eng_cur_phase(e, v));
}

static void wake_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  eng *e = ctx;
  if (e->vcpus[arg].io_wait) return; /* its I/O's completion wakes it */
  eng_wake_vcpu(e, &e->vcpus[arg]);
}

static void run_end_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng_host *h = ctx;
  eng *e = h->e;
  sim_time now = sim_loop_now(loop);
  uint32_t p = (uint32_t)arg;
  uint32_t vi = (uint32_t)h->pcpus[p].vcpu;
  eng_vcpu *v = &e->vcpus[vi];
  sim_time worked = now - v->work_start_ns;
  sim_time ran = now - v->run_start_ns;
  /* the demand the run was planned with: a throttle set during the run
   * applies from the next one */
  double demand = v->run_demand;
  const sim_phase *ph = eng_cur_phase(e, v);
  finish_run(e, h, v, now, ph);
  /* A unit of an I/O phase is done: issue its I/O; wait for it when the
   * phase's window is full or the phase ends. */
  int io_n = 0;
  uint32_t io_window = ph->io_window;
  if (e->io && io_phase_has_io(ph) && v->io_units >= io_units_to_next(e->io, v->guest, ph) - 1e-9) {
    double whole = floor(v->io_units + 1e-9);
    v->io_units = fmax(0.0, v->io_units - whole);
    io_n = io_issue_units(e->io, v->guest, eng_cur_phase(e, v), whole, io_done, e, (uint64_t)(v - e->vcpus));
    if (io_n < 0) eng_note_rec(e, io_n);
    if (io_n > 0) {
      v->io_inflight++;
      /* what its path adds to these requests beyond the native path's (the
       * native twin's I/O, engine_report.c) */
      eng_guest *g = &e->guests[v->guest];
      g->io_path_excess_ns += whole * (io_unit_path_ns(e->io, v->guest, eng_cur_phase(e, v), false) -
                                       io_unit_path_ns(e->io, v->guest, eng_cur_phase(e, v), true));
    }
  }
  v->io_limit = io_window;
  bool idle = false; /* a request-driven vCPU without a request */
  bool phase_done = eng_phase_complete(v, now);
  if (phase_done) {
    v->io_limit = 0; /* the phase's I/O completes before the next phase */
    v->io_units = 0;
    if (v->req_ph) {
      idle = !eng_request_cpu_done(e, v, now);
      if (idle) idle_begin(e, v, now);
    } else {
      v->phase++;
      enter_phase(e, v, now);
    }
  }
  bool runnable = v->state != V_DONE && !idle;
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
  if (v->io_wait) e->waits[vi].io_stall_since = now;
  /* A fluid run ended early to be re-planned goes on on its own slot: the
   * fluid scheduler's account and pick of it would change nothing
   * (sched_fluid_running), so the run starts again without them. */
  eng_guest *g = &e->guests[v->guest];
  bool goes_on = runnable && h->fluid && !g->paused && g->host == h &&
                 sched_fluid_running(h->sched_state, v->sched_id);
  if (!goes_on) {
    if (h->fluid) /* read without a call (models/sched_fluid.h) */
      sched_fluid_account(h->sched_state, v->sched_id, runnable);
    else
      h->sched->account(h->sched_state, v->sched_id, (int32_t)p, ran, runnable, now);
  }
  if (runnable) {
    v->state = V_RUNNABLE;
    v->runnable_since = now;
  } else if (v->state != V_DONE) {
    v->state = V_BLOCKED;
    sim_time at = now > SIM_TIME_MAX - sleep ? SIM_TIME_MAX : now + sleep;
    v->sleep_until_ns = at;
    if (sleep > 0 && at <= e->end_ns &&
        !sim_schedule(loop, at, PRIO_WAKE, wake_handler, e, vi))
      eng_note_rec(e, -1);
  }
  if (goes_on) {
    assert((uint32_t)v->sched_id == p); /* a fluid vCPU's slot is its own */
    /* its phase as looked up above, unless it moved on to the next */
    start_run(e, h, p, vi, (sched_pick){v->sched_id, SIM_TIME_MAX, 0}, now, true,
              phase_done ? NULL : ph);
  } else {
    dispatch(e, h, p, now);
  }
  if (h->fluid) fluid_replan(e, h);
}

/* Asks the scheduler what runs on pCPU p now and starts it. */
void eng_dispatch(eng *e, eng_host *h, uint32_t p) { dispatch(e, h, p, sim_loop_now(e->loop)); }

/* eng_dispatch at `now`, the loop's time, inline in dispatch_handler, which
 * dispatches every kick, and in run_end_handler, which dispatches at a
 * run's end but a re-plan's. */
static inline __attribute__((always_inline)) void dispatch(eng *e, eng_host *h, uint32_t p,
                                                           sim_time now) {
  /* a back end runs there (models/backend.h); without back ends, not asked */
  if (e->backends && eng_backend_claims(e, h, p)) return;
  /* a fluid host's pick read without a call (models/sched_fluid.h) */
  sched_pick pick = h->fluid ? sched_fluid_pick(h->sched_state, (int32_t)p)
                             : h->sched->pick_next(h->sched_state, (int32_t)p, now);
  if (pick.vcpu < 0) {
    /* Idle; a scheduler holding back a capped vCPU asks to be called again
     * when it may run (models/scheduler.h, retry_at_ns). */
    eng_pcpu *c = &h->pcpus[p];
    if (pick.retry_at_ns > 0 && pick.retry_at_ns <= e->end_ns && !c->kick_ev) {
      c->kick_ev = sim_schedule(e->loop, pick.retry_at_ns < now ? now : pick.retry_at_ns, PRIO_RUN,
                                dispatch_handler, h, p);
      if (!c->kick_ev) eng_note_rec(e, -1);
    }
    contention_recheck(e, h); /* one co-runner fewer */
    return;
  }
  if (e->backends && eng_backend_picked(e, h, p, pick)) return; /* an I/O back end */
  uint32_t vi = h->vcpu_of_sched[pick.vcpu];
  eng_vcpu *v = &e->vcpus[vi];
  eng_guest *g = &e->guests[v->guest];
  if (g->paused || g->host != h || v->state != V_RUNNABLE) {
    /* A run-queue entry a migration's pause left behind: drop it. */
    if (v->stale_on == h) v->stale_on = NULL;
    h->sched->account(h->sched_state, pick.vcpu, (int32_t)p, 0, false, now);
    eng_dispatch(e, h, p);
    return;
  }
  start_run(e, h, p, vi, pick, now, false, NULL);
}

/* Starts the run of v (vCPU vi), RUNNABLE, that the scheduler picked for pCPU p
 * (`pick`) at `now`.  goes_on: a fluid run re-planned at `now` goes on on
 * its own slot (run_end_handler): v became RUNNABLE at `now` (no steal to
 * add) and its run there was the slot's last (no context to switch).
 * looked_up: v's phase as looked up earlier in this event, NULL: none was.
 * Inline in its two callers: a re-plan's call cost more than the work its
 * constants (goes_on, a fluid pick's unbounded slice) then spare. */
static inline __attribute__((always_inline)) void start_run(eng *e, eng_host *h, uint32_t p,
                                                            uint32_t vi, sched_pick pick,
                                                            sim_time now, bool goes_on,
                                                            const sim_phase *looked_up) {
  eng_vcpu *v = &e->vcpus[vi];
  eng_guest *g = &e->guests[v->guest];
  bool trace = g->wl->trace_mix != NULL;
  const sim_phase *ph = looked_up ? phase_again(e, v, trace, looked_up) : eng_cur_phase(e, v);
  assert(!goes_on || (v->runnable_since == now && h->pcpus[p].last_guest == (int32_t)v->guest));
  if (!goes_on) v->steal_ns += now - v->runnable_since;
  v->state = V_RUNNING;
  v->pcpu = (int32_t)p;
  v->run_start_ns = now;
  v->run_clock_hz = h->clock_hz;
  v->run_native_switch_cycles = 0;
  /* World switch when the pCPU held another context. */
  double sw_cycles = 0; /* cycles_total of no switch's cycles, all +0 */
  if (!goes_on && h->pcpus[p].last_guest != (int32_t)v->guest) {
    cycles_by_mech sw = {{0}};
    g->tech->switch_in(g->tech_state, &sw);
    cycles_add(&g->cycles, &sw);
    /* the native twin is switched in with it, at a native context switch's cost */
    cycles_by_mech native_sw = {{0}};
    g->native->switch_in(g->native_state, &native_sw);
    v->run_native_switch_cycles = cycles_total(&native_sw);
    g->switches++;
    eng_note_rec(e, sim_record_event(e->rec, e->ev_switch, now, v->entity, (double)p,
                                 (double)h->pcpus[p].last_guest));
    h->pcpus[p].last_guest = (int32_t)v->guest;
    sw_cycles = cycles_total(&sw);
  }
  /* The speed of this run: the host clock, times the fluid share (which
   * a partial demand bounds). */
  v->want = 1.0;
  double fluid_d = 1.0;
  v->rate = 1.0;
  if (h->fluid) { /* its scheduler is sched_fluid_ops */
    double d = fluid_d = run_demand(e, v, ph);
    v->want = d > 0 && d < 1 ? d : 1.0;
    v->rate = sched_fluid_plan(h->sched_state, v->sched_id, v->want);
  }
  if (!(v->rate > 1e-9)) v->rate = 1e-9;
  v->contention_unit = 0;
  bool recheck = h->contention && contention_unit_cycles(e, h, v, p, phase_again(e, v, trace, ph));
  /* A migration may slow the guest's progress (g->service): it holds its
   * CPU while it waits for the network or for faulted pages. */
  double hz = h->clock_hz * v->rate * g->service;
  v->work_start_ns = now + cycles_to_ns(sw_cycles, hz);
  /* Cycles available for work in the slice, also bounded by a duration
   * phase's end, a demand burst and the run's end. */
  double avail = INFINITY;
  sim_time limit = pick.slice_ns == SIM_TIME_MAX ? SIM_TIME_MAX : now + pick.slice_ns;
  if (v->phase_end_ns < limit) limit = v->phase_end_ns;
  /* the same demand as above, but for a trace's phase: composed when asked
   * for, its mix is shared and the co-runners' contention recomposed it */
  double run_d = v->run_demand =
      h->fluid && !trace ? fluid_d : run_demand(e, v, phase_again(e, v, trace, ph));
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
  double charged = 0; /* cycles: cycles_total(&v->run_cycles) */
  double left = v->units_left;
  if (v->est_cycles_per_unit <= 0) {
    /* A phase or a request begins (eng_enter_phase, engine_requests.c serve):
     * what is known of the one before does not hold. */
    v->unit_phase = NULL;
    /* Probe: a thousandth of the phase, at most one unit. */
    double probe = v->units_phase > 0 ? eng_fmin(eng_fmin(left, 1.0), v->units_phase * 1e-3) : 1.0;
    if (e->io && io_phase_has_io(eng_cur_phase(e, v)))
      probe = fmin(probe, io_units_to_next(e->io, v->guest, eng_cur_phase(e, v)) - v->io_units);
    if (probe > 0) {
      charge_units(e, v, phase_again(e, v, trace, ph), probe, &v->run_cycles, &v->run_native_cycles);
      units = probe;
      charged = cycles_total(&v->run_cycles);
      v->est_cycles_per_unit = charged > 0 ? charged / probe : 1e-300;
    }
  }
  /* fmax and fmin by comparison, as at every dispatch: the same values, a
   * NaN included (a zero's sign aside, which a chunk of no units never
   * uses) */
  double more = left - units;
  if (!(more > 0)) more = 0.0;
  if (avail != INFINITY) {
    double fit = (avail - charged) / v->est_cycles_per_unit;
    if (!(fit > 0)) fit = 0.0;
    if (fit < more) more = fit;
  }
  if (more == INFINITY) more = 0; /* a duration phase is always bounded by its end */
  if (units <= 0 && more <= 0) {
    /* A switch longer than the slice still lets the vCPU progress, so
     * over-committed hosts cannot livelock. */
    more = v->units_phase > 0 ? eng_fmin(left, v->units_phase * 1e-3) : 1.0;
  }
  /* An I/O phase runs to the end of the unit that owes a request, where the
   * I/O is issued. */
  if (e->io && io_phase_has_io(eng_cur_phase(e, v)))
    more = fmin(more, fmax(0.0, io_units_to_next(e->io, v->guest, eng_cur_phase(e, v)) - v->io_units - units));
  if (more > 0 && units <= 0) {
    /* the run's only chunk: charged into its cycles, still all +0 (what
     * adding a chunk charged apart to them would give, bit for bit) */
    charge_units(e, v, phase_again(e, v, trace, ph), more, &v->run_cycles, &v->run_native_cycles);
    charged = cycles_total(&v->run_cycles);
    if (charged > 0) v->est_cycles_per_unit = charged / more;
    units = more;
  } else if (more > 0) {
    cycles_by_mech c = {{0}};
    charge_units(e, v, phase_again(e, v, trace, ph), more, &c, &v->run_native_cycles);
    double cs = cycles_total(&c);
    if (cs > 0) v->est_cycles_per_unit = cs / more;
    cycles_add(&v->run_cycles, &c);
    units += more;
    charged = cycles_total(&v->run_cycles);
  }
  v->run_units = units;
  sim_time work_ns = cycles_to_ns(charged, hz);
  v->run_end_ns = v->work_start_ns + work_ns;
  /* A duration phase whose work costs nothing still lasts until its end. */
  if (v->units_phase <= 0 && charged <= 0 && limit != SIM_TIME_MAX)
    v->run_end_ns = limit;
  h->pcpus[p].vcpu = (int32_t)vi;
  v->end_ev = sim_schedule(e->loop, v->run_end_ns, PRIO_RUN, run_end_handler, h, p);
  if (!v->end_ev) eng_note_rec(e, -1);
  if (recheck) contention_recheck(e, h); /* one co-runner more, or another */
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

static inline void kick(eng *e, eng_host *h, sched_kick k, sim_time now);

/* v becomes runnable: queue it and act on the scheduler's kick.  Inline in
 * the handler that starts a guest's vCPUs, each woken in turn. */
static inline __attribute__((always_inline)) void wake_vcpu(eng *e, eng_vcpu *v) {
  eng_host *h = e->guests[v->guest].host;
  sim_time now = sim_loop_now(e->loop);
  if (v->state == V_DONE) return; /* its guest departed while a wake-up was due */
  if (v->req_idle) { /* a request came */
    eng_vcpu_waits *w = &e->waits[v - e->vcpus];
    w->idle_ns += (double)(now - w->idle_since);
    v->req_idle = false;
  }
  if (e->guests[v->guest].paused) { /* a migration stopped it: wake it on resume */
    v->state = V_BLOCKED;
    v->resume_wake = true;
    return;
  }
  v->state = V_RUNNABLE;
  v->runnable_since = now;
  /* a fluid host's wake read without a call (models/sched_fluid.h) */
  kick(e, h,
       h->fluid ? sched_fluid_wake(h->sched_state, v->sched_id, now)
                : h->sched->wake(h->sched_state, v->sched_id, now),
       now);
}

void eng_wake_vcpu(eng *e, eng_vcpu *v) { wake_vcpu(e, v); }

/* Acts on a scheduler's kick of a pCPU of h (models/scheduler.h). */
void eng_kick(eng *e, eng_host *h, sched_kick k) { kick(e, h, k, sim_loop_now(e->loop)); }

/* eng_kick at `now`, the loop's time, inline in eng_wake_vcpu, which kicks
 * at every wake-up. */
static inline __attribute__((always_inline)) void kick(eng *e, eng_host *h, sched_kick k,
                                                       sim_time now) {
  if (k.pcpu < 0) return;
  eng_pcpu *c = &h->pcpus[k.pcpu];
  if (k.at < now) k.at = now;
  if (c->vcpu >= 0) {
    eng_vcpu *r = &e->vcpus[c->vcpu];
    if (r->end_ev) sim_reschedule_earlier(e->loop, r->end_ev, k.at);
  } else if (c->vcpu == ENG_PCPU_BACKEND) {
    eng_backend_kick(e, h, (uint32_t)k.pcpu, k.at);
  } else if (!c->kick_ev) {
    c->kick_ev = sim_schedule(e->loop, k.at, PRIO_RUN, dispatch_handler, h, (uint64_t)k.pcpu);
    if (!c->kick_ev) eng_note_rec(e, -1);
  } else {
    sim_reschedule_earlier(e->loop, c->kick_ev, k.at); /* an idle pCPU's retry, brought forward */
  }
  if (h->fluid) fluid_replan(e, h);
}

/* eng_fluid_replan when a rate may have changed: out of line, so that the
 * test before it, which ends every event of a fluid host, inlines. */
static __attribute__((noinline)) void replan_runs(eng *e, eng_host *h) {
  sim_time now = sim_loop_now(e->loop);
  for (uint32_t p = 0; p < h->n_slots; p++) {
    int32_t vi = h->pcpus[p].vcpu;
    if (vi < 0) continue;
    eng_vcpu *r = &e->vcpus[vi];
    double rate = h->sched->rate(h->sched_state, r->sched_id);
    if (fabs(rate - r->rate) <= 1e-9 * r->rate || !r->end_ev) continue;
    sim_reschedule_earlier(e->loop, r->end_ev, now);
  }
  eng_backend_replan(e, h); /* the I/O back ends' runs too (models/backend.h) */
}

/* Fluid mode: the rates changed (a wake-up or a block); every running vCPU
 * whose rate differs ends its run now, keeping the work done, and is
 * dispatched again at its new rate (models/sched_fluid.c). */
void eng_fluid_replan(eng *e, eng_host *h) { fluid_replan(e, h); }

/* ---- arrivals and departures ----
 * A guest of an entry with `arrival` arrives at its drawn time (engine_setup.c
 * eng_setup_arrivals).  Under a datacenter section it is placed then by the
 * placement policy against the hosts' loads of the moment (engine_dc.c
 * eng_dc_arrive), and waits for its host's boot when that was off; when no
 * host has room it is rejected, as CloudSim rejects a VM no host can
 * allocate [BB12]: it never runs, and summary/datacenter counts it.
 * A guest with a lifetime departs when it ends, whether its work is done or
 * not: its vCPUs stop for good (a run in progress keeps the work done so
 * far), nothing more is scheduled for it, and from then on it holds no CPU
 * and no memory, so placement and consolidation see the room and an
 * emptied host is switched off at the next consolidation.  A guest whose
 * lifetime ends while a consolidation migration moves it departs when that
 * migration ends (engine_dc.c: the migration completes and is recorded as
 * usual; the departure's value1 is 1): the machinery has no way to abandon
 * a migration half-way, and a shutdown request is served once the VM has
 * settled.  Its finish_ns is the departure (so every "is it over" test
 * holds); summary/guests gives its departure_s and no time_to_complete. */

void eng_depart(eng *e, uint32_t gi, bool deferred) {
  eng_guest *g = &e->guests[gi];
  eng_host *h = g->host;
  sim_time now = sim_loop_now(e->loop);
  g->depart_pending = false;
  g->departure_ns = now;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (v->state == V_RUNNING) {
      int32_t p = v->pcpu;
      sim_time ran = now - v->run_start_ns;
      sim_cancel(e->loop, v->end_ev);
      eng_finish_run(e, h, v, now);
      h->sched->account(h->sched_state, v->sched_id, p, ran, false, now);
      v->state = V_DONE;
      eng_dispatch(e, h, (uint32_t)p);
    } else if (v->state == V_RUNNABLE) {
      /* its run-queue entry stays; dispatch drops it (the vCPU is not runnable) */
      v->steal_ns += now - v->runnable_since;
    }
    v->state = V_DONE;
    v->resume_wake = false;
    if (v->io_wait) io_stall_end(e, v, now);
  }
  if (h->fluid) eng_fluid_replan(e, h);
  g->vcpus_done = g->spec->vcpus;
  if (g->finish_ns < 0) {
    g->finish_ns = now;
    g->departed = true;
    e->guests_done++;
  }
  eng_note_rec(e, sim_record_event(e->rec, e->ev_depart, now, g->entity,
                                   sim_time_to_s(now - g->spec->start_ns), deferred ? 1 : 0));
}

void eng_depart_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  eng *e = ctx;
  eng_guest *g = &e->guests[arg];
  if (g->rejected || g->departure_ns >= 0) return;
  if (eng_dc_migrating(e, (uint32_t)arg)) {
    g->depart_pending = true; /* engine_dc.c: when the migration ends */
    return;
  }
  eng_depart(e, (uint32_t)arg, false);
}

/* Guest g is rejected at its arrival `now`: it never runs. */
static void reject(eng *e, eng_guest *g, sim_time now) {
  g->rejected = true;
  g->finish_ns = now;
  e->guests_done++;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) e->vcpus[g->first_vcpu + i].state = V_DONE;
  g->vcpus_done = g->spec->vcpus;
  eng_note_rec(e, sim_record_event(e->rec, e->ev_reject, now, g->entity, (double)g->spec->vcpus,
                                   (double)g->spec->memory_bytes));
}

void eng_start_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng *e = ctx;
  eng_guest *g = &e->guests[arg];
  sim_time now = sim_loop_now(loop);
  if (g->finish_ns >= 0) return; /* departed while its host booted */
  if (g->arriving && e->dc) {
    sim_time start = now;
    int placed = eng_dc_arrive(e, (uint32_t)arg, &start); /* it holds no host until placed */
    g->arriving = false;
    if (placed < 0) {
      eng_note_rec(e, placed);
      return;
    }
    if (placed == 0) {
      reject(e, g, now);
      return;
    }
    if (start > now) { /* its host boots first */
      if (!sim_schedule(loop, start, PRIO_WAKE, eng_start_handler, e, arg)) eng_note_rec(e, -1);
      return;
    }
  }
  g->arriving = false;
  eng_note_rec(e, sim_record_event(e->rec, e->ev_start, now, g->entity, 0, 0));
  if (g->rq) {
    for (uint32_t i = 0; i < g->spec->vcpus; i++) idle_begin(e, &e->vcpus[g->first_vcpu + i], now);
    eng_requests_start(e, g, now);
    return;
  }
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    v->phase = 0;
    enter_phase(e, v, now);
    if (v->state != V_DONE) wake_vcpu(e, v);
  }
}

/* At a time limit: close runs and waits in progress at `end`. */
static void settle(eng *e, sim_time end) {
  for (size_t i = 0; i < e->n_vcpus; i++) {
    eng_vcpu *v = &e->vcpus[i];
    if (v->state == V_RUNNING) {
      eng_host *h = e->guests[v->guest].host;
      sim_cancel(e->loop, v->end_ev);
      eng_finish_run(e, h, v, end);
      v->state = V_BLOCKED;
    } else if (v->state == V_RUNNABLE) {
      v->steal_ns += end - v->runnable_since;
      v->state = V_BLOCKED;
    }
  }
  eng_backend_settle(e, end); /* the I/O back ends' runs (models/backend.h) */
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
  /* Each guest's start, each vCPU's kick or run end and each host's event
   * may be pending at once (all at time 0, in a data center): room made now
   * spares the loop's doublings, each a copy of every record. */
  if (e.loop && sim_loop_reserve(e.loop, scenario->n_guests + n_vcpus + scenario->n_hosts) < 0)
    goto fail;
  if (e.loop && options && options->progress) sim_loop_set_trace(e.loop, progress_observer, &e);
  if (e.loop && options && options->watch_loop) options->watch_loop(options->watch_ctx, e.loop);
  e.hosts = sim_calloc(scenario->n_hosts ? scenario->n_hosts : 1, sizeof *e.hosts);
  e.guests = sim_calloc(scenario->n_guests ? scenario->n_guests : 1, sizeof *e.guests);
  e.vcpus = sim_calloc(n_vcpus ? n_vcpus : 1, sizeof *e.vcpus);
  e.own_profiles = sim_calloc(scenario->n_host_types ? scenario->n_host_types : 1,
                              sizeof *e.own_profiles);
  e.trace_wl = sim_calloc(scenario->n_workloads ? scenario->n_workloads : 1, sizeof *e.trace_wl);
  if (!e.loop || !e.hosts || !e.guests || !e.vcpus || !e.own_profiles || !e.trace_wl) goto fail;
  if ((rc = eng_declare_records(&e)) < 0) goto fail;
  if ((rc = eng_setup_arrivals(&e)) < 0) goto fail;
  if (scenario->n_services && (rc = eng_elastic_setup(&e)) < 0) goto fail; /* engine_elastic.c */
  eng_count_host_vcpus(&e);
  for (size_t hi = 0; hi < scenario->n_hosts; hi++) {
    size_t nv = e.hosts[hi].vcpu_cap;
    e.hosts[hi].vcpu_of_sched = sim_calloc(nv ? nv : 1, sizeof *e.hosts[hi].vcpu_of_sched);
    if (!e.hosts[hi].vcpu_of_sched) goto fail;
    if ((rc = eng_setup_host(&e, hi, profile)) < 0) goto fail;
  }
  if ((rc = eng_setup_demand_period(&e, profile)) < 0) goto fail;
  uint32_t next = 0;
  for (size_t gi = 0; gi < scenario->n_guests; gi++)
    if ((rc = eng_setup_guest(&e, gi, &next)) < 0) goto fail;
  if ((rc = eng_setup_io(&e)) < 0) goto fail;
  /* the vCPUs' waits, when some can wait for its I/O or for a request */
  bool waits = e.io != NULL;
  for (size_t gi = 0; gi < scenario->n_guests && !waits; gi++) waits = e.guests[gi].rq != NULL;
  if (waits && !(e.waits = sim_calloc(n_vcpus ? n_vcpus : 1, sizeof *e.waits))) goto fail;
  if ((rc = eng_backend_setup(&e)) < 0) goto fail; /* the I/O back ends (models/backend.h) */
  if ((rc = contention_setup(&e)) < 0) goto fail; /* hosts' shared resources (models/contention.h) */
  /* Live migrations, each scheduled at its `at`; they pause, move, throttle
   * and slow their guests through the hooks (live migration section). */
  migration_engine_hooks mig_hooks = eng_migration_hooks(&e);
  if ((rc = migration_set_start(scenario, profile, e.loop, rec, &mig_hooks, PRIO_RUN,
                                &e.migrations, diag)) < 0)
    goto fail;
  if ((rc = eng_dvfs_start(&e)) < 0) goto fail; /* DVFS governors (engine_dvfs.c) */
  if ((rc = eng_dc_start(&e, profile)) < 0) goto fail; /* dynamic consolidation (engine_dc.c) */
  if ((rc = eng_instances_start(&e)) < 0) goto fail;   /* instances' caps and credits */
  if (e.sample_ns > 0 && !sim_schedule(e.loop, e.sample_ns, PRIO_SAMPLE, eng_sample_handler, &e, 0))
    goto fail;
  if (sim_loop_run(e.loop, e.end_ns) == SIM_RUN_STOPPED) goto fail; /* the watcher said why */
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
  if ((rc = eng_write_summary(&e, end)) < 0) goto fail;
  if ((rc = eng_write_mmu_table(&e)) < 0) goto fail;
  if ((rc = eng_dc_finish(&e, end)) < 0) goto fail;
  if ((rc = eng_instances_finish(&e, end)) < 0 || (rc = eng_billing_write(&e, end)) < 0) goto fail;
  if ((rc = eng_requests_write(&e, end)) < 0) goto fail;
  if ((rc = eng_provision_write(&e, end)) < 0) goto fail;
  if (e.io && (rc = io_model_write(e.io, end)) < 0) goto fail;
  if ((rc = eng_backend_write(&e, end)) < 0) goto fail;
  if (stats) {
    stats->events = sim_loop_dispatched(e.loop);
    stats->simulated_ns = end;
  }
  if (options && options->progress) options->progress(options->progress_ctx, end, end);
  eng_backend_free(e.backends);
  contention_free(&e);
  eng_teardown(&e);
  return 0;
fail:
  /* Failures that did not explain themselves (allocation, recorder). */
  if (diag->errors == errors_before)
    sim_diag_error(diag, scenario->path, 0, 0, "simulation failed: out of memory or recorder error");
  eng_backend_free(e.backends);
  contention_free(&e);
  eng_teardown(&e);
  return rc < 0 ? rc : -1;
}
