/* models/engine_requests.c: request-driven guests (a workload with
 * `requests`, scenarios/SCHEMA.md): load generation, the guest's request
 * queue, and response-time statistics.
 * Model: requests arrive at the guest open loop (Poisson, deterministic, a
 * Poisson process whose rate follows a trace, or a two-state MMPP) or closed
 * loop (N clients, each issuing its next request a think time after its
 * last response).  They wait in one FIFO queue in the guest, served by the
 * guest's vCPUs: a vCPU without a request is idle (BLOCKED); an arriving
 * request goes to the lowest-numbered idle vCPU, or joins the queue; a vCPU
 * that completes one takes the head of the queue (M/G/c with c = vcpus).
 * A request's demand is the workload's mean request with each drawn
 * quantity replaced by a draw, made when its service starts; the vCPU runs
 * it as one unit of a phase (engine.c charges it through the technique, the
 * I/O path and the devices like any unit) and the request completes when
 * its CPU work and then its I/O (io_window 0) are done.  Response time =
 * completion - arrival, so it includes the queue, the scheduler's steal,
 * the technique's cycles, the I/O path and the devices.
 * A member of an elastic service (engine_elastic.c) has no arrivals of its
 * own: its service's balancer hands it requests, each keeping its arrival
 * at the balancer, and stops it once a scale-in has drained it.  A VM
 * member runs its image's boot first, then each vCPU turns to requests.
 * Random streams (sim/rng.h), one per guest and purpose: "<guest>/arrivals"
 * (gaps), "<guest>/modulation" (MMPP state changes), "<guest>/think",
 * "<guest>/demand" (per-request draws); so a guest's draws do not depend on
 * any other entity.
 * Outputs: table requests/latency (one row per completed request, when
 * record.request_latencies) and summary/requests (one row per
 * request-driven guest: count, mean and exact percentiles of the response
 * time from every completed request, sorted; throughput; Little's law
 * L = lambda W with L the time-average number in the guest).  The
 * percentiles are exact: every response time is kept in memory until the
 * run's end, 8 bytes per completed request (80 MB for 10 million).
 * Units: ns inside, s in the summary.
 * Invariants: in_system = queued + requests on vCPUs; a vCPU holds at most
 * one request; iteration over vCPUs is in index order. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/engine_internal.h"
#include "sim/alloc.h"
#include "sim/rng.h"

/* A request waiting or in service. */
typedef struct eng_request {
  int64_t id;          /* 0, 1, ... in order of arrival at its guest */
  int64_t client;      /* closed loop: the client; -1 open loop */
  sim_time arrival_ns; /* ns */
  sim_time start_ns;   /* ns: its service began (taken by a vCPU) */
} eng_request;

/* Per vCPU of a request-driven guest. */
typedef struct eng_req_server {
  sim_phase phase;     /* the request in service: the mean request with its draws */
  eng_request cur;     /* valid while busy */
  bool busy;           /* holds a request (in CPU work or waiting for its I/O) */
  bool cpu_done;       /* its CPU work is done: it waits for its I/O */
} eng_req_server;

struct eng_reqs {
  const sim_requests *spec;
  const sim_workload *wl;        /* the guest's workload, whose phase 0 is the mean request (its
                                  * g->wl may be a VM's boot composed in front of it) */
  eng_arrivals arr;              /* open loop: the arrival process, streams "arrivals", "modulation" */
  gsl_rng *think, *demand;       /* streams (see header) */
  eng_req_server *servers;       /* one per vCPU */
  eng_request *queue;            /* FIFO ring of waiting requests */
  size_t q_head, q_len, q_cap;   /* ring start, length, capacity */
  int64_t issued;                /* requests that arrived */
  int64_t completed;             /* requests completed */
  int64_t in_system;             /* arrived, not completed */
  double next_arrival_ns;        /* ns: open loop, the next arrival, unrounded */
  double area_ns;                /* integral of in_system dt, ns */
  sim_time area_since;           /* ns: in_system last changed */
  double *response_ns;           /* every completed request's response time, ns */
  size_t n_resp, cap_resp;
  double wait_sum_ns, service_sum_ns; /* ns: totals over completed requests */
  sim_table *rows;               /* requests/latency, or NULL when not kept */
};

/* Whether guest g issues no more requests: its count is reached. */
static bool issue_done(const eng_reqs *q) { return q->spec->count > 0 && (double)q->issued >= q->spec->count; }

