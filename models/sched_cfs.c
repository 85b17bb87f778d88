/* models/sched_cfs.c: Linux's Completely Fair Scheduler with cgroup weights
 * and quotas ("cfs"), the scheduler that shares a host among containers.
 * Models kernel/sched/fair.c (Linux 3.x-5.x; Documentation/scheduler/
 * sched-design-CFS.rst and sched-bwc.rst): every vCPU (a container's task)
 * has a virtual runtime that advances by the time it runs divided by its
 * weight; a pCPU takes the runnable vCPU with the least virtual runtime.  A
 * slice is the scheduling period (sched_latency 6 ms, or min_granularity
 * 0.75 ms per runnable vCPU when more than 8 wait) times the vCPU's share of
 * the runnable weight, at least min_granularity.  A vCPU waking from sleep is
 * placed at most half a latency behind the least virtual runtime (gentle
 * fair sleepers) and preempts a running one whose virtual runtime exceeds its
 * own by more than the wake-up granularity (1 ms, scaled by its weight).
 * cgroup v2: cpu.weight is the guest's `weight`, shared evenly by its vCPUs;
 * cpu.max quota/period is the guest's `cap` x period (100 ms): once the
 * guest has run its quota in a period, its vCPUs are throttled until the
 * next period.
 *
 * Simplifications: one run queue per host (Linux has one per CPU with load
 * balancing); a group's weight is split evenly over its vCPUs instead of
 * over its runnable tasks (hierarchical shares); quota periods are aligned on
 * multiples of the period from time 0; a lone vCPU runs unbounded until
 * another wakes.
 *
 * Units: time and virtual time in ns; weights relative (the scenario's
 * `weight`, 256 by default, plays cpu.weight's part: only ratios matter);
 * caps in CPUs.  Profile quantities (required; the shipped profiles hold
 * Linux's defaults): sched.cfs.latency (6 ms), sched.cfs.min_granularity
 * (0.75 ms), sched.cfs.wakeup_granularity (1 ms), sched.cfs.period (100 ms,
 * cpu.max).  Shared bookkeeping (pCPUs, vCPUs, guests, parameters):
 * models/sched_common.h.
 * Invariants: a vCPU is queued iff it is runnable and not running; a pCPU is
 * IDLE, KICKED (a pick is due) or RUNNING one vCPU; min_vruntime never
 * decreases. */
#include <stdlib.h>

#include "models/sched_common.h"
#include "sim/alloc.h"

/* A vCPU's virtual time, beside its group, pinning, queue state and queue
 * order (seq: at equal virtual time, smaller first) in sched_host. */
typedef struct cfs_vcpu {
  double weight;      /* the guest's weight over its vCPUs */
  double vruntime;    /* ns of virtual time */
  sim_time charged_ns; /* while running: charged up to here, ns */
} cfs_vcpu;

/* A group's quota, beside its cpu.weight (weight) and cpu.max (cap) in
 * sched_host. */
typedef struct cfs_guest {
  uint32_t n_vcpus;   /* its vCPUs on this host */
  double runtime;     /* ns of quota left in this period */
  uint32_t running;   /* its vCPUs on a pCPU */
} cfs_guest;

typedef struct cfs_state {
  double latency_ns;     /* ns: sysctl_sched_latency, 6 ms */
  double min_gran_ns;    /* ns: sysctl_sched_min_granularity, 0.75 ms */
  double wakeup_gran_ns; /* ns: sysctl_sched_wakeup_granularity, 1 ms */
  sim_time period_ns;    /* ns: cpu.max period, 100 ms */
  double ref_weight;     /* weight whose virtual time is real time (256) */
  double min_vruntime;   /* ns: least virtual time of the queue, monotonic */
  sched_host host;       /* pCPUs and groups (cpu.weight, cpu.max) */
  cfs_vcpu *vcpus;       /* per vCPU of host.vcpus: its virtual time */
  size_t cap_vcpus;      /* capacity */
  cfs_guest *guests;     /* per group of host.guests: its quota */
  size_t cap_guests;     /* capacity */
  sim_time next_period_ns; /* ns: next quota refill */
  bool weights_split;    /* vCPU weights derived from the guests' (after the last add_vcpu) */
} cfs_state;

