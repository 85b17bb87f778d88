/* models/autoscale_target_tracking.c: target tracking scaling [AWS-ASG]:
 * the policy keeps a metric at its target by setting the capacity in
 * proportion to the metric's distance from it,
 *   desired = ceil(current x metric / target),
 * the proportional rule Application Auto Scaling documents for target
 * tracking [AWS-ASG] (a load spread evenly over the instances: n instances
 * at utilisation u carry n u, which ceil(n u / target) instances carry at
 * the target or below).  A latency metric is treated the same way (latency
 * grows with the load per instance: a first-order rule, not exact for a
 * queue).  Without a measurement (no ready instance past warm-up, or no
 * request completed) the capacity stays.
 * Units: instances; metric and target in one unit.  Invariant: desired >=
 * current when metric >= target, <= current when metric <= target. */
#include <math.h>

#include "models/autoscale.h"

static int64_t tt_desired(const autoscale_input *in, const char **why) {
  double m = in->metric, t = in->spec->target;
  if (!(m >= 0) || !(t > 0)) {
    *why = "no measurement";
    return in->current;
  }
  double d = ceil((double)in->current * m / t - 1e-9); /* 1e-9: m / t exactly k / current stays k */
  *why = m > t ? "metric above target" : m < t ? "metric below target" : "metric at target";
  return d > 1e9 ? (int64_t)1e9 : (int64_t)d;
}

const autoscale_ops autoscale_target_tracking_ops = {"target-tracking", AUTOSCALE_TAKES_TARGET, tt_desired};
