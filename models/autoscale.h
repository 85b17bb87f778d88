/* models/autoscale.h: autoscaling policies, catalog entries of kind
 * MODEL_AUTOSCALE (models/registry.h), one file each:
 *   autoscale_target_tracking.c  target tracking on a metric [AWS-ASG]
 *   autoscale_step.c             step scaling by the alarm's breach [AWS-ASG]
 *   autoscale_scheduled.c        capacity set at given times [AWS-ASG]
 * A policy is asked, once per evaluation period, for the service's desired
 * capacity given its current capacity and the period's metric; the engine
 * (models/engine_elastic.c) clamps the answer to min .. max and applies it
 * subject to the cooldowns.  Policies are pure functions of their input.
 * Units: instances; the metric in its own unit (a CPU share, or s). */
#ifndef MODELS_AUTOSCALE_H
#define MODELS_AUTOSCALE_H
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario_services.h"

/* The keys a policy takes (its vocabulary kind, sim/scenario_services.h). */
typedef enum autoscale_keys {
  AUTOSCALE_TAKES_TARGET,     /* metric and target */
  AUTOSCALE_TAKES_STEPS,      /* metric, target and steps */
  AUTOSCALE_TAKES_SCHEDULE    /* a schedule */
} autoscale_keys;

typedef struct autoscale_input {
  const sim_service *spec;    /* the service: target, steps, schedule */
  uint32_t current;           /* instances in service or being provisioned */
  double metric;              /* the period's metric (CPU share, or s); NaN: no measurement */
  sim_time now_ns;            /* ns: the evaluation's time */
} autoscale_input;

typedef struct autoscale_ops {
  const char *name;
  autoscale_keys keys;
  /* The desired capacity (unclamped; == current: no change); *why is set
   * to a short static reason ("metric above target", "step 2", "schedule"). */
  int64_t (*desired)(const autoscale_input *in, const char **why);
} autoscale_ops;

extern const autoscale_ops autoscale_target_tracking_ops;
extern const autoscale_ops autoscale_step_ops;
extern const autoscale_ops autoscale_scheduled_ops;

#endif
