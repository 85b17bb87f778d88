/* models/engine_elastic.c: elastic services (scenarios/SCHEMA.md
 * "services"; sim/scenario_services.h): member guests behind a load
 * balancer, scaled by an autoscaling policy.
 * Model.  One open-loop arrival process per service (its members'
 * workload's arrivals, from the stream "<streams>/arrivals", so two
 * services naming one `streams` see the same arrivals: common random
 * numbers).  Each arriving request goes to a ready member chosen by the
 * balancer (models/balancer.h) and joins that guest's queue
 * (engine_requests.c): its response time runs from its arrival at the
 * balancer.  While no member is ready the balancer holds requests, in
 * order, and hands them out when one becomes ready.
 * A member is idle (never started), provisioning, ready, draining or
 * stopped.  The first `initial` members start with the run and are
 * provisioned from their images like any guest; the others wait.  Every
 * evaluation period the policy (models/autoscale.h) gives a desired
 * capacity from the current one (ready + provisioning) and the period's
 * metric; clamped to min .. max, it is applied unless a cooldown holds it
 * ([AWS-ASG]: no scale-out within scale_out_cooldown of the last one, no
 * scale-in within scale_in_cooldown of any action).  Scale-out activates
 * idle members in order: each pays its real provisioning (layer pulls,
 * unpacking or an image copy, mount, on its host's cache and links; a VM
 * then runs its image's boot through its technique: engine_provision.c),
 * and takes requests once ready; billing runs from its activation.  Scale-in picks
 * the most recently activated ready members: they take no new request,
 * finish those they hold (draining) and stop, their billing with them.
 * The CPU metric is the mean over ready members past their warm-up of the
 * share of their vCPUs' time spent running over the period [AWS-ASG];
 * latency metrics are over the requests completed in the period.
 * Zones.  When the service's balancer names an availability zone, a
 * request a member on a host of another zone completes has carried its
 * request and its response across zones: the mean request's bytes, charged
 * at the service's inter_zone_per_gb to the member (its tenant pays:
 * engine_billing.c): EC2 charges an instance per GB for what it receives
 * from and sends to another availability zone, in each direction
 * [AWS-EC2-DT].  The balancer's own side of the transfer is not billed (it
 * is no instance here).  A member's zone is its host's when the request
 * completes; zones do not constrain placement or migration.
 * Outputs: services/timeline (one row per service per period: instances by
 * state, the metric, latency and SLO violations, cost so far),
 * services/scaling (one row per scaling action), summary/services.
 * Units: ns inside, s and USD in tables.
 * Invariants: capacity = provisioning + ready stays within min .. max once
 * the initial members are provisioning; a stopped member never restarts;
 * a request is counted once, at its completion. */
#include <assert.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/autoscale.h"
#include "models/balancer.h"
#include "models/billing.h"
#include "models/engine_internal.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/image.h"
#include "sim/instance_type.h"
#include "sim/rng.h"

typedef enum member_state { M_IDLE, M_PROVISIONING, M_READY, M_DRAINING, M_STOPPED } member_state;

typedef struct el_member {
  uint32_t gi;                /* guest index */
  member_state st;
  sim_time activated_ns;      /* ns: when it was started or scaled out (billing from then) */
  sim_time ready_ns;          /* ns: when it began taking requests; -1 not yet */
  sim_time stopped_ns;        /* ns: when it stopped after draining; -1 not */
  double busy_mark_ns;        /* ns: its vCPUs' run time at the last evaluation */
  bool scaled_out;            /* activated by a scale-out (not an initial member) */
} el_member;

typedef struct el_service {
  const sim_service *spec;
  const balancer_ops *lb;
  const autoscale_ops *as;    /* NULL: no policy */
  el_member *m;               /* members, in guest (name) order */
  lb_instance *view;          /* n entries: what the balancer sees */
  size_t n, cursor;
  eng_arrivals arr;           /* the arrival process */
  double next_arrival_ns;     /* ns, unrounded */
  sim_time *held;             /* FIFO ring of arrival times held while no member is ready */
  size_t h_head, h_len, h_cap;
  double *period_resp;        /* ns: responses completed this period */
  size_t n_period, cap_period;
  int64_t period_arrivals, period_violations;
  int64_t arrivals, completed, violations, scale_outs, scale_ins; /* totals */
  double resp_sum_ns;         /* ns: sum of completed responses */
  sim_time last_out_ns, last_action_ns; /* ns: last scale-out, last action; -1 none */
  uint32_t peak;              /* most instances provisioning or ready at once */
  double ready_sum_s;         /* s: activation to ready, summed over scaled-out members ready */
  int64_t n_ready_scaled;     /* count of those */
  double cross_bytes;         /* bytes: request and response bytes that crossed zones */
} el_service;

