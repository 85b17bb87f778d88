/* models/power_cubic.c: the cubic power model: P(u) = P_idle +
 * (P_max - P_idle) u^3, the shape of a CPU whose voltage and frequency
 * scale with load (dynamic power ~ f V^2 ~ f^3) [BB12, Section 3]. W. */
#include "models/datacenter.h"

static double cubic_watts(const dc_power_model *m, double u) {
  return m->idle_w + (m->max_w - m->idle_w) * u * u * u;
}

const dc_power_ops power_cubic_ops = {"cubic", DC_POWER_IDLE_MAX, NULL, cubic_watts};
