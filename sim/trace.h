/* sim/trace.h: CPU-utilisation traces, one sample per line (DATASETS.md
 * "Utilisation traces"): the PlanetLab format (one CPU % per line) and the
 * Google 2011 derived one (CPU %, then memory %, separated by blanks, tabs
 * or commas; only the first column is kept).  Blank lines are skipped; a line
 * holds at most SIM_TRACE_MAX_LINE bytes.  Samples are CPU %, finite and
 * >= 0 (above 100: more than one CPU's worth, for the model to clamp).
 * Errors are FILE:LINE:COL, the column that of the bad field. */
#ifndef SIM_TRACE_H
#define SIM_TRACE_H
#include <stddef.h>

#include "sim/diag.h"

#define SIM_TRACE_MAX_LINE 510 /* bytes of one line, without its newline */
/* The demand of an idle trace sample: the vCPU runs a 1/1000 share (its
 * timer ticks) and sleeps the rest of the interval, so an idle interval
 * costs a few events per demand period, like any partly idle phase. */
#define SIM_TRACE_IDLE_DEMAND 1e-3

/* Parses the text of a trace named `file` (for messages) of workload
 * `workload`: *samples (sim_malloc'd) and *n >= 1.  0; -1 with every error in
 * diag (malformed sample, no samples); -2 out of memory. */
int sim_trace_parse(const char *file, const char *workload, const char *text, size_t len,
                    double **samples, size_t *n, sim_diag *diag);
/* Reads the trace file at `path` and parses it.  Only a regular file is read
 * (a FIFO or a device would block or never end).  Returns as sim_trace_parse. */
int sim_trace_read(const char *path, const char *workload, double **samples, size_t *n,
                   sim_diag *diag);

/* The share of a vCPU's time a sample of cpu_percent asks when 100 % stands
 * for `scale` of it (a rated speed's share of a core; 1: the whole vCPU):
 * cpu_percent / 100 x scale, clamped to [SIM_TRACE_IDLE_DEMAND, 1]. */
double sim_trace_demand(double cpu_percent, double scale);

#endif
