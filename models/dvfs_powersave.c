/* models/dvfs_powersave.c: the `powersave` governor: its hosts run at their
 * lowest P-state whatever their load, as cpufreq's powersave governor sets
 * policy->min when it starts [CPUFREQ].  Units: P-state indices
 * (models/dvfs.h). */
#include "models/dvfs.h"

static size_t bottom(const dvfs_policy *p, dvfs_memory *mem) {
  (void)p;
  (void)mem;
  return 0;
}

static size_t powersave_next(const dvfs_policy *p, size_t cur, double load, dvfs_memory *mem) {
  (void)cur;
  (void)load;
  return bottom(p, mem);
}

const dvfs_governor_ops dvfs_powersave_ops = {"powersave", false, bottom, powersave_next};
