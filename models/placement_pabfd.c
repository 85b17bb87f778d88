/* models/placement_pabfd.c: power-aware best fit decreasing (PABFD)
 * [BB12, Algorithm 1]: VMs in decreasing order of CPU demand, each to the
 * host whose power draw grows least by taking it, among the hosts it fits
 * on whose overload detector (the `admit` callback) does not find them
 * overloaded with it; an empty host is admitted whatever the detector says,
 * as in the paper's implementation.  A switched-off host draws nothing, so
 * waking one costs its whole power at the new load: switched-on hosts win
 * unless none has room.  Hosts without a power model are compared on the
 * utilisation they add (a best fit). */
#include "models/datacenter.h"

/* W (or, without a power model, utilisation) h draws with extra_hz more. */
static double draw(const dc_host_load *h, double extra_hz) {
  double u = (h->used_hz + extra_hz) / h->capacity_hz;
  return h->power ? dc_power_watts(h->power, u) : u;
}

static long pabfd(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                  const dc_vm_load *vm, dc_admit_fn admit, void *ctx) {
  long chosen = -1;
  double least = 0;
  for (long f = dc_next_fit(hosts, n, excluded, room, vm, 0); f >= 0;
       f = dc_next_fit(hosts, n, excluded, room, vm, (size_t)f + 1)) {
    size_t i = (size_t)f;
    const dc_host_load *h = &hosts[i];
    if (h->used_hz > 0 && admit && !admit(ctx, i, vm)) continue;
    double before = h->active ? draw(h, 0) : 0;
    double increase = draw(h, vm->demand_hz) - before;
    if (chosen < 0 || increase < least) {
      chosen = (long)i;
      least = increase;
    }
  }
  return chosen;
}

const dc_placement_ops placement_pabfd_ops = {"pabfd", true, pabfd, false};
