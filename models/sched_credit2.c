/* models/sched_credit2.c: Xen's credit2 scheduler ("credit2").
 * Models [XEN] xen/common/sched/credit2.c:
 * every vCPU holds credit, in ns, which running burns at a rate inversely
 * proportional to its weight (t2c: ran x max_weight / weight, weight 256 by
 * default); a pCPU takes the queued vCPU with the most credit, and when that
 * one has none left every vCPU's credit is reset (credit + CREDIT_INIT, at
 * most CREDIT_INIT = 10 ms plus CARRYOVER_MAX = the minimum timer).  A vCPU runs until its credit would fall below
 * that of the next waiting vCPU, but at least the minimum timer (500 us) and
 * at most the maximum run time (10 ms).  A waking vCPU preempts the running
 * vCPU with the least credit when it has more, not before that one has run
 * the rate limit (1 ms); a sleeper keeps its credit, so an I/O-bound vCPU
 * wins against CPU-bound ones without a separate boost.  Caps (Xen 4.10):
 * a capped guest gets cap x 10 ms of budget every 10 ms (CSCHED2_BDGT_REPL_PERIOD);
 * its vCPUs run at most the budget left and are parked when it is spent,
 * until the next replenishment (an overrun is carried over).
 *
 * Simplifications: one run queue per host (Xen has one per socket or core
 * group, balanced); a lone vCPU runs unbounded until another wakes up;
 * budget periods are aligned on multiples of the period from time 0; the
 * budget left is shared among a guest's running vCPUs at each pick.
 *
 * Units: time, credit and budget in ns; weights relative; caps in CPUs.
 * Profile quantities (required; the shipped profiles hold [XEN]'s defaults):
 * sched.credit2.max_runtime (10 ms), sched.credit2.min_timer (500 us),
 * sched.ratelimit (1 ms), sched.credit2.credit_init (10 ms).  Shared
 * bookkeeping (pCPUs, vCPUs, guests, parameters): models/sched_common.h.
 * Invariants: a vCPU is queued iff it is runnable and not running; a pCPU is
 * IDLE, KICKED (a pick is due) or RUNNING one vCPU; credit <= credit_init +
 * min_timer. */
#include <math.h>
#include <stdlib.h>

#include "models/sched_common.h"
#include "sim/alloc.h"

/* A vCPU's credit, beside its guest, pinning, queue state and queue order
 * (seq: at equal credit, smaller first) in sched_host. */
typedef struct c2_vcpu {
  uint32_t weight;    /* relative share */
  double credit;      /* ns of credit ([XEN] svc->credit) */
  bool lone;          /* running unbounded: no other vCPU waits for its pCPU */
  sim_time burned_ns; /* while running: credit and budget charged up to here, ns */
} c2_vcpu;

/* A guest's budget, beside its weight and cap in sched_host. */
typedef struct c2_guest {
  double budget;      /* ns of CPU time left in this replenishment period */
  uint32_t running;   /* its vCPUs on a pCPU, count */
} c2_guest;

typedef struct c2_state {
  sim_time max_runtime_ns; /* ns: longest run, 10 ms [XEN] CSCHED2_MAX_TIMER */
  sim_time min_timer_ns;   /* ns: shortest run, 500 us [XEN] CSCHED2_MIN_TIMER */
  sim_time ratelimit_ns;   /* ns: minimum run before a preemption, 1 ms [XEN] */
  double credit_init;      /* ns: credit after a reset, 10 ms [XEN] CSCHED2_CREDIT_INIT */
  sim_time period_ns;      /* ns: budget replenishment period, 10 ms [XEN] */
  uint32_t max_weight;     /* largest weight on the host */
  sched_host host;          /* pCPUs and guests (cap) */
  c2_vcpu *vcpus;          /* per vCPU of host.vcpus: its credit */
  size_t cap_vcpus;        /* capacity */
  c2_guest *guests;        /* per guest of host.guests: its budget */
  size_t cap_guests;       /* capacity */
  sim_time next_refill_ns; /* ns: next budget replenishment */
} c2_state;

