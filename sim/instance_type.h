/* sim/instance_type.h: an IaaS instance type as the scenario loader reads it
 * (scenarios/SCHEMA.md "instance_types"): the size a guest of the type gets
 * (vCPUs, memory, local storage), its compute units, its price and billing
 * granularity, and, for a burstable type, its CPU-credit account.
 * Units: bytes, USD, ns, credits (one CPU credit is one vCPU at 100 % for
 * one minute [AWS-BURST]), as every field's name or comment says.
 * Invariants (the loader checks them): price_per_hour >= 0; minimum_ns is
 * 0 for per-hour billing; a burstable type has 0 < credits_per_hour <=
 * 60 x vcpus (a baseline of at most 100 % of every vCPU), credits_per_hour
 * <= max_credits, 0 <= initial_credits <= max_credits. */
#ifndef SIM_INSTANCE_TYPE_H
#define SIM_INSTANCE_TYPE_H
#include <stdbool.h>
#include <stdint.h>

#include "sim/time.h"

/* How an instance's running time is turned into billed time. */
typedef enum sim_billing {
  SIM_BILL_PER_HOUR = 0,      /* every started hour is paid in full ([LECT], EC2 until 2017) */
  SIM_BILL_PER_SECOND         /* whole seconds, at least minimum_ns ([AWS-BILL]) */
} sim_billing;

/* The clock of one compute unit: EC2 defined its compute unit (ECU) as the
 * CPU capacity of a 1.0-1.2 GHz 2007 Opteron or Xeon [LECT]; the lower end
 * is taken. */
#define SIM_COMPUTE_UNIT_HZ 1.0e9

typedef struct sim_instance_type {
  char *name;                 /* as guests name it: "t3.micro" */
  char *source;               /* where its numbers come from; NULL: not given */
  uint32_t vcpus;             /* vCPUs of a guest of the type */
  uint64_t memory_bytes;      /* its memory, bytes */
  uint64_t local_storage_bytes; /* its local disk (the guest's `disk`), bytes; 0: none (network storage only) */
  double compute_units;       /* compute units of the whole instance; 0: not given (no cap) */
  double price_per_hour;      /* USD per hour of running */
  sim_billing billing;        /* how running time is billed */
  sim_time minimum_ns;        /* per-second billing: the least time billed, ns */
  /* burstable performance (t2/t3-style CPU credits [AWS-BURST]) */
  bool burstable;             /* it has a credit account; the fields below are then set */
  double credits_per_hour;    /* credits earned per hour; its baseline is this / 60 per vCPU-share */
  double max_credits;         /* most credits the balance holds */
  double initial_credits;     /* balance at launch (launch credits), credits */
  bool unlimited;             /* may run above its baseline without credits, paying surplus credits */
  double surplus_price;       /* unlimited: USD per vCPU-hour of surplus credits (60 credits) */
} sim_instance_type;

#endif
