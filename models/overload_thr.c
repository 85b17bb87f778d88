/* models/overload_thr.c: static-threshold overload detection (THR)
 * [BB12, Section 6.1]: a host is overloaded when its CPU utilisation now
 * exceeds a fixed threshold (0.8 by default, the paper's THR-0.8).  Every
 * adaptive detector falls back on this test while its history is short. */
#include "models/datacenter.h"

bool dc_over_threshold(const dc_host_history *h, double threshold) { return h->util[h->n - 1] > threshold; }

static bool thr_overloaded(const dc_host_history *h, double threshold, double safety) {
  (void)safety;
  return dc_over_threshold(h, threshold);
}

const dc_overload_ops overload_thr_ops = {"thr", 0.8, 0, 1, thr_overloaded};
