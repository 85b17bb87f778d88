/* models/backend.c: I/O back ends (driver domain vCPUs, QEMU I/O threads,
 * the host's softirq) as work on the host's cores (models/backend.h).
 * Units: ns (sim_time), rates in CPUs.
 * Invariants: an entity's jobs form a FIFO list in the job pool; a
 * scheduled entity is `runnable` in its scheduler iff it has jobs and is
 * not running (woken when its first job arrives, accounted runnable at a
 * run's end while jobs are left); a run serves the head job at `rate`,
 * from seg_start_ns, and ends at the head's completion (or carries on to
 * the next job), at the slice's end, or when kicked; every iteration is in
 * index order, so runs are deterministic. */
#include "models/backend.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"

typedef enum bk_kind { BK_DOM0, BK_IOTHREAD, BK_SOFTIRQ } bk_kind;
static const char *const bk_kind_names[] = {"dom0", "iothread", "softirq"};

typedef struct bk_job {
  sim_time left_ns;        /* ns of work still to serve (at rate 1) */
  io_backend_done_fn done; /* called when served */
  void *ctx;               /* its context */
  uint64_t arg;            /* its argument */
  int32_t next;            /* FIFO link or free list, -1 */
} bk_job;

typedef struct bk_entity {
  bk_kind kind;            /* what it is */
  uint32_t host;           /* host index */
  uint32_t index;          /* dom0: vCPU number; iothread: guest index; softirq: core */
  int32_t sched_id;        /* id in the host's scheduler; -1: a quantum softirq (not scheduled) */
  int32_t head, tail;      /* its jobs, FIFO, -1 when none */
  sim_time free_at_ns;     /* ns: when its queue empties, as far as known at submission (the pool's
                            * choice) */
  bool running;            /* on a pCPU (or slot) */
  bool pending;            /* quantum softirq: its core's occupant is being preempted for it */
  bool kicked;             /* its run ends at its end event, whatever is left */
  int32_t pcpu;            /* where it runs, -1 */
  sim_time run_start_ns;   /* ns: the run's start */
  sim_time seg_start_ns;   /* ns: when it started serving its head job (or resumed it) */
  sim_time head_end_ns;    /* ns: when the head job completes at `rate` */
  sim_time slice_end_ns;   /* ns: the slice's end; SIM_TIME_MAX: unbounded */
  double rate;             /* CPUs it runs at: 1, or its fluid share */
  sim_event_id end_ev;     /* the run's next stop */
  double cpu_ns;           /* ns: CPU time served, total */
} bk_entity;

typedef struct bk_pool {
  uint32_t first, count;   /* entities first .. first + count - 1 */
} bk_pool;

struct eng_backends {
  bk_entity *ents;         /* every entity, host by host */
  size_t n_ents, cap_ents; /* count, capacity */
  bk_job *jobs;            /* job pool */
  size_t n_jobs, cap_jobs; /* used, capacity */
  int32_t free_job;        /* free list head, -1 */
  bk_pool *guest_pool;     /* per guest: where its backend work goes; count 0: none */
  bk_pool *dom0;           /* per host: its driver domain's vCPUs; count 0: none */
  bk_pool *softirq;        /* per host: its cores' softirq; count 0: none */
  int32_t **occupant;      /* per host, per pCPU (slot): the entity running there, -1 */
  size_t n_hosts;          /* hosts, the entries of occupant */
};

static void end_handler(sim_loop *loop, void *ctx, uint64_t arg);

static eng_host *host_of(eng *e, const bk_entity *b) { return &e->hosts[b->host]; }

/* A new entity on host hi (not yet registered).  Its index, or -1. */
static long entity_new(eng_backends *bk, bk_kind kind, uint32_t hi, uint32_t index) {
  if (sim_grow((void **)&bk->ents, &bk->cap_ents, bk->n_ents + 1, sizeof *bk->ents)) return -1;
  bk->ents[bk->n_ents] = (bk_entity){.kind = kind, .host = hi, .index = index, .sched_id = -1, .head = -1,
                                     .tail = -1, .pcpu = -1, .rate = 1.0, .end_ev = SIM_EVENT_NONE};
  return (long)bk->n_ents++;
}

