/* models/placement_worst_fit.c: worst-fit decreasing placement: VMs are
 * taken in decreasing order of CPU demand, each to the host it fits on
 * (CPU and memory) with the most CPU left over (load spread out),
 * switched-on hosts before switched-off ones, ties to the first in scenario
 * order [BB12, Section 7.4]. */
#include "models/datacenter.h"

static long worst_fit(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_vm_load *vm,
                     dc_admit_fn admit, void *ctx) {
  for (int pass = 0; pass < 2; pass++) {
    long chosen = -1;
    double chosen_left = 0;
    for (size_t i = 0; i < n; i++) {
      const dc_host_load *h = &hosts[i];
      if ((excluded && excluded[i]) || h->active != (pass == 0) || !dc_fits(h, vm)) continue;
      if (admit && !admit(ctx, i, vm)) continue;
      double left = h->capacity_hz - h->used_hz - vm->demand_hz; /* Hz */
      if (chosen < 0 || left > chosen_left) {
        chosen = (long)i;
        chosen_left = left;
      }
    }
    if (chosen >= 0) return chosen;
  }
  return -1;
}

const dc_placement_ops placement_worst_fit_ops = {"worst-fit", true, worst_fit};
