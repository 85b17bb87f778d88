/* models/autoscale_scheduled.c: scheduled scaling [AWS-ASG]: actions set
 * the desired capacity at given times, whatever the load (a known daily
 * peak, a planned launch).  The capacity is that of the last action at or
 * before the evaluation's time, so an action takes effect at the first
 * evaluation at or after it; before the first action the capacity stays.
 * Units: ns, instances.  Invariant: actions are in increasing time (the
 * loader checks it). */
#include "models/autoscale.h"

static int64_t sched_desired(const autoscale_input *in, const char **why) {
  const sim_service *s = in->spec;
  int64_t d = in->current;
  *why = "before the first scheduled action";
  for (size_t k = 0; k < s->n_schedule && s->schedule[k].at_ns <= in->now_ns; k++) {
    d = s->schedule[k].capacity;
    *why = "scheduled action";
  }
  return d;
}

const autoscale_ops autoscale_scheduled_ops = {"scheduled", AUTOSCALE_TAKES_SCHEDULE, sched_desired};
