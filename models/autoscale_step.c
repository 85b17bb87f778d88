/* models/autoscale_step.c: step scaling [AWS-ASG]: an alarm compares the
 * metric with its threshold (the service's target), and the step whose
 * bounds hold the breach (metric - target) gives the change in capacity.
 * As EC2 Auto Scaling defines the bounds: above the threshold a step's
 * lower bound is inclusive and its upper exclusive; below it, the lower
 * exclusive and the upper inclusive.  No step holding the breach, or no
 * measurement: no change.
 * Units: instances; bounds in the metric's unit (a share, or s).
 * Invariant: at most one step holds a breach (the loader refuses
 * overlapping steps). */
#include "models/autoscale.h"

static int64_t step_desired(const autoscale_input *in, const char **why) {
  const sim_service *s = in->spec;
  double b = in->metric - s->target;
  *why = "no step holds the breach";
  if (!(b == b)) {
    *why = "no measurement";
    return in->current;
  }
  for (size_t k = 0; k < s->n_steps; k++) {
    const sim_scale_step *st = &s->steps[k];
    bool in_step = b >= 0 ? st->lower <= b && b < st->upper : st->lower < b && b <= st->upper;
    if (!in_step) continue;
    *why = st->change > 0 ? "step: metric above target" : "step: metric below target";
    return (int64_t)in->current + st->change;
  }
  return in->current;
}

const autoscale_ops autoscale_step_ops = {"step", AUTOSCALE_TAKES_STEPS, step_desired};