struct eng_elastic {
  el_service *sv;
  size_t n;
  uint32_t *member_of;        /* per guest: 1 + service index; 0 none */
  uint32_t *slot_of;          /* per guest: its index in its service's members */
  double *cross_bytes;        /* per guest: bytes its requests and responses carried across zones */
  sim_table *timeline, *scaling;
};

static void arrival_handler(sim_loop *loop, void *ctx, uint64_t arg);
static void evaluate_handler(sim_loop *loop, void *ctx, uint64_t arg);

static uint32_t capacity(const el_service *s) {
  uint32_t c = 0;
  for (size_t k = 0; k < s->n; k++) c += s->m[k].st == M_PROVISIONING || s->m[k].st == M_READY;
  return c;
}

static uint32_t count_in(const el_service *s, member_state st) {
  uint32_t c = 0;
  for (size_t k = 0; k < s->n; k++) c += s->m[k].st == st;
  return c;
}

/* ns its vCPUs have run by `now`, a run in progress included. */
static double busy_ns(const eng *e, const eng_guest *g, sim_time now) {
  double t = 0;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    t += (double)v->run_ns;
    if (v->state == V_RUNNING && now > v->run_start_ns) t += (double)(now - v->run_start_ns);
  }
  return t;
}

/* USD member k of s has cost by `now`: its type's price over its running time. */
static double member_cost(const eng *e, const el_member *m, sim_time now) {
  const sim_guest *g = e->guests[m->gi].spec;
  if (m->st == M_IDLE || !g->instance_type) return 0;
  sim_time stop = m->stopped_ns >= 0 && m->stopped_ns < now ? m->stopped_ns : now;
  return billing_instance_cost(&e->sc->instance_types[g->instance_type - 1],
                               stop > m->activated_ns ? sim_time_to_s(stop - m->activated_ns) : 0);
}

/* USD for `bytes` across zones at s's price: GB of 1e9 bytes [AWS-EC2-DT]. */
static double transfer_cost(const sim_service *s, double bytes) { return bytes * 1e-9 * s->inter_zone_per_gb; }

/* Bytes one request of member guest gi and its response carry between the
 * balancer and the member: the mean request's exchanges, each its sent and
 * received bytes (a request whose sizes are drawn counts their means). */
static double request_bytes(const eng *e, size_t gi) {
  const sim_phase *p = &e->sc->workloads[e->guests[gi].spec->workload].phases[0];
  return p->net_messages * ((double)p->net_tx_bytes + (double)p->net_rx_bytes);
}

/* Whether member gi's host is in another zone than s's balancer: only
 * when both name a zone (a host without one is nowhere in particular). */
static bool crosses_zones(const eng *e, const sim_service *s, size_t gi) {
  const eng_guest *g = &e->guests[gi];
  return s->zone[0] && g->host && g->host->spec->zone[0] && strcmp(g->host->spec->zone, s->zone);
}

/* Request arrived at `arrival` to a ready member, or held. */
static void route(eng *e, el_service *s, sim_time arrival, sim_time now) {
  for (size_t k = 0; k < s->n; k++) {
    s->view[k].ready = s->m[k].st == M_READY;
    s->view[k].outstanding = s->view[k].ready ? eng_requests_outstanding(&e->guests[s->m[k].gi]) : 0;
  }
  long k = s->lb->pick(s->view, s->n, &s->cursor);
  if (k >= 0) {
    eng_requests_dispatch(e, &e->guests[s->m[k].gi], arrival, now);
    return;
  }
  if (s->h_head > 0 && s->h_head + s->h_len == s->h_cap) { /* move the held ones to the front */
    memmove(s->held, s->held + s->h_head, s->h_len * sizeof *s->held);
    s->h_head = 0;
  }
  if (sim_grow((void **)&s->held, &s->h_cap, s->h_head + s->h_len + 1, sizeof *s->held) < 0) {
    eng_note_rec(e, -1);
    return;
  }
  s->held[s->h_head + s->h_len++] = arrival;
}

