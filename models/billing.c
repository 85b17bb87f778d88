/* models/billing.c: the price of running an instance (models/billing.h).
 * EC2 charged "for each started hour of VM usage" [LECT]; since 2017 it
 * bills Linux instances per second with a minimum of one minute [AWS-BILL].
 * Surplus CPU credits of an unlimited burstable instance are billed per
 * vCPU-hour, one vCPU-hour being 60 credits [AWS-BURST].
 * Units: USD, seconds, credits.  Invariants: costs are >= 0 and never fall
 * as the running time grows. */
#include "models/billing.h"

#include <assert.h>
#include <math.h>

double billing_billed_s(sim_billing billing, double minimum_s, double running_s) {
  assert(running_s >= 0 && minimum_s >= 0);
  if (!(running_s > 0)) return 0;
  if (billing == SIM_BILL_PER_HOUR) return ceil(running_s / 3600.0) * 3600.0;
  double s = ceil(running_s);
  return s < minimum_s ? minimum_s : s;
}

double billing_instance_cost(const sim_instance_type *t, double running_s) {
  return billing_billed_s(t->billing, (double)t->minimum_ns * 1e-9, running_s) / 3600.0 * t->price_per_hour;
}

double billing_surplus_cost(const sim_instance_type *t, double credits) {
  return credits > 0 ? credits / 60.0 * t->surplus_price : 0;
}