/* Registers entity k with its host's scheduler as a vCPU of the scheduler's
 * guest `group` (an id no guest of the scenario has), with weight and cap. */
static int entity_schedule(eng *e, long k, uint32_t group, uint32_t weight, double cap, int32_t pinned) {
  bk_entity *b = &e->backends->ents[k];
  eng_host *h = host_of(e, b);
  if (sim_grow((void **)&h->vcpu_of_sched, &h->vcpu_cap, h->n_vcpus + 1, sizeof *h->vcpu_of_sched) < 0)
    return -1;
  if (h->fluid && h->n_vcpus >= h->n_slots) { /* its slot (models/engine_setup.c host_room) */
    size_t cap_slots = h->n_slots;
    if (sim_grow((void **)&h->pcpus, &cap_slots, h->n_vcpus + 1, sizeof *h->pcpus) < 0) return -1;
    for (size_t p = h->n_slots; p < cap_slots; p++) h->pcpus[p] = (eng_pcpu){-1, -1, SIM_EVENT_NONE};
    int32_t *occ = sim_realloc(e->backends->occupant[b->host], cap_slots * sizeof *occ);
    if (!occ) return -1;
    for (size_t p = h->n_slots; p < cap_slots; p++) occ[p] = -1;
    e->backends->occupant[b->host] = occ;
    h->n_slots = (uint32_t)cap_slots;
  }
  sched_vcpu_info info = {group, pinned, weight, cap};
  if (h->sched->add_vcpu(h->sched_state, &info) < 0) return -1;
  b->sched_id = (int32_t)h->n_vcpus;
  h->vcpu_of_sched[h->n_vcpus++] = (uint32_t)(e->n_vcpus + (size_t)k);
  return 0;
}

/* Whether guest gi's path does backend work (for a disk request or a
 * network message, as its workload may do either). */
static bool has_backend_work(const iopath_ops *path, const sim_profile *profile) {
  iopath_cost d = {0, 0, 0}, n = {0, 0, 0};
  sim_diag quiet = {0};
  iopath_cost_from_profile(path, profile, IO_CLASS_DISK, 4096, &d, &quiet);
  iopath_cost_from_profile(path, profile, IO_CLASS_NET, 1, &n, &quiet);
  sim_diag_clear(&quiet);
  return d.backend_ns > 0 || n.backend_ns > 0;
}

/* The driver domain of host hi: io.dom0.vcpus vCPUs of weight
 * io.dom0.weight and cap io.dom0.cap. */
static int dom0_setup(eng *e, uint32_t hi) {
  eng_backends *bk = e->backends;
  eng_host *h = &e->hosts[hi];
  double vcpus, weight, cap;
  if (iopath_quantity(h->profile, "pv", "io.dom0.vcpus", &vcpus, e->diag) < 0 ||
      iopath_quantity(h->profile, "pv", "io.dom0.weight", &weight, e->diag) < 0 ||
      iopath_quantity(h->profile, "pv", "io.dom0.cap", &cap, e->diag) < 0)
    return -1;
  if (!(vcpus >= 1 && vcpus <= h->type->cores) || !(weight >= 1 && weight <= 65535) ||
      !(cap >= 0 && cap <= vcpus)) {
    sim_diag_error(e->diag, e->sc->path, 0, 0,
                   "host '%s': io.dom0.vcpus must be in [1, %u], io.dom0.weight in [1, 65535] and "
                   "io.dom0.cap in [0, io.dom0.vcpus]; got %g, %g, %g",
                   h->spec->name, h->type->cores, vcpus, weight, cap);
    return -1;
  }
  bk->dom0[hi].first = (uint32_t)bk->n_ents;
  for (uint32_t i = 0; i < (uint32_t)vcpus; i++) {
    long k = entity_new(bk, BK_DOM0, hi, i);
    if (k < 0 || entity_schedule(e, k, (uint32_t)(e->sc->n_guests + hi), (uint32_t)weight, cap, -1) < 0)
      return -1;
  }
  bk->dom0[hi].count = (uint32_t)vcpus;
  return 0;
}

