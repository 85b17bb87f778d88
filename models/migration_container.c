/* models/migration_container.c: container migration by checkpoint/restore.
 * Models CRIU's stop-and-copy migration of a process tree ([LECT]: live
 * migration of containers "is more difficult": no hypervisor tracks their
 * pages, so the simple form stops them): freeze the tree (cgroup freezer),
 * dump its resident memory to an image at the dump rate, transfer the image
 * and the task state at the stream rate, restore it at the destination at
 * the restore rate, then the ARP reply moves its address.  The whole
 * sequence is downtime.  Zero pages are never part of a CRIU image (it dumps
 * only touched pages), so the image is the resident set.
 * Units: ns, bit/s, bytes.  Invariant: one round (the transfer). */
#include "models/migration_impl.h"

/* Its steps besides the shared ones (migration.phase). */
enum {
  CONTAINER_PH_FREEZE = MIG_PH_STRATEGY, /* freezing */
  CONTAINER_PH_DUMP,                     /* dumping the image */
  CONTAINER_PH_RESTORE                   /* restoring at the destination */
};

static double image_bytes(const migration *m) {
  const migration_guest_view *v = &m->env.view;
  double bytes = (double)(v->resident_bytes ? v->resident_bytes : v->memory_bytes);
  if (m->env.spec->block_migration) bytes += (double)v->disk_bytes;
  return bytes;
}

static int container_begin(migration *m, sim_time now) {
  m->summary.stop_reason = "checkpoint/restore";
  m->summary.converged = true;
  mig_pause(m, now);
  m->phase = CONTAINER_PH_FREEZE;
  m->action_ns = now + (m->env.params.freeze_ns > 0 ? m->env.params.freeze_ns : 1);
  return 0;
}

static int container_act(migration *m, sim_time now) {
  const migration_params *p = &m->env.params;
  switch (m->phase) {
  case CONTAINER_PH_FREEZE: /* frozen: dump the image */
    m->phase = CONTAINER_PH_DUMP;
    mig_after(m, now, image_bytes(m) / p->dump_Bps);
    return 0;
  case CONTAINER_PH_DUMP: { /* dumped: transfer image and task state */
    mig_net_update(m, now, mig_max_rate_bps(m));
    double ratio = m->env.spec->compress ? p->compress_ratio : 1;
    m->planned.wire_bytes = image_bytes(m) * ratio + p->cpu_state_bytes;
    m->planned.pages_sent = image_bytes(m) / p->page_bytes;
    m->round_start_ns = now;
    m->round_rate_bps = m->rate_bps;
    m->phase = MIG_PH_FINAL;
    mig_after(m, now, m->planned.wire_bytes * 8 / m->rate_bps);
    return 0;
  }
  case MIG_PH_FINAL: { /* transferred: restore */
    migration_round r = {
        .round = 0,
        .start_ns = m->round_start_ns,
        .duration_ns = now - m->round_start_ns,
        .pages = m->planned.pages_sent,
        .bytes = m->planned.wire_bytes,
        .rate_bps = m->round_rate_bps,
        .stop_and_copy = true,
    };
    m->summary.first_round_ns = r.duration_ns;
    int rc = mig_add_round(m, &r);
    mig_net_update(m, now, 0);
    m->phase = CONTAINER_PH_RESTORE;
    mig_after(m, now, image_bytes(m) / p->restore_Bps);
    return rc;
  }
  case CONTAINER_PH_RESTORE: /* restored: the address moves ([CL05] 3.2) */
    m->phase = MIG_PH_RESUME;
    m->action_ns = now + (p->arp_ns > 0 ? p->arp_ns : 1);
    return 0;
  default:
    mig_resume(m, now);
    return mig_finish(m, now);
  }
}

const migration_ops migration_container_ops = {
    .name = "container",
    .summary = "CRIU checkpoint/restore: freeze, dump, transfer, restore",
    .needs = MIGRATION_NEEDS_CHECKPOINT,
    .begin = container_begin,
    .act = container_act,
};
