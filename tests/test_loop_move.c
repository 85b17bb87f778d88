/* tests/test_loop_move.c: the event loop's insertions at a crowd's instant
 * and its reschedules (sim/loop.c), the paths a data center's runs take: a
 * scheduler's kick at the instant of a crowd of wake-ups goes ahead of it by
 * priority, behind the few kicks already there (inserted from the end of a
 * long near run); a run's end brought forward to now goes behind the crowd
 * (FIFO); a run's end moved within the far tier leaves a dead entry there,
 * which compaction must drop once dead entries outnumber pending events;
 * and the first events of a loop sized by sim_loop_reserve take records in
 * order, as a growing loop does; sim_reschedule_earlier moves only events
 * due later.  The dispatch order must be that of a
 * plain list of the pending events ordered by (time, priority, sequence),
 * and sim_loop_check must pass throughout.  Built twice by CMake: as is,
 * and with the smallest tuning (every insertion into a run then long).
 * Units: times in ns. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sim/loop.h"
#include "tests/cunit_main.h"

/* ---- the reference: the pending events in a list sorted earliest first ---- */

typedef struct ref_event {
  sim_time t;   /* ns: when it fires */
  int32_t prio; /* priority */
  uint64_t seq; /* the loop's sequence: one per schedule and reschedule */
  uint64_t arg; /* the handler's argument, unique */
} ref_event;

typedef struct ref_list {
  ref_event *e; /* pending events, earliest first */
  size_t n;     /* pending */
  size_t cap;   /* allocated */
} ref_list;

static bool ref_before(const ref_event *a, const ref_event *b) {
  if (a->t != b->t) return a->t < b->t;
  if (a->prio != b->prio) return a->prio < b->prio;
  return a->seq < b->seq;
}

static void ref_add(ref_list *l, ref_event ev) {
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 256;
    l->e = realloc(l->e, l->cap * sizeof *l->e);
    if (!l->e) abort();
  }
  size_t i = l->n;
  while (i > 0 && ref_before(&ev, &l->e[i - 1])) i--;
  memmove(&l->e[i + 1], &l->e[i], (l->n - i) * sizeof *l->e);
  l->e[i] = ev;
  l->n++;
}

/* Removes the event of argument arg, its priority into *prio; false when it
 * is not pending. */
static bool ref_remove(ref_list *l, uint64_t arg, int32_t *prio) {
  for (size_t i = 0; i < l->n; i++)
    if (l->e[i].arg == arg) {
      *prio = l->e[i].prio;
      memmove(&l->e[i], &l->e[i + 1], (l->n - i - 1) * sizeof *l->e);
      l->n--;
      return true;
    }
  return false;
}

/* ---- the model: wake-ups, kicks and run ends ---- */

enum { PRIO_KICK = 0, PRIO_WAKE = 1, PRIO_END = 2 };

typedef struct model {
  ref_list ref;           /* the reference */
  uint64_t next_seq;      /* the loop's next sequence, as the reference counts */
  uint64_t args;          /* arguments handed out */
  size_t wakes;           /* wake-ups dispatched */
  size_t kicks_per_wake;  /* kicks the i-th wake-up schedules: i % this */
  sim_event_id *end;      /* handles of the run ends, by index */
  size_t ends;            /* run ends */
  size_t mismatches;      /* dispatches unlike the reference */
  size_t heap_dispatches; /* dispatches while the near tier was a heap */
  size_t broken;          /* failed invariant checks */
} model;

static void step(sim_loop *loop, void *ctx, uint64_t arg);

/* Schedules an event of the model; returns its handle. */
static sim_event_id model_schedule(sim_loop *loop, model *m, sim_time at, int32_t prio,
                                   uint64_t kind) {
  uint64_t arg = 4 * m->args++ + kind;
  sim_event_id id = sim_schedule(loop, at, prio, step, m, arg);
  if (id == SIM_EVENT_NONE) abort();
  ref_add(&m->ref, (ref_event){at, prio, m->next_seq++, arg});
  return id;
}

enum { KIND_WAKE = 0, KIND_KICK = 1, KIND_END = 2 };

