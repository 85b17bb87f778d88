/* sim/loop_watch.c: what watches the event loop's runs (sim/loop.h): the
 * dispatch observer (a trace, which every dispatch calls, so that all of
 * them take sim_loop_run's general path), the checkpoint (called after a
 * number of dispatches it chooses, which the common path counts down: a
 * caller watches a run's time, progress and guards at the cost of a
 * decrement a dispatch), and the count of dispatches.
 * Units: dispatches.  Invariants (checked by sim_loop_check): between
 * dispatches the countdown is at least 1 (it is re-armed as it reaches 0);
 * the checkpoint is called only inside sim_loop_run, and never nested. */
#include <assert.h>
#include <stdint.h>

#include "sim/loop.h"
#include "sim/loop_internal.h"

void sim_loop_set_trace(sim_loop *loop, sim_trace_fn fn, void *ctx) {
  loop->trace = fn;
  loop->trace_ctx = ctx;
  set_sorted(loop, loop->sorted);
}

void sim_loop_set_checkpoint(sim_loop *loop, uint64_t after, sim_checkpoint_fn fn, void *ctx) {
  assert(!loop->in_checkpoint && "a checkpoint asks for its next call by its return value");
  if (fn == NULL || after == 0) {
    fn = NULL;
    ctx = NULL;
    after = UINT64_MAX;
  }
  loop->checkpoint = fn;
  loop->checkpoint_ctx = ctx;
  loop->checkpoint_left = after;
}

/* Called by sim_loop_run when the countdown reaches 0 after a dispatch.
 * With no checkpoint (or one that asked for no more calls) the countdown
 * starts again from UINT64_MAX, so that the common path need not test for
 * one. */
void loop_checkpoint(sim_loop *loop) {
  assert(loop->checkpoint_left == 0 && loop->running);
  loop->checkpoint_left = UINT64_MAX;
  if (loop->checkpoint == NULL) return;
  loop->in_checkpoint = true;
  uint64_t next = loop->checkpoint(loop, loop->checkpoint_ctx);
  loop->in_checkpoint = false;
  if (next == 0) {
    loop->checkpoint = NULL;
    loop->checkpoint_ctx = NULL;
  } else {
    loop->checkpoint_left = next;
  }
}

/* Derived rather than counted, so that a dispatch counts nothing: every
 * sequence issued (next_seq - 1) is pending, withdrawn or dispatched. */
uint64_t sim_loop_dispatched(const sim_loop *loop) {
  return loop->next_seq - 1 - loop->withdrawn - pending_events(loop);
}
