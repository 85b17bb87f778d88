/* models/sched_credit.c: Xen's credit scheduler ("credit").
 * Models [XEN] xen/common/sched/credit.c:
 * every vCPU holds credit; every accounting period (one time slice, 30 ms)
 * the host's CPU time is handed out to the active guests in proportion to
 * their weights (256 by default), a guest's allotment limited by its cap and
 * by one CPU per active vCPU (the surplus going to the others by weight), and
 * split evenly among its active vCPUs; running burns credit at the time run.
 * A vCPU becomes active when a tick finds it running (a capped one whenever
 * it is runnable) and stops earning when its credit passes one slice's worth
 * (it does not use its share), keeping half.  Priorities: BOOST > UNDER >
 * OVER.  Each accounting sets an active vCPU's priority from its credit
 * (UNDER at >= 0, OVER below); an inactive one keeps its priority (running
 * only debits credit), so an I/O-bound vCPU that blocks before any tick finds
 * it running stays UNDER.  A vCPU waking with UNDER priority is boosted (when
 * wake-up boost is on); the boost lasts until a tick (10 ms) finds it
 * running, which makes it UNDER.  A pCPU takes the queued vCPU of highest
 * priority, first come first served within a priority.  A woken vCPU
 * preempts one of lower priority, but not before that one has run for the
 * rate limit (1 ms).  A capped guest's vCPU runs at most its credit and is
 * parked at zero credit until the next accounting refills it, so caps hold.
 *
 * Simplifications, on purpose: one run queue per host instead of one per pCPU
 * with load balancing (an idle pCPU always finds queued work, as Xen's work
 * stealing does); accounting is exact to the ns (Xen debits at ticks and, in
 * burn_credits, at each schedule); the queue is kept in priority order at
 * every pick (Xen sorts it at insertion and after each accounting,
 * csched_runq_sort); a boost ends at the end of the run a tick found, the
 * vCPU queueing again (Xen lets it run on, UNDER, to its slice's end);
 * accounting periods are aligned on multiples of the time slice from time 0.
 * When no other vCPU waits for a pCPU, a vCPU's slice is unbounded (one
 * event instead of one per 30 ms), and a vCPU that wakes up later bounds it
 * again.
 *
 * Units: time and credit in ns of CPU time (Xen's 10 credits per ms, 300 per
 * 30 ms slice, are the same thing scaled); weights relative; caps in CPUs.
 * Profile quantities (required; the shipped profiles hold [XEN]'s defaults):
 * sched.timeslice (30 ms), sched.tick (10 ms), sched.ratelimit (1 ms),
 * sched.credit.boost (flag, 1).  Shared bookkeeping (pCPUs, vCPUs, guests,
 * parameters): models/sched_common.h.
 * Invariants: a vCPU is queued iff it is runnable and not running; an
 * active vCPU's credit is within [-timeslice, +timeslice] after each
 * accounting (Xen's bounds; an inactive one's only falls, by what it runs);
 * a pCPU is IDLE, KICKED (a pick is due) or RUNNING one vCPU. */
#include <stdlib.h>

#include "models/sched_common.h"
#include "sim/alloc.h"

typedef enum cr_prio { PRI_OVER = 0, PRI_UNDER = 1, PRI_BOOST = 2 } cr_prio;

/* A vCPU's credit, beside its guest, pinning, queue state and queue order
 * (seq: within a priority, smaller first) in sched_host. */
typedef struct cr_vcpu {
  int64_t credit_ns;  /* ns of CPU time the vCPU may still use in this period */
  cr_prio prio;       /* current priority */
  bool active;        /* earns credit ([XEN] the active list) */
  sim_time burned_ns; /* while running: credit burnt up to this time, ns */
  sim_time start_ns;  /* while running: slice start, ns */
} cr_vcpu;

typedef struct cr_state {
  sim_time tslice_ns;    /* ns: time slice and accounting period, 30 ms [XEN] */
  sim_time tick_ns;      /* ns: accounting tick that ends a boost, 10 ms [XEN] */
  sim_time ratelimit_ns; /* ns: minimum run before a preemption, 1 ms [XEN] */
  bool boost;            /* wake-up boost on [XEN] */
  sched_host host;       /* pCPUs, vCPUs and guests (weight, cap) */
  cr_vcpu *vcpus;        /* per vCPU of host.vcpus: its credit */
  size_t cap_vcpus;      /* capacity */
  uint32_t *active;      /* per guest: active vCPUs, scratch of accounting */
  size_t cap_active;     /* capacity of `active` */
  double *share;         /* per guest: credit of the period, ns, or -1 while not fixed (scratch) */
  size_t cap_share;      /* capacity of `share` */
  sim_time next_acct_ns; /* ns: next accounting boundary */
} cr_state;

