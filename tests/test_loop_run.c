/* tests/test_loop_run.c: the event loop's runs (sim/loop.h): time limits,
 * a stop from a handler and resumption, an empty loop, a crowd at one
 * instant sorted from stretches in either order, and a long run with
 * cancellations and reschedules cut into slices by limits and stops, which
 * must dispatch exactly what one uninterrupted run does (the run loop's
 * common path tests neither the limit nor the stop itself: both clear its
 * flag, see sim/loop_internal.h set_sorted), and room reserved ahead
 * (sim_loop_reserve), which must spare growth and change no order.  Every
 * test ends by checking the queue's invariants with sim_loop_check.  Built twice by CMake: as is,
 * and with the smallest tuning, so that limits fall in every kind of bucket.
 * Units: times in ns. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "sim/alloc.h"
#include "sim/loop.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"

/* ---- a log of dispatched events ---- */

typedef struct record {
  sim_time t;   /* ns: loop time at dispatch */
  uint64_t arg; /* handler argument */
} record;

typedef struct log {
  record *r;  /* dispatched events, in order */
  size_t n;   /* records used */
  size_t cap; /* records allocated */
} log_t;

static void log_push(log_t *log, sim_time t, uint64_t arg) {
  if (log->n == log->cap) {
    log->cap = log->cap ? 2 * log->cap : 64;
    log->r = realloc(log->r, log->cap * sizeof *log->r);
    if (!log->r) abort();
  }
  log->r[log->n++] = (record){t, arg};
}

/* A handler that records its argument and the loop time in the log (ctx). */
static void note(sim_loop *loop, void *ctx, uint64_t arg) {
  log_push(ctx, sim_loop_now(loop), arg);
}

/* ---- limits, stops, an empty loop ---- */

static void test_run_until_limit(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  log_t log = {0};
  CU_ASSERT(sim_schedule(loop, 10, 0, note, &log, 0) != SIM_EVENT_NONE);
  CU_ASSERT(sim_schedule(loop, 25, 0, note, &log, 1) != SIM_EVENT_NONE); /* exactly at the limit */
  CU_ASSERT(sim_schedule(loop, 30, 0, note, &log, 2) != SIM_EVENT_NONE);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 25), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(log.n, 2);
  CU_ASSERT_EQUAL(sim_loop_now(loop), 25);
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 1);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 28), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(sim_loop_now(loop), 28); /* advanced with nothing dispatched */
  CU_ASSERT_EQUAL(log.n, 2);
  /* scheduling relative to the advanced clock */
  CU_ASSERT(sim_schedule_in(loop, 1, 0, note, &log, 3) != SIM_EVENT_NONE);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, 4);
  CU_ASSERT_EQUAL(log.r[2].arg, 3);
  CU_ASSERT_EQUAL(log.r[2].t, 29);
  CU_ASSERT_EQUAL(log.r[3].t, 30);
  CU_ASSERT_EQUAL(sim_loop_now(loop), 30);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  free(log.r);
  sim_loop_free(loop);
}

static void stop_at_arg_2(sim_loop *loop, void *ctx, uint64_t arg) {
  note(loop, ctx, arg);
  if (arg == 2) sim_loop_stop(loop);
}

static void test_stop_from_handler_and_resume(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  log_t log = {0};
  for (uint64_t i = 0; i < 5; i++)
    CU_ASSERT(sim_schedule(loop, 100 + 10 * (sim_time)i, 0, stop_at_arg_2, &log, i) != 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_STOPPED);
  CU_ASSERT_EQUAL(log.n, 3);
  CU_ASSERT_EQUAL(sim_loop_now(loop), 120);
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 2);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  /* a stop requested outside a run does not carry into the next one */
  sim_loop_stop(loop);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(log.n, 5);
  for (size_t i = 0; i < 5; i++) CU_ASSERT_EQUAL(log.r[i].arg, i);
  CU_ASSERT_EQUAL(sim_loop_dispatched(loop), 5);
  free(log.r);
  sim_loop_free(loop);
}

