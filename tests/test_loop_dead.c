/* tests/test_loop_dead.c: the event loop's dead entries (sim/loop.c, lazy
 * cancellation): cancelled and superseded entries left in the near run (at
 * its front and behind it), in the rungs' buckets and in the top list, while
 * runs are cut by time limits, stops and checkpoints.  The dispatch order
 * must be that of a plain list of the pending events ordered by (time,
 * priority, sequence); sim_loop_check must pass after every slice and at
 * every checkpoint; and the run's common path (sim_loop_is_plain) must stay
 * in use while dead entries wait in the far tier, which only those of the
 * near tier keep it from.  Built twice by CMake: as is, and with the
 * smallest tuning (heaps, splits and limits in every kind of bucket).
 * Units: times in ns. */
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "sim/loop.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"

/* ---- the reference: the pending events in a plain list ---- */

typedef struct ref_event {
  sim_time t;      /* ns: when it fires */
  int32_t prio;    /* priority */
  uint64_t seq;    /* the loop's sequence: one per schedule and reschedule */
  uint64_t arg;    /* the handler's argument, unique */
  sim_event_id id; /* its handle */
} ref_event;

/* A churn model: each dispatch schedules a successor and, at random,
 * reschedules or cancels the earliest pending event (dead at the near run's
 * front), the second earliest (dead behind it), any (mostly in the rungs) or
 * one of the far-future events it keeps (in the top list). */
typedef struct model {
  gsl_rng *rng;
  ref_event *ev;       /* pending events, unordered */
  size_t n, cap;       /* pending, allocated */
  uint64_t next_seq;   /* the loop's next sequence */
  uint64_t next_arg;   /* the next unique argument */
  uint64_t left;       /* successors still to schedule */
  size_t dispatched;   /* dispatches seen */
  size_t wrong;        /* dispatches other than the reference's earliest */
  size_t plain;        /* dispatches whose handler saw sim_loop_is_plain */
  size_t in_run;       /* dispatches whose handler saw a near run (not a heap) */
  size_t stop_every;   /* a handler stops the run after this many dispatches; 0: never */
  size_t checkpoints;  /* checkpoint calls */
  size_t bad_check;    /* checkpoints at which sim_loop_check failed */
} model;

static void step(sim_loop *loop, void *ctx, uint64_t arg);

static void ref_add(model *m, sim_time t, int32_t prio, uint64_t arg, sim_event_id id) {
  if (m->n == m->cap) {
    m->cap = m->cap ? 2 * m->cap : 256;
    m->ev = realloc(m->ev, m->cap * sizeof *m->ev);
    if (!m->ev) abort();
  }
  m->ev[m->n++] = (ref_event){t, prio, m->next_seq++, arg, id};
}

static bool ref_before(const ref_event *a, const ref_event *b) {
  if (a->t != b->t) return a->t < b->t;
  if (a->prio != b->prio) return a->prio < b->prio;
  return a->seq < b->seq;
}

/* Index of the earliest pending event other than `skip` (SIZE_MAX: none
 * skipped); SIZE_MAX when there is none. */
static size_t ref_earliest(const model *m, size_t skip) {
  size_t best = SIZE_MAX;
  for (size_t i = 0; i < m->n; i++)
    if (i != skip && (best == SIZE_MAX || ref_before(&m->ev[i], &m->ev[best]))) best = i;
  return best;
}

static void ref_remove(model *m, size_t i) { m->ev[i] = m->ev[--m->n]; }

static void schedule(sim_loop *loop, model *m, sim_time t, int32_t prio) {
  uint64_t arg = m->next_arg++;
  sim_event_id id = sim_schedule(loop, t, prio, step, m, arg);
  if (id == SIM_EVENT_NONE) abort();
  ref_add(m, t, prio, arg, id);
}

/* Reschedules pending event i to t: a new sequence, its old entry dead. */
static void reschedule(sim_loop *loop, model *m, size_t i, sim_time t) {
  CU_ASSERT_FATAL(sim_reschedule(loop, m->ev[i].id, t));
  m->ev[i].t = t;
  m->ev[i].seq = m->next_seq++;
}

static void cancel(sim_loop *loop, model *m, size_t i) {
  CU_ASSERT_FATAL(sim_cancel(loop, m->ev[i].id));
  ref_remove(m, i);
}

/* Far beyond every other event: filed in the top list. */
#define FAR_FUTURE ((sim_time)1 << 40)

