/* models/dvfs_performance.c: the `performance` governor: its hosts run at
 * their highest P-state whatever their load, as cpufreq's performance
 * governor sets policy->max when it starts [CPUFREQ].  Units: P-state
 * indices (models/dvfs.h). */
#include "models/dvfs.h"

static size_t top(const dvfs_policy *p, dvfs_memory *mem) {
  (void)mem;
  return p->n - 1;
}

static size_t performance_next(const dvfs_policy *p, size_t cur, double load, dvfs_memory *mem) {
  (void)cur;
  (void)load;
  return top(p, mem);
}

const dvfs_governor_ops dvfs_performance_ops = {"performance", false, top, performance_next};
