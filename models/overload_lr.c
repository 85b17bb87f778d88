/* models/overload_lr.c: local regression (LR) overload detection
 * [BB12, Section 6.3]: a line fitted to the host's last 10 utilisation
 * samples (the tricube weights of the loess method) is extrapolated past
 * the longest migration of its VMs, to
 * x = 10 + ceil(T_m / interval); the host is overloaded when s times the
 * prediction reaches 1 (s = 1.2 by default).  With fewer than 10 samples,
 * or when the fit is singular, it falls back on the static threshold (0.7). */
#include <math.h>

#include "models/datacenter.h"

enum { WINDOW = 10 }; /* samples fitted: few enough to follow the latest trend [BB12] */

static bool lr_overloaded(const dc_host_history *h, double threshold, double safety) {
  double a, b;
  if (h->n < WINDOW || dc_local_regression(h->util + h->n - WINDOW, WINDOW, false, &a, &b) < 0)
    return dc_over_threshold(h, threshold);
  double ahead = h->interval_s > 0 ? ceil(h->max_migration_s / h->interval_s) : 0;
  return safety * (a + b * (WINDOW + ahead)) >= 1;
}

const dc_overload_ops overload_lr_ops = {"lr", 0.7, 1.2, WINDOW, lr_overloaded};
