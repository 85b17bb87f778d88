/* models/power_linear.c: the linear power model [BB12, Section 3]: a
 * host draws P(u) = P_idle + (P_max - P_idle) u at CPU utilisation u, the
 * CPU being the component whose draw follows load most closely. Units: W.
 * Also holds what every power model shares: clamping, the table
 * interpolation of the SPECpower models, and the power of a host at a
 * P-state below its highest (models/dvfs.h). */
#include <math.h>

#include "models/datacenter.h"
#include "models/dvfs.h"

static double clamp01(double u) { return u < 0 ? 0 : u > 1 ? 1 : u; }

double dc_power_watts(const dc_power_model *m, double u) { return m->ops->watts(m, clamp01(u)); }

/* The dynamic part, above idle, follows the P-state's f V^2 (models/dvfs.h
 * "Power at a P-state"); idle stays. */
double dvfs_power_watts(const dc_power_model *m, double u, double dynamic_scale) {
  double idle = m->ops->watts(m, 0);
  return idle + (dc_power_watts(m, u) - idle) * dynamic_scale;
}

double dc_power_table_watts(const double *table_w, double u) {
  double x = clamp01(u) * (DC_POWER_TABLE_POINTS - 1);
  size_t lo = (size_t)floor(x);
  if (lo >= DC_POWER_TABLE_POINTS - 1) return table_w[DC_POWER_TABLE_POINTS - 1];
  return table_w[lo] + (table_w[lo + 1] - table_w[lo]) * (x - (double)lo);
}

static double linear_watts(const dc_power_model *m, double u) { return m->idle_w + (m->max_w - m->idle_w) * u; }

const dc_power_ops power_linear_ops = {"linear", DC_POWER_IDLE_MAX, NULL, linear_watts};
