/* sim/loop.h: the discrete-event loop.
 * Events are ordered by (time, priority, insertion sequence): two events at the
 * same time run in ascending priority, and equal priorities in the order they
 * were scheduled, so the dispatch order never depends on queue layout or
 * platform (ns-3 and OMNeT++ order by the same triple; libuv breaks timer ties
 * by a start id).  Handles are generation-tagged: a stale handle (event already
 * dispatched or cancelled) is recognised and refused, never confused with a
 * newer event that reused its record.
 * Units: times are sim_time (int64 ns since the start of the run).
 * Complexity, with n pending events: schedule and reschedule are O(1)
 * amortised when the times pending spread over many distinct instants (the
 * events are kept in time buckets, and ordered exactly only among the few
 * that share the earliest bucket), and O(log n) otherwise (many events at one
 * instant); dispatch of the earliest likewise; cancel is O(1) plus amortised
 * O(1) for discarding its entry later; sim_event_is_pending, sim_event_time,
 * sim_loop_now and sim_loop_next_time are O(1) (the last, inside a handler
 * that has scheduled nothing yet, also visits the cancelled entries that lie
 * first, and when none is live before the next bucket, the buckets up to
 * the first live entry).
 * Memory: events live in a pool of records recycled through a free list, so
 * a loop in steady state allocates nothing per event; only sim_schedule
 * allocates (when the pending count reaches a new high), cancel and
 * reschedule never do; the pool, the queue and its buckets grow by doubling
 * and never shrink until sim_loop_free.
 * Invariants (checked by sim_loop_check): the queue orders (time, priority,
 * sequence) exactly among the entries before a horizon, and keeps every
 * later one in the bucket of its time; cancelled and superseded entries stay
 * in it, marked dead, never more numerous than the pending events were
 * when the last of them died, never first; every pending handle names the
 * record of its one live entry; no pending event lies before now.
 * A loop is not thread-safe; distinct loops are independent. */
#ifndef SIM_LOOP_H
#define SIM_LOOP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

typedef struct sim_loop sim_loop;

/* Handle of a scheduled event; SIM_EVENT_NONE is never returned for a
 * successfully scheduled event.  It packs the index of the event's record
 * (low 32 bits, never 0: records count from 1) and the record's generation
 * (high 32 bits), which changes each time the record is taken as a handle
 * or released: a handle stays refused until its record has been reused 2^31
 * times.  It stays the same across reschedules. */
typedef uint64_t sim_event_id;
#define SIM_EVENT_NONE ((sim_event_id)0)

/* An event handler.  It may schedule, cancel and reschedule events (its own
 * handle is already invalid when it runs) and may call sim_loop_stop. */
typedef void (*sim_handler)(sim_loop *loop, void *ctx, uint64_t arg);

typedef enum sim_run_status {
  SIM_RUN_EMPTY = 0,      /* no events remain */
  SIM_RUN_TIME_LIMIT = 1, /* the next event lies beyond the limit */
  SIM_RUN_STOPPED = 2,    /* a handler called sim_loop_stop */
} sim_run_status;

/* NULL when out of memory. */
sim_loop *sim_loop_new(void);
void sim_loop_free(sim_loop *loop);
/* Makes room for `pending` events pending at once, so that scheduling up to
 * that many allocates nothing more (growth otherwise doubles the room and
 * copies every record, each time the pending count reaches a new high).  A
 * hint: it changes no event's order, and scheduling more still works.  0,
 * or -1 when out of memory (the loop unchanged). */
int sim_loop_reserve(sim_loop *loop, size_t pending);

/* Current simulated time: the time of the event being (or last) dispatched.
 * Inline, since handlers ask for it at most events: a loop's first member
 * is its clock, which a pointer to the loop points to (the loop's layout
 * asserts it). */
static inline sim_time sim_loop_now(const sim_loop *loop) {
  return *(const sim_time *)(const void *)loop;
}

/* Schedules fn(loop, ctx, arg) at absolute time `at` (>= now: scheduling in
 * the past is a programming error and asserts).  Returns SIM_EVENT_NONE only
 * when out of memory (or with (2^31 - 1) / 3 events already pending); the
 * loop is then unchanged.  Allocates only when the pending count reaches a
 * new high and the pool or the queue must grow. */
sim_event_id sim_schedule(sim_loop *loop, sim_time at, int32_t priority, sim_handler fn, void *ctx,
                          uint64_t arg);
/* Same, `delay` (>= 0) after now. */
sim_event_id sim_schedule_in(sim_loop *loop, sim_time delay, int32_t priority, sim_handler fn,
                             void *ctx, uint64_t arg);
/* Removes a pending event.  False when the handle is not pending.  Never
 * allocates. */
