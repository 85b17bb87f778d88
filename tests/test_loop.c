/* tests/test_loop.c: the discrete-event loop (sim/loop.h).
 * Ordering by (time, priority, sequence), cancel and reschedule from
 * handlers, lazy cancellation (heavy churn and compaction, a rescheduled
 * handle's trail of dead entries, the next time under the dispatched event's
 * placeholder), a crowd at one instant kept as a sorted run, stale handles,
 * determinism, and out-of-memory paths (run limits and stops:
 * tests/test_loop_run.c).  Every test ends by checking the queue's
 * invariants with sim_loop_check.  Built twice by CMake: as is, and with a binary heap
 * (SIM_HEAP_ARITY=2) so that both arities the benchmark compares are tested. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>

#include "sim/alloc.h"
#include "sim/loop.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"

/* ---- a log of dispatched events ---- */

typedef struct record {
  sim_time t;   /* ns: loop time at dispatch */
  int32_t prio; /* priority (from the trace) */
  uint64_t seq; /* sequence (from the trace) */
  uint64_t arg; /* handler argument */
} record;

typedef struct log {
  record *r;  /* dispatched events, in order */
  size_t n;   /* records used */
  size_t cap; /* records allocated */
} log_t;

static void log_push(log_t *log, sim_time t, int32_t prio, uint64_t seq, uint64_t arg) {
  if (log->n == log->cap) {
    log->cap = log->cap ? 2 * log->cap : 64;
    log->r = realloc(log->r, log->cap * sizeof *log->r);
    if (!log->r) abort();
  }
  log->r[log->n++] = (record){t, prio, seq, arg};
}

static void trace_into_log(void *ctx, sim_time t, int32_t prio, uint64_t seq, sim_handler fn,
                           uint64_t arg) {
  (void)fn;
  log_push(ctx, t, prio, seq, arg);
}

/* A handler that records its argument and the loop time in the log (ctx). */
static void note(sim_loop *loop, void *ctx, uint64_t arg) {
  log_push(ctx, sim_loop_now(loop), 0, 0, arg);
}

/* ---- ordering ---- */

static void test_ties_time_priority_sequence(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  log_t log = {0};
  /* scheduled out of order; arg = expected rank */
  CU_ASSERT(sim_schedule(loop, 20, 0, note, &log, 5) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 10, 5, note, &log, 3) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 10, -7, note, &log, 0) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 10, 0, note, &log, 1) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 10, 0, note, &log, 2) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 20, INT32_MIN, note, &log, 4) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 20, INT32_MAX, note, &log, 7) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 20, 0, note, &log, 6) != SIM_EVENT_NONE);
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 8);
  CU_ASSERT_EQUAL(sim_loop_next_time(loop), 10);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, 8);
  for (size_t i = 0; i < log.n; i++) CU_ASSERT_EQUAL(log.r[i].arg, i);
  CU_ASSERT_EQUAL(log.r[0].t, 10);
  CU_ASSERT_EQUAL(log.r[7].t, 20);
  CU_ASSERT_EQUAL(sim_loop_now(loop), 20);
  CU_ASSERT_EQUAL(sim_loop_dispatched(loop), 8);
  CU_ASSERT_EQUAL(sim_loop_next_time(loop), SIM_TIME_MAX);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  free(log.r);
  sim_loop_free(loop);
}

/* Reference model for the randomized test: every event ever scheduled. */
typedef struct ref_event {
  sim_time t;       /* ns */
  int32_t prio;     /* priority */
  uint64_t order;   /* schedule order (reschedule renews it) */
  uint64_t arg;     /* identity */
  bool live;        /* still pending */
  sim_event_id id;  /* its handle */
} ref_event;

static int ref_cmp(const void *pa, const void *pb) {
  const ref_event *a = pa, *b = pb;
  if (a->t != b->t) return a->t < b->t ? -1 : 1;
  if (a->prio != b->prio) return a->prio < b->prio ? -1 : 1;
  return a->order < b->order ? -1 : a->order > b->order;
}

