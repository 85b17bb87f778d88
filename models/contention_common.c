/* models/contention_common.c: what the contention models (models/contention.h)
 * share beyond the mechanism: a phase's costs alone (the intensity of a
 * co-runner), the profile quantities' check, the wait of a queue, the
 * LLC and memory-controller domains of a host.
 * Units: cycles at the host's clock, seconds where a quantity says so.
 * Invariants: contention_phase_alone's unit_cycles is
 * contention_alone_cycles' sum, bit for bit (the same terms in the same
 * order). */
#include <math.h>

#include "models/contention.h"

double contention_alone_cycles(const native_costs *costs, const sim_phase *ph) {
  double cycles = vcost_native_cpu(costs, ph);
  for (size_t i = 0; i < ph->n_access; i++)
    cycles += ph->access[i].count * mmu_data_cycles(&costs->mmu, &ph->access[i]);
  return cycles;
}

void contention_phase_alone(const native_costs *costs, const sim_phase *ph, contention_guest *g) {
  /* contention_alone_cycles' sum, in its order, keeping its terms */
  double cycles = vcost_native_cpu(costs, ph);
  for (size_t i = 0; i < ph->n_access; i++) {
    double data = mmu_data_cycles(&costs->mmu, &ph->access[i]);
    if (i < CONTENTION_ALONE_ACCESSES) g->alone_access_cycles[i] = data;
    cycles += ph->access[i].count * data;
  }
  g->unit_cycles = cycles;
  double lines = 0, bytes = 0;
  for (size_t i = 0; i < ph->n_access; i++) {
    lines += ph->access[i].count * mmu_llc_lines(&costs->mmu, &ph->access[i]);
    bytes += (double)ph->access[i].working_set_bytes;
  }
  g->llc_lines = lines;
  g->footprint_bytes = bytes;
}

int contention_quantity(const sim_profile *profile, const char *key, double *value,
                        sim_diag *diag) {
  if (!profile || sim_profile_get(profile, key, value, NULL) < 0) return 0;
  if (!isfinite(*value) || *value < 0) {
    sim_diag_error(diag, vcost_profile_name(profile), 0, 0,
                   "calibration profile quantity '%s' must be finite and >= 0", key);
    return -1;
  }
  return 1;
}

double contention_queue_wait(double load, double rate_service_sq) {
  double u = fmin(load, CONTENTION_MAX_LOAD);
  return rate_service_sq / (2.0 * (1.0 - u));
}

double contention_domains(uint32_t cores, double socket_cores) {
  if (!(socket_cores >= 1)) return 1.0;
  return fmax(1.0, ceil((double)cores / socket_cores));
}
