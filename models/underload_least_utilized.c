/* models/underload_least_utilized.c: underload detection [BB12, Section 5]:
 * the switched-on host with the least CPU utilisation that carries some
 * load is the candidate to empty; the controller migrates all its VMs away
 * (and switches it off) only if every one of them can be placed on another
 * host without overloading it, otherwise it keeps them and tries the next
 * least utilised host. */
#include "models/datacenter.h"

static long least_utilized(const dc_host_load *hosts, size_t n, const bool *excluded) {
  long chosen = -1;
  double least = 0;
  for (size_t i = 0; i < n; i++) {
    const dc_host_load *h = &hosts[i];
    if ((excluded && excluded[i]) || !h->active || !(h->used_hz > 0)) continue;
    double u = h->used_hz / h->capacity_hz;
    if (chosen < 0 || u < least) {
      chosen = (long)i;
      least = u;
    }
  }
  return chosen;
}

const dc_underload_ops underload_least_utilized_ops = {"least-utilized", least_utilized};
