/* models/engine_dvfs.c: DVFS in a run (models/dvfs.h): every host whose
 * type names a governor gets a sampling event of its own on the loop, every
 * dvfs.sampling_period from the start, as cpufreq's governors sample
 * [CPUFREQ].  At each sample the host's load over the period just ended (the
 * busy share of its cores' time, runs in progress counted up to now, as
 * Linux reads each CPU's idle time) goes to the governor, whose P-state
 * becomes the host's clock (eng_host.clock_hz) from then on:
 *   - the clock is what the engine turns cycles into time with (engine.c),
 *     so a guest's work takes longer at a lower P-state;
 *   - a fluid host re-plans its runs at once: every run in progress ends
 *     now, keeping the work done at the old clock, and is dispatched again
 *     at the new one (the mechanism of eng_fluid_replan, which by itself
 *     re-plans only runs whose share changed);
 *   - a time-slice (quantum) host applies the new clock from each pCPU's
 *     next dispatch: a run in progress that ends before the next sample
 *     keeps the end it was planned with at the old clock (an approximation
 *     by less than one sampling period per pCPU and change, which leaves
 *     the scheduler undisturbed); a longer one, such as an uncontended
 *     vCPU's, whose slice is unbounded, ends now as on a fluid host, and its
 *     scheduler accounts it and picks again, as at a slice's end.
 * Energy (engine_dc.c account, through eng_dvfs_watts): a host's power
 * model describes it at its highest P-state; over an accounting interval its
 * dynamic part is scaled by the mean of the P-states' scales, each period's
 * weighted by the busy time of the period, which is exact for the linear
 * model (its dynamic energy is proportional to busy time at each P-state)
 * and, for the others, as exact as taking the interval's mean utilisation
 * already is.  Idle power does not change with the P-state.
 * Events: at PRIO_DVFS, after the runs, wake-ups and departures due at the
 * same time (so a run ending then counts in the period it ended in), before
 * consolidation and samples.  The last is at or before the run's end, or,
 * without a duration, the first after every guest is done.  A governor
 * whose choice does not depend on the load (performance, powersave) gets
 * none: its P-state is set at the start, and the energy account needs no
 * sample to weigh a P-state that never changes.
 * Units: ns (sim_time; busy times in double ns), Hz, shares in [0, 1].
 * Invariants: hosts without a governor are never touched (their clock is
 * their type's, eng_dvfs_watts is dc_power_watts); a host's P-state changes
 * only at its samples. */
#include <assert.h>

#include "models/engine_internal.h"
#include "models/registry.h"

enum { PRIO_DVFS = 3 }; /* after PRIO_DEPART, before consolidation (PRIO_DC 5) and PRIO_SAMPLE */

/* ns of h's cores' time busy up to `now`: what finished runs were charged
 * (eng_finish_run), plus the runs in progress so far, at their fluid rate. */
static double busy_ns(const eng *e, const eng_host *h, sim_time now) {
  double busy = (double)h->busy_ns;
  for (uint32_t p = 0; p < h->n_slots; p++) {
    int32_t vi = h->pcpus[p].vcpu;
    if (vi < 0) continue;
    const eng_vcpu *v = &e->vcpus[vi];
    double ran = (double)(now - v->run_start_ns);
    busy += v->rate >= 1 ? ran : ran * v->rate;
  }
  return busy;
}

/* Host h runs at P-state k from `now` on: its runs re-planned as the file's
 * header says. */
static void set_pstate(eng *e, eng_host *h, size_t k, sim_time now) {
  eng_dvfs_host *d = &h->dvfs;
  d->pstate = k;
  d->scale = dvfs_dynamic_scale(h->type, k);
  h->clock_hz = d->policy.hz[k];
  sim_time next_sample = now + h->type->dvfs_period_ns;
  for (uint32_t p = 0; p < h->n_slots; p++) {
    int32_t vi = h->pcpus[p].vcpu;
    if (vi < 0) continue;
    eng_vcpu *v = &e->vcpus[vi];
    if (!v->end_ev) continue;
    sim_time end = sim_event_time(e->loop, v->end_ev);
    if (end > now && (h->fluid || end > next_sample)) sim_reschedule(e->loop, v->end_ev, now);
  }
}