static int cr_create(const sched_env *env, void **state, sim_diag *diag) {
  double ts, tick, rl, boost;
  /* [XEN] credit.c: CSCHED_DEFAULT_TSLICE_MS 30, CSCHED_TICKS_PER_TSLICE 3,
   * sched_ratelimit_us 1000, wake-up boost always on. */
  if (sched_param(env, "credit", "sched.timeslice", 1e3, 1e12, &ts, diag) < 0 ||
      sched_param(env, "credit", "sched.tick", 1e3, 1e12, &tick, diag) < 0 ||
      sched_param(env, "credit", "sched.ratelimit", 0, 1e12, &rl, diag) < 0 ||
      sched_param(env, "credit", "sched.credit.boost", 0, 1, &boost, diag) < 0)
    return -1;
  cr_state *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  s->tslice_ns = (sim_time)ts;
  s->tick_ns = (sim_time)tick;
  s->ratelimit_ns = (sim_time)rl;
  s->boost = boost >= 0.5;
  s->next_acct_ns = s->tslice_ns;
  if (sched_host_init(&s->host, env->n_pcpus) < 0) {
    sim_free(s);
    return -1;
  }
  *state = s;
  return 0;
}

static void cr_destroy(void *state) {
  cr_state *s = state;
  if (!s) return;
  sched_host_free(&s->host);
  sim_free(s->vcpus);
  sim_free(s->active);
  sim_free(s->share);
  sim_free(s);
}

static int cr_add_vcpu(void *state, const sched_vcpu_info *info) {
  cr_state *s = state;
  bool new_guest;
  if (sched_host_add_vcpu(&s->host, info, &new_guest) < 0) return -1;
  if (new_guest && (sim_grow((void **)&s->active, &s->cap_active, s->host.n_guests, sizeof *s->active) ||
                    sim_grow((void **)&s->share, &s->cap_share, s->host.n_guests, sizeof *s->share)))
    return -1;
  if (sim_grow((void **)&s->vcpus, &s->cap_vcpus, s->host.n_vcpus, sizeof *s->vcpus)) return -1;
  s->vcpus[s->host.n_vcpus - 1] = (cr_vcpu){.prio = PRI_UNDER};
  return 0;
}

static bool allowed(const cr_state *s, int32_t v, int32_t p) { return sched_allowed(s->host.vcpus[v].pinned, p); }

/* The guest of vCPU v. */
static const sched_guest *guest_of(const cr_state *s, size_t v) { return &s->host.guests[s->host.vcpus[v].guest]; }

/* A capped guest's vCPU without credit waits for the next accounting. */
static bool parked(const cr_state *s, size_t v) {
  return guest_of(s, v)->cap > 0 && s->vcpus[v].credit_ns <= 0;
}

/* Debits a running vCPU's credit up to `t`.  Its priority stays: [XEN]
 * burn_credits only debits; priorities are recomputed by csched_acct, for
 * the active vCPUs only. */
static void burn(const cr_state *s, cr_vcpu *v, sim_time t) {
  /* [XEN] csched_tick -> csched_unit_acct -> __csched_unit_acct_start: a
   * vCPU found running at a tick joins the active vCPUs that earn credit. */
  if (t / s->tick_ns != v->burned_ns / s->tick_ns) v->active = true;
  if (t > v->burned_ns) {
    v->credit_ns -= t - v->burned_ns;
    v->burned_ns = t;
  }
}

/* One accounting at time t ([XEN] csched_acct): returns whether any vCPU was
 * active. */