/* The softirq of every core of host hi. */
static int softirq_setup(eng *e, uint32_t hi) {
  eng_backends *bk = e->backends;
  eng_host *h = &e->hosts[hi];
  bk->softirq[hi].first = (uint32_t)bk->n_ents;
  for (uint32_t c = 0; c < h->type->cores; c++) {
    long k = entity_new(bk, BK_SOFTIRQ, hi, c);
    if (k < 0) return -1;
    /* at fidelity fluid a consumer of the water-filling, one group per host
     * whose weight dwarfs every guest's */
    if (h->fluid && entity_schedule(e, k, (uint32_t)(2 * e->sc->n_guests + e->sc->n_hosts + hi),
                                    ENG_SOFTIRQ_WEIGHT, 0, (int32_t)c) < 0)
      return -1;
  }
  bk->softirq[hi].count = h->type->cores;
  return 0;
}

static int submit(void *ctx, uint32_t guest, sim_time work_ns, io_backend_done_fn done, void *done_ctx,
                  uint64_t arg);

int eng_backend_setup(eng *e) {
  const sim_scenario *sc = e->sc;
  if (!e->io) return 0;
  bool any = false;
  for (size_t gi = 0; gi < sc->n_guests && !any; gi++) {
    const iopath_ops *path = io_guest_path(e->io, (uint32_t)gi);
    any = path && has_backend_work(path, e->hosts[sc->guests[gi].host].profile);
  }
  if (!any) return 0;
  eng_backends *bk = e->backends = sim_calloc(1, sizeof *bk);
  if (!bk) return -1;
  bk->free_job = -1;
  size_t nh = sc->n_hosts ? sc->n_hosts : 1;
  bk->guest_pool = sim_calloc(sc->n_guests, sizeof *bk->guest_pool);
  bk->dom0 = sim_calloc(nh, sizeof *bk->dom0);
  bk->softirq = sim_calloc(nh, sizeof *bk->softirq);
  bk->occupant = sim_calloc(nh, sizeof *bk->occupant);
  bk->n_hosts = bk->occupant ? sc->n_hosts : 0;
  if (!bk->guest_pool || !bk->dom0 || !bk->softirq || !bk->occupant) return -1;
  for (size_t hi = 0; hi < sc->n_hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    if (!(bk->occupant[hi] = sim_calloc(h->n_slots ? h->n_slots : 1, sizeof **bk->occupant))) return -1;
    for (uint32_t p = 0; p < h->n_slots; p++) bk->occupant[hi][p] = -1;
  }
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    const iopath_ops *path = io_guest_path(e->io, (uint32_t)gi);
    uint32_t hi = sc->guests[gi].host;
    eng_host *h = &e->hosts[hi];
    if (!path || !has_backend_work(path, h->profile)) continue;
    if (iopath_in_softirq(path)) {
      if (!bk->softirq[hi].count && softirq_setup(e, (uint32_t)hi) < 0) return -1;
      bk->guest_pool[gi] = bk->softirq[hi];
    } else if (iopath_in_driver_domain(path)) {
      if (!bk->dom0[hi].count && dom0_setup(e, (uint32_t)hi) < 0) return -1;
      bk->guest_pool[gi] = bk->dom0[hi];
    } else { /* QEMU's I/O thread: a thread of its own, the guest's weight, no cap */
      long k = entity_new(bk, BK_IOTHREAD, hi, (uint32_t)gi);
      if (k < 0 || entity_schedule(e, k, (uint32_t)(sc->n_guests + sc->n_hosts + gi), sc->guests[gi].weight, 0,
                                   -1) < 0)
        return -1;
      bk->guest_pool[gi] = (bk_pool){(uint32_t)k, 1};
    }
  }
  io_model_set_backend(e->io, submit, e);
  return 0;
}

void eng_backend_free(eng_backends *bk) {
  if (!bk) return;
  for (size_t hi = 0; hi < bk->n_hosts; hi++) sim_free(bk->occupant[hi]);
  sim_free(bk->ents);
  sim_free(bk->jobs);
  sim_free(bk->guest_pool);
  sim_free(bk->dom0);
  sim_free(bk->softirq);
  sim_free(bk->occupant);
  sim_free(bk);
}

/* ---- runs ---- */

