/* sim/cli/sweep_mpi.c: a sweep's runs over MPI ranks (see sweep_run.h).
 * Dynamic distribution: every worker rank asks rank 0 for a run index when it
 * is idle (a message carrying the fate of its last run), so long and short
 * points balance; rank 0 only hands out work when there are other ranks, and
 * runs everything itself when it is alone.  Each run is executed in-process
 * (no fork under MPI).  Which rank runs which index changes nothing in the
 * results (sweep_run.h).  Built when OpenMPI is found (VDCSIM_MPI). */
#include "sim/cli/sweep_run.h"

#ifdef VDCSIM_HAVE_MPI
#include <mpi.h>

enum { TAG_ASK = 1, TAG_WORK = 2 };
#define NO_MORE_WORK UINT64_MAX

bool sweep_have_mpi(void) { return true; }

int sweep_run_mpi(const sweep_job *job, const uint64_t *runs, size_t n_runs, sweep_counts *counts,
                  bool *is_root) {
  int rank = 0, size = 1;
  MPI_Init(NULL, NULL);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  *is_root = rank == 0;
  if (size == 1) {
    for (size_t i = 0; i < n_runs; i++) sweep_count(counts, sweep_run_one(job, runs[i]));
  } else if (rank == 0) {
    size_t next = 0;
    int finished = 0;
    while (finished < size - 1) {
      /* the fate of the asker's last run: -1 none yet, else a SWEEP_* code */
      int last;
      MPI_Status st;
      MPI_Recv(&last, 1, MPI_INT, MPI_ANY_SOURCE, TAG_ASK, MPI_COMM_WORLD, &st);
      if (last >= 0) sweep_count(counts, last);
      uint64_t give = next < n_runs ? runs[next++] : NO_MORE_WORK;
      if (give == NO_MORE_WORK) finished++;
      MPI_Send(&give, 1, MPI_UINT64_T, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
    }
  } else {
    int last = -1;
    for (;;) {
      uint64_t run;
      MPI_Send(&last, 1, MPI_INT, 0, TAG_ASK, MPI_COMM_WORLD);
      MPI_Recv(&run, 1, MPI_UINT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (run == NO_MORE_WORK) break;
      last = sweep_run_one(job, run);
    }
  }
  MPI_Finalize();
  return 0;
}
#else
bool sweep_have_mpi(void) { return false; }

int sweep_run_mpi(const sweep_job *job, const uint64_t *runs, size_t n_runs, sweep_counts *counts,
                  bool *is_root) {
  (void)job;
  (void)runs;
  (void)n_runs;
  (void)counts;
  *is_root = true;
  return -1;
}
#endif