static int cfs_create(const sched_env *env, void **state, sim_diag *diag) {
  double lat, gran, wgran, period;
  /* Linux kernel/sched/fair.c defaults: sysctl_sched_latency 6 ms,
   * sysctl_sched_min_granularity 0.75 ms, sysctl_sched_wakeup_granularity
   * 1 ms; sched-bwc.rst: cpu.max period 100 ms. */
  if (sched_param(env, "cfs", "sched.cfs.latency", 1e3, 1e12, &lat, diag) < 0 ||
      sched_param(env, "cfs", "sched.cfs.min_granularity", 1e3, 1e12, &gran, diag) < 0 ||
      sched_param(env, "cfs", "sched.cfs.wakeup_granularity", 0, 1e12, &wgran, diag) < 0 ||
      sched_param(env, "cfs", "sched.cfs.period", 1e3, 1e12, &period, diag) < 0)
    return -1;
  cfs_state *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  s->latency_ns = lat;
  s->min_gran_ns = gran;
  s->wakeup_gran_ns = wgran;
  s->period_ns = (sim_time)period;
  s->next_period_ns = s->period_ns;
  s->ref_weight = 256;
  if (sched_host_init(&s->host, env->n_pcpus) < 0) {
    sim_free(s);
    return -1;
  }
  *state = s;
  return 0;
}

static void cfs_destroy(void *state) {
  cfs_state *s = state;
  if (!s) return;
  sched_host_free(&s->host);
  sim_free(s->vcpus);
  sim_free(s->guests);
  sim_free(s);
}

static int cfs_add_vcpu(void *state, const sched_vcpu_info *info) {
  cfs_state *s = state;
  bool new_guest;
  long g = sched_host_add_vcpu(&s->host, info, &new_guest);
  if (g < 0) return -1;
  if (new_guest) {
    if (sim_grow((void **)&s->guests, &s->cap_guests, s->host.n_guests, sizeof *s->guests)) return -1;
    s->guests[g] = (cfs_guest){0, info->cap * (double)s->period_ns, 0};
  }
  if (sim_grow((void **)&s->vcpus, &s->cap_vcpus, s->host.n_vcpus, sizeof *s->vcpus)) return -1;
  s->guests[g].n_vcpus++;
  s->vcpus[s->host.n_vcpus - 1] = (cfs_vcpu){0};
  s->weights_split = false;
  return 0;
}

/* cpu.weight is the group's: each of its vCPUs gets an even part. */
static void split_weights(cfs_state *s) {
  if (s->weights_split) return;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    uint32_t g = s->host.vcpus[i].guest;
    s->vcpus[i].weight = (double)s->host.guests[g].weight / s->guests[g].n_vcpus;
  }
  s->weights_split = true;
}

/* The host's record of v (group, pinning, queue state). */
static sched_vcpu *hv(const cfs_state *s, const cfs_vcpu *v) { return &s->host.vcpus[v - s->vcpus]; }

static bool allowed(const cfs_state *s, int32_t v, int32_t p) { return sched_allowed(s->host.vcpus[v].pinned, p); }

static bool throttled(const cfs_state *s, const cfs_vcpu *v) {
  uint32_t g = hv(s, v)->guest;
  return s->host.guests[g].cap > 0 && s->guests[g].runtime <= 0;
}

/* Charges a running vCPU's virtual time and its group's quota up to t. */
static void charge(cfs_state *s, cfs_vcpu *v, sim_time t) {
  if (t <= v->charged_ns) return;
  double ran = (double)(t - v->charged_ns);
  v->vruntime += ran * s->ref_weight / v->weight;
  uint32_t g = hv(s, v)->guest;
  if (s->host.guests[g].cap > 0) s->guests[g].runtime -= ran;
  v->charged_ns = t;
}

/* Quota refills due by now (sched-bwc: runtime back to quota each period). */
static void catch_up(cfs_state *s, sim_time now) {
  while (now >= s->next_period_ns) {
    sim_time t = s->next_period_ns;
    for (size_t i = 0; i < s->host.n_vcpus; i++)
      if (s->host.vcpus[i].running) charge(s, &s->vcpus[i], t);
    bool any = false;
    for (size_t g = 0; g < s->host.n_guests; g++) {
      cfs_guest *gg = &s->guests[g];
      double cap = s->host.guests[g].cap;
      if (!(cap > 0)) continue;
      double quota = cap * (double)s->period_ns;
      any |= gg->runtime < quota;
      gg->runtime = gg->runtime + quota > quota ? quota : gg->runtime + quota;
    }
    if (!any) s->next_period_ns = (now / s->period_ns) * s->period_ns;
    s->next_period_ns += s->period_ns;
  }
}