/* ns the rest of b's head job takes at its rate, at least 1. */
static sim_time head_ns(const eng_backends *bk, const bk_entity *b) {
  double ns = ceil((double)bk->jobs[b->head].left_ns / b->rate - 1e-9);
  if (ns < 1) ns = 1;
  return ns >= 9e18 ? SIM_TIME_MAX / 4 : (sim_time)ns;
}

/* Plans b's next stop from `now`: its head job's completion or its slice's
 * end, whichever is first. */
static void plan(eng *e, bk_entity *b, sim_time now) {
  b->seg_start_ns = now;
  b->head_end_ns = now + head_ns(e->backends, b);
  sim_time at = b->head_end_ns < b->slice_end_ns ? b->head_end_ns : b->slice_end_ns;
  b->end_ev = sim_schedule(e->loop, at, PRIO_RUN, end_handler, e, (uint64_t)(b - e->backends->ents));
  if (!b->end_ev) eng_note_rec(e, -1);
}

/* b starts running on pCPU (slot) p of its host now. */
static void run_start(eng *e, bk_entity *b, uint32_t p, sim_time slice_end, double rate) {
  eng_host *h = host_of(e, b);
  sim_time now = sim_loop_now(e->loop);
  b->running = true;
  b->pending = false;
  b->kicked = false;
  b->pcpu = (int32_t)p;
  b->run_start_ns = now;
  b->slice_end_ns = slice_end;
  b->rate = rate;
  h->pcpus[p].vcpu = ENG_PCPU_BACKEND;
  e->backends->occupant[b->host][p] = (int32_t)(b - e->backends->ents);
  plan(e, b, now);
}

/* b's job served: CPU time `served` ns, done at `now`. */
static void credit(eng *e, bk_entity *b, sim_time served) {
  b->cpu_ns += (double)served;
  host_of(e, b)->busy_ns += served;
}

/* The work b served since seg_start at its rate, up to `now`, off its head
 * job; whether the head job is complete. */
static bool serve(eng *e, bk_entity *b, sim_time now) {
  bk_job *j = &e->backends->jobs[b->head];
  if (now >= b->head_end_ns) {
    credit(e, b, j->left_ns);
    j->left_ns = 0;
    return true;
  }
  sim_time done = b->rate >= 1 ? now - b->seg_start_ns : (sim_time)llround((double)(now - b->seg_start_ns) * b->rate);
  if (done >= j->left_ns) done = j->left_ns - 1; /* it completes at head_end_ns, not before */
  if (done < 0) done = 0;
  credit(e, b, done);
  j->left_ns -= done;
  return false;
}

static void end_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng *e = ctx;
  eng_backends *bk = e->backends;
  bk_entity *b = &bk->ents[arg];
  eng_host *h = host_of(e, b);
  sim_time now = sim_loop_now(loop);
  b->end_ev = SIM_EVENT_NONE;
  bk_job job = {0, NULL, NULL, 0, -1};
  bool complete = serve(e, b, now);
  if (complete) { /* pop the head; its callback comes once b's state is settled */
    int32_t id = b->head;
    job = bk->jobs[id];
    b->head = job.next;
    if (b->head < 0) b->tail = -1;
    bk->jobs[id].next = bk->free_job;
    bk->free_job = id;
  }
  /* a softirq runs its queue to the end; a scheduled entity its slice */
  bool more = b->head >= 0 && (b->sched_id < 0 || (!b->kicked && now < b->slice_end_ns));
  uint32_t p = (uint32_t)b->pcpu;
  if (more) {
    plan(e, b, now);
  } else {
    b->running = false;
    b->pcpu = -1;
    h->pcpus[p].vcpu = -1;
    bk->occupant[b->host][p] = -1;
    if (b->sched_id >= 0) {
      h->sched->account(h->sched_state, b->sched_id, (int32_t)p, now - b->run_start_ns, b->head >= 0, now);
    } else if (b->head >= 0) { /* not reached: a softirq ends with its queue */
      assert(false);
    }
  }
  if (complete) job.done(job.ctx, job.arg);
  if (!more) {
    if (h->pcpus[p].vcpu == -1) eng_dispatch(e, h, p);
    if (h->fluid) eng_fluid_replan(e, h);
  }
}

