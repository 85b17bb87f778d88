/* models/overload_mad.c: median-absolute-deviation overload detection (MAD)
 * [BB12, Section 6.1]: the upper threshold T_u = 1 - s MAD (s = 2.5 by
 * default), MAD the median of the absolute deviations of the host's
 * utilisation from its median, a dispersion measure robust to outliers.
 * With fewer than 12 samples it falls back on the static threshold (0.7). */
#include "models/datacenter.h"

static bool mad_overloaded(const dc_host_history *h, double threshold, double safety) {
  if (h->n < overload_mad_ops.min_history) return dc_over_threshold(h, threshold);
  size_t n = h->n < DC_HISTORY_MAX ? h->n : DC_HISTORY_MAX;
  double upper = 1 - safety * dc_mad(h->util + h->n - n, n);
  return h->util[h->n - 1] > upper;
}

const dc_overload_ops overload_mad_ops = {"mad", 0.7, 2.5, 12, mad_overloaded};