/* Whether a sample at `at` is still due: within the run's duration, or
 * without one while some guest is not done (eng_sample_handler's rule). */
static bool due(const eng *e, sim_time at) {
  return e->end_ns != SIM_TIME_MAX ? at <= e->end_ns : e->guests_done < e->sc->n_guests;
}

static void sample_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  eng_host *h = ctx;
  eng *e = h->e;
  eng_dvfs_host *d = &h->dvfs;
  sim_time now = sim_loop_now(loop);
  double busy = busy_ns(e, h, now);
  double period_ns = (double)(now - d->prev_ns) * h->type->cores;
  double load = period_ns > 0 ? (busy - d->prev_busy_ns) / period_ns : 0;
  /* a finished run's busy time is rounded to whole ns: never below 0 */
  load = load < 0 ? 0 : load > 1 ? 1 : load;
  d->scaled_busy_ns += (busy - d->prev_busy_ns) * d->scale;
  d->prev_busy_ns = busy;
  d->prev_ns = now;
  size_t k = d->governor->next(&d->policy, d->pstate, load, &d->memory);
  assert(k < d->policy.n);
  if (k != d->pstate) set_pstate(e, h, k, now);
  sim_time next = now + h->type->dvfs_period_ns;
  if (due(e, next) && !sim_schedule(loop, next, PRIO_DVFS, sample_handler, h, 0)) eng_note_rec(e, -1);
}

int eng_dvfs_start(eng *e) {
  const sim_scenario *sc = e->sc;
  for (size_t hi = 0; hi < sc->n_hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    const sim_host_type *t = h->type;
    if (!t->dvfs_governor) continue;
    const model_entry *me = e->find(MODEL_GOVERNOR, t->dvfs_governor);
    if (!me || !me->ops) {
      sim_diag_error(e->diag, sc->path, 0, 0, "host type '%s': unknown DVFS governor '%s'", t->name,
                     t->dvfs_governor);
      return -1;
    }
    eng_dvfs_host *d = &h->dvfs;
    d->governor = me->ops;
    d->policy = (dvfs_policy){t->n_pstates,           t->pstate_hz,          t->dvfs_up_threshold,
                              t->dvfs_down_differential, t->dvfs_down_threshold, t->dvfs_freq_step};
    sim_time now = sim_loop_now(e->loop);
    d->prev_ns = now;
    d->prev_busy_ns = d->mark_busy_ns = busy_ns(e, h, now);
    set_pstate(e, h, d->governor->start(&d->policy, &d->memory), now);
    sim_time first = now + t->dvfs_period_ns;
    if (d->governor->samples && due(e, first) &&
        !sim_schedule(e->loop, first, PRIO_DVFS, sample_handler, h, 0))
      return -1;
  }
  return 0;
}

double eng_dvfs_watts(eng_host *h, const dc_power_model *m, double u) {
  eng_dvfs_host *d = &h->dvfs;
  if (!d->governor) return dc_power_watts(m, u);
  double busy = busy_ns(h->e, h, sim_loop_now(h->e->loop));
  double scaled = d->scaled_busy_ns + (busy - d->prev_busy_ns) * d->scale;
  double interval_busy = busy - d->mark_busy_ns, interval_scaled = scaled - d->mark_scaled_ns;
  d->mark_busy_ns = busy;
  d->mark_scaled_ns = scaled;
  /* an idle interval draws idle power at any scale: take the current one */
  return dvfs_power_watts(m, u, interval_busy > 0 ? interval_scaled / interval_busy : d->scale);
}