/* Virtual time of v at now (a running vCPU's advances as it runs). */
static double vruntime_now(const cfs_state *s, const cfs_vcpu *v, sim_time now) {
  if (!hv(s, v)->running || now <= v->charged_ns) return v->vruntime;
  return v->vruntime + (double)(now - v->charged_ns) * s->ref_weight / v->weight;
}

/* min_vruntime follows the least virtual time of queued and running vCPUs. */
static void update_min(cfs_state *s, sim_time now) {
  double m = -1;
  bool any = false;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    const cfs_vcpu *v = &s->vcpus[i];
    if (!s->host.vcpus[i].queued && !s->host.vcpus[i].running) continue;
    double vr = vruntime_now(s, v, now);
    if (!any || vr < m) m = vr;
    any = true;
  }
  if (any && m > s->min_vruntime) s->min_vruntime = m;
}

static sched_kick cfs_wake(void *state, int32_t vcpu, sim_time now) {
  cfs_state *s = state;
  split_weights(s);
  catch_up(s, now);
  update_min(s, now);
  cfs_vcpu *v = &s->vcpus[vcpu];
  /* place_entity: a sleeper is put at most latency/2 behind. */
  double floor_vr = s->min_vruntime - s->latency_ns / 2;
  if (v->vruntime < floor_vr) v->vruntime = floor_vr;
  sched_enqueue(&s->host, vcpu);
  sched_kick none = {-1, now};
  int32_t pinned = s->host.vcpus[vcpu].pinned;
  int32_t idle = sched_idle_pcpu(&s->host, pinned);
  if (throttled(s, v)) return idle >= 0 ? (sched_kick){idle, s->next_period_ns} : none;
  if (idle >= 0) {
    s->host.pcpus[idle].state = SCHED_PCPU_KICKED;
    return (sched_kick){idle, now};
  }
  /* check_preempt_wakeup: preempt the running vCPU furthest ahead when it
   * leads by more than the wake-up granularity (scaled to the woken weight). */
  double gran = s->wakeup_gran_ns * s->ref_weight / v->weight;
  sched_pcpu *pcpus = s->host.pcpus;
  int32_t best = -1;
  double best_lead = 0;
  for (uint32_t p = 0; p < s->host.n_pcpus; p++) {
    const sched_pcpu *c = &pcpus[p];
    if (c->state != SCHED_PCPU_RUNNING || !allowed(s, vcpu, (int32_t)p)) continue;
    double lead = vruntime_now(s, &s->vcpus[c->vcpu], now) - v->vruntime;
    if (lead > gran && (best < 0 || lead > best_lead)) {
      best = (int32_t)p;
      best_lead = lead;
    }
  }
  if (best >= 0) {
    sched_pcpu *c = &pcpus[best];
    if (c->end_ns <= now) return none;
    c->end_ns = now;
    return (sched_kick){best, now};
  }
  /* Otherwise the oldest unbounded run ends after one slice. */
  best = sched_oldest_unbounded(&s->host, pinned);
  if (best < 0) return none;
  sched_pcpu *c = &pcpus[best];
  sim_time at = c->start_ns + (sim_time)s->latency_ns;
  c->end_ns = at < now ? now : at;
  return (sched_kick){best, c->end_ns};
}

