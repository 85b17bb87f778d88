/* models/vmselect_mmt.c: minimum migration time (MMT) VM selection
 * [BB12, Section 7.1]: the VM whose migration would end soonest leaves the
 * overloaded host.  The paper estimates the time as RAM / spare network
 * bandwidth; here the controller hands each candidate's estimate, which may
 * come from the migration strategy's own model (dirtying, NIC share). */
#include "models/datacenter.h"

size_t dc_select_min_migration_time(const dc_vm_candidate *c, size_t n) {
  size_t chosen = 0;
  for (size_t i = 1; i < n; i++)
    if (c[i].migration_s < c[chosen].migration_s) chosen = i;
  return chosen;
}

static size_t mmt_select(const dc_vm_candidate *c, size_t n, gsl_rng *rng) {
  (void)rng;
  return dc_select_min_migration_time(c, n);
}

const dc_vmselect_ops vmselect_mmt_ops = {"mmt", false, mmt_select};
