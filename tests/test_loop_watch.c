/* tests/test_loop_watch.c: the event loop's checkpoint (sim/loop.h
 * sim_loop_set_checkpoint, sim/loop_watch.c): called after exactly the
 * dispatches it asks for, at the time of the last of them; never skipped
 * when a run is cut by time limits, by stops from handlers or from the
 * checkpoint itself, or when the loop runs empty; the loop's common path
 * stays in use beside it (where a trace leaves it); the event order is the
 * same with it, with a trace and with neither; re-armed, replaced and
 * ended as the API says.  Every test ends by checking the queue's
 * invariants with sim_loop_check, which covers the countdown.  Built twice
 * by CMake: as is, and with the smallest tuning (heaps, splits and limits
 * in every kind of bucket).  Units: times in ns, counts in dispatches. */
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "sim/loop.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"

/* ---- a workload: hold steps with random increments ---- */

enum { STREAMS = 64, STEPS = 4000 };

/* The hold model: STREAMS events pending; each dispatch schedules its
 * stream's next, an exponential increment later, until STEPS dispatches
 * are logged.  Logs each dispatch (time, stream) and whether the loop was
 * on its common path when the handler ran. */
typedef struct workload {
  gsl_rng *rng;
  sim_time *t;        /* ns: time of each dispatch, in order */
  uint64_t *arg;      /* stream of each dispatch */
  size_t n;           /* dispatches logged */
  size_t plain;       /* dispatches whose handler saw sim_loop_is_plain */
  size_t stop_every;  /* a handler stops the run after this many dispatches; 0: never */
} workload;

static void hold_step(sim_loop *loop, void *ctx, uint64_t arg) {
  workload *w = ctx;
  CU_ASSERT_FATAL(w->n < STEPS);
  w->t[w->n] = sim_loop_now(loop);
  w->arg[w->n] = arg;
  w->n++;
  w->plain += sim_loop_is_plain(loop);
  if (w->stop_every && w->n % w->stop_every == 0) sim_loop_stop(loop);
  if (w->n + STREAMS <= STEPS) {
    sim_time dt = 1 + (sim_time)gsl_ran_exponential(w->rng, 1000.0);
    sim_event_id id = sim_schedule_in(loop, dt, (int32_t)(arg % 3), hold_step, w, arg);
    CU_ASSERT_FATAL(id != SIM_EVENT_NONE);
    /* now and then a reschedule, whose dead entry takes the loop off its
     * common path for a while */
    if (w->n % 97 == 0) CU_ASSERT(sim_reschedule(loop, id, sim_loop_now(loop) + 2 * dt));
  }
}

static sim_loop *workload_start(workload *w) {
  w->rng = sim_rng_new(7, 0, sim_rng_stream_id("loop-watch", "hold"));
  w->t = calloc(STEPS, sizeof *w->t);
  w->arg = calloc(STEPS, sizeof *w->arg);
  CU_ASSERT_FATAL(w->rng && w->t && w->arg);
  w->n = w->plain = w->stop_every = 0;
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  for (uint64_t s = 0; s < STREAMS; s++)
    CU_ASSERT_FATAL(sim_schedule(loop, (sim_time)(s * 37 % 500), 0, hold_step, w, s) !=
                    SIM_EVENT_NONE);
  return loop;
}

/* Frees the loop and the random stream, keeping the log. */
static void workload_end(workload *w, sim_loop *loop) {
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  gsl_rng_free(w->rng);
}

static void log_free(workload *w) {
  free(w->t);
  free(w->arg);
}

/* ---- a checkpoint that logs its calls ---- */

typedef struct calls {
  uint64_t dispatched[STEPS + 1]; /* sim_loop_dispatched at each call */
  sim_time t[STEPS + 1];          /* ns: sim_loop_now at each call */
  size_t handled[STEPS + 1];      /* handlers that had run at each call */
  const size_t *handlers;         /* the workload's count of them; NULL: none */
  size_t n;                       /* calls */
  uint64_t every;                 /* dispatches it asks for next; 0: no more calls */
  size_t stop_at;                 /* the call that stops the run, 1-based; 0: none */
  int check;                      /* sim_loop_check inside the calls: the first failure */
} calls;