/* Moves run end i to `at`, in the loop and the reference. */
static void model_move(sim_loop *loop, model *m, size_t i, sim_time at) {
  uint64_t arg = 4 * i + KIND_END; /* see model_setup */
  /* brought forward: the call the models make; else a plain move */
  bool moved = at < sim_event_time(loop, m->end[i]) ? sim_reschedule_earlier(loop, m->end[i], at)
                                                    : sim_reschedule(loop, m->end[i], at);
  if (!moved) abort();
  int32_t prio;
  if (!ref_remove(&m->ref, arg, &prio)) abort();
  ref_add(&m->ref, (ref_event){at, prio, m->next_seq++, arg});
}

static void step(sim_loop *loop, void *ctx, uint64_t arg) {
  model *m = ctx;
  sim_time now = sim_loop_now(loop);
  m->mismatches += !m->ref.n || m->ref.e[0].arg != arg || m->ref.e[0].t != now;
  if (m->ref.n) {
    memmove(&m->ref.e[0], &m->ref.e[1], (m->ref.n - 1) * sizeof *m->ref.e);
    m->ref.n--;
  }
  m->heap_dispatches += sim_loop_near_heap_entries(loop) != 0;
  if (arg % 4 != KIND_WAKE) return;
  /* a wake-up: kicks at its instant, ahead of the remaining wake-ups */
  size_t i = m->wakes++;
  for (size_t k = 0; k < i % m->kicks_per_wake; k++)
    model_schedule(loop, m, now, PRIO_KICK, KIND_KICK);
  /* and a run end brought forward to now, behind the crowd (its priority
   * is the latest) */
  if (i < m->ends) model_move(loop, m, i, now);
  if (i % 61 == 0) m->broken += sim_loop_check(loop) != 0;
}

/* A crowd of n wake-ups at 1 s, n run ends at 2 s + i ms (whose arguments
 * are 4 x i + KIND_END: they are scheduled first), after the wake-ups and
 * the kicks at one instant unless end_prio_cycle (then end i has priority
 * i % end_prio_cycle), and an event at 100 s
 * that stretches the first rung, so that the crowd shares a bucket. */
static void model_setup_ends(sim_loop *loop, model *m, size_t n, size_t kicks_per_wake,
                             size_t end_prio_cycle) {
  *m = (model){.next_seq = 1, .kicks_per_wake = kicks_per_wake, .ends = n};
  m->end = calloc(n, sizeof *m->end);
  if (!m->end) abort();
  for (size_t i = 0; i < n; i++) {
    int32_t prio = end_prio_cycle ? (int32_t)(i % end_prio_cycle) : PRIO_END;
    m->end[i] = model_schedule(loop, m, 2 * SIM_S + (sim_time)i * SIM_MS, prio, KIND_END);
  }
  model_schedule(loop, m, 100 * SIM_S, PRIO_END, KIND_END + 1);
  for (size_t i = 0; i < n; i++) model_schedule(loop, m, 1 * SIM_S, PRIO_WAKE, KIND_WAKE);
}

static void model_setup(sim_loop *loop, model *m, size_t n, size_t kicks_per_wake) {
  model_setup_ends(loop, m, n, kicks_per_wake, 0);
}

static void model_free(model *m) {
  free(m->ref.e);
  free(m->end);
}

/* Each wake-up schedules up to two kicks at its instant (so a kick passes
 * zero to two kicks already there) and brings a run end forward to now: the
 * near tier stays a sorted run, and the order is the reference's. */
static void test_kicks_ahead_of_a_crowd(void) {
  enum { N = 3000 };
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  model m;
  model_setup(loop, &m, N, 3);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 50 * SIM_S), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(m.wakes, N);
  CU_ASSERT_EQUAL(m.mismatches, 0);
  CU_ASSERT_EQUAL(m.broken, 0);
  CU_ASSERT_EQUAL(m.ref.n, 1); /* the event at 100 s */
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  model_free(&m);
}

/* The same with up to 39 kicks a wake-up, more than a near run moves for
 * an insertion: those walk past too many kicks and make the run a heap,
 * in the reference's order still. */