static void test_random_against_reference_sort(void) {
  enum { N = 20000 };
  gsl_rng *rng = sim_rng_new(42, 0, sim_rng_stream_id("test_loop", "random"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(rng);
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  ref_event *ev = calloc(N, sizeof *ev);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
  log_t log = {0};
  uint64_t order = 0;
  /* narrow ranges of time and priority, so ties are frequent */
  for (size_t i = 0; i < N; i++) {
    ev[i] = (ref_event){(sim_time)gsl_rng_uniform_int(rng, 500),
                        (int32_t)gsl_rng_uniform_int(rng, 5) - 2, order++, i, true, 0};
    ev[i].id = sim_schedule(loop, ev[i].t, ev[i].prio, note, &log, i);
    CU_ASSERT_FATAL(ev[i].id != SIM_EVENT_NONE);
    /* now and then cancel or reschedule a random earlier event */
    if (i > 0 && gsl_rng_uniform(rng) < 0.2) {
      ref_event *v = &ev[gsl_rng_uniform_int(rng, i)];
      if (gsl_rng_uniform(rng) < 0.5) {
        CU_ASSERT_EQUAL(sim_cancel(loop, v->id), v->live);
        v->live = false;
      } else {
        sim_time t = (sim_time)gsl_rng_uniform_int(rng, 500);
        CU_ASSERT_EQUAL(sim_reschedule(loop, v->id, t), v->live);
        if (v->live) {
          v->t = t;
          v->order = order++;
          CU_ASSERT_EQUAL(sim_event_time(loop, v->id), t);
        }
      }
    }
    if (i % 4096 == 0) CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  }
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  size_t live = 0;
  for (size_t i = 0; i < N; i++)
    if (ev[i].live) ev[live++] = ev[i];
  CU_ASSERT_EQUAL(sim_loop_pending(loop), live);
  qsort(ev, live, sizeof *ev, ref_cmp);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, live);
  size_t mismatches = 0;
  for (size_t i = 0; i < live; i++)
    mismatches += log.r[i].arg != ev[i].arg || log.r[i].t != ev[i].t;
  CU_ASSERT_EQUAL(mismatches, 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  free(log.r);
  free(ev);
  sim_loop_free(loop);
  gsl_rng_free(rng);
}

/* Heavy churn: 2000 pending events, then 10^5 random cancels, reschedules
 * (some back to the event's own time) and schedules, so that dead entries
 * pile up and the heap is compacted dozens of times.  The
 * churn allocates nothing (the margins reserved by schedule cover it), the
 * invariants hold throughout, and the dispatch order is the reference
 * sort's. */
static void test_cancel_churn_then_compaction_keeps_order(void) {
  enum { N = 2000, OPS = 100000, CAP = N + OPS };
  gsl_rng *rng = sim_rng_new(7, 0, sim_rng_stream_id("test_loop", "churn"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(rng);
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  ref_event *ev = calloc(CAP, sizeof *ev);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
  log_t log = {0};
  uint64_t order = 0;
  size_t n = 0, live = 0, broken = 0, wrong = 0;
  for (; n < N; n++) {
    ev[n] = (ref_event){(sim_time)gsl_rng_uniform_int(rng, 300),
                        (int32_t)gsl_rng_uniform_int(rng, 3), order++, n, true, 0};
    ev[n].id = sim_schedule(loop, ev[n].t, ev[n].prio, note, &log, n);
    CU_ASSERT_FATAL(ev[n].id != SIM_EVENT_NONE);
    live++;
  }
  sim_fault_arm(SIM_FAULT_ALLOC, 0); /* counts calls without failing any */
  long schedules_that_grew = 0;
  for (size_t op = 0; op < OPS; op++) {
    /* mostly pending events, now and then a stale handle */
    ref_event *v = &ev[gsl_rng_uniform_int(rng, n)];
    for (int tries = 0; tries < 8 && !v->live; tries++) v = &ev[gsl_rng_uniform_int(rng, n)];
    double u = gsl_rng_uniform(rng);
    if (u < 0.2) {
      wrong += sim_cancel(loop, v->id) != v->live;
      live -= v->live;
      v->live = false;
    } else if (u < 0.8) {
      /* a tenth of reschedules keep the time: a new sequence, same key otherwise */
      sim_time t = gsl_rng_uniform(rng) < 0.1 ? v->t : (sim_time)gsl_rng_uniform_int(rng, 300);
      wrong += sim_reschedule(loop, v->id, t) != v->live;
      if (v->live) {
        v->t = t;
        v->order = order++;
        wrong += sim_event_time(loop, v->id) != t;
      }
    } else {
      long before = sim_fault_calls(SIM_FAULT_ALLOC);
      ev[n] = (ref_event){(sim_time)gsl_rng_uniform_int(rng, 300),
                          (int32_t)gsl_rng_uniform_int(rng, 3), order++, n, true, 0};
      ev[n].id = sim_schedule(loop, ev[n].t, ev[n].prio, note, &log, n);
      CU_ASSERT_FATAL(ev[n].id != SIM_EVENT_NONE);
      schedules_that_grew += sim_fault_calls(SIM_FAULT_ALLOC) != before;
      n++;
      live++;
    }
    wrong += sim_loop_pending(loop) != live;
    if (op % 997 == 0) broken += sim_loop_check(loop) != 0;
  }
  /* only schedule allocates, and only when the pending count reaches a new
   * high: then every array at once (records, their list links, the near
   * heap, the buckets) */
  CU_ASSERT(sim_fault_calls(SIM_FAULT_ALLOC) <= 4 * schedules_that_grew);
  CU_ASSERT(schedules_that_grew <= 4);
  CU_ASSERT_EQUAL(wrong, 0);
  CU_ASSERT_EQUAL(broken, 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (ev[i].live) ev[k++] = ev[i];
  CU_ASSERT_EQUAL_FATAL(k, live);
  qsort(ev, live, sizeof *ev, ref_cmp);
  CU_ASSERT_EQUAL(sim_loop_next_time(loop), live ? ev[0].t : SIM_TIME_MAX);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, live);
  size_t mismatches = 0;
  for (size_t i = 0; i < live; i++)
    mismatches += log.r[i].arg != ev[i].arg || log.r[i].t != ev[i].t;
  CU_ASSERT_EQUAL(mismatches, 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  free(log.r);
  free(ev);
  sim_loop_free(loop);
  gsl_rng_free(rng);
}

/* One handle rescheduled many times leaves a trail of superseded entries:
 * it stays one pending event, fires once at its last time, and a cancel ends
 * it whatever the trail. */
static void test_reschedule_trail(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  log_t log = {0};
  sim_event_id keep = sim_schedule(loop, 1000, 0, note, &log, 1);
  sim_event_id gone = sim_schedule(loop, 1000, 0, note, &log, 2);
  for (sim_time t = 500; t < 1500; t += 7) {
    CU_ASSERT(sim_reschedule(loop, keep, t));
    CU_ASSERT(sim_reschedule(loop, gone, 2000 - t));
  }
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 2);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT(sim_cancel(loop, gone));
  CU_ASSERT_FALSE(sim_event_is_pending(loop, gone));
  CU_ASSERT_FALSE(sim_reschedule(loop, gone, 3000));
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 1);
  CU_ASSERT_EQUAL(sim_loop_next_time(loop), sim_event_time(loop, keep));
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, 1);
  CU_ASSERT_EQUAL(log.r[0].arg, 1);
  CU_ASSERT_EQUAL(log.r[0].t, 1494); /* 500 + 7 * 142, the last time given */
  CU_ASSERT_FALSE(sim_event_is_pending(loop, keep));
  free(log.r);
  sim_loop_free(loop);
}

/* ---- cancel and reschedule during dispatch ---- */

typedef struct scene {
  log_t log;           /* dispatched events */
  sim_event_id id[8];  /* handles by name (index) */
  bool results[10];    /* what the operations returned */
} scene;

enum { EV_A, EV_LATER, EV_SAME, EV_EARLIER, EV_POSTPONED, EV_NOW, EV_OTHER };

static void scene_note(sim_loop *loop, void *ctx, uint64_t arg) {
  scene *s = ctx;
  log_push(&s->log, sim_loop_now(loop), 0, 0, arg);
}

/* At t=10: cancels a later event, cancels one at the same time, moves one
 * earlier and one later, and schedules two at now (one before its own
 * priority would allow in a static order). */
static void scene_a(sim_loop *loop, void *ctx, uint64_t arg) {
  scene *s = ctx;
  log_push(&s->log, sim_loop_now(loop), 0, 0, arg);
  /* the loop as the handler sees it: this event gone, the next at 10 */
  s->results[7] = sim_loop_pending(loop) == 5 && sim_loop_next_time(loop) == 10;
  s->results[0] = sim_cancel(loop, s->id[EV_LATER]);
  s->results[1] = sim_cancel(loop, s->id[EV_SAME]);
  s->results[2] = sim_reschedule(loop, s->id[EV_EARLIER], 15);
  s->results[3] = sim_reschedule(loop, s->id[EV_POSTPONED], 40);
  s->results[4] = !sim_cancel(loop, s->id[EV_A]); /* its own handle is stale */
  s->id[EV_NOW] = sim_schedule(loop, sim_loop_now(loop), -100, scene_note, s, EV_NOW);
  s->results[5] = s->id[EV_NOW] != SIM_EVENT_NONE;
  s->results[6] = sim_loop_check(loop) == 0;
  s->results[8] = sim_loop_pending(loop) == 4 && sim_loop_next_time(loop) == 10;
}

static void test_cancel_and_reschedule_during_dispatch(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  scene s = {0};
  s.id[EV_A] = sim_schedule(loop, 10, 0, scene_a, &s, EV_A);
  s.id[EV_SAME] = sim_schedule(loop, 10, 0, scene_note, &s, EV_SAME);
  s.id[EV_LATER] = sim_schedule(loop, 20, 0, scene_note, &s, EV_LATER);
  s.id[EV_EARLIER] = sim_schedule(loop, 30, 0, scene_note, &s, EV_EARLIER);
  s.id[EV_POSTPONED] = sim_schedule(loop, 12, 0, scene_note, &s, EV_POSTPONED);
  s.id[EV_OTHER] = sim_schedule(loop, 25, 0, scene_note, &s, EV_OTHER);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  for (int i = 0; i < 9; i++) CU_ASSERT(s.results[i]);
  static const struct {
    uint64_t arg;
    sim_time t;
  } want[] = {{EV_A, 10}, {EV_NOW, 10}, {EV_EARLIER, 15}, {EV_OTHER, 25}, {EV_POSTPONED, 40}};
  CU_ASSERT_EQUAL_FATAL(s.log.n, sizeof want / sizeof want[0]);
  for (size_t i = 0; i < s.log.n; i++) {
    CU_ASSERT_EQUAL(s.log.r[i].arg, want[i].arg);
    CU_ASSERT_EQUAL(s.log.r[i].t, want[i].t);
  }
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  free(s.log.r);
  sim_loop_free(loop);
}

/* A reschedule takes a new sequence: among equal (time, priority) it goes last. */
static void test_reschedule_takes_new_sequence(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  log_t log = {0};
  sim_event_id a = sim_schedule(loop, 5, 1, note, &log, 0);
  CU_ASSERT(sim_schedule(loop, 5, 1, note, &log, 1) != SIM_EVENT_NONE);
  CU_ASSERT(sim_reschedule(loop, a, 5));
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, 2);
  CU_ASSERT_EQUAL(log.r[0].arg, 1);
  CU_ASSERT_EQUAL(log.r[1].arg, 0);
  free(log.r);
  sim_loop_free(loop);
}

/* ---- the ladder: long runs against a reference queue ---- */

/* The reference: a binary heap on (time, priority, sequence), written
 * independently of the loop, with cancelled and superseded entries skipped
 * lazily (an entry counts while its sequence is its event's current one). */
typedef struct ref_key {
  sim_time t;   /* ns */
  int32_t prio; /* priority */
  uint64_t seq; /* the loop's sequence, counted the same way */
  uint64_t uid; /* event identity */
} ref_key;

typedef struct ref_heap {
  ref_key *k;     /* heap entries */
  size_t n, cap;  /* entries used, allocated */
} ref_heap;

static bool ref_before(const ref_key *a, const ref_key *b) {
  if (a->t != b->t) return a->t < b->t;
  if (a->prio != b->prio) return a->prio < b->prio;
  return a->seq < b->seq;
}

static void ref_push(ref_heap *h, ref_key k) {
  if (h->n == h->cap) {
    h->cap = h->cap ? 2 * h->cap : 1024;
    h->k = realloc(h->k, h->cap * sizeof *h->k);
    if (!h->k) abort();
  }
  size_t i = h->n++;
  while (i > 0 && ref_before(&k, &h->k[(i - 1) / 2])) {
    h->k[i] = h->k[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->k[i] = k;
}

static void ref_pop(ref_heap *h) {
  ref_key last = h->k[--h->n];
  size_t i = 0;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= h->n) break;
    if (c + 1 < h->n && ref_before(&h->k[c + 1], &h->k[c])) c++;
    if (!ref_before(&h->k[c], &last)) break;
    h->k[i] = h->k[c];
    i = c;
  }
  if (h->n) h->k[i] = last;
}

/* A run: events with increments from one distribution; handlers schedule,
 * cancel and reschedule others.  The trace must follow the reference pop for
 * pop, and sim_loop_next_time, asked inside every handler, its minimum. */
enum { LADDER_EVENTS = 40000 };
typedef enum spread { EXPONENTIAL, INSTANTS, OUTLIERS, UNIFORM, SPREADS } spread;

typedef struct ladder {
  sim_loop *loop;
  gsl_rng *rng;
  spread kind;            /* increment distribution */
  ref_heap ref;           /* the reference queue */
  uint64_t *cur_seq;      /* per uid: sequence of its live entry, 0 when none */
  sim_event_id *id;       /* per uid: its handle */
  uint64_t uids;          /* uids handed out */
  uint64_t next_seq;      /* the loop's next sequence, as the reference counts */
  size_t left;            /* dispatches before the run stops scheduling */
  size_t mismatches;      /* dispatches or next times unlike the reference */
  size_t broken;          /* failed invariant checks */
} ladder;

/* Drops stale entries from the reference's top. */
static void ref_clean(ladder *l) {
  while (l->ref.n && l->cur_seq[l->ref.k[0].uid] != l->ref.k[0].seq) ref_pop(&l->ref);
}

static sim_time ladder_delay(ladder *l) {
  switch (l->kind) {
  case EXPONENTIAL:
    return (sim_time)gsl_ran_exponential(l->rng, 1e9);
  case INSTANTS: /* massive ties: a handful of instants, most of them now */
    return (sim_time)gsl_rng_uniform_int(l->rng, 4) * 1000 * (gsl_rng_uniform(l->rng) < 0.3);
  case OUTLIERS: /* mostly near, now and then near the end of time */
    if (gsl_rng_uniform(l->rng) < 0.01)
      return (SIM_TIME_MAX - sim_loop_now(l->loop)) - (sim_time)gsl_rng_uniform_int(l->rng, 3);
    return (sim_time)gsl_rng_uniform_int(l->rng, 5000);
  default:
    return (sim_time)gsl_rng_uniform_int(l->rng, 1u << 30);
  }
}

static void ladder_step(sim_loop *loop, void *ctx, uint64_t uid);

static void ladder_schedule(ladder *l, sim_time at) {
  uint64_t uid = l->uids++;
  int32_t prio = (int32_t)gsl_rng_uniform_int(l->rng, 3) - 1;
  l->id[uid] = sim_schedule(l->loop, at, prio, ladder_step, l, uid);
  if (l->id[uid] == SIM_EVENT_NONE) abort();
  l->cur_seq[uid] = l->next_seq;
  ref_push(&l->ref, (ref_key){at, prio, l->next_seq++, uid});
}

static void ladder_trace(void *ctx, sim_time t, int32_t prio, uint64_t seq, sim_handler fn,
                         uint64_t uid) {
  (void)fn;
  ladder *l = ctx;
  ref_clean(l);
  if (!l->ref.n) {
    l->mismatches++;
    return;
  }
  ref_key k = l->ref.k[0];
  l->mismatches += k.t != t || k.prio != prio || k.seq != seq || k.uid != uid;
  ref_pop(&l->ref);
  l->cur_seq[uid] = 0;
}

static void ladder_step(sim_loop *loop, void *ctx, uint64_t uid) {
  (void)uid;
  ladder *l = ctx;
  ref_clean(l);
  l->mismatches += sim_loop_next_time(loop) != (l->ref.n ? l->ref.k[0].t : SIM_TIME_MAX);
  if (sim_loop_dispatched(loop) % 4093 == 0) l->broken += sim_loop_check(loop) != 0;
  if (l->left == 0 || l->uids + 2 > 2 * LADDER_EVENTS) return;
  l->left--;
  /* mostly one successor (the hold model), sometimes none or two */
  double u = gsl_rng_uniform(l->rng);
  int successors = u < 0.1 ? 0 : u < 0.2 ? 2 : 1;
  for (int i = 0; i < successors; i++) ladder_schedule(l, sim_loop_now(loop) + ladder_delay(l));
  /* and a cancel or a reschedule of a random event, pending or not */
  uint64_t v = gsl_rng_uniform_int(l->rng, l->uids);
  bool live = l->cur_seq[v] != 0;
  if (gsl_rng_uniform(l->rng) < 0.1) {
    l->mismatches += sim_cancel(loop, l->id[v]) != live;
    l->cur_seq[v] = 0;
  } else if (gsl_rng_uniform(l->rng) < 0.2) {
    sim_time at = sim_loop_now(loop) + ladder_delay(l);
    l->mismatches += sim_reschedule(loop, l->id[v], at) != live;
    if (live) {
      /* the reference's copy: the same priority, a new sequence */
      int32_t prio = 0;
      for (size_t i = 0; i < l->ref.n; i++)
        if (l->ref.k[i].uid == v && l->ref.k[i].seq == l->cur_seq[v]) prio = l->ref.k[i].prio;
      l->cur_seq[v] = l->next_seq;
      ref_push(&l->ref, (ref_key){at, prio, l->next_seq++, v});
      l->mismatches += sim_event_time(loop, l->id[v]) != at;
    }
  }
}

static void run_ladder(spread kind, size_t initial) {
  ladder l = {0};
  l.loop = sim_loop_new();
  l.rng = sim_rng_new(11 + kind, 0, sim_rng_stream_id("test_loop", "ladder"));
  l.cur_seq = calloc(2 * LADDER_EVENTS, sizeof *l.cur_seq);
  l.id = calloc(2 * LADDER_EVENTS, sizeof *l.id);
  CU_ASSERT_FATAL(l.loop && l.rng && l.cur_seq && l.id);
  l.kind = kind;
  l.next_seq = 1;
  l.left = LADDER_EVENTS - initial;
  sim_loop_set_trace(l.loop, ladder_trace, &l);
  for (size_t i = 0; i < initial; i++) ladder_schedule(&l, ladder_delay(&l));
  CU_ASSERT_EQUAL(sim_loop_check(l.loop), 0);
  ref_clean(&l);
  CU_ASSERT_EQUAL(sim_loop_next_time(l.loop), l.ref.n ? l.ref.k[0].t : SIM_TIME_MAX);
  CU_ASSERT_EQUAL(sim_loop_run(l.loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  ref_clean(&l);
  CU_ASSERT_EQUAL(l.ref.n, 0);
  CU_ASSERT(sim_loop_dispatched(l.loop) > LADDER_EVENTS / 2);
  CU_ASSERT_EQUAL(l.mismatches, 0);
  CU_ASSERT_EQUAL(l.broken, 0);
  CU_ASSERT_EQUAL(sim_loop_check(l.loop), 0);
  free(l.ref.k);
  free(l.cur_seq);
  free(l.id);
  gsl_rng_free(l.rng);
  sim_loop_free(l.loop);
}

/* Exponential increments, the hold model's: the first rung's earliest
 * buckets are crowded and split into finer rungs. */
static void test_ladder_exponential(void) { run_ladder(EXPONENTIAL, 5000); }
/* Massive ties: thousands of events at each of a few instants, most of them
 * at now, in buckets that cannot be split. */
static void test_ladder_instants(void) { run_ladder(INSTANTS, 5000); }
/* Outliers at the end of time (up to SIM_TIME_MAX) stretch the first rung's
 * width over everything else. */
static void test_ladder_outliers(void) { run_ladder(OUTLIERS, 5000); }
/* A large pending set: 20000 at once, uniform over a second. */
static void test_ladder_large_uniform(void) { run_ladder(UNIFORM, 20000); }

/* FIFO under massive ties: 10^5 events at one time and priority, and as
 * many scheduled at that same time by their handlers, run in the order they
 * were scheduled. */
typedef struct fifo {
  uint64_t next_arg; /* argument expected next */
  uint64_t given;    /* arguments handed out */
  size_t disorder;   /* dispatches out of scheduling order */
} fifo;

static void fifo_step(sim_loop *loop, void *ctx, uint64_t arg) {
  fifo *f = ctx;
  f->disorder += arg != f->next_arg++;
  if (arg % 2 == 0 && sim_schedule(loop, sim_loop_now(loop), 3, fifo_step, f, f->given++) ==
                          SIM_EVENT_NONE)
    abort();
}

static void test_fifo_under_massive_ties(void) {
  enum { N = 100000 };
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  fifo f = {0};
  for (; f.given < N;)
    CU_ASSERT_FATAL(sim_schedule(loop, 5 * SIM_S, 3, fifo_step, &f, f.given++) != SIM_EVENT_NONE);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(f.disorder, 0);
  CU_ASSERT_EQUAL(f.next_arg, f.given);
  CU_ASSERT(f.given >= 2 * N - 1);
  CU_ASSERT_EQUAL(sim_loop_now(loop), 5 * SIM_S);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
}

/* A crowd at one instant, as a data center's hosts all due at once: one
 * event at the end of the run stretches the first rung, so the crowd shares
 * a bucket no finer rung can part.  Each crowd member's handler schedules,
 * at that instant, two events ahead of the crowd (a lower priority) and one
 * behind it (its priority: FIFO); the near tier must stay a sorted run
 * throughout (a heap would cost O(log n) a dispatch), moving to make room
 * at the crowd's end more than once, and the order must follow a reference
 * queue.  Then a crowd whose successors fall in its middle (a priority
 * between) makes a heap, in the same order as the reference. */
typedef struct crowd {
  ref_heap ref;         /* the reference queue */
  uint64_t next_seq;    /* the loop's next sequence, as the reference counts */
  uint64_t uids;        /* uids handed out */
  uint64_t spawning;    /* uids handed out up to which crowd members schedule
                           successors */
  int32_t behind;       /* priority of the successor scheduled after the others */
  size_t mismatches;    /* dispatches unlike the reference */
  size_t heap_dispatches; /* dispatches while the near tier was a heap */
  size_t broken;        /* failed invariant checks */
} crowd;

static void crowd_step(sim_loop *loop, void *ctx, uint64_t uid);

/* An event; its argument is its uid, doubled, plus one for a crowd member. */
static void crowd_schedule(sim_loop *loop, crowd *c, sim_time at, int32_t prio, bool member) {
  uint64_t uid = 2 * c->uids++ + member;
  if (sim_schedule(loop, at, prio, crowd_step, c, uid) == SIM_EVENT_NONE) abort();
  ref_push(&c->ref, (ref_key){at, prio, c->next_seq++, uid});
}

static void crowd_step(sim_loop *loop, void *ctx, uint64_t uid) {
  crowd *c = ctx;
  c->mismatches += !c->ref.n || c->ref.k[0].uid != uid || c->ref.k[0].t != sim_loop_now(loop);
  if (c->ref.n) ref_pop(&c->ref);
  c->heap_dispatches += sim_loop_near_heap_entries(loop) != 0;
  if (sim_loop_dispatched(loop) % 997 == 0) c->broken += sim_loop_check(loop) != 0;
  if (!(uid & 1) || c->uids >= c->spawning) return;
  crowd_schedule(loop, c, sim_loop_now(loop), 0, false);
  crowd_schedule(loop, c, sim_loop_now(loop), 0, false);
  crowd_schedule(loop, c, sim_loop_now(loop), c->behind, true);
}

static void test_crowd_at_one_instant_stays_a_run(void) {
  enum { N = 5000 };
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  crowd c = {.next_seq = 1, .spawning = 4 * N, .behind = 2};
  crowd_schedule(loop, &c, 100 * SIM_S, 0, false); /* the end of the run */
  for (int i = 0; i < N; i++) crowd_schedule(loop, &c, 1 * SIM_S, 2, true);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 50 * SIM_S), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(c.mismatches, 0);
  CU_ASSERT_EQUAL(c.heap_dispatches, 0);
  CU_ASSERT_EQUAL(c.broken, 0);
  CU_ASSERT_EQUAL(c.ref.n, 1); /* the end of the run */
  CU_ASSERT(sim_loop_dispatched(loop) >= 4 * N - 1);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  /* successors between the crowd's two priorities */
  c.spawning = c.uids + N;
  c.behind = 1;
  for (int i = 0; i < N; i++) crowd_schedule(loop, &c, 60 * SIM_S, 2 * (i % 2), true);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(c.mismatches, 0);
  CU_ASSERT(c.heap_dispatches > 0);
  CU_ASSERT_EQUAL(c.broken, 0);
  CU_ASSERT_EQUAL(c.ref.n, 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  free(c.ref.k);
  sim_loop_free(loop);
}

/* Growth and shrink: the pending set grows to 30000, drains to a few, and
 * grows again; the second growth allocates nothing, and every event runs in
 * time order (distinct times). */
static void test_growth_and_shrink(void) {
  enum { N = 30000 };
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  log_t log = {0};
  /* times 10^6 * (i * 7919 mod N): distinct, scheduled in no order */
  for (uint64_t i = 0; i < N; i++)
    CU_ASSERT_FATAL(sim_schedule(loop, SIM_MS * (sim_time)((i * 7919) % N), 0, note, &log, i) !=
                    SIM_EVENT_NONE);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  /* drain all but the last 5 */
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_MS * (N - 6)), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 5);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_fault_arm(SIM_FAULT_ALLOC, 0); /* counts calls without failing any */
  for (uint64_t i = 0; i < N - 5; i++)
    CU_ASSERT_FATAL(sim_schedule(loop, SIM_MS * (sim_time)(N + (i * 7919) % (N - 5)), 0, note,
                                 &log, N + i) != SIM_EVENT_NONE);
  CU_ASSERT_EQUAL(sim_fault_calls(SIM_FAULT_ALLOC), 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, 2 * N - 5);
  size_t disorder = 0;
  for (size_t i = 0; i < log.n; i++) disorder += log.r[i].t != SIM_MS * (sim_time)i;
  CU_ASSERT_EQUAL(disorder, 0);
  free(log.r);
  sim_loop_free(loop);
}

/* ---- handles ---- */

/* Inside a handler, before it schedules anything, the dispatched event's
 * place at the root is a placeholder, and the events it cancels may lie just
 * below it: sim_loop_next_time still names the earliest pending event. */
typedef struct peek {
  sim_event_id id[64]; /* handles, by time rank */
  sim_time seen[3];    /* ns: next time after 0, 10 and 40 cancels */
  int checks;          /* failed invariant checks */
} peek;

static void peek_cancel(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  peek *p = ctx;
  p->seen[0] = sim_loop_next_time(loop);
  for (int i = 1; i <= 40; i++) {
    CU_ASSERT(sim_cancel(loop, p->id[i]));
    if (i == 10) p->seen[1] = sim_loop_next_time(loop);
    if (sim_loop_check(loop) != 0) p->checks++;
  }
  p->seen[2] = sim_loop_next_time(loop);
}

static void test_next_time_under_placeholder(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  peek p = {0};
  log_t log = {0};
  p.id[0] = sim_schedule(loop, 1, 0, peek_cancel, &p, 0);
  for (int i = 1; i < 64; i++) {
    /* scheduled in reverse time order, so the heap is not sorted by index */
    int k = 64 - i;
    p.id[k] = sim_schedule(loop, 10 + k, 0, note, &log, (uint64_t)k);
  }
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(p.seen[0], 11);
  CU_ASSERT_EQUAL(p.seen[1], 21);
  CU_ASSERT_EQUAL(p.seen[2], 51);
  CU_ASSERT_EQUAL(p.checks, 0);
  CU_ASSERT_EQUAL_FATAL(log.n, 23);
  for (size_t i = 0; i < log.n; i++) CU_ASSERT_EQUAL(log.r[i].arg, 41 + i);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  free(log.r);
  sim_loop_free(loop);
}

static void test_stale_handles_are_refused(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  log_t log = {0};
  CU_ASSERT_FALSE(sim_cancel(loop, SIM_EVENT_NONE));
  CU_ASSERT_FALSE(sim_event_is_pending(loop, SIM_EVENT_NONE));
  CU_ASSERT_FALSE(sim_cancel(loop, ((sim_event_id)1 << 32) | 1000)); /* record never used */

  sim_event_id a = sim_schedule(loop, 1, 0, note, &log, 1);
  CU_ASSERT(sim_event_is_pending(loop, a));
  CU_ASSERT_EQUAL(sim_event_time(loop, a), 1);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  /* dispatched: stale */
  CU_ASSERT_FALSE(sim_event_is_pending(loop, a));
  CU_ASSERT_FALSE(sim_cancel(loop, a));
  CU_ASSERT_FALSE(sim_reschedule(loop, a, 5));
  CU_ASSERT_EQUAL(sim_event_time(loop, a), SIM_TIME_MAX);

  /* the next event reuses the record: the old handle must not reach it */
  sim_event_id b = sim_schedule(loop, 3, 0, note, &log, 2);
  CU_ASSERT_NOT_EQUAL(a, b);
  CU_ASSERT_EQUAL(a & 0xffffffffu, b & 0xffffffffu); /* same record, by design of the pool */
  CU_ASSERT_FALSE(sim_cancel(loop, a));
  CU_ASSERT_FALSE(sim_reschedule(loop, a, 9));
  CU_ASSERT(sim_event_is_pending(loop, b));
  CU_ASSERT_EQUAL(sim_event_time(loop, b), 3);
  /* cancelled: stale too, and only once */
  CU_ASSERT(sim_cancel(loop, b));
  CU_ASSERT_FALSE(sim_cancel(loop, b));
  CU_ASSERT_FALSE(sim_event_is_pending(loop, b));
  sim_event_id c = sim_schedule(loop, 4, 0, note, &log, 3);
  CU_ASSERT_FALSE(sim_cancel(loop, a));
  CU_ASSERT_FALSE(sim_cancel(loop, b));
  CU_ASSERT(sim_event_is_pending(loop, c));
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 1);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, 2);
  CU_ASSERT_EQUAL(log.r[1].arg, 3);
  free(log.r);
  sim_loop_free(loop);
}