static uint64_t note_call(sim_loop *loop, void *ctx) {
  calls *c = ctx;
  CU_ASSERT_FATAL(c->n <= STEPS);
  c->dispatched[c->n] = sim_loop_dispatched(loop);
  c->t[c->n] = sim_loop_now(loop);
  c->handled[c->n] = c->handlers ? *c->handlers : 0;
  c->n++;
  if (c->check == 0) c->check = sim_loop_check(loop);
  if (c->stop_at && c->n == c->stop_at) sim_loop_stop(loop);
  return c->every;
}

/* Runs the workload to its end with a checkpoint every `every` dispatches
 * (from the start), in slices cut at random limits when `sliced`, and by
 * stops from handlers every `stop_every` dispatches. */
static void run_with_checkpoint(workload *w, calls *c, uint64_t every, bool sliced,
                                size_t stop_every) {
  sim_loop *loop = workload_start(w);
  w->stop_every = stop_every;
  c->n = 0;
  c->every = every;
  c->check = 0;
  c->handlers = &w->n;
  sim_loop_set_checkpoint(loop, every, note_call, c);
  gsl_rng *cut = sim_rng_new(11, 0, sim_rng_stream_id("loop-watch", "cuts"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(cut);
  sim_run_status st;
  size_t runs = 0;
  do {
    sim_time until = SIM_TIME_MAX;
    if (sliced) until = sim_loop_now(loop) + (sim_time)gsl_rng_uniform_int(cut, 3000);
    st = sim_loop_run(loop, until);
    CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
    CU_ASSERT_FATAL(++runs < 10 * STEPS);
  } while (st != SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(w->n, STEPS);
  CU_ASSERT_EQUAL(sim_loop_dispatched(loop), STEPS);
  CU_ASSERT_EQUAL(c->check, 0);
  gsl_rng_free(cut);
  workload_end(w, loop);
}

/* Every call came after exactly `every` more dispatches, their handlers
 * run, at the time of the last of them, and none is missing. */
static void expect_exact_calls(const workload *w, const calls *c, uint64_t every) {
  CU_ASSERT_EQUAL(c->n, STEPS / every);
  for (size_t i = 0; i < c->n; i++) {
    CU_ASSERT_EQUAL(c->dispatched[i], (i + 1) * every);
    CU_ASSERT_EQUAL(c->handled[i], (i + 1) * every);
    CU_ASSERT_EQUAL(c->t[i], w->t[(i + 1) * every - 1]);
  }
}

static void test_called_after_exact_dispatches(void) {
  static const uint64_t every[] = {1, 2, 7, 64, 1000, STEPS, STEPS + 1};
  for (size_t k = 0; k < sizeof every / sizeof *every; k++) {
    workload w;
    static calls c;
    run_with_checkpoint(&w, &c, every[k], false, 0);
    expect_exact_calls(&w, &c, every[k]);
    log_free(&w);
  }
}

/* Limits, stops from handlers and the last event's dispatch (the loop runs
 * empty) skip no call and move none. */
static void test_never_skipped_across_slices(void) {
  static const uint64_t every[] = {1, 3, 50};
  static const size_t stop_every[] = {0, 1, 5, 50};
  for (size_t k = 0; k < sizeof every / sizeof *every; k++)
    for (size_t s = 0; s < sizeof stop_every / sizeof *stop_every; s++) {
      workload w;
      static calls c;
      run_with_checkpoint(&w, &c, every[k], true, stop_every[s]);
      expect_exact_calls(&w, &c, every[k]);
      log_free(&w);
    }
}

/* The order of events with a checkpoint, with a trace, and with neither, in
 * one run or in slices: the same. */
static void trace_nothing(void *ctx, sim_time t, int32_t priority, uint64_t sequence,
                          sim_handler fn, uint64_t arg) {
  (void)t, (void)priority, (void)sequence, (void)fn, (void)arg;
  ++*(size_t *)ctx;
}

static void test_same_order_and_plain_path(void) {
  /* neither */
  workload bare;
  sim_loop *loop = workload_start(&bare);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(bare.n, STEPS);
  size_t plain = bare.plain;
  /* most dispatches of a hold model take the common path */
  CU_ASSERT(plain > STEPS / 2);
  workload_end(&bare, loop);
  /* a trace: the same order, every dispatch on the general path */
  workload traced;
  size_t seen = 0;
  loop = workload_start(&traced);
  sim_loop_set_trace(loop, trace_nothing, &seen);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(seen, STEPS);
  CU_ASSERT_EQUAL(traced.plain, 0);
  for (size_t i = 0; i < STEPS; i++)
    CU_ASSERT(traced.t[i] == bare.t[i] && traced.arg[i] == bare.arg[i]);
  workload_end(&traced, loop);
  log_free(&traced);
  /* a checkpoint, even at every dispatch, in one run or in slices: the
   * same order, and the common path as often as with none */
  static const uint64_t every[] = {1, 16};
  for (size_t k = 0; k < 2; k++)
    for (int sliced = 0; sliced < 2; sliced++) {
      workload w;
      static calls c;
      run_with_checkpoint(&w, &c, every[k], sliced, 0);
      if (!sliced) CU_ASSERT_EQUAL(w.plain, plain);
      for (size_t i = 0; i < STEPS; i++) CU_ASSERT(w.t[i] == bare.t[i] && w.arg[i] == bare.arg[i]);
      CU_ASSERT_EQUAL(c.n, STEPS / every[k]);
      log_free(&w);
    }
  log_free(&bare);
}

/* A checkpoint that stops the run: the run returns before the next
 * dispatch, and resumes where it stopped, the calls still exact. */
static void test_stop_from_checkpoint(void) {
  workload w;
  static calls c;
  sim_loop *loop = workload_start(&w);
  c.n = 0;
  c.every = 10;
  c.stop_at = 3;
  c.check = 0;
  c.handlers = &w.n;
  sim_loop_set_checkpoint(loop, 10, note_call, &c);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_STOPPED);
  CU_ASSERT_EQUAL(w.n, 30);
  CU_ASSERT_EQUAL(c.n, 3);
  CU_ASSERT_EQUAL(sim_loop_now(loop), w.t[29]);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  c.stop_at = 0;
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(c.check, 0);
  expect_exact_calls(&w, &c, 10);
  workload_end(&w, loop);
  log_free(&w);
}

/* ---- the API's cases ---- */

/* A handler that sets a checkpoint after 1 dispatch: its own. */
static void arm_in_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  sim_loop_set_checkpoint(loop, 1, note_call, ctx);
}

static void count_only(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)loop, (void)arg;
  ++*(size_t *)ctx;
}

