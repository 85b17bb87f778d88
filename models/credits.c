/* models/credits.c: the CPU-credit account of a burstable instance
 * (models/credits.h), as EC2's t2/t3 instances keep it [AWS-BURST]: one
 * CPU credit is one vCPU at 100 % for one minute; an instance earns
 * credits_per_hour continuously and spends the CPU time it uses, so its
 * balance rises below its baseline (credits_per_hour / 60 CPUs, i.e.
 * credits_per_hour / (60 x vCPUs) of each vCPU) and falls above it; the
 * balance holds at most max_credits (a day's earnings on EC2).  In standard
 * mode the instance may not run above its baseline once the balance is
 * spent (credit_cap); in unlimited mode it may, running the balance below
 * zero (surplus credits), which later earnings pay back; surplus beyond a
 * day's earnings, and whatever is owed when it stops, is billed.
 * Units: credits, seconds, CPUs.  Invariants: standard: 0 <= balance <=
 * max_credits; unlimited: -max_credits <= balance <= max_credits. */
#include "models/credits.h"

#include <assert.h>

credit_account credit_open(const sim_instance_type *t) {
  assert(t->burstable);
  return (credit_account){.balance = t->initial_credits};
}

void credit_step(const sim_instance_type *t, credit_account *a, double dt_s, double cpu_s) {
  assert(dt_s >= 0 && cpu_s >= 0);
  double earned = t->credits_per_hour * dt_s / 3600.0, spent = cpu_s / 60.0;
  a->earned += earned;
  a->spent += spent;
  a->balance += earned - spent;
  if (a->balance > t->max_credits) a->balance = t->max_credits;
  if (!t->unlimited && a->balance < 0) a->balance = 0; /* the cap lags its balance by one step */
  if (t->unlimited && a->balance < -t->max_credits) {
    a->charged += -t->max_credits - a->balance;
    a->balance = -t->max_credits;
  }
}

void credit_close(const sim_instance_type *t, credit_account *a) {
  if (t->unlimited && a->balance < 0) {
    a->charged += -a->balance;
    a->balance = 0;
  }
}

double credit_cap(const sim_instance_type *t, const credit_account *a, double dt_s) {
  assert(dt_s > 0);
  if (t->unlimited) return 0;
  double baseline = t->credits_per_hour / 60.0;
  double affordable = (a->balance > 0 ? a->balance : 0) * 60.0 / dt_s + baseline;
  if (affordable >= t->vcpus) return 0;
  return affordable;
}