bool eng_backend_claims(eng *e, eng_host *h, uint32_t p) {
  eng_backends *bk = e->backends;
  if (!bk) return false;
  if (h->pcpus[p].vcpu == ENG_PCPU_BACKEND) return true;
  uint32_t hi = (uint32_t)(h - e->hosts);
  if (h->fluid || !bk->softirq[hi].count) return false;
  bk_entity *b = &bk->ents[bk->softirq[hi].first + p];
  if (b->head < 0 || b->running) return false;
  run_start(e, b, p, SIM_TIME_MAX, 1.0);
  return true;
}

bool eng_backend_picked(eng *e, eng_host *h, uint32_t p, sched_pick pick) {
  size_t id = h->vcpu_of_sched[pick.vcpu];
  if (!e->backends || id < e->n_vcpus) return false;
  bk_entity *b = &e->backends->ents[id - e->n_vcpus];
  assert(b->head >= 0 && !b->running);
  sim_time now = sim_loop_now(e->loop);
  double rate = 1.0;
  if (h->fluid) {
    h->sched->set_demand(h->sched_state, b->sched_id, 1.0);
    rate = h->sched->rate(h->sched_state, b->sched_id);
    if (!(rate > 1e-9)) rate = 1e-9;
  }
  run_start(e, b, p, pick.slice_ns == SIM_TIME_MAX ? SIM_TIME_MAX : now + pick.slice_ns, rate);
  return true;
}

/* b's run ends at `at` (>= now), whatever work it has left. */
static void cut(eng *e, bk_entity *b, sim_time at) {
  b->kicked = true;
  if (b->end_ev) sim_reschedule_earlier(e->loop, b->end_ev, at);
}

void eng_backend_kick(eng *e, eng_host *h, uint32_t p, sim_time at) {
  int32_t k = e->backends->occupant[h - e->hosts][p];
  assert(k >= 0);
  bk_entity *b = &e->backends->ents[k];
  if (b->sched_id >= 0) cut(e, b, at); /* a quantum softirq runs on: its end dispatches */
}

void eng_backend_replan(eng *e, eng_host *h) {
  eng_backends *bk = e->backends;
  if (!bk) return;
  sim_time now = sim_loop_now(e->loop);
  uint32_t hi = (uint32_t)(h - e->hosts);
  for (size_t k = 0; k < bk->n_ents; k++) {
    bk_entity *b = &bk->ents[k];
    if (b->host != hi || !b->running || b->sched_id < 0) continue;
    double rate = h->sched->rate(h->sched_state, b->sched_id);
    if (!(rate > 1e-9)) rate = 1e-9;
    if (fabs(rate - b->rate) > 1e-9 * b->rate) cut(e, b, now);
  }
}

/* ---- work ---- */

/* Quantum softirq b got work: its core takes it now when idle; a vCPU or
 * back end running there is preempted now, and the core's dispatch
 * (eng_backend_claims) starts the softirq. */
static void softirq_wake(eng *e, bk_entity *b) {
  eng_host *h = host_of(e, b);
  uint32_t p = b->index;
  sim_time now = sim_loop_now(e->loop);
  int32_t vi = h->pcpus[p].vcpu;
  if (vi == -1) {
    run_start(e, b, p, SIM_TIME_MAX, 1.0);
    return;
  }
  b->pending = true;
  if (vi >= 0) {
    eng_vcpu *r = &e->vcpus[vi];
    if (r->end_ev) sim_reschedule_earlier(e->loop, r->end_ev, now);
  } else {
    cut(e, &e->backends->ents[e->backends->occupant[b->host][p]], now);
  }
}