bool sim_cancel(sim_loop *loop, sim_event_id id);
/* Moves a pending event to time `at` (>= now), keeping its priority and its
 * handle; it takes a new insertion sequence, as if cancelled and scheduled
 * anew.  False when the handle is not pending.  Never allocates. */
bool sim_reschedule(sim_loop *loop, sim_event_id id, sim_time at);
/* sim_reschedule when the event is due later than `at` (bringing a run's
 * end forward): what `sim_event_time(loop, id) > at && sim_reschedule(loop,
 * id, at)` does, with one look-up of the handle.  False when the handle is
 * not pending or the event is due at `at` or before (then unchanged).
 * Never allocates. */
bool sim_reschedule_earlier(sim_loop *loop, sim_event_id id, sim_time at);
bool sim_event_is_pending(const sim_loop *loop, sim_event_id id);
/* Time of a pending event; SIM_TIME_MAX when not pending. */
sim_time sim_event_time(const sim_loop *loop, sim_event_id id);

/* Dispatches events in order while their time is <= until (SIM_TIME_MAX: no
 * limit; until >= now, asserted).  On SIM_RUN_TIME_LIMIT the clock is advanced
 * to `until`; on SIM_RUN_EMPTY it stays at the last event dispatched (an empty
 * loop reports SIM_RUN_EMPTY whatever the limit).  On SIM_RUN_STOPPED the
 * pending events stay, and a later call resumes where the run stopped.  Not
 * re-entrant: a handler must not call it (asserted).
 * Handlers may schedule at now, even with a priority below that of the event
 * being dispatched: such an event runs next, since nothing pending is earlier. */
sim_run_status sim_loop_run(sim_loop *loop, sim_time until);
/* Asks sim_loop_run to return after the current handler (or checkpoint).
 * Each run clears the request when it starts, so a call outside a handler
 * has no effect. */
void sim_loop_stop(sim_loop *loop);

size_t sim_loop_pending(const sim_loop *loop);
uint64_t sim_loop_dispatched(const sim_loop *loop);

/* Observer called before each dispatch (determinism tests, debugging).  It
 * sends every dispatch through sim_loop_run's general path, several times
 * the cost of its common one: to watch a run as a whole, use a checkpoint. */
typedef void (*sim_trace_fn)(void *ctx, sim_time t, int32_t priority, uint64_t sequence,
                             sim_handler fn, uint64_t arg);
void sim_loop_set_trace(sim_loop *loop, sim_trace_fn fn, void *ctx);

/* A checkpoint: called by sim_loop_run between two dispatches, after a
 * given number of them, so that a caller can watch a run (its time,
 * sim_loop_dispatched, the wall clock, a progress bar) while every other
 * dispatch keeps the common path, which pays a countdown for it.  It may do
 * what a handler may (sim_loop_stop ends the run before the next dispatch);
 * it returns the dispatches after which it is called next, 0 for never. */
typedef uint64_t (*sim_checkpoint_fn)(sim_loop *loop, void *ctx);
/* Calls fn once `after` more dispatches have ended (called from a handler,
 * its own dispatch is the first of them), then as fn asks; fn NULL or after
 * 0: no checkpoint.  Dispatches are counted across runs: a time limit, a
 * stop or an empty loop ends a run, never the count, so fn sees exactly
 * every dispatch it asked for, in one run or many.  Replaces the previous
 * checkpoint; fn itself must not call it (asserted: its return value says
 * when it is called next). */
void sim_loop_set_checkpoint(sim_loop *loop, uint64_t after, sim_checkpoint_fn fn, void *ctx);

/* Time of the earliest pending event; SIM_TIME_MAX when none.  O(1) (see
 * above for the one exception). */
sim_time sim_loop_next_time(const sim_loop *loop);

/* Checks every invariant of the queue (order before the horizon, every
 * later entry in its bucket, nested rungs, live first entry, dead-entry
 * count and bound, handle-to-entry links, record generations, free list,
 * capacity margins, the checkpoint's countdown): 0 when all hold, a negative number naming the first
 * broken one otherwise.  O(entries + records); meant for tests and
 * debugging. */
int sim_loop_check(const sim_loop *loop);

/* The near tier's entries when it is a heap, 0 when it is a sorted run (or
 * empty): its shape, for tests of the cases the ladder must keep cheap.
 * O(1). */
size_t sim_loop_near_heap_entries(const sim_loop *loop);
/* Whether sim_loop_run's next dispatch takes its common path (a sorted
 * near run within the limit, nothing dead in it (dead entries may wait in
 * the far tier), no observer, no stop): for tests of what keeps it there.
 * In a handler dispatched on that path, true unless the handler left it
 * (stopped, cancelled a near event, made a heap) or the near tier's refill
 * reached the limit.  O(1). */
bool sim_loop_is_plain(const sim_loop *loop);

#endif