static sched_pick cfs_pick_next(void *state, int32_t pcpu, sim_time now) {
  cfs_state *s = state;
  split_weights(s);
  catch_up(s, now);
  int32_t best = -1;
  bool held = false;
  double wsum = 0; /* runnable weight: queued and running */
  uint32_t nr = 0;
  const sched_vcpu *h = s->host.vcpus;
  for (size_t i = 0; i < s->host.n_vcpus; i++) {
    const cfs_vcpu *v = &s->vcpus[i];
    if (h[i].running) {
      wsum += v->weight;
      nr++;
    }
    if (!h[i].queued) continue;
    if (throttled(s, v)) {
      held |= allowed(s, (int32_t)i, pcpu);
      continue;
    }
    wsum += v->weight;
    nr++;
    if (!allowed(s, (int32_t)i, pcpu)) continue;
    if (best < 0 || v->vruntime < s->vcpus[best].vruntime ||
        (v->vruntime == s->vcpus[best].vruntime && h[i].seq < h[best].seq))
      best = (int32_t)i;
  }
  if (best < 0) {
    sched_pcpu_idle(&s->host, pcpu);
    return (sched_pick){-1, 0, held ? s->next_period_ns : 0};
  }
  cfs_vcpu *v = &s->vcpus[best];
  s->host.vcpus[best].queued = false;
  s->host.vcpus[best].running = true;
  v->charged_ns = now;
  uint32_t gi = s->host.vcpus[best].guest;
  cfs_guest *g = &s->guests[gi];
  g->running++;
  update_min(s, now);
  /* sched_slice: the period (latency, stretched past latency/min_granularity
   * runnable vCPUs) times its weight's share over the CPUs. */
  bool waiting = false; /* another vCPU waits for this pCPU */
  for (size_t i = 0; i < s->host.n_vcpus && !waiting; i++)
    waiting = h[i].queued && !throttled(s, &s->vcpus[i]) && allowed(s, (int32_t)i, pcpu);
  sim_time slice = SIM_TIME_MAX;
  if (waiting || held) {
    double period = s->latency_ns;
    if (nr * s->min_gran_ns > period) period = nr * s->min_gran_ns;
    double sl = period * v->weight / wsum * (nr < s->host.n_pcpus ? nr : s->host.n_pcpus);
    if (sl < s->min_gran_ns) sl = s->min_gran_ns;
    slice = (sim_time)sl;
  }
  if (held && s->next_period_ns - now < slice) slice = s->next_period_ns - now;
  if (s->host.guests[gi].cap > 0) {
    double share = g->runtime / g->running;
    sim_time b = share < 1 ? 1 : (sim_time)share;
    if (b < slice) slice = b;
  }
  sched_pcpu_run(&s->host, pcpu, best, now, slice);
  return (sched_pick){best, slice, 0};
}

static void cfs_account(void *state, int32_t vcpu, int32_t pcpu, sim_time ran_ns, bool runnable,
                        sim_time now) {
  cfs_state *s = state;
  (void)ran_ns; /* charged from the run's start, kept here */
  catch_up(s, now);
  cfs_vcpu *v = &s->vcpus[vcpu];
  charge(s, v, now);
  s->host.vcpus[vcpu].running = false;
  s->guests[s->host.vcpus[vcpu].guest].running--;
  sched_pcpu_idle(&s->host, pcpu);
  if (runnable) sched_enqueue(&s->host, vcpu);
  update_min(s, now);
}

/* A guest's new cap: its running vCPUs are charged up to now under the old
 * one, then its runtime is cut to the new quota, or starts full when it was
 * uncapped (its runtime was not kept then). */
static void cfs_set_cap(void *state, uint32_t guest, double cap, sim_time now) {
  cfs_state *s = state;
  for (size_t i = 0; i < s->host.n_vcpus; i++)
    if (s->host.vcpus[i].running && s->host.guests[s->host.vcpus[i].guest].id == guest) charge(s, &s->vcpus[i], now);
  long g = sched_host_guest(&s->host, guest);
  if (g < 0) return;
  bool was_capped = s->host.guests[g].cap > 0;
  s->host.guests[g].cap = cap;
  double quota = cap * (double)s->period_ns;
  if (!was_capped || s->guests[g].runtime > quota) s->guests[g].runtime = quota;
}

const scheduler_ops sched_cfs_ops = {
    .name = "cfs",
    .summary = "Linux CFS: virtual runtime, cgroup cpu.weight and cpu.max quota (containers)",
    .modes = SCHED_QUANTUM,
    .create = cfs_create,
    .destroy = cfs_destroy,
    .add_vcpu = cfs_add_vcpu,
    .wake = cfs_wake,
    .pick_next = cfs_pick_next,
    .account = cfs_account,
    .set_cap = cfs_set_cap,
};