/* ---- determinism ---- */

typedef struct model {
  gsl_rng *rng;   /* the model's stream */
  uint64_t left;  /* events still to schedule */
} model;

/* A small stochastic model: each event schedules up to two successors at
 * exponential delays (some at now) with random priorities, and sometimes
 * cancels a pending one. */
static void model_step(sim_loop *loop, void *ctx, uint64_t arg) {
  model *m = ctx;
  for (int k = 0; k < 2 && m->left > 0; k++) {
    m->left--;
    sim_time d = gsl_rng_uniform(m->rng) < 0.1 ? 0 : (sim_time)gsl_ran_exponential(m->rng, 1000.0);
    sim_event_id id = sim_schedule_in(loop, d, (int32_t)gsl_rng_uniform_int(m->rng, 3), model_step,
                                      m, arg + 1);
    if (id == SIM_EVENT_NONE) abort();
    if (gsl_rng_uniform(m->rng) < 0.05) sim_cancel(loop, id);
  }
}

static void run_model(uint64_t seed, log_t *trace) {
  model m = {sim_rng_new(seed, 0, sim_rng_stream_id("model", "steps")), 5000};
  sim_loop *loop = sim_loop_new();
  if (!m.rng || !loop) abort();
  sim_loop_set_trace(loop, trace_into_log, trace);
  for (uint64_t i = 0; i < 10; i++)
    if (sim_schedule(loop, (sim_time)i, 0, model_step, &m, 0) == SIM_EVENT_NONE) abort();
  sim_loop_run(loop, SIM_TIME_MAX);
  sim_loop_free(loop);
  gsl_rng_free(m.rng);
}

