/* models/technique_hvm.c: hardware assistance of the first generation
 * (VT-x / AMD-V without nested paging): trap-and-emulate by VM exits, shadow
 * page tables [AA06] sec. 4-5, [LECT] "Hardware-Assisted Virtualization".
 * Model, per operation of the mix (cycles; every cost a profile quantity):
 * a VM exit costs hvm.exit.roundtrip (exit + entry, MECH_TRAP) plus its
 * handler's work by exit reason (MECH_HYPERVISOR):
 *  - instructions, call/ret, cli, system calls: native, no exit [AA06] sec. 5
 *    ("syscall ~native");
 *  - cr8 writes: native with a TPR shadow (hvm.tpr_shadow), else an exit
 *    (hvm.exit.cr8); rdtsc: native with TSC offsetting, an exit
 *    (hvm.exit.rdtsc) when hvm.rdtsc_exiting;
 *  - port I/O: an exit to the user-level device model, hvm.exit.user in all
 *    (MECH_TRAP) [AA06] sec. 5 "in";
 *  - guest PTE writes on shadowed tables exit (hvm.exit.pte_write);
 *  - guest page faults exit (hvm.exit.page_fault: shadow fill and injection),
 *    then the guest's handler runs natively;
 *  - divide faults are delivered without exit, hvm.exception_extra more;
 *  - process creation: the native fork, one hidden page-fault exit per
 *    resident page whose shadow entry the fork invalidated
 *    (hvm.exit.page_fault + round trip), and fork.context_switches CR3-load
 *    exits (hvm.exit.cr3 + round trip);
 *  - memory accesses walk the shadow page tables: 1D walks, each lengthened by
 *    shadow.tlb_miss_extra as under BT (the same software MMU; FITTED to
 *    [LECT], models/profiles/README.md "Software MMU") (MECH_PAGEWALK);
 *  - each virtual timer interrupt costs hvm.interrupt_exits exits with
 *    hvm.exit.interrupt handlers.
 * Switch-in: a world switch plus a TLB refill when untagged (first-generation
 * VT-x flushes the TLB on every world switch). */
#include "models/techniques.h"
#include "models/vcost.h"

/* n exits with handler cycles each: round trips to MECH_TRAP, handlers to
 * MECH_HYPERVISOR. */
static void exits(const vcost *c, double n, double handler, cycles_by_mech *out) {
  out->cycles[MECH_TRAP] += n * c->hvm_roundtrip;
  out->cycles[MECH_HYPERVISOR] += n * handler;
}

static void hvm_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  vstate *s = state;
  const vcost *c = &s->c;
  double before = vcost_total(out);
  double *g = &out->cycles[MECH_GUEST];

  *g += units * (vcost_instr_cycles(ph) + ph->call_ret * c->callret + ph->cli * c->cli +
                 ph->syscalls * c->syscall);
  if (c->hvm_tpr_shadow)
    *g += units * ph->cr8_writes * c->cr8;
  else
    exits(c, units * ph->cr8_writes, c->hvm_cr8, out);
  if (c->hvm_rdtsc_exiting)
    exits(c, units * ph->rdtsc, c->hvm_rdtsc, out);
  else
    *g += units * ph->rdtsc * c->rdtsc;
  out->cycles[MECH_TRAP] += units * ph->port_io * c->hvm_user;

  *g += units * ph->pte_updates * c->pte_write;
  exits(c, units * ph->pte_updates, c->hvm_pte, out);
  *g += units * ph->page_faults * c->page_fault;
  exits(c, units * ph->page_faults, c->hvm_pf, out);
  *g += units * ph->divide_faults * c->exception;
  out->cycles[MECH_TRAP] += units * ph->divide_faults * c->hvm_exception;

  double resident = vcost_resident_pages(ph);
  *g += units * ph->process_creations * (c->fork + c->fork_per_page * resident);
  exits(c, units * ph->process_creations * resident, c->hvm_pf, out);
  exits(c, units * ph->process_creations * c->fork_switches, c->hvm_cr3, out);

  vcost_charge_memory(s, ph, units, VCOST_WALK_SHADOW, out);
  vcost_charge_timer(c, vcost_total(out) - before,
                     c->hvm_irq_exits * (c->hvm_roundtrip + c->hvm_interrupt), out);
}

static void hvm_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_HYPERVISOR] += s->c.context_switch;
  if (!s->c.tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_hvm_ops = {
    .name = "hvm",
    .summary = "hardware assistance, 1st generation: VM exits by reason, shadow paging",
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = hvm_charge,
    .switch_in = hvm_switch_in,
};
