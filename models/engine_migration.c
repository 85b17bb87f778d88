/* models/engine_migration.c: the hooks through which live migrations
 * (models/migration.h) act on the guests the engine runs.
 *
 * Live migration (models/migration.h): a migration pauses its guest's vCPUs
 * for its downtime and resumes them on the destination host, whose scheduler
 * and technique state were prepared at set-up; it may throttle the vCPUs
 * (auto-converge: a share of every demand period asleep) and slow the
 * guest's progress (its network share, post-copy faults), which then holds
 * its CPU longer per unit of work.
 * Units: ns, bit/s, shares in [0, 1].
 * Invariants: a hook never allocates (a guest's homes were prepared at
 * set-up, engine_setup.c), so a migration cannot fail mid-run. */
#include <math.h>

#include "models/engine_internal.h"

/* The phase a guest runs: its first vCPU's (NULL once done); a played
 * trace's composed now (engine_setup.c). */
static const sim_phase *mig_phase(void *ctx, uint32_t guest) {
  const eng *e = ctx;
  const eng_guest *g = &e->guests[guest];
  const eng_vcpu *v = &e->vcpus[g->first_vcpu];
  if (v->phase >= sim_workload_n_phases(g->wl)) return NULL;
  return g->wl->trace_mix ? eng_trace_phase(e, g, v->phase) : sim_workload_phase_body(g->wl, v->phase);
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
    if (v->state == V_RUNNING && v->end_ev) sim_reschedule_earlier(e->loop, v->end_ev, now);
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
      eng_finish_run(e, h, v, now);
      if (eng_phase_complete(v, now)) {
        v->phase++;
        eng_enter_phase(e, v, now);
      }
      h->sched->account(h->sched_state, v->sched_id, p, ran, false, now);
      if (v->state != V_DONE) {
        v->state = V_BLOCKED;
        v->resume_wake = true;
      }
      eng_dispatch(e, h, (uint32_t)p);
    } else if (v->state == V_RUNNABLE) {
      v->steal_ns += now - v->runnable_since;
      v->state = V_BLOCKED;
      v->resume_wake = true;
      v->stale_on = h;
    }
  }
  if (h->fluid) eng_fluid_replan(e, h);
}

static void mig_resume(void *ctx, uint32_t guest, uint32_t host) {
  eng *e = ctx;
  eng_guest *g = &e->guests[guest];
  if (!g->paused) return;
  for (uint32_t k = 0; k < g->n_homes; k++) {
    if (eng_home_host(g)[k] != host) continue;
    g->host = &e->hosts[host];
    g->tech_state = g->home_tech[k];
    g->native_state = eng_home_native(g)[k];
    for (uint32_t i = 0; i < g->spec->vcpus; i++)
      e->vcpus[g->first_vcpu + i].sched_id = eng_home_sched(g)[(size_t)k * g->spec->vcpus + i];
    /* /entities gives the host the guest ran on last */
    eng_note_rec(e, sim_recorder_entity_reparent(e->rec, g->entity, g->host->entity));
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
      eng_wake_vcpu(e, v);
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
    if (v->state == V_DONE || v->phase >= sim_workload_n_phases(g->wl)) continue;
    const sim_phase *ph = eng_cur_phase(e, v);
    double bits = ph->net_messages * (double)ph->net_tx_bytes * 8;
    if (!(bits > 0)) continue;
    if (!(v->est_cycles_per_unit > 0)) return isfinite(nic) ? nic : 0;
    double d = ph->cpu_demand > 0 && ph->cpu_demand < 1 ? ph->cpu_demand : 1;
    bps += g->host->clock_hz * d / v->est_cycles_per_unit * bits;
    known = true;
  }
  return known ? fmin(bps, nic) : 0;
}

migration_engine_hooks eng_migration_hooks(eng *e) {
  return (migration_engine_hooks){.ctx = e,
                                  .phase = mig_phase,
                                  .net_demand_bps = mig_net_demand,
                                  .pause = mig_pause,
                                  .resume = mig_resume,
                                  .throttle = mig_throttle,
                                  .slow = mig_slow,
                                  .entity = mig_entity};
}
