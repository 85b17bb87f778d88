/* models/engine_instances.c: the CPU caps of IaaS instances on the event
 * loop (scenarios/SCHEMA.md "instance_types"): a burstable instance's cap
 * follows its CPU-credit balance (models/credits.c [AWS-BURST]), and an
 * instance type with compute units is capped to them on the host it runs on.
 * Every CREDIT_STEP the accounting event charges each instance's CPU time
 * since the last step to its credit account, then sets its cap on its
 * host's scheduler (scheduler_ops.set_cap) for the next step: what its
 * balance and the credits it earns meanwhile pay for, at least its baseline
 * (standard mode; unlimited mode leaves it uncapped), and at most its
 * compute units' worth of its host's clock.  So a bursty guest runs at full
 * speed until its credits are spent, then at its baseline.
 * Compute units: EC2 defined an instance's CPU capacity in compute units
 * (ECU), one being the capacity of a 1.0-1.2 GHz 2007 Opteron or Xeon
 * [LECT]; here an instance of U units gets at most U x SIM_COMPUTE_UNIT_HZ
 * cycles per second, U x 1 GHz / f CPUs of a host of clock f.  That evens
 * out clocks, not generations: a cycle of an older host's calibration
 * profile does less (its costs per operation are higher), so the same
 * instance type runs at different speeds on host types of different
 * generations, as Schad et al. measured on EC2.
 * Units: ns, seconds, credits, CPUs.
 * Invariants: an instance earns and spends credits only between its start
 * and its departure (or the run's end); its cap is set only on the host it
 * is on, and again after a migration at the next step. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/credits.h"
#include "models/engine_internal.h"
#include "sim/alloc.h"

/* How often credits are accounted and caps set: one minute, the time unit
 * of a credit [AWS-BURST]; the schedulers enforce a cap over 10-100 ms
 * periods, so a cap holds well within a step. */
#define CREDIT_STEP_NS (60 * SIM_S)

/* A balance below this is spent: a millionth of a credit is 60 us of CPU
 * time, finer than any scheduler enforces a cap. */
#define SPENT_CREDITS 1e-6

/* An instance with a cap of the engine's making. */
typedef struct inst_guest {
  uint32_t guest;                 /* index in the scenario */
  const sim_instance_type *type;  /* its instance type */
  credit_account credits;         /* burstable: its account */
  double cpu_s;                   /* CPU time counted so far, s */
  sim_time accounted_ns;          /* ns: credits accounted up to here */
  double cap;                     /* CPUs set on its host's scheduler; 0 uncapped */
  const eng_host *capped_on;      /* host that cap was set on; NULL: none yet */
  bool had_credits;               /* its balance was above 0 at some step */
  sim_time exhausted_ns;          /* ns: when its balance first ran out after it had credits; -1: never */
} inst_guest;

struct eng_instances {
  inst_guest *g;                  /* instances with a cap of the engine's making */
  size_t n;                       /* count */
  int sig_credits, sig_cap;       /* signal ids (or SIM_SIGNAL_OFF) */
  int ev_exhausted;               /* event type id */
};

/* CPU time guest gi's vCPUs have run by `now` (the runs in progress
 * included, at their rate), s. */
static double guest_cpu_s(const eng *e, const eng_guest *g, sim_time now) {
  double ns = 0;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    ns += (double)v->run_ns;
    if (v->state == V_RUNNING && now > v->run_start_ns)
      ns += (double)(now - v->run_start_ns) * (v->rate < 1 ? v->rate : 1);
  }
  return ns * 1e-9;
}

/* Charges instance x's credits up to `now`. */
static void account(eng *e, inst_guest *x, sim_time now) {
  const eng_guest *g = &e->guests[x->guest];
  sim_time from = x->accounted_ns > g->spec->start_ns ? x->accounted_ns : g->spec->start_ns;
  sim_time to = eng_billing_running_end(g, now);
  if (to <= from) return;
  double cpu = guest_cpu_s(e, g, to);
  credit_step(x->type, &x->credits, sim_time_to_s(to - from), cpu > x->cpu_s ? cpu - x->cpu_s : 0);
  x->cpu_s = cpu;
  x->accounted_ns = to;
}

