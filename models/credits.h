/* models/credits.h: the CPU-credit account of a burstable instance
 * (models/credits.c), t2/t3-style [AWS-BURST].
 * Units: credits (one credit = one vCPU at 100 % for one minute = 60 s of
 * CPU time), seconds, CPUs. */
#ifndef MODELS_CREDITS_H
#define MODELS_CREDITS_H
#include <stdbool.h>

#include "sim/instance_type.h"

typedef struct credit_account {
  double balance;            /* credits; below 0 only in unlimited mode (surplus credits owed) */
  double charged;            /* surplus credits billed so far (unlimited mode), credits */
  double earned;             /* credits earned so far, before the maximum clips them */
  double spent;              /* credits spent so far (CPU time used / 60 s) */
} credit_account;

/* A new instance's account: its initial (launch) credits. */
credit_account credit_open(const sim_instance_type *t);
/* dt_s seconds of running in which the instance used cpu_s seconds of CPU
 * time (all vCPUs together): it earns credits_per_hour x dt / 3600 and
 * spends cpu_s / 60; the balance is clipped at max_credits; in standard
 * mode it does not fall below 0; in unlimited mode surplus credits beyond
 * the maximum balance owed (a day's earnings) are charged at once. */
void credit_step(const sim_instance_type *t, credit_account *a, double dt_s, double cpu_s);
/* Charges the surplus credits still owed when the instance stops. */
void credit_close(const sim_instance_type *t, credit_account *a);
/* The CPU cap (CPUs) for the next dt_s seconds: what the balance and the
 * credits earned meanwhile pay for, never below the baseline
 * (credits_per_hour / 60 CPUs); 0 (uncapped) when that is all its vCPUs,
 * and always in unlimited mode. */
double credit_cap(const sim_instance_type *t, const credit_account *a, double dt_s);

#endif