static void area_to(eng_reqs *q, sim_time now) {
  q->area_ns += (double)q->in_system * (double)(now - q->area_since);
  q->area_since = now;
}

/* Server v of g starts request r now: its demand is drawn. */
static void serve(eng *e, eng_guest *g, eng_vcpu *v, const eng_request *r, sim_time now) {
  eng_reqs *q = g->rq;
  eng_req_server *s = &q->servers[v - e->vcpus - g->first_vcpu];
  s->phase = *sim_workload_phase_body(q->wl, 0);
  for (size_t i = 0; i < q->spec->n_draws; i++) {
    const sim_request_draw *d = &q->spec->draws[i];
    double x = sim_dist_sample(&d->dist, q->demand);
    if (d->whole) x = round(x);
    if (x < d->min) x = d->min;
    if (d->u64)
      *(uint64_t *)((char *)&s->phase + d->offset) = (uint64_t)x;
    else
      *(double *)((char *)&s->phase + d->offset) = x;
  }
  s->cur = *r;
  s->cur.start_ns = now;
  s->busy = true;
  s->cpu_done = false;
  v->req_ph = &s->phase;
  v->phase_start_ns = now;
  v->units_phase = 1;
  v->units_left = 1;
  v->phase_end_ns = SIM_TIME_MAX;
  v->est_cycles_per_unit = 0;
  v->io_units = 0;
}

/* The head of g's queue to v, when there is one; whether v got a request. */
static bool take_next(eng *e, eng_guest *g, eng_vcpu *v, sim_time now) {
  eng_reqs *q = g->rq;
  if (!q->q_len) return false;
  eng_request r = q->queue[q->q_head];
  q->q_head = (q->q_head + 1) % q->q_cap;
  q->q_len--;
  serve(e, g, v, &r, now);
  return true;
}

static void client_handler(sim_loop *loop, void *ctx, uint64_t arg);

/* Every request is done and no more come: the guest completes. */
static void finish_guest(eng *e, eng_guest *g, sim_time now) {
  for (uint32_t i = 0; i < g->spec->vcpus; i++) e->vcpus[g->first_vcpu + i].state = V_DONE;
  g->vcpus_done = g->spec->vcpus;
  g->finish_ns = now;
  e->guests_done++;
  eng_note_rec(e, sim_record_event(e->rec, e->ev_finish, now, g->entity,
                                   sim_time_to_s(now - g->spec->start_ns), 0));
}

/* v's request is complete at `now`: statistics, its client's next think. */
static void complete(eng *e, eng_guest *g, eng_vcpu *v, sim_time now) {
  eng_reqs *q = g->rq;
  eng_req_server *s = &q->servers[v - e->vcpus - g->first_vcpu];
  area_to(q, now);
  q->in_system--;
  q->completed++;
  s->busy = false;
  double resp = (double)(now - s->cur.arrival_ns);
  q->wait_sum_ns += (double)(s->cur.start_ns - s->cur.arrival_ns);
  q->service_sum_ns += (double)(now - s->cur.start_ns);
  if (sim_grow((void **)&q->response_ns, &q->cap_resp, q->n_resp + 1, sizeof *q->response_ns) < 0)
    eng_note_rec(e, -1);
  else
    q->response_ns[q->n_resp++] = resp;
  if (e->elastic) eng_elastic_completed(e, (size_t)(g - e->guests), resp, now); /* may stop g, drained */
  if (q->rows) {
    sim_cell row[7];
    row[0].i = s->cur.id;
    row[1].s = g->spec->name;
    row[2].i = s->cur.client;
    row[3].i = s->cur.arrival_ns;
    row[4].i = s->cur.start_ns;
    row[5].i = now;
    row[6].i = now - s->cur.arrival_ns;
    eng_note_rec(e, sim_table_append(q->rows, row));
  }
  if (q->spec->process == SIM_ARRIVALS_CLOSED && !issue_done(q)) {
    double think = sim_dist_sample(&q->spec->think, q->think);
    sim_time at = now + (sim_time)llround(think);
    if (at <= e->end_ns) {
      uint64_t arg = ((uint64_t)s->cur.client << 32) | (uint64_t)(g - e->guests);
      if (!sim_schedule(e->loop, at, PRIO_WAKE, client_handler, e, arg)) eng_note_rec(e, -1);
    }
  }
  if (issue_done(q) && q->in_system == 0) finish_guest(e, g, now);
}