static void test_many_kicks_make_a_heap(void) {
  enum { N = 400 };
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  model m;
  model_setup(loop, &m, N, 40);
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(m.wakes, N);
  CU_ASSERT_EQUAL(m.mismatches, 0);
  CU_ASSERT(m.heap_dispatches > 0);
  CU_ASSERT_EQUAL(m.broken, 0);
  CU_ASSERT_EQUAL(m.ref.n, 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  model_free(&m);
}

/* Run ends brought forward to the instant of a crowd of wake-ups, of a
 * priority below and equal to the crowd's in turn: one below goes ahead of
 * the crowd, one equal behind all of it and the ends brought before it
 * (the run's latest entry, the common case), in the reference's order, the
 * near tier a run throughout. */
static void test_ends_brought_to_a_crowd(void) {
  enum { N = 600 };
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  model m;
  model_setup_ends(loop, &m, N, 1, 2); /* priorities 0 (a kick's) and 1 (the crowd's) */
  CU_ASSERT_EQUAL(sim_loop_run(loop, 50 * SIM_S), SIM_RUN_TIME_LIMIT);
  CU_ASSERT_EQUAL(m.wakes, N);
  CU_ASSERT_EQUAL(m.mismatches, 0);
  CU_ASSERT_EQUAL(m.heap_dispatches, 0);
  CU_ASSERT_EQUAL(m.broken, 0);
  CU_ASSERT_EQUAL(m.ref.n, 1); /* the event at 100 s */
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  model_free(&m);
}

/* A few events, one of them moved within the far tier many more times than
 * the loop has room for: each move leaves a dead entry behind, and
 * compaction must keep them no more numerous than the room; the order
 * stays the reference's. */
static void test_far_moves_are_compacted(void) {
  enum { N = 8, MOVES = 5000 };
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  model m;
  model_setup(loop, &m, N, 1);
  CU_ASSERT_EQUAL(sim_loop_run(loop, 1 * SIM_S - 1), SIM_RUN_TIME_LIMIT); /* a near tier */
  size_t broken = 0;
  for (size_t k = 0; k < MOVES; k++) {
    /* between 10 s and 50 s: far (the crowd's bucket ends before), and
     * later than every wake-up */
    model_move(loop, &m, k % N, 10 * SIM_S + (sim_time)((k * 7919) % 40000) * SIM_MS);
    broken += sim_loop_check(loop) != 0;
  }
  CU_ASSERT_EQUAL(broken, 0);
  m.ends = 0; /* the wake-ups move nothing more */
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(m.mismatches, 0);
  CU_ASSERT_EQUAL(m.broken, 0);
  CU_ASSERT_EQUAL(m.ref.n, 0);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  model_free(&m);
}

/* A loop sized beforehand hands out its records in order, from 1, as one
 * that grows does, and reuses a released one first. */
static void test_reserved_records_in_order(void) {
  enum { N = 1000 };
  sim_loop *grown = sim_loop_new(), *sized = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(grown);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sized);
  CU_ASSERT_EQUAL_FATAL(sim_loop_reserve(sized, N), 0);
  model m = {.next_seq = 1};
  size_t unlike = 0, out_of_order = 0, broken = 0;
  for (size_t i = 0; i < N; i++) {
    sim_time at = (sim_time)((i * 7919) % N) * SIM_MS;
    sim_event_id a = sim_schedule(grown, at, 0, step, &m, 0);
    sim_event_id b = sim_schedule(sized, at, 0, step, &m, 0);
    unlike += a != b;
    out_of_order += (b & 0xffffffffu) != i + 1;
    if (i % 97 == 0) broken += sim_loop_check(sized) != 0;
  }
  CU_ASSERT_EQUAL(unlike, 0);
  CU_ASSERT_EQUAL(out_of_order, 0);
  CU_ASSERT_EQUAL(broken, 0);
  /* a cancelled event's record is the next one taken, by both */
  sim_event_id c = sim_schedule(sized, 5 * SIM_S, 0, step, &m, 0);
  CU_ASSERT_TRUE(sim_cancel(sized, c));
  sim_event_id d = sim_schedule(sized, 6 * SIM_S, 0, step, &m, 0);
  CU_ASSERT_EQUAL(d & 0xffffffffu, c & 0xffffffffu);
  CU_ASSERT_NOT_EQUAL(d, c);
  c = sim_schedule(grown, 5 * SIM_S, 0, step, &m, 0);
  CU_ASSERT_TRUE(sim_cancel(grown, c));
  CU_ASSERT_EQUAL(sim_schedule(grown, 6 * SIM_S, 0, step, &m, 0), d);
  /* a reschedule takes the next record never used for its entry, keeping
   * the handle, so the next event scheduled takes the one after, in both */
  CU_ASSERT_TRUE(sim_reschedule(grown, 1u | (1ull << 32), 2 * SIM_S));
  CU_ASSERT_TRUE(sim_reschedule(sized, 1u | (1ull << 32), 2 * SIM_S));
  sim_event_id g = sim_schedule(grown, 3 * SIM_S, 0, step, &m, 0);
  sim_event_id s = sim_schedule(sized, 3 * SIM_S, 0, step, &m, 0);
  CU_ASSERT_EQUAL(g, s);
  CU_ASSERT_EQUAL(s & 0xffffffffu, N + 3);
  CU_ASSERT_EQUAL(sim_loop_check(sized), 0);
  CU_ASSERT_EQUAL(sim_loop_check(grown), 0);
  sim_loop_free(grown);
  sim_loop_free(sized);
}

