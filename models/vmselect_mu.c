/* models/vmselect_mu.c: minimum utilisation (MU) VM selection [BB12,
 * Section 7]: the VM with the lowest CPU utilisation now leaves the
 * overloaded host (the least work disturbed by the move); ties go to the
 * first candidate. */
#include "models/datacenter.h"

static size_t mu_select(const dc_vm_candidate *c, size_t n, gsl_rng *rng) {
  (void)rng;
  size_t chosen = 0;
  for (size_t i = 1; i < n; i++)
    if (c[i].util < c[chosen].util) chosen = i;
  return chosen;
}

const dc_vmselect_ops vmselect_mu_ops = {"mu", false, mu_select};
