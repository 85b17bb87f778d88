/* models/underload_least_utilized.c: underload detection [BB12, Section 5]:
 * the switched-on host with the least CPU utilisation that carries some
 * load is the candidate to empty; the controller migrates all its VMs away
 * (and switches it off) only if every one of them can be placed on another
 * host without overloading it, otherwise it keeps them and tries the next
 * least utilised host. */
#include <math.h>

#include "models/datacenter.h"

/* Its utilisation (share of capacity); INFINITY: off or idle, no candidate. */
static double utilisation_rank(const dc_host_load *h) {
  if (!h->active || !(h->used_hz > 0)) return INFINITY;
  return h->used_hz / h->capacity_hz;
}

const dc_underload_ops underload_least_utilized_ops = {"least-utilized", utilisation_rank};