static bool same_trace(const log_t *a, const log_t *b) {
  if (a->n != b->n) return false;
  for (size_t i = 0; i < a->n; i++)
    if (a->r[i].t != b->r[i].t || a->r[i].prio != b->r[i].prio || a->r[i].seq != b->r[i].seq ||
        a->r[i].arg != b->r[i].arg)
      return false;
  return true;
}

static void test_same_seed_same_trace(void) {
  log_t a = {0}, b = {0}, c = {0};
  run_model(7, &a);
  run_model(7, &b);
  run_model(8, &c);
  CU_ASSERT(a.n > 1000);
  CU_ASSERT(same_trace(&a, &b));
  CU_ASSERT_FALSE(same_trace(&a, &c));
  /* the trace itself is ordered by (time, priority, sequence) */
  size_t out_of_order = 0;
  for (size_t i = 1; i < a.n; i++) {
    const record *p = &a.r[i - 1], *q = &a.r[i];
    /* a handler may schedule at now with a lower priority: it runs next, so
     * (prio, seq) is not monotone; but an event q scheduled before p (lower
     * seq) was pending when p ran, and so must have come after it by
     * priority */
    out_of_order += q->t < p->t || (q->t == p->t && q->seq < p->seq && q->prio <= p->prio);
  }
  CU_ASSERT_EQUAL(out_of_order, 0);
  free(a.r);
  free(b.r);
  free(c.r);
}

