/* sim/workload_phase.c: the phases a run plays of a workload, asked for one
 * at a time (prototypes at the end of sim/scenario.h).
 * A workload as loaded plays its phases as they are.  A trace-driven
 * workload as a run plays it (DATASETS.md "Utilisation traces"; made by the
 * engine, models/engine_setup.c) has trace_mix set: it plays one phase per
 * sample, each the mix phase (the operation mix of the workload's first
 * phase, lasting the trace's interval) with the sample's CPU demand.  No
 * phase is stored per sample: phase k is composed when asked for, from the
 * mix and sample k, so a trace costs its samples (8 bytes each) and one mix
 * phase however long it is.
 * Units: a sample is a CPU % (100: one vCPU's whole time); a demand is a
 * share of a vCPU's time.
 * Invariants: the phases of a played trace differ in cpu_demand alone (their
 * body, sim_workload_phase_body, is the mix); a demand lies in
 * [SIM_TRACE_IDLE_DEMAND, 1]. */
#include <assert.h>

#include "sim/alloc.h"
#include "sim/scenario.h"
#include "sim/trace.h"

size_t sim_workload_n_phases(const sim_workload *w) {
  return w->trace_mix ? w->n_trace_samples : w->n_phases;
}

double sim_workload_phase_demand(const sim_workload *w, size_t k) {
  assert(k < sim_workload_n_phases(w));
  if (!w->trace_mix) return w->phases[k].cpu_demand;
  return sim_trace_demand(w->trace_cpu_percent[k], w->trace_scale);
}

double sim_trace_demand(double cpu_percent, double scale) {
  double d = cpu_percent / 100 * scale;
  return d > 1 ? 1 : d < SIM_TRACE_IDLE_DEMAND ? SIM_TRACE_IDLE_DEMAND : d;
}

const sim_phase *sim_workload_phase_body(const sim_workload *w, size_t k) {
  assert(k < sim_workload_n_phases(w));
  return w->trace_mix ? w->trace_mix : &w->phases[k];
}

const sim_phase *sim_workload_phase(const sim_workload *w, size_t k, sim_phase *buf) {
  if (!w->trace_mix) return sim_workload_phase_body(w, k);
  assert(buf);
  /* a copy of the mix: it keeps the mix's name, the identity of the code it
   * runs (vcost_code_id), so code translated for one sample is not
   * translated again for the next; buf may be the mix itself, whose
   * owner then holds no phase per player (models/engine_setup.c) */
  if (buf != w->trace_mix) *buf = *w->trace_mix;
  buf->cpu_demand = sim_workload_phase_demand(w, k);
  return buf;
}

int sim_workload_read_trace(sim_workload *w, const char *path, sim_diag *diag) {
  int rc = sim_trace_read(path, w->name ? w->name : "?", &w->trace_cpu_percent, &w->n_trace_samples, diag);
  if (rc < 0) return rc;
  /* the reader's array grew by doubling: it keeps its samples alone (when
   * even shrinking fails, it stays as it was) */
  double *fit = sim_realloc(w->trace_cpu_percent, w->n_trace_samples * sizeof *fit);
  if (fit) w->trace_cpu_percent = fit;
  return 0;
}
