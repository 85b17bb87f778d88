/* sim/loop.h: the discrete-event loop.
 * Events are ordered by (time, priority, insertion sequence): two events at the
 * same time run in ascending priority, and equal priorities in the order they
 * were scheduled, so the dispatch order never depends on queue layout or
 * platform.  Handles are generation-tagged: a stale handle (event already
 * dispatched or cancelled) is recognised and refused, never confused with a
 * newer event that reused its slot.
 * Complexity: schedule, cancel and reschedule are O(log n) in the number of
 * pending events; dispatch of the earliest is O(log n). */
#ifndef SIM_LOOP_H
#define SIM_LOOP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

typedef struct sim_loop sim_loop;

/* Handle of a scheduled event; SIM_EVENT_NONE is never returned for a
 * successfully scheduled event. */
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

/* Current simulated time: the time of the event being (or last) dispatched. */
sim_time sim_loop_now(const sim_loop *loop);

/* Schedules fn(loop, ctx, arg) at absolute time `at` (>= now: scheduling in
 * the past is a programming error and asserts).  Returns SIM_EVENT_NONE only
 * when out of memory. */
sim_event_id sim_schedule(sim_loop *loop, sim_time at, int32_t priority, sim_handler fn, void *ctx,
                          uint64_t arg);
/* Same, `delay` (>= 0) after now. */
sim_event_id sim_schedule_in(sim_loop *loop, sim_time delay, int32_t priority, sim_handler fn,
                             void *ctx, uint64_t arg);
/* Removes a pending event.  False when the handle is not pending. */
bool sim_cancel(sim_loop *loop, sim_event_id id);
/* Moves a pending event to time `at` (>= now), keeping its priority; it takes
 * a new insertion sequence, as if cancelled and scheduled anew.  False when
 * the handle is not pending. */
bool sim_reschedule(sim_loop *loop, sim_event_id id, sim_time at);
bool sim_event_is_pending(const sim_loop *loop, sim_event_id id);
/* Time of a pending event; SIM_TIME_MAX when not pending. */
sim_time sim_event_time(const sim_loop *loop, sim_event_id id);

/* Dispatches events in order while their time is <= until (SIM_TIME_MAX: no
 * limit).  On SIM_RUN_TIME_LIMIT the clock is advanced to `until`. */
sim_run_status sim_loop_run(sim_loop *loop, sim_time until);
/* Asks sim_loop_run to return after the current handler. */
void sim_loop_stop(sim_loop *loop);

size_t sim_loop_pending(const sim_loop *loop);
uint64_t sim_loop_dispatched(const sim_loop *loop);

/* Observer called before each dispatch (determinism tests, debugging, progress). */
typedef void (*sim_trace_fn)(void *ctx, sim_time t, int32_t priority, uint64_t sequence,
                             sim_handler fn, uint64_t arg);
void sim_loop_set_trace(sim_loop *loop, sim_trace_fn fn, void *ctx);

#endif
