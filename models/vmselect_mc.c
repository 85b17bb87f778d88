/* models/vmselect_mc.c: maximum correlation (MC) VM selection [BB12,
 * Section 7.3]: the VM whose utilisation is best explained by the others'
 * (the largest R^2 of the multiple regression of its history on theirs)
 * leaves, since correlated VMs peak together and overload their host.  The
 * histories are cut to the shortest; with too few samples for the
 * regression (n <= number of VMs) it falls back on minimum migration time,
 * as the paper's implementation does. */
#include <stdlib.h>

#include "models/datacenter.h"

static size_t mc_select(const dc_vm_candidate *c, size_t n, gsl_rng *rng) {
  (void)rng;
  if (n < 2) return 0;
  size_t m = c[0].n_history;
  for (size_t i = 1; i < n; i++)
    if (c[i].n_history < m) m = c[i].n_history;
  const double **others = malloc((n - 1) * sizeof *others);
  if (!others) return dc_select_min_migration_time(c, n);
  size_t chosen = 0;
  double best = -1;
  bool fitted = false;
  for (size_t i = 0; i < n; i++) {
    size_t k = 0;
    for (size_t j = 0; j < n; j++) /* the newest m samples of every other VM */
      if (j != i) others[k++] = c[j].history + c[j].n_history - m;
    double r2;
    if (dc_multiple_r2(c[i].history + c[i].n_history - m, others, k, m, &r2) < 0) {
      if (m <= n) break; /* no degrees of freedom: no VM can be fitted */
      r2 = 0;            /* a constant history: nothing explains it */
    }
    fitted = true;
    if (r2 > best) {
      best = r2;
      chosen = i;
    }
  }
  free(others);
  return fitted && best >= 0 ? chosen : dc_select_min_migration_time(c, n);
}

const dc_vmselect_ops vmselect_mc_ops = {"mc", true, mc_select};
