/* models/migration_stopcopy.c: pure stop-and-copy migration.
 * Models the "stop-and-copy" strategy of [CL05] sec. 2 and [LECT] (Strategies
 * for Memory Migration): the guest is stopped, all its memory (and its disk
 * with block migration) and its CPU state are sent at the maximum rate, and it
 * resumes at the destination after resume and ARP.  Downtime equals the total
 * time: [CL05] sec. 4 puts it at 32 s for a 512 MB guest at 128 Mbit/s.
 * Units: ns, bit/s, bytes.  Invariant: one round, the stop-and-copy. */
#include "models/migration_impl.h"

static int stopcopy_begin(migration *m, sim_time now) {
  m->summary.stop_reason = "stop-and-copy";
  m->summary.converged = true;
  return mig_stop_and_copy(m, now);
}

const migration_ops migration_stopcopy_ops = {
    .name = "stop-and-copy",
    .summary = "stop the guest, copy everything, resume at the destination ([CL05] 2)",
    .begin = stopcopy_begin,
    .act = mig_final_act,
};
