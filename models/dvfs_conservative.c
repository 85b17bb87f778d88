/* models/dvfs_conservative.c: the `conservative` governor of cpufreq, as its
 * cs_dbs_update decides each sampling period [CPUFREQ]: it keeps a
 * requested frequency and moves it by freq_step (a share of the top
 * frequency) at a time instead of jumping:
 *   - load above up_threshold: one step up, to at most the top, and the
 *     highest P-state at or below the request (CPUFREQ_RELATION_H);
 *   - load under down_threshold: one step down, to at least the lowest, and
 *     the lowest P-state at or above the request (CPUFREQ_RELATION_L);
 *   - otherwise nothing changes.
 * With P-states further apart than a step, the request climbs (or falls)
 * over several samples before the P-state follows.  Linux's
 * sampling_down_factor (how many samples a step down waits) is 1 here, its
 * default.  The host starts at its highest P-state, the request there.
 * Units: utilisation a share in [0, 1], frequencies in Hz (models/dvfs.h). */
#include "models/dvfs.h"

static size_t conservative_start(const dvfs_policy *p, dvfs_memory *mem) {
  mem->requested_hz = p->hz[p->n - 1];
  return p->n - 1;
}

static size_t conservative_next(const dvfs_policy *p, size_t cur, double load, dvfs_memory *mem) {
  double top = p->hz[p->n - 1], bottom = p->hz[0], step = p->freq_step * top;
  if (load > p->up_threshold) {
    if (mem->requested_hz >= top) return cur;
    mem->requested_hz = mem->requested_hz + step > top ? top : mem->requested_hz + step;
    return dvfs_highest_at_most(p, mem->requested_hz);
  }
  if (load < p->down_threshold) {
    if (cur == 0) return cur;
    mem->requested_hz = mem->requested_hz > step + bottom ? mem->requested_hz - step : bottom;
    return dvfs_lowest_at_least(p, mem->requested_hz);
  }
  return cur;
}

const dvfs_governor_ops dvfs_conservative_ops = {"conservative", true, conservative_start, conservative_next};