/* ---- out of memory ---- */

static void test_out_of_memory(void) {
  sim_fault_arm(SIM_FAULT_ALLOC, 1);
  CU_ASSERT_PTR_NULL(sim_loop_new());
  sim_fault_arm(SIM_FAULT_ALLOC, 0);

  /* fail the nth allocation for every n reached by 300 schedules (the pool
   * and the heap grow several times on the way) */
  for (long nth = 1;; nth++) {
    sim_loop *loop = sim_loop_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
    log_t log = {0};
    sim_fault_arm(SIM_FAULT_ALLOC, nth);
    size_t ok = 0, failed = 0;
    for (uint64_t i = 0; i < 300; i++) {
      /* descending times, so the order of dispatch is the reverse of scheduling */
      sim_event_id id = sim_schedule(loop, 1000 - (sim_time)i, 0, note, &log, i);
      if (id == SIM_EVENT_NONE) {
        failed++;
        CU_ASSERT_EQUAL(sim_loop_pending(loop), ok);
        CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
      } else {
        ok++;
      }
    }
    long calls = sim_fault_calls(SIM_FAULT_ALLOC);
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
    CU_ASSERT_EQUAL(ok + failed, 300);
    CU_ASSERT(failed <= 1);
    CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
    CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
    CU_ASSERT_EQUAL(log.n, ok);
    for (size_t i = 1; i < log.n; i++) CU_ASSERT(log.r[i].t > log.r[i - 1].t);
    free(log.r);
    sim_loop_free(loop);
    if (calls < nth) {
      CU_ASSERT_EQUAL(failed, 0); /* every allocation point was covered */
      CU_ASSERT(nth > 3);
      break;
    }
    CU_ASSERT_EQUAL(failed, 1);
  }
}