static void test_armed_replaced_ended(void) {
  static calls c;
  size_t ran = 0;
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  for (sim_time t = 1; t <= 20; t++)
    CU_ASSERT_FATAL(sim_schedule(loop, t, 0, count_only, &ran, 0) != SIM_EVENT_NONE);
  /* asks for no more calls after its second */
  c = (calls){.every = 0};
  sim_loop_set_checkpoint(loop, 4, note_call, &c);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 10), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(c.n, 1);
  CU_ASSERT_EQUAL(c.dispatched[0], 4);
  CU_ASSERT_EQUAL(c.t[0], 4);
  /* replaced mid-way: counted from the call, the earlier countdown dropped */
  c.every = 3;
  sim_loop_set_checkpoint(loop, 2, note_call, &c);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 15), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL_FATAL(c.n, 3);
  CU_ASSERT_EQUAL(c.dispatched[1], 12);
  CU_ASSERT_EQUAL(c.dispatched[2], 15);
  /* removed: no more calls, and after 0 means none too */
  sim_loop_set_checkpoint(loop, 0, note_call, &c);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 17), SIM_RUN_TIME_LIMIT);
  sim_loop_set_checkpoint(loop, 1, NULL, &c);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 19), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(c.n, 3);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  /* set from a handler: its own dispatch is the first counted */
  c.every = 0;
  CU_ASSERT_FATAL(sim_schedule(loop, 19, 0, arm_in_handler, &c, 0) != SIM_EVENT_NONE);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL_FATAL(c.n, 4);
  CU_ASSERT_EQUAL(c.dispatched[3], 20);
  CU_ASSERT_EQUAL(c.t[3], 19);
  CU_ASSERT_EQUAL(ran, 20);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"called after exactly the dispatches asked for", test_called_after_exact_dispatches},
      {"never skipped across limits, stops and an empty loop", test_never_skipped_across_slices},
      {"same order as without, and the common path kept", test_same_order_and_plain_path},
      {"a stop from the checkpoint", test_stop_from_checkpoint},
      {"armed, replaced, ended", test_armed_replaced_ended},
      {NULL, NULL}};
  return add_suite("loop checkpoints", tests);
}
