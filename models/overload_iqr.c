/* models/overload_iqr.c: interquartile-range overload detection (IQR)
 * [BB12, Section 6.2]: the upper threshold adapts to the spread of the
 * host's utilisation, T_u = 1 - s IQR (s = 1.5 by default); the host is
 * overloaded when its utilisation now exceeds T_u.  With fewer than 12
 * samples (the paper's safe minimum) it falls back on the static threshold
 * (0.7 by default, as in the paper's experiments). */
#include "models/datacenter.h"

static bool iqr_overloaded(const dc_host_history *h, double threshold, double safety) {
  if (h->n < overload_iqr_ops.min_history) return dc_over_threshold(h, threshold);
  size_t n = h->n < DC_HISTORY_MAX ? h->n : DC_HISTORY_MAX;
  double upper = 1 - safety * dc_iqr(h->util + h->n - n, n);
  return h->util[h->n - 1] > upper;
}

const dc_overload_ops overload_iqr_ops = {"iqr", 0.7, 1.5, 12, iqr_overloaded};
