/* models/placement_best_fit.c: best-fit decreasing placement: VMs are
 * taken in decreasing order of CPU demand, each to the host it fits on
 * (CPU and memory) with the least CPU left over (the tightest fit),
 * switched-on hosts before switched-off ones, ties to the first in scenario
 * order [BB12, Section 7.4]. */
#include "models/datacenter.h"

static long best_fit(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                     const dc_vm_load *vm, dc_admit_fn admit, void *ctx) {
  return dc_choose_by_room(hosts, n, excluded, room, vm, admit, ctx, true);
}

const dc_placement_ops placement_best_fit_ops = {"best-fit", true, best_fit, false};