/* The cap of instance x on host h for the next step: CPUs, 0 uncapped. */
static double cap_of(const inst_guest *x, const eng_host *h) {
  double vcpus = x->type->vcpus, cap = vcpus;
  if (x->type->compute_units > 0) cap = fmin(cap, x->type->compute_units * SIM_COMPUTE_UNIT_HZ / h->clock_hz);
  if (x->type->burstable) {
    double c = credit_cap(x->type, &x->credits, sim_time_to_s(CREDIT_STEP_NS));
    if (c > 0) cap = fmin(cap, c);
  }
  return cap >= vcpus ? 0 : cap;
}

/* Sets instance x's cap on its host from `now`, when it runs. */
static void set_cap(eng *e, struct eng_instances *in, inst_guest *x, sim_time now) {
  const eng_guest *g = &e->guests[x->guest];
  if (g->rejected || g->arriving || g->departure_ns >= 0 || now < g->spec->start_ns) return;
  eng_host *h = g->host;
  double cap = cap_of(x, h);
  if (x->type->burstable) {
    eng_note_rec(e, sim_emit(e->rec, in->sig_credits, g->entity, now, x->credits.balance));
    eng_note_rec(e, sim_emit(e->rec, in->sig_cap, g->entity, now, cap > 0 ? cap : x->type->vcpus));
    bool spent = !x->type->unlimited && x->credits.balance < SPENT_CREDITS;
    x->had_credits |= x->credits.balance >= SPENT_CREDITS;
    if (spent && x->had_credits && x->exhausted_ns < 0) {
      x->exhausted_ns = now;
      eng_note_rec(e, sim_record_event(e->rec, in->ev_exhausted, now, g->entity, cap,
                                       x->credits.spent));
    }
  }
  if (cap == x->cap && h == x->capped_on) return;
  h->sched->set_cap(h->sched_state, x->guest, cap, now);
  x->cap = cap;
  x->capped_on = h;
  /* its runs in progress end now, so that the scheduler applies the new
   * cap at once: a run alone on its pCPU would otherwise go on unbounded */
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (v->state == V_RUNNING && v->end_ev) sim_reschedule_earlier(e->loop, v->end_ev, now);
  }
}

static void step_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  eng *e = ctx;
  struct eng_instances *in = e->instances;
  sim_time now = sim_loop_now(loop);
  for (size_t i = 0; i < in->n; i++) {
    account(e, &in->g[i], now);
    set_cap(e, in, &in->g[i], now);
  }
  if (now + CREDIT_STEP_NS <= e->end_ns && e->guests_done < e->sc->n_guests &&
      !sim_schedule(loop, now + CREDIT_STEP_NS, PRIO_CREDITS, step_handler, e, 0))
    eng_note_rec(e, -1);
}