/* A request of g (client, or -1) that arrived at `arrival` (now, or at a
 * service's balancer) comes in now: to an idle vCPU, or queued. */
static void arrive(eng *e, eng_guest *g, int64_t client, sim_time arrival, sim_time now) {
  eng_reqs *q = g->rq;
  area_to(q, now);
  eng_request r = {q->issued++, client, arrival, now};
  q->in_system++;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    if (q->servers[i].busy || v->state != V_BLOCKED) continue;
    serve(e, g, v, &r, now);
    eng_wake_vcpu(e, v);
    return;
  }
  if (q->q_len == q->q_cap) {
    size_t cap = q->q_cap ? q->q_cap * 2 : 64;
    eng_request *n = sim_malloc(cap * sizeof *n);
    if (!n) {
      eng_note_rec(e, -1);
      return;
    }
    for (size_t k = 0; k < q->q_len; k++) n[k] = q->queue[(q->q_head + k) % q->q_cap];
    sim_free(q->queue);
    q->queue = n;
    q->q_head = 0;
    q->q_cap = cap;
  }
  q->queue[(q->q_head + q->q_len) % q->q_cap] = r;
  q->q_len++;
}

/* ---- open-loop arrival processes ---- */

/* ns from `t` to the next arrival of a Poisson process whose rate follows
 * the trace (piecewise constant from a->origin_ns, a guest's start): an
 * Exp(1) amount of integrated rate, consumed interval by interval.
 * INFINITY past the trace's end. */
static double trace_gap(const eng_arrivals *a, double t) {
  const sim_requests *s = a->spec;
  double work = gsl_ran_exponential(a->arrivals, 1.0);
  double dt = (double)s->trace_interval_ns;
  double x = t - (double)a->origin_ns;
  for (size_t k = (size_t)(x / dt); k < s->n_trace; k++) {
    double end = (double)(k + 1) * dt;
    double rate = s->trace_rate_per_s[k] * 1e-9; /* per ns */
    if (rate * (end - x) >= work) return x + work / rate - (t - (double)a->origin_ns);
    work -= rate * (end - x);
    x = end;
  }
  return INFINITY;
}

/* ns from `t` to the next arrival of the two-state MMPP, moving its state
 * through the changes on the way (memoryless: redrawing is exact). */
static double mmpp_gap(eng_arrivals *a, double t) {
  const sim_requests *s = a->spec;
  double x = t;
  for (;;) {
    double rate = s->mmpp_rate_per_s[a->mmpp_state] * 1e-9;
    double cand = rate > 0 ? x + gsl_ran_exponential(a->arrivals, 1 / rate) : INFINITY;
    if (cand < a->mmpp_switch_ns) return cand - t;
    x = a->mmpp_switch_ns;
    a->mmpp_state ^= 1;
    a->mmpp_switch_ns = x + gsl_ran_exponential(a->modulation, (double)s->mmpp_sojourn_ns[a->mmpp_state]);
  }
}

double eng_arrivals_gap(eng_arrivals *a, double t) {
  switch (a->spec->process) {
    case SIM_ARRIVALS_POISSON: return gsl_ran_exponential(a->arrivals, 1e9 / a->spec->rate_per_s);
    case SIM_ARRIVALS_DETERMINISTIC: return 1e9 / a->spec->rate_per_s;
    case SIM_ARRIVALS_TRACE: return trace_gap(a, t);
    case SIM_ARRIVALS_MMPP2: return mmpp_gap(a, t);
    case SIM_ARRIVALS_CLOSED: break;
  }
  assert(0);
  return INFINITY;
}

static void arrival_handler(sim_loop *loop, void *ctx, uint64_t arg);

/* Schedules g's next open-loop arrival after `t` (unless it is done). */
static void schedule_arrival(eng *e, eng_guest *g, double t) {
  eng_reqs *q = g->rq;
  if (issue_done(q)) return;
  double next = t + eng_arrivals_gap(&q->arr, t);
  q->next_arrival_ns = next;
  if (!(next <= (double)e->end_ns) || next >= 9e18) return;
  if (!sim_schedule(e->loop, (sim_time)llround(next), PRIO_WAKE, arrival_handler, e, (uint64_t)(g - e->guests)))
    eng_note_rec(e, -1);
}

