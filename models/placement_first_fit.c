/* models/placement_first_fit.c: first-fit placement: a VM goes to the
 * first switched-on host (in scenario order) its CPU demand and memory fit
 * on, else to the first switched-off one; VMs are taken in arrival order.
 * The baseline bin-packing heuristic [BB12, Section 7.4]. */
#include "models/datacenter.h"

bool dc_fits(const dc_host_load *h, const dc_vm_load *vm) {
  return h->used_hz + vm->demand_hz <= h->capacity_hz && h->used_bytes + vm->memory_bytes <= h->memory_bytes;
}

long dc_choose_by_room(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                       const dc_vm_load *vm, dc_admit_fn admit, void *ctx, bool tightest) {
  for (int pass = 0; pass < 2; pass++) {
    long chosen = -1;
    double chosen_left = 0;
    for (long f = dc_next_fit(hosts, n, excluded, room, vm, 0); f >= 0;
         f = dc_next_fit(hosts, n, excluded, room, vm, (size_t)f + 1)) {
      size_t i = (size_t)f;
      const dc_host_load *h = &hosts[i];
      if (h->active != (pass == 0)) continue;
      if (admit && !admit(ctx, i, vm)) continue;
      double left = h->capacity_hz - h->used_hz - vm->demand_hz; /* Hz */
      if (chosen < 0 || (tightest ? left < chosen_left : left > chosen_left)) {
        chosen = (long)i;
        chosen_left = left;
      }
    }
    if (chosen >= 0) return chosen;
  }
  return -1;
}

static long first_fit(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                      const dc_vm_load *vm, dc_admit_fn admit, void *ctx) {
  for (int pass = 0; pass < 2; pass++) /* switched-on hosts first: no host is woken needlessly */
    for (long f = dc_next_fit(hosts, n, excluded, room, vm, 0); f >= 0;
         f = dc_next_fit(hosts, n, excluded, room, vm, (size_t)f + 1)) {
      size_t i = (size_t)f;
      if (hosts[i].active != (pass == 0)) continue;
      if (admit && !admit(ctx, i, vm)) continue;
      return (long)i;
    }
  return -1;
}

const dc_placement_ops placement_first_fit_ops = {"first-fit", false, first_fit, false};
