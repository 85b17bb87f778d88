/* models/billing.h: what an IaaS provider charges for an instance
 * (models/billing.c).  Units: USD, seconds, credits. */
#ifndef MODELS_BILLING_H
#define MODELS_BILLING_H
#include "sim/instance_type.h"

/* Seconds billed for `running_s` seconds of running (>= 0) under `billing`:
 * per hour, every started hour in full [LECT]; per second, the whole
 * seconds begun, at least minimum_s [AWS-BILL].  0 for 0 s. */
double billing_billed_s(sim_billing billing, double minimum_s, double running_s);
/* USD for running_s seconds of an instance of type t. */
double billing_instance_cost(const sim_instance_type *t, double running_s);
/* USD for `credits` surplus CPU credits of an unlimited burstable type t:
 * its surplus price per vCPU-hour, 60 credits [AWS-BURST]. */
double billing_surplus_cost(const sim_instance_type *t, double credits);

#endif
