/* sim/cli/sweep_collect.h: the results of a sweep's runs (DIR/pPPPPPP-rRRRR.h5,
 * sim/cli/sweep_run.h) gathered into one tidy summary (DATASETS.md "Sweep
 * summary"): table `runs`, one row per (run, guest): the point, its
 * replication, every swept parameter (numeric in SI, its unit attached), and
 * every summary/guests and migration/summary metric; table `points`, one row
 * per (point, guest): the mean and 95% Student-t interval of each metric over
 * the replications.  Rows sorted by point, replication, guest name; the same
 * inputs give the same bytes. */
#ifndef SIM_CLI_SWEEP_COLLECT_H
#define SIM_CLI_SWEEP_COLLECT_H
#include <stdint.h>

/* Writes out_h5 (may be NULL) and csv (the runs table; may be NULL) from
 * the results of points 0..points-1 and replications 0..replications-1
 * (other results in dir, left by an earlier definition, are not read);
 * points 0: every result in dir, the sweep the names reach.
 * Returns a CLI exit code: 0, 1 (a run missing or incomplete, a write
 * failed), 2 (no sweep results in dir). */
int sweep_collect(const char *dir, const char *out_h5, const char *csv, uint64_t points,
                  uint64_t replications);

#endif