static int c2_create(const sched_env *env, void **state, sim_diag *diag) {
  double maxr, mint, rl, init;
  /* [XEN] credit2.c: CSCHED2_MAX_TIMER 10 ms, CSCHED2_MIN_TIMER 500 us,
   * CSCHED2_CREDIT_INIT 10 ms, sched_ratelimit_us 1000. */
  if (sched_param(env, "credit2", "sched.credit2.max_runtime", 1e3, 1e12, &maxr, diag) < 0 ||
      sched_param(env, "credit2", "sched.credit2.min_timer", 1, 1e12, &mint, diag) < 0 ||
      sched_param(env, "credit2", "sched.ratelimit", 0, 1e12, &rl, diag) < 0 ||
      sched_param(env, "credit2", "sched.credit2.credit_init", 1e3, 1e12, &init, diag) < 0)
    return -1;
  if (mint > maxr) {
    sim_diag_error(diag, NULL, 0, 0, "scheduler credit2: min_timer %g ns exceeds max_runtime %g ns", mint,
                   maxr);
    return -1;
  }
  c2_state *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  s->max_runtime_ns = (sim_time)maxr;
  s->min_timer_ns = (sim_time)mint;
  s->ratelimit_ns = (sim_time)rl;
  s->credit_init = init;
  s->period_ns = 10000000; /* [XEN] CSCHED2_BDGT_REPL_PERIOD: 10 ms */
  s->next_refill_ns = s->period_ns;
  s->max_weight = 1;
  if (sched_host_init(&s->host, env->n_pcpus) < 0) {
    sim_free(s);
    return -1;
  }
  *state = s;
  return 0;
}

static void c2_destroy(void *state) {
  c2_state *s = state;
  if (!s) return;
  sched_host_free(&s->host);
  sim_free(s->vcpus);
  sim_free(s->guests);
  sim_free(s);
}

static int c2_add_vcpu(void *state, const sched_vcpu_info *info) {
  c2_state *s = state;
  bool new_guest;
  long g = sched_host_add_vcpu(&s->host, info, &new_guest);
  if (g < 0) return -1;
  if (new_guest) {
    if (sim_grow((void **)&s->guests, &s->cap_guests, s->host.n_guests, sizeof *s->guests)) return -1;
    s->guests[g] = (c2_guest){info->cap * (double)s->period_ns, 0};
  }
  if (sim_grow((void **)&s->vcpus, &s->cap_vcpus, s->host.n_vcpus, sizeof *s->vcpus)) return -1;
  uint32_t w = info->weight ? info->weight : 1;
  s->vcpus[s->host.n_vcpus - 1] = (c2_vcpu){.weight = w, .credit = s->credit_init};
  if (w > s->max_weight) s->max_weight = w;
  return 0;
}

/* The host's record of v (guest, pinning, queue state). */
static sched_vcpu *hv(const c2_state *s, const c2_vcpu *v) { return &s->host.vcpus[v - s->vcpus]; }

static bool allowed(const c2_state *s, int32_t v, int32_t p) { return sched_allowed(s->host.vcpus[v].pinned, p); }

static bool parked(const c2_state *s, const c2_vcpu *v) {
  uint32_t g = hv(s, v)->guest;
  return s->host.guests[g].cap > 0 && s->guests[g].budget <= 0;
}

/* Charges a running vCPU's credit ([XEN] t2c) and its guest's budget up to t. */
static void burn(c2_state *s, c2_vcpu *v, sim_time t) {
  if (t <= v->burned_ns) return;
  double ran = (double)(t - v->burned_ns);
  v->credit -= ran * s->max_weight / v->weight;
  if (v->lone && v->credit <= 0) {
    /* Xen would have reset the credit each time this vCPU, alone, ran out
     * (it reschedules at least every max run time): apply those resets. */
    double k = floor(-v->credit / s->credit_init) + 1;
    v->credit += k * s->credit_init;
    for (size_t i = 0; i < s->host.n_vcpus; i++) {
      c2_vcpu *o = &s->vcpus[i];
      if (o == v) continue;
      o->credit += k * s->credit_init;
      if (o->credit > s->credit_init + (double)s->min_timer_ns) o->credit = s->credit_init + (double)s->min_timer_ns;
    }
  }
  uint32_t g = hv(s, v)->guest;
  if (s->host.guests[g].cap > 0) s->guests[g].budget -= ran;
  v->burned_ns = t;
}