static void arrival_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng *e = ctx;
  eng_guest *g = &e->guests[arg];
  if (g->finish_ns >= 0) return;
  sim_time now = sim_loop_now(loop);
  arrive(e, g, -1, now, now);
  schedule_arrival(e, g, g->rq->next_arrival_ns);
}

/* Client (arg >> 32) of guest (arg & 0xffffffff) issues a request. */
static void client_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng *e = ctx;
  eng_guest *g = &e->guests[arg & 0xffffffffu];
  if (g->finish_ns >= 0 || issue_done(g->rq)) return;
  sim_time now = sim_loop_now(loop);
  arrive(e, g, (int64_t)(arg >> 32), now, now);
}

/* ---- the engine's calls ---- */

int eng_requests_setup(eng *e, eng_guest *g) {
  const sim_requests *s = g->wl->requests;
  if (s->count <= 0 && e->end_ns == SIM_TIME_MAX) {
    sim_diag_error(e->diag, e->sc->path, 0, 0,
                   "guest '%s': workload '%s' issues requests without end: set requests.count or simulation.duration",
                   g->spec->name, g->wl->name);
    return -1;
  }
  eng_reqs *q = g->rq = sim_calloc(1, sizeof *q);
  if (!q) return -1;
  q->spec = s;
  q->wl = g->wl;
  q->servers = sim_calloc(g->spec->vcpus, sizeof *q->servers);
  if (!q->servers) return -1;
  const char *name = sim_guest_streams(g->spec);
  uint64_t seed = e->sc->seed;
  uint32_t run = e->sc->run_index;
  /* only the streams the guest draws from (a generator is about 5 KB): each
   * is seeded from its own name, so which others exist changes no draw */
  q->arr.spec = s;
  q->arr.origin_ns = g->spec->start_ns;
  if (!(q->arr.arrivals = sim_rng_new(seed, run, sim_rng_stream_id(name, "arrivals"))) ||
      (s->process == SIM_ARRIVALS_MMPP2 &&
       !(q->arr.modulation = sim_rng_new(seed, run, sim_rng_stream_id(name, "modulation")))) ||
      (s->process == SIM_ARRIVALS_CLOSED && !(q->think = sim_rng_new(seed, run, sim_rng_stream_id(name, "think")))) ||
      (s->n_draws > 0 && !(q->demand = sim_rng_new(seed, run, sim_rng_stream_id(name, "demand")))))
    return -1;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    q->servers[i].phase = *sim_workload_phase_body(q->wl, 0);
    e->vcpus[g->first_vcpu + i].req_ph = &q->servers[i].phase;
  }
  if (e->sc->record.request_latencies) {
    static const sim_column cols[] = {
        {"request", SIM_COL_I64, "1", "request id: 0, 1, ... in order of arrival at its guest"},
        {"guest", SIM_COL_STR, "", "guest name"},
        {"client", SIM_COL_I64, "1", "closed loop: the client that issued it; -1 open loop"},
        {"arrival_ns", SIM_COL_I64, "ns", "when it arrived at the guest"},
        {"start_ns", SIM_COL_I64, "ns", "when a vCPU began serving it"},
        {"completion_ns", SIM_COL_I64, "ns", "when its CPU work and I/O were done"},
        {"response_ns", SIM_COL_I64, "ns", "completion - arrival"},
    };
    /* one table for every request-driven guest: the first one declares it */
    for (size_t gi = 0; gi < (size_t)(g - e->guests) && !q->rows; gi++)
      if (e->guests[gi].rq) q->rows = e->guests[gi].rq->rows;
    if (!q->rows &&
        !(q->rows = sim_recorder_table(e->rec, "requests/latency", "every completed request and its response time",
                                       sizeof cols / sizeof cols[0], cols)))
      return -1;
  }
  return 0;
}

