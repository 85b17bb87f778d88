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

/* Parses the text of a trace named `file` (for messages) of workload
 * `workload`: *samples (sim_malloc'd) and *n >= 1.  0; -1 with every error in
 * diag (malformed sample, no samples); -2 out of memory. */
int sim_trace_parse(const char *file, const char *workload, const char *text, size_t len,
                    double **samples, size_t *n, sim_diag *diag);
/* Reads the trace file at `path` and parses it.  Only a regular file is read
 * (a FIFO or a device would block or never end).  Returns as sim_trace_parse. */
int sim_trace_read(const char *path, const char *workload, double **samples, size_t *n,
                   sim_diag *diag);

#endif