int eng_instances_start(eng *e) {
  const sim_scenario *sc = e->sc;
  size_t n = 0;
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    uint32_t t = sc->guests[gi].instance_type;
    n += t && (sc->instance_types[t - 1].burstable || sc->instance_types[t - 1].compute_units > 0);
  }
  if (!n) return 0;
  /* an instance may land on any host (arrivals, consolidation): every
   * scheduler must be able to change its cap */
  for (size_t hi = 0; hi < sc->n_hosts; hi++)
    if (!e->hosts[hi].sched->set_cap) {
      sim_diag_error(e->diag, sc->path, 0, 0,
                     "host '%s': its scheduler '%s' cannot change a guest's cap, which burstable "
                     "instances and compute units need: use scheduler credit, credit2 or cfs at "
                     "fidelity quantum", e->hosts[hi].spec->name, e->hosts[hi].sched->name);
      return -1;
    }
  struct eng_instances *in = e->instances = sim_calloc(1, sizeof *in);
  if (!in || !(in->g = sim_calloc(n, sizeof *in->g))) return -1;
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    uint32_t t = sc->guests[gi].instance_type;
    if (!t || !(sc->instance_types[t - 1].burstable || sc->instance_types[t - 1].compute_units > 0)) continue;
    inst_guest *x = &in->g[in->n++];
    x->guest = (uint32_t)gi;
    x->type = &sc->instance_types[t - 1];
    x->exhausted_ns = -1;
    if (x->type->burstable) x->credits = credit_open(x->type);
  }
  in->sig_credits = sim_recorder_signal(e->rec, "cpu_credits", "credits",
                                        "a burstable instance's CPU-credit balance (one credit: one "
                                        "vCPU-minute), each accounting step");
  in->sig_cap = sim_recorder_signal(e->rec, "cpu_cap", "1",
                                    "a burstable instance's CPU cap for the next accounting step, "
                                    "CPUs (its vCPUs when uncapped)");
  in->ev_exhausted = sim_recorder_event_type(e->rec, "cpu_credits_exhausted",
                                             "a standard burstable instance has spent the credits it "
                                             "had and runs at its baseline; value0 = its cap, CPUs; value1 = "
                                             "credits spent so far");
  if (in->sig_credits < 0 && in->sig_credits != SIM_SIGNAL_OFF) return in->sig_credits;
  if (in->sig_cap < 0 && in->sig_cap != SIM_SIGNAL_OFF) return in->sig_cap;
  if (in->ev_exhausted < 0) return in->ev_exhausted;
  /* caps at the start, from the initial balances; instances that arrive
   * later get theirs at the first step after */
  for (size_t i = 0; i < in->n; i++) set_cap(e, in, &in->g[i], 0);
  if (e->failed) return e->failed;
  return sim_schedule(e->loop, CREDIT_STEP_NS, PRIO_CREDITS, step_handler, e, 0) ? 0 : -1;
}

int eng_instances_finish(eng *e, sim_time end) {
  struct eng_instances *in = e->instances;
  if (!in) return 0;
  bool burstable = false;
  for (size_t i = 0; i < in->n; i++) {
    account(e, &in->g[i], end);
    if (in->g[i].type->burstable) credit_close(in->g[i].type, &in->g[i].credits);
    burstable |= in->g[i].type->burstable;
  }
  if (!burstable) return 0;
  static const sim_column cols[] = {
      {"name", SIM_COL_STR, "", "guest name"},
      {"instance_type", SIM_COL_STR, "", "its instance type"},
      {"mode", SIM_COL_STR, "", "standard or unlimited"},
      {"credits_earned", SIM_COL_F64, "credits", "credits earned while it ran (before the maximum clipped them)"},
      {"credits_spent", SIM_COL_F64, "credits", "CPU time it used, in vCPU-minutes"},
      {"credit_balance", SIM_COL_F64, "credits", "balance at its end (departure or the run's end)"},
      {"exhausted_s", SIM_COL_F64, "s",
       "when its balance first ran out after it had credits (standard mode: its cap falls to its "
       "baseline); NaN: never"},
      {"surplus_credits", SIM_COL_F64, "credits", "surplus credits billed (unlimited mode)"},
  };
  sim_table *t = sim_recorder_table(e->rec, "summary/credits", "per burstable instance: its CPU credits",
                                    sizeof cols / sizeof cols[0], cols);
  if (!t) return -1;
  for (size_t i = 0; i < in->n; i++) {
    const inst_guest *x = &in->g[i];
    if (!x->type->burstable) continue;
    sim_cell row[8];
    row[0].s = e->guests[x->guest].spec->name;
    row[1].s = x->type->name;
    row[2].s = x->type->unlimited ? "unlimited" : "standard";
    row[3].f = x->credits.earned;
    row[4].f = x->credits.spent;
    row[5].f = x->credits.balance;
    row[6].f = x->exhausted_ns >= 0 ? sim_time_to_s(x->exhausted_ns) : NAN;
    row[7].f = x->credits.charged;
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  return 0;
}

double eng_instances_surplus(const eng *e, uint32_t gi) {
  const struct eng_instances *in = e->instances;
  for (size_t i = 0; in && i < in->n; i++)
    if (in->g[i].guest == gi) return in->g[i].credits.charged;
  return 0;
}

void eng_instances_free(struct eng_instances *in) {
  if (!in) return;
  sim_free(in->g);
  sim_free(in);
}
