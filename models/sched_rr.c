/* models/sched_rr.c: round-robin time-slice CPU scheduler ("rr").
 * Models the simplest fair scheduler: one FIFO run queue per host; a pCPU
 * takes the first queued vCPU allowed on it (pinning honoured) and runs it
 * for one time slice, then the vCPU goes to the back of the queue.  With more
 * vCPUs than pCPUs (over-commit) they share the CPUs by slices.  When nothing
 * else waits for a pCPU the slice is unbounded, so an uncontended vCPU runs
 * its work in one step (few events); a vCPU that wakes later and finds no
 * idle pCPU cuts the longest-running unbounded slice at one time slice after
 * its start, unless enough pCPUs are already due for a pick to serve every
 * queued vCPU (each wake of several at once bounds one more slice).  Weights and caps are not honoured: this is the baseline until
 * share-based schedulers (Xen credit/credit2, CFS) are added beside it.
 * Units: ns.  Parameter: the profile quantity `sched.timeslice` (ns), 30 ms
 * when absent, Xen credit's default time slice ([XEN] credit.c, table 6 of
 * published-measurements.md).
 * Invariants: a vCPU is in the queue iff it is runnable and not running; a
 * pCPU is IDLE, KICKED (a pick is due) or RUNNING exactly one vCPU. */
#include <stdlib.h>

#include "models/scheduler.h"
#include "sim/alloc.h"

typedef enum rr_pcpu_state { RR_IDLE, RR_KICKED, RR_RUNNING } rr_pcpu_state;

typedef struct rr_pcpu {
  rr_pcpu_state state; /* see the invariants above */
  int32_t vcpu;        /* vCPU running (RR_RUNNING), else -1 */
  sim_time start_ns;   /* ns: when the running vCPU's slice started */
  sim_time end_ns;     /* ns: when its slice ends; SIM_TIME_MAX while unbounded */
} rr_pcpu;

typedef struct rr_state {
  sim_time timeslice_ns; /* ns: length of one slice under contention */
  uint32_t n_pcpus;      /* count */
  rr_pcpu *pcpus;        /* n_pcpus entries */
  int32_t *pinned;       /* per vCPU: its pCPU or -1 */
  size_t n_vcpus, cap_vcpus; /* vCPUs registered, capacity of `pinned` */
  int32_t *queue;        /* run queue, FIFO, `queued` vCPU ids; capacity cap_vcpus */
  size_t queued;         /* count */
} rr_state;

static int rr_create(const sched_env *env, void **state, sim_diag *diag) {
  double ts = env->profile ? sim_profile_get_or(env->profile, "sched.timeslice", 30e6) : 30e6;
  if (!(ts >= 1.0) || ts > 1e12) {
    sim_diag_error(diag, NULL, 0, 0, "scheduler rr: sched.timeslice must be in [1 ns, 1000 s], got %g ns",
                   ts);
    return -1;
  }
  rr_state *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  s->timeslice_ns = (sim_time)ts;
  s->n_pcpus = env->n_pcpus;
  s->pcpus = sim_calloc(env->n_pcpus ? env->n_pcpus : 1, sizeof *s->pcpus);
  if (!s->pcpus) {
    sim_free(s);
    return -1;
  }
  for (uint32_t p = 0; p < s->n_pcpus; p++) {
    s->pcpus[p].state = RR_IDLE;
    s->pcpus[p].vcpu = -1;
    s->pcpus[p].end_ns = SIM_TIME_MAX;
  }
  *state = s;
  return 0;
}

static void rr_destroy(void *state) {
  rr_state *s = state;
  if (!s) return;
  sim_free(s->pcpus);
  sim_free(s->pinned);
  sim_free(s->queue);
  sim_free(s);
}

static int rr_add_vcpu(void *state, const sched_vcpu_info *info) {
  rr_state *s = state;
  if (s->n_vcpus == s->cap_vcpus) {
    size_t cap = s->cap_vcpus, qcap = s->cap_vcpus;
    if (sim_grow((void **)&s->pinned, &cap, s->n_vcpus + 1, sizeof *s->pinned)) return -1;
    if (sim_grow((void **)&s->queue, &qcap, s->n_vcpus + 1, sizeof *s->queue)) return -1;
    s->cap_vcpus = cap < qcap ? cap : qcap;
  }
  s->pinned[s->n_vcpus++] = info->pinned;
  return 0;
}

static bool allowed(const rr_state *s, int32_t vcpu, int32_t pcpu) {
  return s->pinned[vcpu] < 0 || s->pinned[vcpu] == pcpu;
}

/* Position in the queue of the first vCPU allowed on pcpu, or -1; O(queued). */
static long first_allowed(const rr_state *s, int32_t pcpu) {
  for (size_t i = 0; i < s->queued; i++)
    if (allowed(s, s->queue[i], pcpu)) return (long)i;
  return -1;
}

/* Whether a queued vCPU will still wait for pcpu once the pCPUs already due
 * for a pick (KICKED) have taken theirs: vCPUs pinned to pcpu always do;
 * unpinned ones when they outnumber those pCPUs.  O(queued + pCPUs). */