void eng_requests_start(eng *e, eng_guest *g, sim_time now) {
  eng_reqs *q = g->rq;
  const sim_requests *s = q->spec;
  q->area_since = now;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) e->vcpus[g->first_vcpu + i].state = V_BLOCKED;
  if (s->process == SIM_ARRIVALS_CLOSED) {
    for (uint32_t c = 0; c < s->clients; c++) {
      sim_time at = now + (sim_time)llround(sim_dist_sample(&s->think, q->think));
      if (at > e->end_ns) continue;
      uint64_t arg = ((uint64_t)c << 32) | (uint64_t)(g - e->guests);
      if (!sim_schedule(e->loop, at, PRIO_WAKE, client_handler, e, arg)) eng_note_rec(e, -1);
    }
    return;
  }
  size_t gi = (size_t)(g - e->guests);
  if (eng_provision_boots(e, gi)) { /* a VM member boots first (engine_provision.c), then serves */
    for (uint32_t i = 0; i < g->spec->vcpus; i++) {
      eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
      v->req_ph = NULL;
      v->req_idle = false;
      v->phase = 0;
      eng_enter_phase(e, v, now);
      eng_wake_vcpu(e, v);
    }
    return;
  }
  if (eng_elastic_ready(e, gi, now)) return; /* its service's balancer sends it requests */
  if (s->process == SIM_ARRIVALS_MMPP2)
    q->arr.mmpp_switch_ns = (double)now + gsl_ran_exponential(q->arr.modulation, (double)s->mmpp_sojourn_ns[0]);
  schedule_arrival(e, g, (double)now);
}

bool eng_request_cpu_done(eng *e, eng_vcpu *v, sim_time now) {
  eng_guest *g = &e->guests[v->guest];
  if (!g->rq->servers[v - e->vcpus - g->first_vcpu].busy) return take_next(e, g, v, now); /* its hand-over */
  if (v->io_inflight > 0) { /* it completes when its I/O does */
    g->rq->servers[v - e->vcpus - g->first_vcpu].cpu_done = true;
    return true;
  }
  complete(e, g, v, now);
  if (v->state == V_DONE) return false;
  return take_next(e, g, v, now);
}

bool eng_request_io_done(eng *e, eng_vcpu *v, sim_time now) {
  eng_guest *g = &e->guests[v->guest];
  eng_req_server *s = &g->rq->servers[v - e->vcpus - g->first_vcpu];
  if (!s->busy || !s->cpu_done) return true;
  complete(e, g, v, now);
  if (v->state == V_DONE) return false;
  return take_next(e, g, v, now);
}

void eng_requests_handover(eng *e, size_t vi) {
  eng_vcpu *v = &e->vcpus[vi];
  eng_guest *g = &e->guests[v->guest];
  v->req_ph = &g->rq->servers[vi - g->first_vcpu].phase;
}

void eng_requests_dispatch(eng *e, eng_guest *g, sim_time arrival, sim_time now) { arrive(e, g, -1, arrival, now); }

int64_t eng_requests_outstanding(const eng_guest *g) { return g->rq->in_system; }

void eng_requests_stop(eng *e, eng_guest *g, sim_time now) {
  assert(g->rq->in_system == 0 && "a member stops once drained");
  area_to(g->rq, now);
  for (uint32_t i = 0; i < g->spec->vcpus; i++) e->vcpus[g->first_vcpu + i].state = V_DONE;
  g->vcpus_done = g->spec->vcpus;
  g->finish_ns = g->departure_ns = now;
  g->departed = true;
  e->guests_done++;
  eng_note_rec(e, sim_record_event(e->rec, e->ev_finish, now, g->entity, sim_time_to_s(now - g->spec->start_ns), 0));
}

