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
 * Units: ns.  Parameter: the profile quantity `sched.timeslice` (ns, required;
 * the shipped profiles hold Xen credit's default time slice, 30 ms, [XEN]
 * credit.c).  Shared bookkeeping (pCPUs, vCPUs, parameters): models/sched_common.h.
 * Invariants: a vCPU is in the queue iff it is runnable and not running; a
 * pCPU is IDLE, KICKED (a pick is due) or RUNNING exactly one vCPU. */
#include <stdlib.h>

#include "models/sched_common.h"
#include "sim/alloc.h"

typedef struct rr_state {
  sim_time timeslice_ns; /* ns: length of one slice under contention */
  sched_host host;       /* pCPUs (RUNNING: start_ns is the slice start) and vCPUs */
  int32_t *queue;        /* run queue, FIFO, `queued` vCPU ids (those flagged queued in host) */
  size_t queued;         /* count */
  size_t cap_queue;      /* capacity */
} rr_state;

static int rr_create(const sched_env *env, void **state, sim_diag *diag) {
  double ts;
  if (sched_param(env, "rr", "sched.timeslice", 1.0, 1e12, &ts, diag) < 0) return -1;
  rr_state *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  s->timeslice_ns = (sim_time)ts;
  if (sched_host_init(&s->host, env->n_pcpus) < 0) {
    sim_free(s);
    return -1;
  }
  *state = s;
  return 0;
}

static void rr_destroy(void *state) {
  rr_state *s = state;
  if (!s) return;
  sched_host_free(&s->host);
  sim_free(s->queue);
  sim_free(s);
}

static int rr_add_vcpu(void *state, const sched_vcpu_info *info) {
  rr_state *s = state;
  bool new_guest;
  if (sched_host_add_vcpu(&s->host, info, &new_guest) < 0) return -1;
  return sim_grow((void **)&s->queue, &s->cap_queue, s->host.n_vcpus, sizeof *s->queue) ? -1 : 0;
}

/* The run queue's tail gets v. */
static void push(rr_state *s, int32_t v) {
  s->queue[s->queued++] = v;
  s->host.vcpus[v].queued = true;
}

static int32_t pinned(const rr_state *s, int32_t vcpu) { return s->host.vcpus[vcpu].pinned; }

static bool allowed(const rr_state *s, int32_t vcpu, int32_t pcpu) { return sched_allowed(pinned(s, vcpu), pcpu); }

/* Position in the queue of the first vCPU allowed on pcpu, or -1; O(queued). */
static long first_allowed(const rr_state *s, int32_t pcpu) {
  for (size_t i = 0; i < s->queued; i++)
    if (allowed(s, s->queue[i], pcpu)) return (long)i;
  return -1;
}

/* The time at which the vCPU running on pcpu yields to a waiting one. */
static sim_time preempt_time(const rr_state *s, const sched_pcpu *c, sim_time now) {
  sim_time at = c->start_ns > SIM_TIME_MAX - s->timeslice_ns ? SIM_TIME_MAX
                                                              : c->start_ns + s->timeslice_ns;
  return at < now ? now : at;
}

/* Whether a pick is due on pCPU c anyway: a kick is pending or its slice is
 * bounded. */
static bool due(const sched_pcpu *c) { return c->state == SCHED_PCPU_KICKED || c->end_ns != SIM_TIME_MAX; }

static sched_kick rr_wake(void *state, int32_t vcpu, sim_time now) {
  rr_state *s = state;
  push(s, vcpu);
  sched_kick none = {-1, now};
  /* An idle pCPU it may use, lowest index first (deterministic). */
  int32_t idle = sched_idle_pcpu(&s->host, pinned(s, vcpu));
  if (idle >= 0) {
    s->host.pcpus[idle].state = SCHED_PCPU_KICKED;
    return (sched_kick){idle, now};
  }
  /* Every pCPU it may use is busy.  The pCPUs due for a pick each take one
   * queued vCPU per slice; while the queued vCPUs that may use them (unpinned
   * or pinned to one of them) outnumber them, bound one more unbounded slice,
   * the one that started first, so that several vCPUs waking at once are
   * served by as many pCPUs and none waits behind the others' slices. */
  size_t n_due = 0, waiting = 0;
  const sched_pcpu *pcpus = s->host.pcpus;
  for (uint32_t p = 0; p < s->host.n_pcpus; p++)
    n_due += allowed(s, vcpu, (int32_t)p) && due(&pcpus[p]);
  for (size_t i = 0; i < s->queued; i++) {
    int32_t pin = pinned(s, s->queue[i]);
    waiting += pin < 0 || pin == pinned(s, vcpu) || ((uint32_t)pin < s->host.n_pcpus && due(&pcpus[pin]));
  }
  if (waiting <= n_due) return none;
  /* No allowed pCPU is idle here, so the candidates are the unbounded runs. */
  int32_t best = sched_oldest_unbounded(&s->host, pinned(s, vcpu));
  if (best < 0) return none;
  sched_pcpu *c = &s->host.pcpus[best];
  c->end_ns = preempt_time(s, c, now);
  return (sched_kick){best, c->end_ns};
}

static sched_pick rr_pick_next(void *state, int32_t pcpu, sim_time now) {
  rr_state *s = state;
  long i = first_allowed(s, pcpu);
  if (i < 0) {
    sched_pcpu_idle(&s->host, pcpu);
    return (sched_pick){-1, 0, 0};
  }
  int32_t v = s->queue[i];
  for (size_t k = (size_t)i + 1; k < s->queued; k++) s->queue[k - 1] = s->queue[k];
  s->queued--;
  s->host.vcpus[v].queued = false;
  /* Unbounded unless another queued vCPU will wait for this pCPU. */
  sim_time slice = sched_contended(&s->host, pcpu) ? s->timeslice_ns : SIM_TIME_MAX;
  sched_pcpu_run(&s->host, pcpu, v, now, slice);
  return (sched_pick){v, slice, 0};
}

static void rr_account(void *state, int32_t vcpu, int32_t pcpu, sim_time ran_ns, bool runnable,
                       sim_time now) {
  rr_state *s = state;
  (void)ran_ns; /* round robin keeps no history */
  (void)now;
  sched_pcpu_idle(&s->host, pcpu);
  if (runnable) push(s, vcpu);
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