static int submit(void *ctx, uint32_t guest, sim_time work_ns, io_backend_done_fn done, void *done_ctx,
                  uint64_t arg) {
  eng *e = ctx;
  eng_backends *bk = e->backends;
  bk_pool pool = bk->guest_pool[guest];
  assert(pool.count > 0 && work_ns > 0);
  sim_time now = sim_loop_now(e->loop);
  /* the entity whose queue empties first takes it; of quantum softirqs
   * alike, a core running no thread, first the one that last ran the guest
   * (the transmit path runs in the sender's context, and Receive Flow
   * Steering steers a flow's packets to the core of the thread that
   * consumes them: Linux Documentation/networking/scaling.txt, "RFS"),
   * then the lowest */
  eng_host *ph = &e->hosts[bk->ents[pool.first].host];
  uint32_t best = pool.first;
  sim_time best_at = SIM_TIME_MAX;
  int best_rank = 3;
  for (uint32_t k = pool.first; k < pool.first + pool.count; k++) {
    const bk_entity *c = &bk->ents[k];
    sim_time at = c->free_at_ns > now ? c->free_at_ns : now;
    int rank = 0;
    if (c->sched_id < 0) {
      const eng_pcpu *core = &ph->pcpus[c->index];
      rank = core->vcpu != -1 ? 2 : core->last_guest == (int32_t)guest ? 0 : 1;
    }
    if (at < best_at || (at == best_at && rank < best_rank)) {
      best_at = at;
      best = k;
      best_rank = rank;
    }
  }
  int32_t id = bk->free_job;
  if (id < 0) {
    if (sim_grow((void **)&bk->jobs, &bk->cap_jobs, bk->n_jobs + 1, sizeof *bk->jobs)) return -1;
    id = (int32_t)bk->n_jobs++;
  } else {
    bk->free_job = bk->jobs[id].next;
  }
  bk->jobs[id] = (bk_job){work_ns, done, done_ctx, arg, -1};
  bk_entity *b = &bk->ents[best];
  b->free_at_ns = best_at + work_ns;
  bool idle = b->head < 0;
  if (b->tail >= 0)
    bk->jobs[b->tail].next = id;
  else
    b->head = id;
  b->tail = id;
  if (!idle || b->running || b->pending) return 0;
  eng_host *h = host_of(e, b);
  if (b->sched_id < 0) {
    softirq_wake(e, b);
    return 0;
  }
  eng_kick(e, h, h->sched->wake(h->sched_state, b->sched_id, now));
  return 0;
}

/* ---- results ---- */

void eng_backend_settle(eng *e, sim_time end) {
  eng_backends *bk = e->backends;
  if (!bk) return;
  for (size_t k = 0; k < bk->n_ents; k++) {
    bk_entity *b = &bk->ents[k];
    if (!b->running) continue;
    sim_cancel(e->loop, b->end_ev);
    b->end_ev = SIM_EVENT_NONE;
    serve(e, b, end);
    b->running = false;
  }
}

int eng_backend_write(eng *e, sim_time end) {
  eng_backends *bk = e->backends;
  if (!bk) return 0;
  static const sim_column cols[] = {
      {"name", SIM_COL_STR, "", "the back end: <host>/dom0/vcpu<i>, <host>/iothread/<guest>, <host>/softirq/cpu<c>"},
      {"host", SIM_COL_STR, "", "host whose cores it ran on"},
      {"kind", SIM_COL_STR, "", "dom0 (driver domain vCPU), iothread (QEMU I/O thread) or softirq (host kernel)"},
      {"cpu_s", SIM_COL_F64, "s", "CPU time it served on the host's cores"},
      {"busy_fraction", SIM_COL_F64, "1", "cpu_s over the run's duration: the share of one core it took"},
  };
  sim_table *t = sim_recorder_table(e->rec, "io/backends", "per back-end entity: the CPU its I/O work took",
                                    sizeof cols / sizeof cols[0], cols);
  if (!t) return -1;
  for (size_t k = 0; k < bk->n_ents; k++) {
    const bk_entity *b = &bk->ents[k];
    const char *host = e->sc->hosts[b->host].name;
    char name[256];
    if (b->kind == BK_DOM0)
      snprintf(name, sizeof name, "%s/dom0/vcpu%u", host, b->index);
    else if (b->kind == BK_IOTHREAD)
      snprintf(name, sizeof name, "%s/iothread/%s", host, e->sc->guests[b->index].name);
    else
      snprintf(name, sizeof name, "%s/softirq/cpu%u", host, b->index);
    sim_cell row[5];
    row[0].s = name;
    row[1].s = host;
    row[2].s = bk_kind_names[b->kind];
    row[3].f = b->cpu_ns * 1e-9;
    row[4].f = end > 0 ? b->cpu_ns / (double)end : 0;
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  return 0;
}