/* sim_reschedule_earlier moves an event only when it is due later, as
 * sim_reschedule (a new sequence: behind an event already at the new time
 * and priority), and refuses a handle no longer pending. */
static void test_reschedule_earlier(void) {
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  model m = {.next_seq = 1, .kicks_per_wake = 1}; /* events that schedule nothing */
  sim_event_id a = sim_schedule(loop, 5 * SIM_S, 0, step, &m, 0);
  sim_event_id b = sim_schedule(loop, 3 * SIM_S, 0, step, &m, 4);
  CU_ASSERT_FALSE(sim_reschedule_earlier(loop, a, 6 * SIM_S)); /* later: stays */
  CU_ASSERT_FALSE(sim_reschedule_earlier(loop, a, 5 * SIM_S)); /* due then already */
  CU_ASSERT_EQUAL(sim_event_time(loop, a), 5 * SIM_S);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  CU_ASSERT_TRUE(sim_reschedule_earlier(loop, a, 3 * SIM_S));
  CU_ASSERT_EQUAL(sim_event_time(loop, a), 3 * SIM_S);
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  /* the reference: b (sequence 2), then a (sequence 3) */
  ref_add(&m.ref, (ref_event){3 * SIM_S, 0, 2, 4});
  ref_add(&m.ref, (ref_event){3 * SIM_S, 0, 3, 0});
  m.next_seq = 4;
  CU_ASSERT_EQUAL(sim_loop_run(loop, SIM_TIME_MAX), SIM_RUN_EMPTY);
  CU_ASSERT_EQUAL(m.mismatches, 0);
  CU_ASSERT_EQUAL(m.ref.n, 0);
  CU_ASSERT_EQUAL(sim_loop_dispatched(loop), 2);
  CU_ASSERT_FALSE(sim_reschedule_earlier(loop, a, sim_loop_now(loop))); /* dispatched */
  CU_ASSERT_FALSE(sim_reschedule_earlier(loop, b, sim_loop_now(loop)));
  CU_ASSERT_EQUAL(sim_loop_check(loop), 0);
  sim_loop_free(loop);
  model_free(&m);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"kicks ahead of a crowd keep it a run", test_kicks_ahead_of_a_crowd},
      {"too many kicks ahead of a crowd make a heap", test_many_kicks_make_a_heap},
      {"run ends brought to a crowd's instant", test_ends_brought_to_a_crowd},
      {"moves within the far tier are compacted", test_far_moves_are_compacted},
      {"reserved records are taken in order", test_reserved_records_in_order},
      {"an event is rescheduled earlier only", test_reschedule_earlier},
      {NULL, NULL}};
  return add_suite("loop moves", tests);
}