/* Steady state: equal priorities and many equal times, so the order rests on
 * the sequence (looked up in the records on every tie); over 10^5 events the
 * trace stays strictly ordered by (time, sequence), the invariants hold, and
 * nothing is allocated. */
typedef struct steady {
  sim_time last_t;   /* ns: time of the previous dispatch */
  uint64_t last_seq; /* its sequence */
  size_t disorder;   /* dispatches out of (time, sequence) order */
  size_t broken;     /* failed invariant checks */
} steady;

static void steady_trace(void *ctx, sim_time t, int32_t prio, uint64_t seq, sim_handler fn,
                         uint64_t arg) {
  (void)prio;
  (void)fn;
  (void)arg;
  steady *st = ctx;
  if (t < st->last_t || (t == st->last_t && seq <= st->last_seq)) st->disorder++;
  st->last_t = t;
  st->last_seq = seq;
}

static void self_resched(sim_loop *loop, void *ctx, uint64_t arg) {
  steady *st = ctx;
  if (sim_loop_dispatched(loop) % 997 == 0 && sim_loop_check(loop) != 0) st->broken++;
  if (arg > 0 && sim_schedule_in(loop, 7, 0, self_resched, st, arg - 1) == SIM_EVENT_NONE) abort();
}

static void test_steady_state_allocates_nothing(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  steady st = {0};
  sim_loop_set_trace(loop, steady_trace, &st);
  for (uint64_t i = 0; i < 100; i++)
    CU_ASSERT(sim_schedule(loop, (sim_time)(i % 7), 0, self_resched, &st, 1000) != SIM_EVENT_NONE);
  sim_fault_arm(SIM_FAULT_ALLOC, 0); /* counts calls without failing any */
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(sim_fault_calls(SIM_FAULT_ALLOC), 0);
  CU_ASSERT_EQUAL(sim_loop_dispatched(loop), 100 * 1001);
  CU_ASSERT_EQUAL(st.disorder, 0);
  CU_ASSERT_EQUAL(st.broken, 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
}

/* ---- programming errors ---- */

#ifndef NDEBUG
static void noop(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop;
  (void)ctx;
  (void)arg;
}

/* Scheduling in the past aborts (asserts are on in this build). */
static void test_schedule_in_past_asserts(void) {
  fflush(NULL);
  pid_t pid = fork();
  CU_ASSERT_FATAL(pid >= 0);
  if (pid == 0) {
    /* silence the assertion message in the test log */
    if (!freopen("/dev/null", "w", stderr)) _exit(3);
    sim_loop *loop = sim_loop_new();
    if (!loop || sim_schedule(loop, 10, 0, noop, NULL, 0) == SIM_EVENT_NONE) _exit(3);
    sim_loop_run(loop, SIM_TIME_MAX);
    sim_schedule(loop, 9, 0, noop, NULL, 0);
    _exit(0);
  }
  int status = 0;
  CU_ASSERT_EQUAL_FATAL(waitpid(pid, &status, 0), pid);
  CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}
#endif

int register_tests(void) {
  static const test_case order_tests[] = {
      {"ties: time, then priority, then sequence", test_ties_time_priority_sequence},
      {"randomized against a reference sort", test_random_against_reference_sort},
      {"reschedule takes a new sequence", test_reschedule_takes_new_sequence},
      {"cancel churn, then compaction, keeps order", test_cancel_churn_then_compaction_keeps_order},
      {"a rescheduled handle's trail of entries", test_reschedule_trail},
      {NULL, NULL}};
  static const test_case dispatch_tests[] = {
      {"cancel and reschedule during dispatch", test_cancel_and_reschedule_during_dispatch},
      {"stale handles are refused", test_stale_handles_are_refused},
      {"next time under the dispatched event's placeholder", test_next_time_under_placeholder},
      {"same seed, same trace", test_same_seed_same_trace},
#ifndef NDEBUG
      {"scheduling in the past asserts", test_schedule_in_past_asserts},
#endif
      {NULL, NULL}};
  static const test_case memory_tests[] = {
      {"growth and shrink", test_growth_and_shrink},
      {"out of memory at every allocation", test_out_of_memory},
      {"steady state allocates nothing", test_steady_state_allocates_nothing},
      {NULL, NULL}};
  static const test_case ladder_tests[] = {
      {"exponential increments against a reference", test_ladder_exponential},
      {"massive ties at a few instants against a reference", test_ladder_instants},
      {"outliers at the end of time against a reference", test_ladder_outliers},
      {"a large uniform pending set against a reference", test_ladder_large_uniform},
      {"FIFO order under massive ties", test_fifo_under_massive_ties},
      {"a crowd at one instant stays a sorted run", test_crowd_at_one_instant_stays_a_run},
      {NULL, NULL}};
  return add_suite("loop order", order_tests) || add_suite("loop ladder", ladder_tests) || add_suite("loop dispatch", dispatch_tests) ||
         add_suite("loop memory", memory_tests);
}
