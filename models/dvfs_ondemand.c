/* models/dvfs_ondemand.c: the `ondemand` governor of cpufreq, as its
 * dbs_check_cpu decides each sampling period [CPUFREQ]:
 *   - load above up_threshold: the highest P-state ("jump to max");
 *   - load under up_threshold - down_differential: the frequency that would
 *     carry the same work at that utilisation, load x f_cur /
 *     (up_threshold - down_differential), rounded up to a P-state
 *     (CPUFREQ_RELATION_L): the lowest frequency that keeps the utilisation
 *     under the threshold, with the differential as a margin so the next
 *     sample does not jump straight back;
 *   - otherwise the P-state stays.
 * Linux computes the load per CPU and takes the busiest CPU of a policy; a
 * host's cores share one clock here and the engine measures busy time per
 * host, so `load` is the host's mean over its cores.  The frequency over the
 * period (Linux's freq_avg) is f_cur: the P-state changes only at samples.
 * The host starts at its highest P-state, where it runs until the first
 * sample (the governor only lowers the clock on evidence of low load).
 * Units: utilisation a share in [0, 1], frequencies in Hz (models/dvfs.h). */
#include "models/dvfs.h"

static size_t ondemand_start(const dvfs_policy *p, dvfs_memory *mem) {
  (void)mem;
  return p->n - 1;
}

static size_t ondemand_next(const dvfs_policy *p, size_t cur, double load, dvfs_memory *mem) {
  (void)mem;
  if (load > p->up_threshold) return p->n - 1;
  double aim = p->up_threshold - p->down_differential;
  if (cur == 0 || !(load < aim)) return cur;
  return dvfs_lowest_at_least(p, load * p->hz[cur] / aim);
}

const dvfs_governor_ops dvfs_ondemand_ops = {"ondemand", true, ondemand_start, ondemand_next};