static bool account_period(cr_state *s, sim_time t) {
  double wsum = 0;
  bool any = false;
  for (size_t i = 0; i < s->host.n_vcpus; i++)
    if (s->host.vcpus[i].running) burn(s, &s->vcpus[i], t);
  /* Active vCPUs per guest, and the active guests' weights. */
  uint32_t *active = s->active;
  for (size_t g = 0; g < s->host.n_guests; g++) active[g] = 0;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    const cr_vcpu *v = &s->vcpus[i];
    uint32_t g = s->host.vcpus[i].guest;
    if (v->active) {
      if (active[g]++ == 0) wsum += s->host.guests[g].weight;
      any = true;
    }
  }
  /* The period's credit by weight; a guest held back by its cap or by one
   * CPU per active vCPU gets that bound and its surplus goes to the others
   * by weight ([XEN] csched_acct: credit_peak, credit_cap, credit_xtra). */
  double *share = s->share;
  double left = (double)s->host.n_pcpus * (double)s->tslice_ns;
  for (size_t g = 0; g < s->host.n_guests; g++) share[g] = active[g] ? -1 : 0;
  for (bool changed = true; changed && wsum > 0;) {
    changed = false;
    for (size_t g = 0; g < s->host.n_guests; g++) {
      if (share[g] >= 0) continue;
      const sched_guest *gg = &s->host.guests[g];
      double peak = (double)active[g] * (double)s->tslice_ns;
      if (gg->cap > 0 && gg->cap * (double)s->tslice_ns < peak) peak = gg->cap * (double)s->tslice_ns;
      if (left * gg->weight / wsum >= peak) {
        share[g] = peak;
        left -= peak;
        wsum -= gg->weight;
        changed = true;
      }
    }
  }
  for (size_t g = 0; g < s->host.n_guests; g++)
    if (share[g] < 0) share[g] = wsum > 0 ? left * s->host.guests[g].weight / wsum : 0;
  /* [XEN] csched_acct walks the active list only: an inactive vCPU (one
   * that blocked before a tick found it running, an I/O-bound one) keeps its
   * credit and priority, so it stays UNDER and is boosted at every wake-up
   * until a tick finds it running again. */
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    cr_vcpu *v = &s->vcpus[i];
    uint32_t g = s->host.vcpus[i].guest;
    if (!v->active) continue;
    v->credit_ns += (int64_t)(share[g] / active[g]);
    if (v->credit_ns < 0) {
      v->prio = PRI_OVER;
      if (v->credit_ns < -s->tslice_ns) v->credit_ns = -s->tslice_ns; /* lower bound */
    } else {
      v->prio = PRI_UNDER;
      /* Past the upper bound a vCPU stops earning (it is not using its
       * share) and keeps half its credit (__csched_unit_acct_stop_locked). */
      if (v->credit_ns > s->tslice_ns) {
        v->active = false;
        v->credit_ns /= 2;
      }
    }
  }
  return any;
}

/* Runs every accounting due by `now`; an idle stretch is skipped at once. */
static void catch_up(cr_state *s, sim_time now) {
  while (now >= s->next_acct_ns) {
    bool any = account_period(s, s->next_acct_ns);
    if (!any) s->next_acct_ns = (now / s->tslice_ns) * s->tslice_ns;
    s->next_acct_ns += s->tslice_ns;
  }
}

static void enqueue(cr_state *s, int32_t v) {
  /* A capped vCPU earns (its capped) credit whenever it wants the CPU: its
   * cap is enforced through that credit. */
  if (guest_of(s, (size_t)v)->cap > 0) s->vcpus[v].active = true;
  sched_enqueue(&s->host, v);
}

static sched_kick cr_wake(void *state, int32_t vcpu, sim_time now) {
  cr_state *s = state;
  catch_up(s, now);
  cr_vcpu *v = &s->vcpus[vcpu];
  /* [XEN] csched_unit_wake: a vCPU waking with UNDER priority is boosted,
   * unless it is a capped one parked until it earns credit again. */
  if (s->boost && v->prio == PRI_UNDER && !parked(s, (size_t)vcpu)) v->prio = PRI_BOOST;
  enqueue(s, vcpu);
  sched_kick none = {-1, now};
  int32_t pinned = s->host.vcpus[vcpu].pinned;
  int32_t idle = sched_idle_pcpu(&s->host, pinned);
  if (parked(s, (size_t)vcpu)) {
    /* An idle pCPU looks again when accounting refills the credit; it stays
     * IDLE so that a vCPU which may run now still takes it at once. */
    if (idle >= 0) return (sched_kick){idle, s->next_acct_ns};
    return none; /* a running pCPU's slice end will see it */
  }
  if (idle >= 0) {
    s->host.pcpus[idle].state = SCHED_PCPU_KICKED;
    return (sched_kick){idle, now};
  }
  /* Preempt the lowest-priority running vCPU below it, after the rate limit. */
  sched_pcpu *pcpus = s->host.pcpus;
  int32_t best = -1;
  for (uint32_t p = 0; p < s->host.n_pcpus; p++) {
    const sched_pcpu *c = &pcpus[p];
    if (c->state != SCHED_PCPU_RUNNING || !allowed(s, vcpu, (int32_t)p)) continue;
    cr_prio rp = s->vcpus[c->vcpu].prio;
    if (rp >= v->prio) continue;
    if (best < 0 || rp < s->vcpus[pcpus[best].vcpu].prio ||
        (rp == s->vcpus[pcpus[best].vcpu].prio && c->start_ns < pcpus[best].start_ns))
      best = (int32_t)p;
  }
  if (best >= 0) {
    sched_pcpu *c = &pcpus[best];
    sim_time at = c->start_ns + s->ratelimit_ns;
    if (at < now) at = now;
    if (at >= c->end_ns) return none;
    c->end_ns = at;
    return (sched_kick){best, at};
  }
  /* Same priority: wait for a slice end; bound the oldest unbounded one. */
  best = sched_oldest_unbounded(&s->host, pinned);
  if (best < 0) return none;
  sched_pcpu *c = &pcpus[best];
  c->end_ns = c->start_ns + s->tslice_ns < now ? now : c->start_ns + s->tslice_ns;
  return (sched_kick){best, c->end_ns};
}