static void schedule_arrival(eng *e, el_service *s, double t) {
  double next = t + eng_arrivals_gap(&s->arr, t);
  s->next_arrival_ns = next;
  if (!(next <= (double)e->end_ns) || next >= 9e18) return;
  if (!sim_schedule(e->loop, (sim_time)llround(next), PRIO_WAKE, arrival_handler, e, (uint64_t)(s - e->elastic->sv)))
    eng_note_rec(e, -1);
}

static void arrival_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng *e = ctx;
  el_service *s = &e->elastic->sv[arg];
  sim_time now = sim_loop_now(loop);
  s->arrivals++;
  s->period_arrivals++;
  route(e, s, now, now);
  schedule_arrival(e, s, s->next_arrival_ns);
}

static void record_action(eng *e, el_service *s, sim_time now, const char *action, const char *why, uint32_t from,
                          uint32_t to, double metric) {
  sim_cell row[7];
  row[0].f = sim_time_to_s(now);
  row[1].s = s->spec->name;
  row[2].s = action;
  row[3].s = why;
  row[4].i = from;
  row[5].i = to;
  row[6].f = metric;
  eng_note_rec(e, sim_table_append(e->elastic->scaling, row));
}

/* Member m is drained: it stops now. */
static void stop_member(eng *e, el_member *m, sim_time now) {
  m->st = M_STOPPED;
  m->stopped_ns = now;
  eng_requests_stop(e, &e->guests[m->gi], now);
}

static void scale_out(eng *e, el_service *s, uint32_t want, sim_time now) {
  for (size_t k = 0; k < s->n && want > 0; k++) {
    el_member *m = &s->m[k];
    if (m->st != M_IDLE) continue;
    sim_time start = now;
    if (eng_provision_activate(e, m->gi, now, &start) < 0) {
      eng_note_rec(e, -1);
      return;
    }
    m->st = M_PROVISIONING;
    m->activated_ns = now;
    m->scaled_out = true;
    if (!sim_schedule(e->loop, start, PRIO_WAKE, eng_start_handler, e, m->gi)) eng_note_rec(e, -1);
    want--;
  }
}