/* Budget replenishments due by now ([XEN] replenish_domain_budget). */
static void catch_up(c2_state *s, sim_time now) {
  while (now >= s->next_refill_ns) {
    sim_time t = s->next_refill_ns;
    for (size_t i = 0; i < s->host.n_vcpus; i++)
      if (s->host.vcpus[i].running) burn(s, &s->vcpus[i], t);
    bool any = false;
    for (size_t g = 0; g < s->host.n_guests; g++) {
      c2_guest *gg = &s->guests[g];
      double cap = s->host.guests[g].cap;
      if (!(cap > 0)) continue;
      double quota = cap * (double)s->period_ns;
      any |= gg->budget < quota;
      gg->budget = gg->budget + quota > quota ? quota : gg->budget + quota;
    }
    if (!any) s->next_refill_ns = (now / s->period_ns) * s->period_ns;
    s->next_refill_ns += s->period_ns;
  }
}

/* [XEN] reset_credit: every vCPU gets CREDIT_INIT more, clipped at
 * CREDIT_INIT + CARRYOVER_MAX (= the minimum timer). */
static void reset_credit(c2_state *s, sim_time now) {
  double top = s->credit_init + (double)s->min_timer_ns;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    c2_vcpu *v = &s->vcpus[i];
    if (s->host.vcpus[i].running) burn(s, v, now);
    v->credit += s->credit_init;
    if (v->credit > top) v->credit = top;
  }
}

/* Credit of v as it stands at now (running ones burn as they go). */
static double credit_now(const c2_state *s, const c2_vcpu *v, sim_time now) {
  if (!hv(s, v)->running || now <= v->burned_ns) return v->credit;
  return v->credit - (double)(now - v->burned_ns) * s->max_weight / v->weight;
}

/* A run that was alone gets company: charge it so far, as a lone run. */
static void unbind(c2_state *s, const sched_pcpu *c, sim_time now) {
  c2_vcpu *r = &s->vcpus[c->vcpu];
  if (!r->lone) return;
  burn(s, r, now);
  r->lone = false;
}

static sched_kick c2_wake(void *state, int32_t vcpu, sim_time now) {
  c2_state *s = state;
  catch_up(s, now);
  c2_vcpu *v = &s->vcpus[vcpu];
  sched_enqueue(&s->host, vcpu);
  sched_kick none = {-1, now};
  int32_t pinned = s->host.vcpus[vcpu].pinned;
  int32_t idle = sched_idle_pcpu(&s->host, pinned);
  if (parked(s, v)) return idle >= 0 ? (sched_kick){idle, s->next_refill_ns} : none;
  if (idle >= 0) {
    s->host.pcpus[idle].state = SCHED_PCPU_KICKED;
    return (sched_kick){idle, now};
  }
  /* [XEN] runq_tickle: preempt the running vCPU with the least credit, if
   * the woken one has more. */
  sched_pcpu *pcpus = s->host.pcpus;
  int32_t best = -1;
  double best_credit = 0;
  for (uint32_t p = 0; p < s->host.n_pcpus; p++) {
    const sched_pcpu *c = &pcpus[p];
    if (c->state != SCHED_PCPU_RUNNING || !allowed(s, vcpu, (int32_t)p)) continue;
    double cr = credit_now(s, &s->vcpus[c->vcpu], now);
    if (cr >= v->credit) continue;
    if (best < 0 || cr < best_credit) {
      best = (int32_t)p;
      best_credit = cr;
    }
  }
  if (best >= 0) {
    sched_pcpu *c = &pcpus[best];
    unbind(s, c, now);
    sim_time at = c->start_ns + s->ratelimit_ns;
    if (at < now) at = now;
    if (at >= c->end_ns) return none;
    c->end_ns = at;
    return (sched_kick){best, at};
  }
  /* Otherwise bound the oldest unbounded run at the maximum run time. */
  best = sched_oldest_unbounded(&s->host, pinned);
  if (best < 0) return none;
  sched_pcpu *c = &pcpus[best];
  unbind(s, c, now);
  c->end_ns = c->start_ns + s->max_runtime_ns < now ? now : c->start_ns + s->max_runtime_ns;
  return (sched_kick){best, c->end_ns};
}

/* The queued vCPU allowed on pcpu with the most credit (-1: none); `held`
 * tells whether a parked one was passed over; `skip` is left out. */