static sched_pick cr_pick_next(void *state, int32_t pcpu, sim_time now) {
  cr_state *s = state;
  catch_up(s, now);
  int32_t best = -1;
  bool held = false; /* a parked vCPU could run here after accounting */
  const sched_vcpu *hv = s->host.vcpus;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    const cr_vcpu *v = &s->vcpus[i];
    if (!hv[i].queued || !allowed(s, (int32_t)i, pcpu)) continue;
    if (parked(s, i)) {
      held = true;
      continue;
    }
    /* [XEN] __runq_insert queues a vCPU after every vCPU of its priority or
     * higher, csched_runq_sort keeps that order, csched_schedule takes the
     * head: highest priority first, first come first served within one. */
    if (best < 0 || v->prio > s->vcpus[best].prio || (v->prio == s->vcpus[best].prio && hv[i].seq < hv[best].seq))
      best = (int32_t)i;
  }
  if (best < 0) {
    sched_pcpu_idle(&s->host, pcpu);
    return (sched_pick){-1, 0, held ? s->next_acct_ns : 0};
  }
  cr_vcpu *v = &s->vcpus[best];
  s->host.vcpus[best].queued = false;
  s->host.vcpus[best].running = true;
  v->burned_ns = now;
  v->start_ns = now;
  sim_time slice = SIM_TIME_MAX;
  if (v->prio == PRI_BOOST) {
    /* Until the tick that will find it running and end the boost. */
    slice = (now / s->tick_ns + 1) * s->tick_ns - now;
    if (slice < s->ratelimit_ns) slice += s->tick_ns;
  } else if (sched_contended(&s->host, pcpu)) {
    slice = s->tslice_ns;
  }
  if (guest_of(s, (size_t)best)->cap > 0 && v->credit_ns < slice) slice = v->credit_ns;
  if (slice != SIM_TIME_MAX && slice > s->tslice_ns) slice = s->tslice_ns;
  sched_pcpu_run(&s->host, pcpu, best, now, slice);
  return (sched_pick){best, slice, 0};
}

static void cr_account(void *state, int32_t vcpu, int32_t pcpu, sim_time ran_ns, bool runnable,
                       sim_time now) {
  cr_state *s = state;
  (void)ran_ns; /* the burn runs from the slice start, kept here */
  catch_up(s, now);
  cr_vcpu *v = &s->vcpus[vcpu];
  burn(s, v, now);
  s->host.vcpus[vcpu].running = false;
  /* [XEN] csched_tick -> csched_unit_acct: a boosted vCPU found running at
   * a tick drops to UNDER (OVER only by a later csched_acct). */
  if (v->prio == PRI_BOOST && now / s->tick_ns != v->start_ns / s->tick_ns) v->prio = PRI_UNDER;
  sched_pcpu_idle(&s->host, pcpu);
  if (runnable) enqueue(s, vcpu);
}

/* A new cap holds from the next accounting, which computes every guest's
 * allotment from its cap ([XEN] csched_acct reads sdom->cap each period). */
static void cr_set_cap(void *state, uint32_t guest, double cap, sim_time now) {
  (void)now;
  cr_state *s = state;
  long g = sched_host_guest(&s->host, guest);
  if (g >= 0) s->host.guests[g].cap = cap;
}

const scheduler_ops sched_credit_ops = {
    .name = "credit",
    .summary = "Xen credit: weights, caps, 30 ms slices, 10 ms ticks, BOOST/UNDER/OVER, 1 ms rate limit",
    .modes = SCHED_QUANTUM,
    .create = cr_create,
    .destroy = cr_destroy,
    .add_vcpu = cr_add_vcpu,
    .wake = cr_wake,
    .pick_next = cr_pick_next,
    .account = cr_account,
    .set_cap = cr_set_cap,
};
