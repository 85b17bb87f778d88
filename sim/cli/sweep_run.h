/* sim/cli/sweep_run.h: running the runs of a sweep (sim/sweep.h) through the
 * one run pipeline (models/run.h), by whichever executor: a local pool of
 * worker processes, MPI ranks, or one Slurm array task's shard.
 * A run is identified by its index r: point r / replications, replication
 * r % replications.  Its overrides are the command line's --set, then the
 * point's values, then simulation.run_index = its replication; the seed is
 * the scenario's (every point sees the same random streams for a given
 * replication: common random numbers).  Nothing depends on which worker,
 * rank or shard runs it, so every split gives the same result per run.
 * Its result is DIR/pPPPPPP-rRRRR.h5; a run whose complete result already
 * holds the same run_key is skipped (models/run.h run_key). */
#ifndef SIM_CLI_SWEEP_RUN_H
#define SIM_CLI_SWEEP_RUN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"
#include "sim/sweep.h"

/* What became of a run (also a worker process's exit code). */
enum { SWEEP_RAN = 0, SWEEP_FAILED = 1, SWEEP_INVALID = 2, SWEEP_SKIPPED = 3 };

typedef struct sweep_job {
  const sim_sweep *sw;
  const char *scenario;       /* the scenario file the points apply to */
  const sim_override *set;    /* --set, applied before each point's values */
  size_t n_set;
  const char *dir;            /* output directory */
  const char *command_line;   /* root attribute command_line */
} sweep_job;

typedef struct sweep_counts {
  uint64_t ran, skipped, failed, invalid;
} sweep_counts;

/* The result path of run r, allocated (sim_free). */
char *sweep_run_path(const sweep_job *job, uint64_t run);
/* Runs run r in this process: one of the SWEEP_* codes; messages on stderr. */
int sweep_run_one(const sweep_job *job, uint64_t run);
void sweep_count(sweep_counts *c, int status);
/* Runs the given runs in at most `workers` forked processes at once, a
 * progress bar over runs on stderr when `progress` (and it is a terminal). */
int sweep_run_local(const sweep_job *job, const uint64_t *runs, size_t n_runs, unsigned workers,
                    bool progress, sweep_counts *counts);
/* The same over MPI ranks (sim/cli/sweep_mpi.c): rank 0 hands out run
 * indices on request; with one rank it runs them itself.  *is_root: whether
 * this process is rank 0 (which alone reports).  -1 when built without MPI. */
int sweep_run_mpi(const sweep_job *job, const uint64_t *runs, size_t n_runs, sweep_counts *counts,
                  bool *is_root);
/* Whether MPI support was built in. */
bool sweep_have_mpi(void);

#endif
