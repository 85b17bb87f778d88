/* sim/time.h: simulated time.
 * Simulated time is a signed 64-bit count of nanoseconds since the start of the
 * run (ns-3 and OMNeT++ use integer time too): addition is exact, results do
 * not depend on floating-point rounding, and 2^63 ns is about 292 years. */
#ifndef SIM_TIME_H
#define SIM_TIME_H
#include <stdint.h>

typedef int64_t sim_time; /* nanoseconds */

#define SIM_NS ((sim_time)1)
#define SIM_US ((sim_time)1000)
#define SIM_MS ((sim_time)1000000)
#define SIM_S ((sim_time)1000000000)
#define SIM_TIME_MAX INT64_MAX

/* Seconds as a double, for output and rates only (never for ordering). */
static inline double sim_time_to_s(sim_time t) { return (double)t * 1e-9; }

#endif