double eng_requests_progress(const eng *e, const eng_guest *g, sim_time now) {
  const eng_reqs *q = g->rq;
  if (q->spec->count > 0) return (double)q->completed / q->spec->count;
  sim_time start = g->spec->start_ns;
  if (now <= start || e->end_ns <= start) return 0;
  return fmin(1.0, (double)(now - start) / (double)(e->end_ns - start));
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The p-quantile of sorted x[0..n-1] by the nearest-rank definition: the
 * smallest value with at least p n values at or below it. */
static double quantile(const double *x, size_t n, double p) {
  if (!n) return NAN;
  double r = ceil(p * (double)n - 1e-9);
  size_t k = r < 1 ? 0 : (size_t)r - 1;
  return x[k < n ? k : n - 1];
}

int eng_requests_write(eng *e, sim_time end) {
  int rc_services = e->elastic ? eng_elastic_write(e, end) : 0;
  if (rc_services < 0) return rc_services;
  bool any = false;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) any |= e->guests[gi].rq != NULL;
  if (!any) return 0;
  static const sim_column cols[] = {
      {"name", SIM_COL_STR, "", "guest name"},
      {"technique", SIM_COL_STR, "", "its technique"},
      {"workload", SIM_COL_STR, "", "its workload"},
      {"loop", SIM_COL_STR, "", "open (arrivals) or closed (clients)"},
      {"arrivals", SIM_COL_I64, "1", "requests that arrived"},
      {"completed", SIM_COL_I64, "1", "requests completed"},
      {"elapsed_s", SIM_COL_F64, "s", "T: from the guest's start to its completion or the run's end"},
      {"arrival_rate_per_s", SIM_COL_F64, "1/s", "lambda = arrivals / T"},
      {"throughput_per_s", SIM_COL_F64, "1/s", "completed / T"},
      {"mean_response_s", SIM_COL_F64, "s", "W: mean response time (arrival to completion) of the completed"},
      {"p50_s", SIM_COL_F64, "s", "median response time (nearest rank, exact)"},
      {"p90_s", SIM_COL_F64, "s", "90th percentile of response time"},
      {"p95_s", SIM_COL_F64, "s", "95th percentile of response time"},
      {"p99_s", SIM_COL_F64, "s", "99th percentile of response time"},
      {"p999_s", SIM_COL_F64, "s", "99.9th percentile of response time"},
      {"max_response_s", SIM_COL_F64, "s", "longest response time"},
      {"mean_wait_s", SIM_COL_F64, "s", "mean time queued before a vCPU took it"},
      {"mean_service_s", SIM_COL_F64, "s", "mean time from service start to completion"},
      {"mean_in_system", SIM_COL_F64, "1", "L: time-average number of requests in the guest"},
      {"little_lambda_w", SIM_COL_F64, "1", "lambda x W: equals L by Little's law when every request completed"},
      {"little_error", SIM_COL_F64, "1", "L / (lambda W) - 1"},
  };
  enum { N = sizeof cols / sizeof cols[0] };
  sim_table *t = sim_recorder_table(e->rec, "summary/requests", "per request-driven guest: response times, throughput, Little's law", N, cols);
  if (!t) return -1;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    eng_reqs *q = g->rq;
    if (!q) continue;
    sim_time stop = g->finish_ns >= 0 ? g->finish_ns : end;
    area_to(q, stop > q->area_since ? stop : q->area_since);
    double T = (double)(stop - g->spec->start_ns) * 1e-9;
    if (q->n_resp > 1) qsort(q->response_ns, q->n_resp, sizeof *q->response_ns, cmp_double);
    double sum = 0;
    for (size_t k = 0; k < q->n_resp; k++) sum += q->response_ns[k];
    double n = (double)q->n_resp;
    double W = n > 0 ? sum / n * 1e-9 : NAN;
    double lambda = T > 0 ? (double)q->issued / T : NAN;
    double L = T > 0 ? q->area_ns * 1e-9 / T : NAN;
    sim_cell row[N];
    row[0].s = g->spec->name;
    row[1].s = g->tech->name;
    row[2].s = g->wl->name;
    row[3].s = q->spec->process == SIM_ARRIVALS_CLOSED ? "closed" : "open";
    row[4].i = q->issued;
    row[5].i = q->completed;
    row[6].f = T;
    row[7].f = lambda;
    row[8].f = T > 0 ? (double)q->completed / T : NAN;
    row[9].f = W;
    static const double ps[] = {0.5, 0.9, 0.95, 0.99, 0.999, 1.0};
    for (int k = 0; k < 6; k++) row[10 + k].f = quantile(q->response_ns, q->n_resp, ps[k]) * 1e-9;
    row[16].f = n > 0 ? q->wait_sum_ns / n * 1e-9 : NAN;
    row[17].f = n > 0 ? q->service_sum_ns / n * 1e-9 : NAN;
    row[18].f = L;
    row[19].f = lambda * W;
    row[20].f = L / (lambda * W) - 1;
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  return 0;
}

void eng_requests_free(eng_guest *g) {
  eng_reqs *q = g->rq;
  if (!q) return;
  if (q->arr.arrivals) gsl_rng_free(q->arr.arrivals);
  if (q->arr.modulation) gsl_rng_free(q->arr.modulation);
  if (q->think) gsl_rng_free(q->think);
  if (q->demand) gsl_rng_free(q->demand);
  sim_free(q->servers);
  sim_free(q->queue);
  sim_free(q->response_ns);
  sim_free(q);
  g->rq = NULL;
}
