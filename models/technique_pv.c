/* models/technique_pv.c: paravirtualization (Xen) [LECT] "OS-Assisted
 * Virtualization", "Interfaces and Driver Concept (XEN 1.0)".
 * Model, per operation of the mix (cycles; every cost a profile quantity):
 *  - ordinary instructions, call/ret, rdtsc: native (MECH_GUEST);
 *  - system calls: the guest installs a fast trap handler that the hardware
 *    calls directly, so a call costs syscall.native plus pv.syscall_extra
 *    (MECH_TRAP) [LECT] "Xen allows guest to install fast exception handler";
 *  - cli and cr8 writes are PV operations on the shared virtual CPU state
 *    (pv.sensitive_op each, MECH_HYPERCALL); port I/O traps into Xen
 *    (pv.hypercall, MECH_HYPERCALL) and is then performed natively;
 *  - page tables are owned by the guest and read directly by the hardware
 *    (1D walks, MECH_PAGEWALK); updates are validated by Xen and batched in
 *    mmu_update hypercalls: per entry pv.pte_validate, per batch of
 *    pv.pte_batch_size entries one pv.hypercall (MECH_HYPERCALL);
 *  - page faults and exceptions bounce through Xen (pv.page_fault_extra,
 *    MECH_TRAP) before the guest's handler runs natively;
 *  - process creation: the native fork, the new process's page-table
 *    entries (one per resident page) validated and batched as above, and
 *    fork.context_switches new_baseptr hypercalls (pv.hypercall +
 *    pv.cr3_switch) (MECH_HYPERCALL);
 *  - virtual timer interrupts arrive as event-channel upcalls and return by
 *    an iret hypercall (pv.hypercall each).
 * Switch-in: a world switch (context_switch.native) plus a TLB refill when
 * untagged.  Invariant: no shadow page tables, so no hidden faults. */
#include "models/techniques.h"
#include "models/vcost.h"

/* Cycles of n validated page-table entry updates in batched hypercalls. */
static double pv_pte_batched(const vcost *c, double n) {
  double batch = c->pv_batch >= 1 ? c->pv_batch : 1;
  return n * c->pv_validate + n / batch * c->pv_hypercall;
}

static void pv_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  vstate *s = state;
  const vcost *c = &s->c;
  double before = vcost_total(out);
  double *g = &out->cycles[MECH_GUEST], *t = &out->cycles[MECH_TRAP];
  double *hc = &out->cycles[MECH_HYPERCALL];

  *g += units * (vcost_instr_cycles(ph) + ph->call_ret * c->callret + ph->rdtsc * c->rdtsc);
  *g += units * ph->syscalls * c->syscall;
  *t += units * ph->syscalls * c->pv_syscall;
  *hc += units * (ph->cli + ph->cr8_writes) * c->pv_sensitive;
  *g += units * ph->port_io * c->port_io;
  *hc += units * ph->port_io * c->pv_hypercall;

  *g += units * ph->pte_updates * c->pte_write;
  *hc += pv_pte_batched(c, units * ph->pte_updates);
  *g += units * (ph->page_faults * c->page_fault + ph->divide_faults * c->exception);
  *t += units * (ph->page_faults + ph->divide_faults) * c->pv_page_fault;

  double resident = vcost_resident_pages(ph);
  *g += units * ph->process_creations * (c->fork + c->fork_per_page * resident);
  *hc += pv_pte_batched(c, units * ph->process_creations * resident);
  *hc += units * ph->process_creations * c->fork_switches * (c->pv_hypercall + c->pv_cr3);

  vcost_charge_memory(s, ph, units, VCOST_WALK_1D, out);
  vcost_charge_timer(c, vcost_total(out) - before, c->pv_hypercall, out);
}

static void pv_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_HYPERVISOR] += s->c.context_switch;
  if (!s->c.tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_pv_ops = {
    .name = "pv",
    .summary = "paravirtualization (Xen): fast syscall handlers, batched validated page-table "
               "hypercalls, guest-owned page tables",
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = pv_charge,
    .switch_in = pv_switch_in,
};