static void scale_in(eng *e, el_service *s, uint32_t drop, sim_time now) {
  assert(drop < count_in(s, M_READY) && "one member stays ready");
  for (; drop > 0; drop--) {
    el_member *pick = NULL; /* the most recently activated ready member */
    for (size_t k = 0; k < s->n; k++)
      if (s->m[k].st == M_READY && (!pick || s->m[k].activated_ns >= pick->activated_ns)) pick = &s->m[k];
    pick->st = M_DRAINING;
    if (eng_requests_outstanding(&e->guests[pick->gi]) == 0) stop_member(e, pick, now);
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The p-quantile (nearest rank) of sorted x[0..n-1]; NaN when empty. */
static double nearest_rank(const double *x, size_t n, double p) {
  if (!n) return NAN;
  double r = ceil(p * (double)n - 1e-9);
  size_t k = r < 1 ? 0 : (size_t)r - 1;
  return x[k < n ? k : n - 1];
}

/* The CPU metric at `now`: mean busy share of the ready members past warm-up; NaN: none. */
static double cpu_metric(eng *e, el_service *s, sim_time now) {
  double sum = 0;
  int n = 0;
  sim_time since = now - s->spec->period_ns;
  for (size_t k = 0; k < s->n; k++) {
    el_member *m = &s->m[k];
    double busy = m->st == M_IDLE ? 0 : busy_ns(e, &e->guests[m->gi], now);
    double delta = busy - m->busy_mark_ns;
    m->busy_mark_ns = busy;
    if (m->st != M_READY || now - m->ready_ns < s->spec->warmup_ns) continue;
    sim_time from = m->ready_ns > since ? m->ready_ns : since;
    if (now <= from) continue;
    sum += delta / ((double)(now - from) * e->guests[m->gi].spec->vcpus);
    n++;
  }
  return n ? sum / n : NAN;
}

static void evaluate_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  eng *e = ctx;
  el_service *s = &e->elastic->sv[arg];
  const sim_service *sp = s->spec;
  sim_time now = sim_loop_now(loop);
  if (s->n_period > 1) qsort(s->period_resp, s->n_period, sizeof *s->period_resp, cmp_double);
  double sum = 0;
  for (size_t k = 0; k < s->n_period; k++) sum += s->period_resp[k];
  double mean_s = s->n_period ? sum / (double)s->n_period * 1e-9 : NAN;
  double p95_s = nearest_rank(s->period_resp, s->n_period, 0.95) * 1e-9;
  double cpu = cpu_metric(e, s, now);
  double metric = sp->metric == SIM_SCALE_CPU ? cpu : sp->metric == SIM_SCALE_LATENCY_MEAN ? mean_s : p95_s;
  uint32_t cur = capacity(s), desired = cur;
  if (s->as) {
    const char *why = "";
    autoscale_input in = {sp, cur, metric, now};
    int64_t d = s->as->desired(&in, &why);
    if (d < sp->min) d = sp->min;
    if (d > sp->max) d = sp->max;
    desired = (uint32_t)d;
    if (desired > cur && (s->last_out_ns < 0 || now - s->last_out_ns >= sp->scale_out_cooldown_ns)) {
      uint32_t idle = count_in(s, M_IDLE);
      uint32_t to = desired - cur > idle ? cur + idle : desired;
      if (to > cur) {
        scale_out(e, s, to - cur, now);
        record_action(e, s, now, "scale-out", to < desired ? "no member left to start" : why, cur, to, metric);
        s->scale_outs++;
        s->last_out_ns = s->last_action_ns = now;
      }
    } else if (desired < cur && count_in(s, M_PROVISIONING) == 0 &&
               (s->last_action_ns < 0 || now - s->last_action_ns >= sp->scale_in_cooldown_ns)) {
      /* none provisioning: cur members are ready, and desired >= min >= 1 of them stay */
      scale_in(e, s, cur - desired, now);
      record_action(e, s, now, "scale-in", why, cur, desired, metric);
      s->scale_ins++;
      s->last_action_ns = now;
    }
  }
  uint32_t after = capacity(s);
  if (after > s->peak) s->peak = after;
  double cost = transfer_cost(sp, s->cross_bytes);
  for (size_t k = 0; k < s->n; k++) cost += member_cost(e, &s->m[k], now);
  sim_cell row[16];
  row[0].f = sim_time_to_s(now);
  row[1].s = sp->name;
  row[2].i = count_in(s, M_READY);
  row[3].i = count_in(s, M_PROVISIONING);
  row[4].i = count_in(s, M_DRAINING);
  row[5].i = desired;
  row[6].f = cpu;
  row[7].f = metric;
  row[8].i = s->period_arrivals;
  row[9].i = (int64_t)s->n_period;
  row[10].f = mean_s;
  row[11].f = p95_s;
  row[12].i = s->period_violations;
  row[13].f = s->n_period ? (double)s->period_violations / (double)s->n_period : NAN;
  row[14].i = (int64_t)s->h_len;
  row[15].f = cost;
  eng_note_rec(e, sim_table_append(e->elastic->timeline, row));
  s->n_period = 0;
  s->period_arrivals = s->period_violations = 0;
  if (now + sp->period_ns <= e->end_ns &&
      !sim_schedule(loop, now + sp->period_ns, PRIO_SAMPLE, evaluate_handler, e, arg))
    eng_note_rec(e, -1);
}

/* ---- the engine's calls ---- */

static const sim_column timeline_cols[] = {
    {"time_s", SIM_COL_F64, "s", "end of the evaluation period"},
    {"service", SIM_COL_STR, "", "service name"},
    {"ready", SIM_COL_I64, "1", "members taking requests"},
    {"provisioning", SIM_COL_I64, "1", "members activated, not yet ready (pulling, unpacking, booting)"},
    {"draining", SIM_COL_I64, "1", "members finishing their requests before they stop"},
    {"desired", SIM_COL_I64, "1", "capacity the policy asked for, clamped to min .. max (no policy: current)"},
    {"cpu", SIM_COL_F64, "1", "mean CPU utilisation of ready members past warm-up over the period; NaN: none"},
    {"metric", SIM_COL_F64, "1 or s", "the policy's metric over the period (CPU share, or s)"},
    {"arrivals", SIM_COL_I64, "1", "requests that arrived at the balancer in the period"},
    {"completed", SIM_COL_I64, "1", "requests completed in the period"},
    {"mean_response_s", SIM_COL_F64, "s", "mean response time of those (arrival at the balancer to completion)"},
    {"p95_response_s", SIM_COL_F64, "s", "their 95th percentile (nearest rank)"},
    {"slo_violations", SIM_COL_I64, "1", "of those, responses slower than the service's slo"},
    {"slo_violation_fraction", SIM_COL_F64, "1", "slo_violations / completed"},
    {"held", SIM_COL_I64, "1", "requests the balancer holds for want of a ready member"},
    {"cost_usd", SIM_COL_F64, "USD", "cost of its members so far, billed by their instance types, "
                                      "and of the bytes that crossed zones"},
};

static const sim_column scaling_cols[] = {
    {"time_s", SIM_COL_F64, "s", "when the policy acted"},
    {"service", SIM_COL_STR, "", "service name"},
    {"action", SIM_COL_STR, "", "scale-out or scale-in"},
    {"reason", SIM_COL_STR, "", "why, as the policy says"},
    {"from", SIM_COL_I64, "1", "capacity before (ready + provisioning)"},
    {"to", SIM_COL_I64, "1", "capacity after"},
    {"metric", SIM_COL_F64, "1 or s", "the metric the policy saw"},
};

int eng_elastic_setup(eng *e) {
  const sim_scenario *sc = e->sc;
  struct eng_elastic *el = sim_calloc(1, sizeof *el);
  if (!el || eng_provision_own_elastic(e, el) < 0) { /* once owned, freed with the provisioning state */
    sim_free(el);
    return -1;
  }
  e->elastic = el;
  size_t ng = sc->n_guests ? sc->n_guests : 1;
  if (!(el->sv = sim_calloc(sc->n_services, sizeof *el->sv)) || !(el->member_of = sim_calloc(ng, sizeof(uint32_t))) ||
      !(el->slot_of = sim_calloc(ng, sizeof(uint32_t))) || !(el->cross_bytes = sim_calloc(ng, sizeof(double))))
    return -1;
  el->n = sc->n_services;
  /* members' start times change during the run (activation), and a
   * service's image is its members': guests read their specs from the
   * engine's copies, made here unless arrivals made them */
  if (!e->guest_specs) {
    if (!(e->guest_specs = sim_malloc(ng * sizeof *e->guest_specs))) return -1;
    if (sc->n_guests) memcpy(e->guest_specs, sc->guests, sc->n_guests * sizeof *e->guest_specs);
  }
  if (!(el->timeline = sim_recorder_table(e->rec, "services/timeline", "per service per evaluation period: "
                                          "instances, metric, latency, SLO violations, cost",
                                          sizeof timeline_cols / sizeof timeline_cols[0], timeline_cols)) ||
      !(el->scaling = sim_recorder_table(e->rec, "services/scaling", "every scaling action of every service",
                                         sizeof scaling_cols / sizeof scaling_cols[0], scaling_cols)))
    return -1;
  for (size_t i = 0; i < el->n; i++) {
    el_service *s = &el->sv[i];
    const sim_service *sp = s->spec = &sc->services[i];
    s->lb = model_balancer(sp->balancer);
    s->as = sp->policy ? model_autoscale(sp->policy) : NULL;
    assert(s->lb && (s->as || !sp->policy) && "the loader takes catalog words only");
    s->last_out_ns = s->last_action_ns = -1;
    for (size_t gi = 0; gi < sc->n_guests; gi++) s->n += !fnmatch(sp->guests, sc->guests[gi].name, 0);
    if (!(s->m = sim_calloc(s->n ? s->n : 1, sizeof *s->m)) || !(s->view = sim_calloc(s->n ? s->n : 1, sizeof *s->view)))
      return -1;
    size_t k = 0;
    for (size_t gi = 0; gi < sc->n_guests; gi++) {
      if (fnmatch(sp->guests, sc->guests[gi].name, 0)) continue;
      el->member_of[gi] = (uint32_t)i + 1;
      if (sp->image) e->guest_specs[gi].image = sp->image;
      el->slot_of[gi] = (uint32_t)k;
      s->m[k] = (el_member){(uint32_t)gi, k < sp->initial ? M_PROVISIONING : M_IDLE, 0, -1, -1, 0, false};
      if (k < sp->initial) s->m[k].activated_ns = sc->guests[gi].start_ns;
      k++;
    }
    s->peak = sp->initial;
    const sim_requests *rq = sc->workloads[sc->guests[s->m[0].gi].workload].requests;
    const char *name = sp->streams ? sp->streams : sp->name;
    s->arr.spec = rq;
    if (!(s->arr.arrivals = sim_rng_new(sc->seed, sc->run_index, sim_rng_stream_id(name, "arrivals"))) ||
        (rq->process == SIM_ARRIVALS_MMPP2 &&
         !(s->arr.modulation = sim_rng_new(sc->seed, sc->run_index, sim_rng_stream_id(name, "modulation")))))
      return -1;
    if (rq->process == SIM_ARRIVALS_MMPP2)
      s->arr.mmpp_switch_ns = gsl_ran_exponential(s->arr.modulation, (double)rq->mmpp_sojourn_ns[0]);
    schedule_arrival(e, s, 0);
    if (sp->period_ns <= e->end_ns && !sim_schedule(e->loop, sp->period_ns, PRIO_SAMPLE, evaluate_handler, e, i))
      return -1;
  }
  return 0;
}

bool eng_elastic_deferred(const eng *e, size_t gi) {
  const struct eng_elastic *el = e->elastic;
  if (!el || !el->member_of[gi]) return false;
  return el->sv[el->member_of[gi] - 1].m[el->slot_of[gi]].st == M_IDLE;
}

bool eng_elastic_ready(eng *e, size_t gi, sim_time now) {
  struct eng_elastic *el = e->elastic;
  if (!el || !el->member_of[gi]) return false;
  el_service *s = &el->sv[el->member_of[gi] - 1];
  el_member *m = &s->m[el->slot_of[gi]];
  m->st = M_READY;
  m->ready_ns = now;
  m->busy_mark_ns = busy_ns(e, &e->guests[gi], now);
  if (m->scaled_out) {
    s->ready_sum_s += sim_time_to_s(now - m->activated_ns);
    s->n_ready_scaled++;
  }
  eng_provision_ready(e, gi, now);
  size_t held = s->h_len; /* those held until now, in order */
  for (size_t k = 0; k < held; k++) {
    sim_time arrival = s->held[s->h_head];
    s->h_head++;
    s->h_len--;
    route(e, s, arrival, now);
  }
  return true;
}

void eng_elastic_completed(eng *e, size_t gi, double response_ns, sim_time now) {
  struct eng_elastic *el = e->elastic;
  if (!el->member_of[gi]) return;
  el_service *s = &el->sv[el->member_of[gi] - 1];
  if (sim_grow((void **)&s->period_resp, &s->cap_period, s->n_period + 1, sizeof *s->period_resp) < 0) {
    eng_note_rec(e, -1);
    return;
  }
  s->period_resp[s->n_period++] = response_ns;
  bool late = response_ns > (double)s->spec->slo_ns;
  s->period_violations += late;
  s->violations += late;
  s->completed++;
  s->resp_sum_ns += response_ns;
  if (crosses_zones(e, s->spec, gi)) { /* counted at completion: its request and its response crossed */
    double bytes = request_bytes(e, gi);
    s->cross_bytes += bytes;
    el->cross_bytes[gi] += bytes;
  }
  el_member *m = &s->m[el->slot_of[gi]];
  if (m->st == M_DRAINING && eng_requests_outstanding(&e->guests[gi]) == 0) stop_member(e, m, now);
}

static const sim_column summary_cols[] = {
    {"service", SIM_COL_STR, "", "service name"},
    {"balancer", SIM_COL_STR, "", "its load balancer"},
    {"policy", SIM_COL_STR, "", "its autoscaling policy; empty: none"},
    {"members", SIM_COL_I64, "1", "guests it may start"},
    {"arrivals", SIM_COL_I64, "1", "requests that arrived at its balancer"},
    {"completed", SIM_COL_I64, "1", "requests completed"},
    {"mean_response_s", SIM_COL_F64, "s", "mean response time of the completed (from the balancer)"},
    {"slo_s", SIM_COL_F64, "s", "its latency objective"},
    {"slo_violations", SIM_COL_I64, "1", "completed requests slower than slo_s"},
    {"slo_violation_fraction", SIM_COL_F64, "1", "slo_violations / completed"},
    {"instance_hours", SIM_COL_F64, "h", "members' running time, activation to stop or the run's end"},
    {"cost_usd", SIM_COL_F64, "USD", "their cost, billed by their instance types, and cross_zone_cost_usd"},
    {"scale_outs", SIM_COL_I64, "1", "scale-out actions"},
    {"scale_ins", SIM_COL_I64, "1", "scale-in actions"},
    {"peak_instances", SIM_COL_I64, "1", "most members provisioning or ready at once (at evaluations)"},
    {"mean_scale_out_s", SIM_COL_F64, "s", "mean time from a scale-out to its member's readiness; NaN: none"},
    {"cross_zone_gb", SIM_COL_F64, "GB", "request and response bytes between its balancer and members in other "
                                         "zones, completed requests, GB of 1e9 bytes"},
    {"cross_zone_cost_usd", SIM_COL_F64, "USD", "cross_zone_gb x its inter_zone_per_gb"},
};

int eng_elastic_write(eng *e, sim_time end) {
  struct eng_elastic *el = e->elastic;
  enum { N = sizeof summary_cols / sizeof summary_cols[0] };
  sim_table *t = sim_recorder_table(e->rec, "summary/services", "per elastic service: requests, SLO "
                                    "violations, instance-hours, cost, scaling", N, summary_cols);
  if (!t) return -1;
  for (size_t i = 0; i < el->n; i++) {
    el_service *s = &el->sv[i];
    double hours = 0, cost = transfer_cost(s->spec, s->cross_bytes);
    for (size_t k = 0; k < s->n; k++) {
      const el_member *m = &s->m[k];
      if (m->st == M_IDLE) continue;
      sim_time stop = m->stopped_ns >= 0 && m->stopped_ns < end ? m->stopped_ns : end;
      hours += stop > m->activated_ns ? sim_time_to_s(stop - m->activated_ns) / 3600 : 0;
      cost += member_cost(e, m, end);
    }
    sim_cell row[N];
    row[0].s = s->spec->name;
    row[1].s = s->lb->name;
    row[2].s = s->as ? s->as->name : "";
    row[3].i = (int64_t)s->n;
    row[4].i = s->arrivals;
    row[5].i = s->completed;
    row[6].f = s->completed ? s->resp_sum_ns / (double)s->completed * 1e-9 : NAN;
    row[7].f = sim_time_to_s(s->spec->slo_ns);
    row[8].i = s->violations;
    row[9].f = s->completed ? (double)s->violations / (double)s->completed : NAN;
    row[10].f = hours;
    row[11].f = cost;
    row[12].i = s->scale_outs;
    row[13].i = s->scale_ins;
    row[14].i = s->peak;
    row[15].f = s->n_ready_scaled ? s->ready_sum_s / (double)s->n_ready_scaled : NAN;
    row[16].f = s->cross_bytes * 1e-9;
    row[17].f = transfer_cost(s->spec, s->cross_bytes);
    int rc = sim_table_append(t, row);
    if (rc < 0) return rc;
  }
  return 0;
}

double eng_elastic_transfer(const eng *e, size_t gi, double *cost_usd) {
  const struct eng_elastic *el = e->elastic;
  *cost_usd = 0;
  if (!el || !el->member_of[gi]) return 0;
  *cost_usd = transfer_cost(el->sv[el->member_of[gi] - 1].spec, el->cross_bytes[gi]);
  return el->cross_bytes[gi];
}

void eng_elastic_free(struct eng_elastic *el) {
  if (!el) return;
  for (size_t i = 0; el->sv && i < el->n; i++) {
    el_service *s = &el->sv[i];
    if (s->arr.arrivals) gsl_rng_free(s->arr.arrivals);
    if (s->arr.modulation) gsl_rng_free(s->arr.modulation);
    sim_free(s->m);
    sim_free(s->view);
    sim_free(s->held);
    sim_free(s->period_resp);
  }
  sim_free(el->sv);
  sim_free(el->member_of);
  sim_free(el->slot_of);
  sim_free(el->cross_bytes);
  sim_free(el);
}
