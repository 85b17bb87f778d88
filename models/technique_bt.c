/* models/technique_bt.c: full virtualization by binary translation (VMware's
 * software VMM) [AA06] sec. 3-4, [LECT] "Full Virtualization using Binary
 * Translation".
 * Model, per operation of the mix (cycles; every cost a profile quantity):
 *  - ordinary instructions run translated at native speed (MECH_GUEST);
 *    the phase's code (new_code_bytes) is translated once, on its first
 *    execution: bytes / bt.bytes_per_instr * bt.translate_per_instr
 *    (MECH_TRANSLATE), and kept in a translation cache of bt.tc_bytes that is
 *    flushed when full [AA06] sec. 3.1;
 *  - indirect control flow in translated code: a call/ret pair costs
 *    bt.callret instead of callret.native; the difference is translation
 *    overhead (MECH_TRANSLATE) [AA06] sec. 5 "call/ret";
 *  - sensitive instructions are emulated inside the translation cache:
 *    rdtsc, cli, cr8 writes and port I/O cost bt.tc_emulate.* in place of
 *    the native instruction (MECH_TRAP) [AA06] sec. 4.2, 5;
 *  - system calls: native entry plus bt.syscall_extra for the VMM's
 *    mediation (no direct guest system call) (MECH_TRAP) [LECT];
 *  - shadow page tables: a guest PTE write to a traced page table traps;
 *    adaptive BT retranslates the writing instruction after
 *    bt.adapt_threshold traps (bt.trap_emulate each, MECH_TRAP), after which
 *    each write costs bt.pte_write (native store in MECH_GUEST, the rest
 *    shadow maintenance in MECH_HYPERVISOR) [AA06] sec. 4.3;
 *  - a guest page fault costs bt.page_fault in all: the native handler in
 *    MECH_GUEST, the rest (shadow fault in the VMM) in MECH_HYPERVISOR;
 *  - divide faults: bt.exception in all, native delivery in MECH_GUEST;
 *  - process creation: the native fork, plus one hidden fault
 *    (bt.shadow_fill, MECH_HYPERVISOR) per resident page whose shadow entry
 *    the fork invalidated (the parent's write-protected PTEs and the
 *    child's fresh tables must be re-shadowed), plus fork.context_switches
 *    shadow-root switches (bt.cr3_switch, MECH_TRAP);
 *  - memory accesses walk the shadow page tables: 1D walks, each lengthened by
 *    shadow.tlb_miss_extra, the software MMU's per-miss overhead (FITTED to
 *    [LECT]'s TLB loop, models/profiles/README.md "Software MMU")
 *    (MECH_PAGEWALK);
 *  - virtual timer interrupts are delivered by a callout (bt.callout each).
 * Switch-in: a world switch (context_switch.native) plus a TLB refill (shadow
 * walks) when the TLB is untagged (P4: always) [LECT] "context switches lead
 * to complete flush of TLB".
 * Invariant: the second charge of the same phase costs no translation. */
#include <math.h>

#include "models/techniques.h"
#include "models/vcost.h"

static void bt_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  vstate *s = state;
  const vcost *c = &s->c;
  double before = vcost_total(out);
  double *g = &out->cycles[MECH_GUEST], *t = &out->cycles[MECH_TRAP];
  double *x = &out->cycles[MECH_TRANSLATE], *h = &out->cycles[MECH_HYPERVISOR];

  *x += vcost_translate(s, ph);
  *g += units * (vcost_instr_cycles(ph) + ph->call_ret * c->callret);
  *x += units * ph->call_ret * fmax(0.0, c->bt_callret - c->callret);

  *t += units * (ph->rdtsc * c->bt_tc_rdtsc + ph->cli * c->bt_tc_cli +
                 ph->cr8_writes * c->bt_tc_cr8 + ph->port_io * c->bt_tc_in);

  *g += units * ph->syscalls * c->syscall;
  *t += units * ph->syscalls * c->bt_syscall;

  /* adaptive BT: the first PTE writes trap, later ones are emulated in place */
  double writes = units * ph->pte_updates;
  double trapped = fmin(writes, fmax(0.0, c->bt_adapt - s->traps_seen));
  s->traps_seen += trapped;
  *t += trapped * c->bt_trap;
  *g += (writes - trapped) * c->pte_write;
  *h += (writes - trapped) * fmax(0.0, c->bt_pte_write - c->pte_write);

  *g += units * ph->page_faults * c->page_fault;
  *h += units * ph->page_faults * fmax(0.0, c->bt_page_fault - c->page_fault);
  *g += units * ph->divide_faults * c->exception;
  *t += units * ph->divide_faults * fmax(0.0, c->bt_exception - c->exception);

  double resident = vcost_resident_pages(ph);
  *g += units * ph->process_creations * (c->fork + c->fork_per_page * resident);
  *h += units * ph->process_creations * resident * c->bt_shadow_fill;
  *t += units * ph->process_creations * c->fork_switches * c->bt_cr3;

  vcost_charge_memory(s, ph, units, VCOST_WALK_SHADOW, out);
  vcost_charge_timer(c, vcost_total(out) - before, c->bt_callout, out);
}

static void bt_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_HYPERVISOR] += s->c.context_switch;
  if (!s->c.tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_bt_ops = {
    .name = "bt",
    .summary = "binary translation: translation cache, in-TC emulation, VMM-mediated syscalls, "
               "shadow page tables",
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = bt_charge,
    .switch_in = bt_switch_in,
};