static void step(sim_loop *loop, void *ctx, uint64_t arg) {
  model *m = ctx;
  sim_time now = sim_loop_now(loop);
  m->plain += sim_loop_is_plain(loop);
  m->in_run += sim_loop_near_heap_entries(loop) == 0;
  /* the loop dispatched the reference's earliest, which it removed from
   * the list before calling the handler: it is no longer pending */
  size_t first = ref_earliest(m, SIZE_MAX);
  CU_ASSERT_FATAL(first != SIZE_MAX);
  m->wrong += m->ev[first].arg != arg || m->ev[first].t != now;
  ref_remove(m, first);
  m->dispatched++;
  if (m->stop_every && m->dispatched % m->stop_every == 0) sim_loop_stop(loop);
  if (m->left == 0) return;
  m->left--;
  schedule(loop, m, now + (sim_time)gsl_rng_uniform_int(m->rng, 2000),
           (int32_t)gsl_rng_uniform_int(m->rng, 3));
  double u = gsl_rng_uniform(m->rng);
  if (u < 0.08) {
    /* the earliest, dead at the front of the near run, moved later */
    size_t i = ref_earliest(m, SIZE_MAX);
    reschedule(loop, m, i, m->ev[i].t + 1 + (sim_time)gsl_rng_uniform_int(m->rng, 3000));
  } else if (u < 0.16) {
    /* the second earliest, dead behind the front, moved or cancelled (and
     * replaced, so that the pending count holds) */
    size_t i = ref_earliest(m, ref_earliest(m, SIZE_MAX));
    if (i == SIZE_MAX) return;
    if (u < 0.12) {
      reschedule(loop, m, i, m->ev[i].t + (sim_time)gsl_rng_uniform_int(m->rng, 500));
    } else {
      cancel(loop, m, i);
      schedule(loop, m, now + (sim_time)gsl_rng_uniform_int(m->rng, 4000), 0);
    }
  } else if (u < 0.40) {
    /* any, mostly in a rung's bucket: moved later or earlier (not before
     * now); a far-future one stays at its time, a new entry in the top list */
    size_t i = (size_t)gsl_rng_uniform_int(m->rng, m->n);
    sim_time t = m->ev[i].t;
    if (t < FAR_FUTURE) t = now + (sim_time)gsl_rng_uniform_int(m->rng, 6000);
    reschedule(loop, m, i, t);
  } else if (u < 0.44) {
    size_t i = (size_t)gsl_rng_uniform_int(m->rng, m->n);
    if (m->ev[i].t >= FAR_FUTURE) return; /* the far-future ones are kept */
    cancel(loop, m, i);
    schedule(loop, m, now + (sim_time)gsl_rng_uniform_int(m->rng, 4000), 1);
  } else if (u < 0.47) {
    /* a far-future event, in the top list: moved within it */
    for (size_t i = 0; i < m->n; i++)
      if (m->ev[i].t >= FAR_FUTURE) {
        reschedule(loop, m, i, FAR_FUTURE + (sim_time)gsl_rng_uniform_int(m->rng, 1000000));
        break;
      }
  }
}

/* A loop of `pending` model events in [0, 5000) ns and `far` in the far
 * future; `steps` successors to come. */
static sim_loop *model_start(model *m, size_t pending, size_t far, uint64_t steps) {
  *m = (model){0};
  m->rng = sim_rng_new(21, 0, sim_rng_stream_id("loop-dead", "churn"));
  m->next_seq = 1;
  m->left = steps;
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_FATAL(m->rng && loop);
  for (size_t i = 0; i < pending; i++)
    schedule(loop, m, (sim_time)gsl_rng_uniform_int(m->rng, 5000), (int32_t)(i % 3));
  for (size_t i = 0; i < far; i++)
    schedule(loop, m, FAR_FUTURE + (sim_time)gsl_rng_uniform_int(m->rng, 1000000), 0);
  return loop;
}

static void model_end(model *m, sim_loop *loop) {
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  gsl_rng_free(m->rng);
  free(m->ev);
}

/* A checkpoint that checks the loop's invariants between two dispatches. */
static uint64_t check_at_checkpoint(sim_loop *loop, void *ctx) {
  model *m = ctx;
  m->checkpoints++;
  m->bad_check += sim_loop_check(loop) != 0;
  return 1 + m->checkpoints % 97;
}

enum { PENDING = 300, FAR = 20, STEPS = 30000 };

/* One run, then the same model cut into slices by limits a random few
 * hundred ns apart, stops every 613 dispatches and a checkpoint every few
 * dozen: both dispatch as the reference does, and mostly on the common path
 * although dead entries are nearly always queued. */
