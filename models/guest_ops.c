/* models/guest_ops.c: the guest operations of the mix broken down into the
 * mechanisms techniques charge (models/guest_ops.h), and the hosted
 * hypervisor's world switch.
 * What each operation is follows [LMBENCH]'s benchmark of it:
 *  - a process switch (lat_ctx): the kernel's switch and one CR3 load;
 *  - an exec (lat_proc exec): one kernel entry (execve), the kernel's work,
 *    exec.pages demand faults building the new address space and, at the
 *    next exec or exit, as many page-table entries cleared tearing it down,
 *    and one CR3 load onto the new address space;
 *  - a signal (lat_sig catch): two kernel entries (kill, sigreturn) and the
 *    kernel's delivery work;
 *  - an mmap+munmap pair (lat_mmap): two kernel entries, the kernel's work,
 *    mmap.pages demand faults, and at munmap as many entries cleared and
 *    pages invalidated in the TLB;
 *  - a protection fault (lat_prot): a write-protect fault, handled by the
 *    guest kernel;
 *  - a metadata call (lat_syscall stat/open/close): one kernel entry and
 *    the kernel's path-lookup work.
 * Units: cycles, counts.  Invariant: all guest operations 0 gives all
 * events 0. */
#include "models/guest_ops.h"

/* Kernel entries of each operation, by its definition above. */
#define EXEC_ENTRIES 1.0   /* execve */
#define SIGNAL_ENTRIES 2.0 /* kill, sigreturn */
#define MMAP_ENTRIES 2.0   /* mmap, munmap */
#define FS_ENTRIES 1.0     /* the call itself */

guest_op_events guest_ops_events(const guest_op_costs *g, const sim_phase *ph, double units) {
  guest_op_events e;
  e.kernel = units * (ph->context_switches * g->process_switch + ph->execs * g->exec +
                      ph->signals * g->signal + ph->mmaps * g->mmap +
                      ph->fs_metadata * g->fs_metadata);
  e.entries = units * (ph->execs * EXEC_ENTRIES + ph->signals * SIGNAL_ENTRIES +
                       ph->mmaps * MMAP_ENTRIES + ph->fs_metadata * FS_ENTRIES);
  e.faults = units * (ph->execs * g->exec_pages + ph->mmaps * g->mmap_pages);
  e.pte_clears = e.faults; /* every page faulted in is unmapped again */
  e.invlpgs = units * ph->mmaps * g->mmap_pages;
  e.cr3_loads = units * (ph->context_switches + ph->execs);
  e.protection_faults = units * ph->protection_faults;
  e.switches = units * ph->context_switches;
  return e;
}

double guest_ops_native_cycles(const native_costs *c, const guest_op_costs *g,
                               const guest_op_events *e) {
  return e->kernel + e->entries * c->syscall + e->faults * c->page_fault +
         e->pte_clears * c->pte_write + e->invlpgs * g->invlpg +
         e->protection_faults * g->protection_fault;
}

void guest_ops_charge_switch_refill(const vstate *s, const sim_phase *ph, const guest_op_events *e,
                                    cycles_by_mech *out) {
  if (s->c->tlb_tagged || ph->n_access == 0 || e->switches <= 0) return;
  out->cycles[MECH_PAGEWALK] += e->switches * vcost_tlb_refill(s);
}

int guest_ops_check_share(const sim_profile *profile, const char *key, double value,
                          sim_diag *diag) {
  if (value >= 0 && value <= 1) return 0;
  sim_diag_error(diag, vcost_profile_name(profile), 0, 0,
                 "calibration profile: '%s' must be between 0 and 1", key);
  return -1;
}

double hosted_exit_cycles(const hosted_costs *h) { return h->hosted ? h->world_switch : 0.0; }