static int32_t best_queued(const c2_state *s, int32_t pcpu, int32_t skip, bool *held) {
  int32_t best = -1;
  const sched_vcpu *h = s->host.vcpus;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    const c2_vcpu *v = &s->vcpus[i];
    if (!h[i].queued || (int32_t)i == skip || !allowed(s, (int32_t)i, pcpu)) continue;
    if (parked(s, v)) {
      if (held) *held = true;
      continue;
    }
    if (best < 0 || v->credit > s->vcpus[best].credit ||
        (v->credit == s->vcpus[best].credit && h[i].seq < h[best].seq))
      best = (int32_t)i;
  }
  return best;
}

static sched_pick c2_pick_next(void *state, int32_t pcpu, sim_time now) {
  c2_state *s = state;
  catch_up(s, now);
  bool held = false;
  int32_t best = best_queued(s, pcpu, -1, &held);
  if (best >= 0 && s->vcpus[best].credit <= 0) {
    reset_credit(s, now); /* [XEN] CSCHED2_CREDIT_RESET: the best has none left */
    best = best_queued(s, pcpu, -1, NULL);
  }
  if (best < 0) {
    sched_pcpu_idle(&s->host, pcpu);
    return (sched_pick){-1, 0, held ? s->next_refill_ns : 0};
  }
  c2_vcpu *v = &s->vcpus[best];
  s->host.vcpus[best].queued = false;
  s->host.vcpus[best].running = true;
  v->burned_ns = now;
  v->lone = false;
  uint32_t gi = s->host.vcpus[best].guest;
  c2_guest *g = &s->guests[gi];
  g->running++;
  /* [XEN] csched2_runtime: until its credit meets the next one's. */
  sim_time slice = SIM_TIME_MAX;
  int32_t next = best_queued(s, pcpu, best, NULL);
  if (next >= 0) {
    double gap = (v->credit - s->vcpus[next].credit) * v->weight / s->max_weight;
    slice = gap > (double)s->max_runtime_ns ? s->max_runtime_ns : (sim_time)gap;
    if (slice < s->min_timer_ns) slice = s->min_timer_ns;
  }
  /* A parked vCPU may run here after the next replenishment: look again then. */
  if (held && s->next_refill_ns - now < slice) slice = s->next_refill_ns - now;
  if (s->host.guests[gi].cap > 0) {
    double share = g->budget / g->running;
    sim_time b = share < 1 ? 1 : (sim_time)share;
    if (b < slice) slice = b;
  }
  v->lone = slice == SIM_TIME_MAX;
  sched_pcpu_run(&s->host, pcpu, best, now, slice);
  return (sched_pick){best, slice, 0};
}

static void c2_account(void *state, int32_t vcpu, int32_t pcpu, sim_time ran_ns, bool runnable,
                       sim_time now) {
  c2_state *s = state;
  (void)ran_ns; /* charged from the run's start, kept here */
  catch_up(s, now);
  c2_vcpu *v = &s->vcpus[vcpu];
  burn(s, v, now);
  s->host.vcpus[vcpu].running = false;
  v->lone = false;
  s->guests[s->host.vcpus[vcpu].guest].running--;
  sched_pcpu_idle(&s->host, pcpu);
  if (runnable) sched_enqueue(&s->host, vcpu);
}

/* A guest's new cap: its running vCPUs are charged up to now under the old
 * one, then its budget is cut to the new quota, or starts full when it was
 * uncapped (its budget was not kept then). */
static void c2_set_cap(void *state, uint32_t guest, double cap, sim_time now) {
  c2_state *s = state;
  for (size_t i = 0; i < s->host.n_vcpus; i++)
    if (s->host.vcpus[i].running && s->host.guests[s->host.vcpus[i].guest].id == guest) burn(s, &s->vcpus[i], now);
  long g = sched_host_guest(&s->host, guest);
  if (g < 0) return;
  bool was_capped = s->host.guests[g].cap > 0;
  s->host.guests[g].cap = cap;
  double quota = cap * (double)s->period_ns;
  if (!was_capped || s->guests[g].budget > quota) s->guests[g].budget = quota;
}

const scheduler_ops sched_credit2_ops = {
    .name = "credit2",
    .summary = "Xen credit2: credit burnt by weight, resets, 10 ms max run, 500 us min timer, caps",
    .modes = SCHED_QUANTUM,
    .create = c2_create,
    .destroy = c2_destroy,
    .add_vcpu = c2_add_vcpu,
    .wake = c2_wake,
    .pick_next = c2_pick_next,
    .account = c2_account,
    .set_cap = c2_set_cap,
};