static void test_dead_entries_dispatch_as_a_list(void) {
  model whole, sliced;
  sim_loop *a = model_start(&whole, PENDING, FAR, STEPS);
  CU_ASSERT_EQUAL(sim_loop_run(a, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(whole.wrong, 0);
  CU_ASSERT_EQUAL(whole.dispatched, PENDING + FAR + STEPS);
  CU_ASSERT_EQUAL(whole.n, 0);
  /* a reschedule or cancel at 44% of the dispatches, most of them far from
   * the front: the common path must carry nearly every dispatch from a near
   * run all the same (with the smallest tuning, the near tier is mostly a
   * heap: few come from a run) */
  CU_ASSERT(whole.plain * 10 >= whole.in_run * 9);

  sim_loop *b = model_start(&sliced, PENDING, FAR, STEPS);
  sliced.stop_every = 613;
  sim_loop_set_checkpoint(b, 1, check_at_checkpoint, &sliced);
  gsl_rng *cut = sim_rng_new(22, 0, sim_rng_stream_id("loop-dead", "cuts"));
  CU_ASSERT_PTR_NOT_NULL_FATAL(cut);
  sim_time limit = 0;
  size_t limits = 0, stops = 0, bad_check = 0, early = 0;
  for (;;) {
    limit += (sim_time)gsl_rng_uniform_int(cut, 400);
    sim_run_status st = sim_loop_run(b, limit);
    bad_check += sim_loop_check(b) != 0;
    if (st == SIM_RUN_EMPTY) break;
    if (st == SIM_RUN_TIME_LIMIT) {
      limits++;
      sim_time next = sim_loop_next_time(b);
      early += next <= limit; /* an event within the limit left */
      /* over the gap before the far-future events, to a little before them */
      if (next > limit + 1000) limit = next - 1 - (sim_time)gsl_rng_uniform_int(cut, 400);
    } else {
      stops++;
      limit = sim_loop_now(b);
    }
  }
  CU_ASSERT(limits > 100);
  CU_ASSERT(stops > 10);
  CU_ASSERT(sliced.checkpoints > 100);
  CU_ASSERT_EQUAL(sliced.bad_check, 0);
  CU_ASSERT_EQUAL(bad_check, 0);
  CU_ASSERT_EQUAL(early, 0);
  CU_ASSERT_EQUAL(sliced.wrong, 0);
  CU_ASSERT_EQUAL(sliced.dispatched, whole.dispatched);
  CU_ASSERT_EQUAL(sim_loop_dispatched(b), sim_loop_dispatched(a));
  sim_loop_set_checkpoint(b, 0, NULL, NULL);
  model_end(&whole, a);
  model_end(&sliced, b);
  gsl_rng_free(cut);
}

/* ---- where the common path holds, exactly ---- */

/* Logs, per argument, whether the handler saw the common path. */
typedef struct seen {
  bool plain[1000];     /* by argument */
  uint64_t order[1000]; /* arguments in dispatch order */
  size_t n;             /* dispatches */
} seen;

static void note_plain(sim_loop *loop, void *ctx, uint64_t arg) {
  seen *s = ctx;
  CU_ASSERT_FATAL(arg < 1000 && s->n < 1000);
  s->plain[arg] = sim_loop_is_plain(loop);
  s->order[s->n++] = arg;
}

/* Events i = 0..998 at 100 i ns; once they are spread over a rung, event
 * 999 is scheduled in the far future (into the top list), event 800 is
 * cancelled, event 900 and 999 rescheduled (to 99,999 ns and further out):
 * three dead entries, in the rungs and in the top list, none near; and
 * event 2, perhaps the near run's front by then, is moved to 250 ns.
 * Every dispatch from event 2 to 799 must take the common path (only a
 * time limit, at events 0 and 1, may leave it), and the order must be that
 * of the times. */
static void test_common_path_with_dead_far_entries(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  seen s = {0};
  sim_event_id id[1000];
  for (uint64_t i = 0; i < 999; i++) {
    id[i] = sim_schedule(loop, 100 * (sim_time)i, 0, note_plain, &s, i);
    CU_ASSERT_FATAL(id[i] != SIM_EVENT_NONE);
  }
  /* the first dispatch spreads the top list over a rung */
  CU_ASSERT_EQUAL(sim_loop_run(loop, 50), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(s.n, 1);
  id[999] = sim_schedule(loop, FAR_FUTURE, 0, note_plain, &s, 999);
  CU_ASSERT_FATAL(id[999] != SIM_EVENT_NONE);
  CU_ASSERT(sim_cancel(loop, id[800]));
  CU_ASSERT(sim_reschedule(loop, id[900], 99999));
  CU_ASSERT(sim_reschedule(loop, id[999], 2 * FAR_FUTURE));
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 150), SIM_RUN_TIME_LIMIT); /* event 1 */
  CU_ASSERT(sim_reschedule(loop, id[2], 250));
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL_FATAL(s.n, 999); /* all but event 800 */
  size_t misplaced = 0, off_path = 0;
  for (size_t k = 0; k < s.n; k++) {
    /* 0..799, 801..899, 901..998, then 900 (at 99,999 ns) and 999 */
    uint64_t want = k < 800 ? k : k < 899 ? k + 1 : k < 997 ? k + 2 : k == 997 ? 900 : 999;
    misplaced += s.order[k] != want;
  }
  CU_ASSERT_EQUAL(misplaced, 0);
  for (uint64_t i = 2; i < 800; i++) off_path += !s.plain[i];
  CU_ASSERT_EQUAL(off_path, 0);
  sim_loop_free(loop);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"dead entries everywhere dispatch as a list", test_dead_entries_dispatch_as_a_list},
      {"the common path holds with dead far entries", test_common_path_with_dead_far_entries},
      {NULL, NULL}};
  return add_suite("loop dead entries", tests);
}
