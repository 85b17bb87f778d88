/* models/technique_hvm_ept.c: hardware assistance of the second generation:
 * EPT (Intel) / NPT (AMD) nested paging, tagged TLB (VPID/ASID) [BH08],
 * [LECT] "Analysis of EPT/NPT Hardware Extension", [FE14] (KVM).
 * Model, per operation of the mix (cycles; every cost a profile quantity):
 *  - the guest owns its page tables: PTE writes, page faults and CR3 loads
 *    run natively, without exit (process creation costs the native fork);
 *  - system calls, cli, call/ret: native; cr8, rdtsc and port I/O exit as
 *    in technique_hvm.c (TPR shadow, TSC offsetting, user-level device model);
 *  - a TLB miss walks two dimensions: n*m+n+m references [BH08] sec. 2
 *    (24 for 4 over 4), reduced by the page-walk cache, the nested TLB and
 *    2 MiB pages (guest huge_pages: 2 MiB guest and nested pages), costed by
 *    models/mmu.c (MECH_PAGEWALK);
 *  - an untuned guest CPU model that hides host features (vector units,
 *    NUMA topology) runs the guest's instructions at
 *    hvm.untuned.cpu_efficiency of native throughput [FE14] sec. IV.A; the
 *    lost cycles are charged to MECH_GUEST (the guest's work, done slower);
 *  - virtual timer interrupts: hvm.interrupt_exits exits each.
 * Switch-in: a world switch; the TLB is tagged (VPID), so no refill unless
 * the profile says the TLB is untagged. */
#include "models/techniques.h"
#include "models/vcost.h"

static void exits(const vcost *c, double n, double handler, cycles_by_mech *out) {
  out->cycles[MECH_TRAP] += n * c->hvm_roundtrip;
  out->cycles[MECH_HYPERVISOR] += n * handler;
}

static void ept_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  vstate *s = state;
  const vcost *c = &s->c;
  double before = vcost_total(out);
  double *g = &out->cycles[MECH_GUEST];
  double eff = c->hvm_cpu_eff > 0 ? c->hvm_cpu_eff : 1.0;

  *g += units * (vcost_instr_cycles(ph) / eff + ph->call_ret * c->callret + ph->cli * c->cli +
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

  double resident = vcost_resident_pages(ph);
  *g += units * (ph->pte_updates * c->pte_write + ph->page_faults * c->page_fault +
                 ph->process_creations * (c->fork + c->fork_per_page * resident) +
                 ph->divide_faults * c->exception);
  out->cycles[MECH_TRAP] += units * ph->divide_faults * c->hvm_exception;

  vcost_charge_memory(s, ph, units, VCOST_WALK_2D, out);
  vcost_charge_timer(c, vcost_total(out) - before,
                     c->hvm_irq_exits * (c->hvm_roundtrip + c->hvm_interrupt), out);
}

static void ept_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_HYPERVISOR] += s->c.context_switch;
  if (!s->c.tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_hvm_ept_ops = {
    .name = "hvm-ept",
    .summary = "hardware assistance, 2nd generation: EPT/NPT 2D page walks, tagged TLB, "
               "no page-table exits",
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = ept_charge,
    .switch_in = ept_switch_in,
};