static void test_empty_run(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 1000), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(sim_loop_now(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_dispatched(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  sim_loop_free(NULL);
}

/* ---- a long run in slices ---- */

/* The hold model with churn: each event schedules its successor (ties
 * frequent: increments of a few hundred ns, some 0, three priorities), and
 * sometimes reschedules or cancels the successor it just made, so that dead
 * entries lie in buckets and in the near tier.  A stop is requested at
 * every `stop_every`-th event (0: never). */
typedef struct churn {
  gsl_rng *rng;       /* the model's stream */
  log_t log;          /* dispatched events */
  uint64_t left;      /* events still to schedule */
  uint64_t stop_every; /* events between stops; 0 for none */
} churn;

static void churn_step(sim_loop *loop, void *ctx, uint64_t arg) {
  churn *m = ctx;
  log_push(&m->log, sim_loop_now(loop), arg);
  if (m->stop_every && m->log.n % m->stop_every == 0) sim_loop_stop(loop);
  if (m->left == 0) return;
  m->left--;
  sim_time d = (sim_time)gsl_rng_uniform_int(m->rng, 400);
  sim_event_id id = sim_schedule_in(loop, d, (int32_t)gsl_rng_uniform_int(m->rng, 3), churn_step,
                                    m, arg + 1);
  if (id == SIM_EVENT_NONE) abort();
  double u = gsl_rng_uniform(m->rng);
  if (u < 0.05) {
    CU_ASSERT(sim_reschedule(loop, id, sim_loop_now(loop) + d + 50));
  } else if (u < 0.07) {
    CU_ASSERT(sim_cancel(loop, id));
    /* a fresh one instead, so that the pending count holds */
    if (sim_schedule_in(loop, d / 2, 0, churn_step, m, arg + 1) == SIM_EVENT_NONE) abort();
  }
}

/* A loop of `pending` churn events at random times in [0, 10^5) ns. */
static sim_loop *churn_loop(churn *m, size_t pending, uint64_t steps, uint64_t stop_every) {
  *m = (churn){sim_rng_new(11, 0, sim_rng_stream_id("loop-run", "churn")), {0}, steps, stop_every};
  sim_loop *loop = sim_loop_new();
  if (!m->rng || !loop) abort();
  for (size_t i = 0; i < pending; i++)
    if (sim_schedule(loop, (sim_time)gsl_rng_uniform_int(m->rng, 100000), 0, churn_step, m,
                     i * 1000000) == SIM_EVENT_NONE)
      abort();
  return loop;
}

static void test_slices_match_one_run(void) {
  enum { PENDING = 2000, STEPS = 60000 };
  churn whole, sliced;
  sim_loop *a = churn_loop(&whole, PENDING, STEPS, 0);
  CU_ASSERT_EQUAL(sim_loop_run(a, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(sim_loop_check(a), 0);
  CU_ASSERT_EQUAL_FATAL(whole.log.n, PENDING + STEPS);

  /* limits a random few tens of ns apart, often inside a bucket moved into
   * the near tier, and a stop every 997 events */
  sim_loop *b = churn_loop(&sliced, PENDING, STEPS, 997);
  gsl_rng *cut = sim_rng_new(12, 0, sim_rng_stream_id("loop-run", "cuts"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(cut);
  sim_time limit = 0;
  size_t limits = 0, stops = 0, bad_clock = 0, bad_check = 0, early = 0;
  for (;;) {
    limit += (sim_time)gsl_rng_uniform_int(cut, 100);
    size_t before = sliced.log.n;
    sim_run_status st = sim_loop_run(b, limit);
    if (st == SIM_RUN_EMPTY) break;
    if (st == SIM_RUN_TIME_LIMIT) {
      limits++;
      bad_clock += sim_loop_now(b) != limit;
      early += sim_loop_next_time(b) <= limit; /* an event within the limit left */
    } else {
      stops++;
      bad_clock += sim_loop_now(b) > limit;
      limit = sim_loop_now(b); /* the next slice starts from the stop */
    }
    /* every event dispatched in the slice was within it */
    for (size_t i = before; i < sliced.log.n; i++) early += sliced.log.r[i].t > limit;
    bad_check += sim_loop_check(b) != 0;
  }
  CU_ASSERT(limits > 1000);
  CU_ASSERT(stops > 10);
  CU_ASSERT_EQUAL(bad_clock, 0);
  CU_ASSERT_EQUAL(early, 0);
  CU_ASSERT_EQUAL(bad_check, 0);
  CU_ASSERT_EQUAL(sim_loop_check(b), 0);
  CU_ASSERT_EQUAL_FATAL(sliced.log.n, whole.log.n);
  size_t differ = 0;
  for (size_t i = 0; i < whole.log.n; i++)
    differ += sliced.log.r[i].t != whole.log.r[i].t || sliced.log.r[i].arg != whole.log.r[i].arg;
  CU_ASSERT_EQUAL(differ, 0);
  CU_ASSERT_EQUAL(sim_loop_dispatched(b), sim_loop_dispatched(a));
  sim_loop_free(a);
  sim_loop_free(b);
  gsl_rng_free(whole.rng);
  gsl_rng_free(sliced.rng);
  gsl_rng_free(cut);
  free(whole.log.r);
  free(sliced.log.r);
}

/* ---- a crowd at one instant ---- */

/* A crowd of one instant reaches the sort of a long run (sim/loop_long_run.c)
 * as stretches in order and in reverse (each move from list to list
 * reverses a bucket), here with a few priorities mixed in: it must
 * dispatch by priority, then sequence, exactly.  Argument: (priority << 32) | sequence among those
 * scheduled. */
static void run_crowd(uint64_t outliers, bool mixed) {
  enum { CROWD = 3000 };
  sim_loop *loop = sim_loop_new();
  gsl_rng *rng = sim_rng_new(13, 0, sim_rng_stream_id("loop-run", "crowd"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rng);
  log_t log = {0};
  /* outliers spread the first rung wide, so that the crowd's bucket is
   * split into finer rungs (more moves) before it is sorted */
  for (uint64_t i = 0; i < outliers; i++)
    CU_ASSERT(sim_schedule(loop, (sim_time)(i * 1000003), 0, note, &log, UINT64_MAX) !=
              SIM_EVENT_NONE);
  for (uint64_t i = 0; i < CROWD; i++) {
    /* one priority, or mostly one: long stretches, a few others between */
    uint64_t prio = mixed && gsl_rng_uniform_int(rng, 10) == 0 ? gsl_rng_uniform_int(rng, 3) : 1;
    CU_ASSERT(sim_schedule(loop, 777777, (int32_t)prio, note, &log, prio << 32 | i) !=
              SIM_EVENT_NONE);
  }
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL_FATAL(log.n, CROWD + outliers);
  size_t crowd = 0;
  uint64_t last = 0;
  for (size_t i = 0; i < log.n; i++) {
    if (log.r[i].arg == UINT64_MAX) continue;
    CU_ASSERT_EQUAL(log.r[i].t, 777777);
    /* priority in the high half, sequence in the low: ascending overall */
    if (crowd++ > 0) CU_ASSERT(log.r[i].arg > last);
    last = log.r[i].arg;
  }
  CU_ASSERT_EQUAL(crowd, CROWD);
  free(log.r);
  gsl_rng_free(rng);
  sim_loop_free(loop);
}

/* Alone, the crowd moves once (top list to a rung of one bucket); with
 * outliers, more often: its stretches come in both orders. */
static void test_crowd_dispatches_in_order(void) {
  run_crowd(0, false);
  run_crowd(8, false);
  run_crowd(0, true);
}

/* ---- reserved room ---- */

/* Schedules `n` events into `loop`, a crowd at now of two priorities and
 * the rest spread (a data center's start); returns the allocations made. */
static long schedule_start(sim_loop *loop, log_t *log, uint64_t n) {
  sim_fault_arm(SIM_FAULT_ALLOC, 0); /* counts calls without failing any */
  for (uint64_t i = 0; i < n; i++) {
    sim_time at = sim_loop_now(loop) + (i % 3 ? 0 : (sim_time)((i * 7919) % 1000));
    CU_ASSERT_FATAL(sim_schedule(loop, at, (int32_t)(i % 2), note, log, i) != SIM_EVENT_NONE);
  }
  return sim_fault_calls(SIM_FAULT_ALLOC);
}

/* A loop with room reserved schedules that many events without allocating,
 * and dispatches them exactly as a loop that grew on its own. */
static void test_reserve_spares_growth(void) {
  enum { N = 3000 };
  sim_loop *grown = sim_loop_new(), *reserved = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(grown);
  CU_ASSERT_PTR_NOT_NULL_FATAL(reserved);
  log_t a = {0}, b = {0};
  CU_ASSERT_EQUAL(sim_loop_reserve(reserved, N), 0);
  CU_ASSERT_EQUAL(sim_loop_reserve(reserved, N / 2), 0); /* less: nothing to do */
  CU_ASSERT_EQUAL(sim_loop_reserve(reserved, SIZE_MAX), -1);
  CU_ASSERT_EQUAL(sim_loop_check(reserved), 0);
  CU_ASSERT(schedule_start(grown, &a, N) > 0);
  CU_ASSERT_EQUAL(schedule_start(reserved, &b, N), 0);
  CU_ASSERT_EQUAL(sim_loop_check(reserved), 0);
  CU_ASSERT_EQUAL(sim_loop_run(grown, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(sim_loop_run(reserved, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(a.n, N);
  CU_ASSERT_EQUAL_FATAL(b.n, N);
  for (size_t i = 0; i < N; i++) {
    CU_ASSERT_EQUAL(a.r[i].t, b.r[i].t);
    CU_ASSERT_EQUAL(a.r[i].arg, b.r[i].arg);
  }
  /* beyond the reserved room, growth goes on as usual */
  CU_ASSERT(schedule_start(reserved, &b, 4 * N) > 0);
  CU_ASSERT_EQUAL(sim_loop_pending(reserved), 4 * N);
  CU_ASSERT_EQUAL(sim_loop_check(reserved), 0);
  free(a.r);
  free(b.r);
  sim_loop_free(grown);
  sim_loop_free(reserved);
}

int register_tests(void) {
  static const test_case run_tests[] = {
      {"run until a limit", test_run_until_limit},
      {"stop from a handler and resume", test_stop_from_handler_and_resume},
      {"empty run", test_empty_run},
      {"a long run in slices dispatches as one run", test_slices_match_one_run},
      {"a crowd at one instant dispatches in order", test_crowd_dispatches_in_order},
      {"reserved room spares growth, changes no order", test_reserve_spares_growth},
      {NULL, NULL}};
  return add_suite("loop runs", run_tests);
}