static bool contended(const rr_state *s, int32_t pcpu) {
  size_t unpinned = 0, kicked = 0;
  for (size_t i = 0; i < s->queued; i++) {
    int32_t pin = s->pinned[s->queue[i]];
    if (pin == pcpu) return true;
    unpinned += pin < 0;
  }
  for (uint32_t p = 0; p < s->n_pcpus; p++) kicked += (int32_t)p != pcpu && s->pcpus[p].state == RR_KICKED;
  return unpinned > kicked;
}

/* The time at which the vCPU running on pcpu yields to a waiting one. */
static sim_time preempt_time(const rr_state *s, const rr_pcpu *c, sim_time now) {
  sim_time at = c->start_ns > SIM_TIME_MAX - s->timeslice_ns ? SIM_TIME_MAX
                                                              : c->start_ns + s->timeslice_ns;
  return at < now ? now : at;
}

/* Whether a pick is due on pCPU c anyway: a kick is pending or its slice is
 * bounded. */
static bool due(const rr_pcpu *c) { return c->state == RR_KICKED || c->end_ns != SIM_TIME_MAX; }

static sched_kick rr_wake(void *state, int32_t vcpu, sim_time now) {
  rr_state *s = state;
  s->queue[s->queued++] = vcpu;
  sched_kick none = {-1, now};
  /* An idle pCPU it may use, lowest index first (deterministic). */
  for (uint32_t p = 0; p < s->n_pcpus; p++)
    if (s->pcpus[p].state == RR_IDLE && allowed(s, vcpu, (int32_t)p)) {
      s->pcpus[p].state = RR_KICKED;
      return (sched_kick){(int32_t)p, now};
    }
  /* Every pCPU it may use is busy.  The pCPUs due for a pick each take one
   * queued vCPU per slice; while the queued vCPUs that may use them (unpinned
   * or pinned to one of them) outnumber them, bound one more unbounded slice,
   * the one that started first, so that several vCPUs waking at once are
   * served by as many pCPUs and none waits behind the others' slices. */
  size_t n_due = 0, waiting = 0;
  for (uint32_t p = 0; p < s->n_pcpus; p++)
    n_due += allowed(s, vcpu, (int32_t)p) && due(&s->pcpus[p]);
  for (size_t i = 0; i < s->queued; i++) {
    int32_t pin = s->pinned[s->queue[i]];
    waiting += pin < 0 || pin == s->pinned[vcpu] || ((uint32_t)pin < s->n_pcpus && due(&s->pcpus[pin]));
  }
  if (waiting <= n_due) return none;
  int32_t best = -1;
  for (uint32_t p = 0; p < s->n_pcpus; p++) {
    const rr_pcpu *c = &s->pcpus[p];
    if (!allowed(s, vcpu, (int32_t)p) || due(c)) continue;
    if (best < 0 || c->start_ns < s->pcpus[best].start_ns) best = (int32_t)p;
  }
  if (best < 0) return none;
  rr_pcpu *c = &s->pcpus[best];
  c->end_ns = preempt_time(s, c, now);
  return (sched_kick){best, c->end_ns};
}

static sched_pick rr_pick_next(void *state, int32_t pcpu, sim_time now) {
  rr_state *s = state;
  rr_pcpu *c = &s->pcpus[pcpu];
  long i = first_allowed(s, pcpu);
  if (i < 0) {
    c->state = RR_IDLE;
    c->vcpu = -1;
    c->end_ns = SIM_TIME_MAX;
    return (sched_pick){-1, 0, 0};
  }
  int32_t v = s->queue[i];
  for (size_t k = (size_t)i + 1; k < s->queued; k++) s->queue[k - 1] = s->queue[k];
  s->queued--;
  c->state = RR_RUNNING;
  c->vcpu = v;
  c->start_ns = now;
  /* Unbounded unless another queued vCPU will wait for this pCPU. */
  c->end_ns = contended(s, pcpu) ? now + s->timeslice_ns : SIM_TIME_MAX;
  return (sched_pick){v, c->end_ns == SIM_TIME_MAX ? SIM_TIME_MAX : s->timeslice_ns, 0};
}

static void rr_account(void *state, int32_t vcpu, int32_t pcpu, sim_time ran_ns, bool runnable,
                       sim_time now) {
  rr_state *s = state;
  (void)ran_ns; /* round robin keeps no history */
  (void)now;
  rr_pcpu *c = &s->pcpus[pcpu];
  c->state = RR_IDLE;
  c->vcpu = -1;
  c->end_ns = SIM_TIME_MAX;
  if (runnable) s->queue[s->queued++] = vcpu;
}

const scheduler_ops sched_rr_ops = {
    .name = "rr",
    .summary = "round robin: one FIFO run queue, fixed time slices, pinning; no weights or caps",
    .modes = SCHED_QUANTUM,
    .create = rr_create,
    .destroy = rr_destroy,
    .add_vcpu = rr_add_vcpu,
    .wake = rr_wake,
    .pick_next = rr_pick_next,
    .account = rr_account,
};
