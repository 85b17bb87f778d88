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
 *  - virtual timer interrupts are delivered by a callout (bt.callout each);
 *  - the guest operations (models/guest_ops.h): their native kernel work in
 *    MECH_GUEST; each kernel entry (execve, kill, sigreturn, mmap, munmap,
 *    stat/open/close) mediated like a system call (bt.syscall_extra,
 *    MECH_TRAP); demand faults of new mappings and write-protect faults take
 *    the guest page-fault path (bt.page_fault); teardown clears traced PTEs
 *    like any guest PTE write (adaptive, above); each invlpg of munmap is a
 *    callout dropping the shadow entry (bt.callout, MECH_TRAP); each CR3
 *    load (process switch, exec) is privileged: the VMM switches the shadow
 *    root (bt.cr3_switch, MECH_TRAP), finding the shadow tables cached or,
 *    for shadow.rebuild_fraction of the loads, rebuilding them by one hidden
 *    fault per resident page (bt.shadow_fill, MECH_HYPERVISOR); a process
 *    switch refills an untagged TLB through the shadow walks
 *    (MECH_PAGEWALK) [AA06] sec. 4.3;
 *  - hosted (hypervisor.hosted, VMware Workstation/Player's VMM beside a
 *    host OS [SUG01]): each port I/O to a device and each timer interrupt
 *    also pays hypervisor.world_switch to the host and back (MECH_HYPERVISOR,
 *    MECH_TRAP).
 * Switch-in: a world switch (context_switch.native) plus a TLB refill (shadow
 * walks) when the TLB is untagged (P4: always) [LECT] "context switches lead
 * to complete flush of TLB".
 * Invariant: the second charge of the same phase costs no translation. */
#include <math.h>
#include <stddef.h>

#include "models/guest_ops.h"
#include "models/techniques.h"
#include "models/vcost.h"
#include "sim/alloc.h"

typedef struct bt_params {
  native_costs c;           /* native costs */
  double translate;         /* bt.translate_per_instr: per guest instruction translated */
  double instr_bytes;       /* bt.bytes_per_instr: mean guest instruction length, bytes */
  double tc_bytes;          /* bt.tc_bytes: translation-cache capacity (guest code), bytes */
  double callout;           /* bt.callout: exit from the TC to the VMM and back */
  double tc_rdtsc, tc_cli, tc_cr8, tc_in; /* bt.tc_emulate.*: in-TC emulation */
  double trap;              /* bt.trap_emulate: trap-and-emulate of a not yet adapted instr */
  double adapt;             /* bt.adapt_threshold: traps before adaptive BT retranslates, count */
  double syscall;           /* bt.syscall_extra: VMM mediation of a system call */
  double callret;           /* bt.callret: call/ret pair in translated code */
  double page_fault;        /* bt.page_fault: guest page fault, total */
  double exception;         /* bt.exception: divide fault, total */
  double pte_write;         /* bt.pte_write: store to a traced guest page table, total */
  double shadow_fill;       /* bt.shadow_fill: hidden fault filling a shadow entry */
  double cr3;               /* bt.cr3_switch: guest address-space switch (shadow root) */
  double shadow_miss;       /* shadow.tlb_miss_extra: software-MMU overhead of one TLB miss on
                               shadow page tables, beyond the hardware 1D walk (FITTED) */
  guest_op_costs g;         /* guest operations (models/guest_ops.h) */
  double rebuild;           /* shadow.rebuild_fraction: share of CR3 loads whose shadow tables
                               are rebuilt rather than found cached, in [0, 1] */
  hosted_costs hosted;      /* hypervisor.*: type II world switch per host exit */
} bt_params;

#define F(field) offsetof(bt_params, field)
static const vcost_key bt_keys[] = {
    {"bt.translate_per_instr", F(translate), VCOST_SAME},
    {"bt.bytes_per_instr", F(instr_bytes), VCOST_SAME},
    {"bt.tc_bytes", F(tc_bytes), VCOST_SAME},
    {"bt.callout", F(callout), VCOST_SAME},
    {"bt.tc_emulate.rdtsc", F(tc_rdtsc), VCOST_SAME},
    {"bt.tc_emulate.cli", F(tc_cli), VCOST_SAME},
    {"bt.tc_emulate.cr8", F(tc_cr8), VCOST_SAME},
    {"bt.tc_emulate.in", F(tc_in), VCOST_SAME},
    {"bt.trap_emulate", F(trap), VCOST_SAME},
    {"bt.adapt_threshold", F(adapt), VCOST_SAME},
    {"bt.syscall_extra", F(syscall), VCOST_SAME},
    {"bt.callret", F(callret), VCOST_SAME},
    {"bt.page_fault", F(page_fault), VCOST_SAME},
    {"bt.exception", F(exception), VCOST_SAME},
    {"bt.pte_write", F(pte_write), VCOST_SAME},
    {"bt.shadow_fill", F(shadow_fill), VCOST_SAME},
    {"bt.cr3_switch", F(cr3), VCOST_SAME},
    {"shadow.tlb_miss_extra", F(shadow_miss), VCOST_SAME},
    GUEST_OP_KEYS(bt_params, g),
    {"shadow.rebuild_fraction", F(rebuild), VCOST_SAME},
    HOSTED_KEYS(bt_params, hosted),
};
#undef F

/* Code in the translation cache. */
typedef struct tc_entry {
  const void *code;         /* its identity (vcost_code_id): a phase and its trace samples */
  double bytes;             /* guest code translated, bytes */
} tc_entry;

typedef struct bt_state {
  vstate mem;               /* its memory accesses and TLB */
  const bt_params *p;
  tc_entry *tc;             /* translation cache contents */
  size_t tc_n, tc_cap;      /* entries used, allocated */
  double tc_used;           /* bytes in the translation cache */
  double traps_seen;        /* sensitive traps seen before adaptation, count */
} bt_state;

static int bt_load(const sim_profile *profile, const sim_host_type *host_type, void **params,
                   sim_diag *diag) {
  if (vcost_table_load(profile, host_type, sizeof(bt_params), bt_keys,
                       sizeof bt_keys / sizeof bt_keys[0], params, diag) < 0)
    return -1;
  const bt_params *p = *params;
  if (guest_ops_check_share(profile, "shadow.rebuild_fraction", p->rebuild, diag) < 0) {
    vcost_table_free(*params);
    *params = NULL;
    return -1;
  }
  return 0;
}

static int bt_create(const void *params, const sim_guest *g, void **state, sim_diag *diag) {
  bt_state *s = sim_calloc(1, sizeof *s);
  if (!s) {
    sim_diag_error(diag, NULL, 0, 0, "out of memory creating the BT state");
    return -1;
  }
  s->p = params;
  vstate_init(&s->mem, &s->p->c, g);
  *state = s;
  return 0;
}

static void bt_destroy(void *state) {
  bt_state *s = state;
  if (!s) return;
  sim_free(s->tc);
  sim_free(s);
}

/* The translation cache: cycles to translate the code of ph not yet in the
 * cache (its new_code_bytes, once per code identity: a trace's samples share
 * their source phase's code), flushing the cache when full
 * [AA06] sec. 3.  0 when already translated, or on out of memory (the phase
 * is then translated again next time). */
static double bt_translate(bt_state *s, const sim_phase *ph) {
  if (ph->new_code_bytes <= 0) return 0;
  for (size_t i = 0; i < s->tc_n; i++)
    if (s->tc[i].code == vcost_code_id(ph)) return 0;
  double bytes = ph->new_code_bytes;
  if (s->tc_used + bytes > s->p->tc_bytes) {
    /* full: flush everything, as a translation cache does, and start over */
    s->tc_n = 0;
    s->tc_used = 0;
  }
  if (sim_grow((void **)&s->tc, &s->tc_cap, s->tc_n + 1, sizeof *s->tc) == 0) {
    s->tc[s->tc_n].code = vcost_code_id(ph);
    s->tc[s->tc_n].bytes = bytes;
    s->tc_n++;
    s->tc_used += bytes;
  }
  return bytes / s->p->instr_bytes * s->p->translate;
}

static void bt_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  bt_state *s = state;
  const bt_params *b = s->p;
  const native_costs *c = &b->c;
  double before = cycles_total(out);
  double *g = &out->cycles[MECH_GUEST], *t = &out->cycles[MECH_TRAP];
  double *x = &out->cycles[MECH_TRANSLATE], *h = &out->cycles[MECH_HYPERVISOR];

  *x += bt_translate(s, ph);
  *g += units * (vcost_instr_cycles(ph) + ph->call_ret * c->callret);
  *x += units * ph->call_ret * fmax(0.0, b->callret - c->callret);

  *t += units * (ph->rdtsc * b->tc_rdtsc + ph->cli * b->tc_cli +
                 ph->cr8_writes * b->tc_cr8 + ph->port_io * b->tc_in);

  *g += units * ph->syscalls * c->syscall;
  *t += units * ph->syscalls * b->syscall;

  guest_op_events e = guest_ops_events(&b->g, ph, units);

  /* adaptive BT: the first PTE writes trap, later ones are emulated in place */
  double writes = units * ph->pte_updates + e.pte_clears;
  double trapped = fmin(writes, fmax(0.0, b->adapt - s->traps_seen));
  s->traps_seen += trapped;
  *t += trapped * b->trap;
  *g += (writes - trapped) * c->pte_write;
  *h += (writes - trapped) * fmax(0.0, b->pte_write - c->pte_write);

  *g += units * ph->page_faults * c->page_fault;
  *h += units * ph->page_faults * fmax(0.0, b->page_fault - c->page_fault);
  *g += units * ph->divide_faults * c->exception;
  *t += units * ph->divide_faults * fmax(0.0, b->exception - c->exception);

  double resident = vcost_resident_pages(ph);
  *g += units * ph->process_creations * (c->fork + c->fork_per_page * resident);
  *h += units * ph->process_creations * resident * b->shadow_fill;
  *t += units * ph->process_creations * c->fork_switches * b->cr3;

  *g += e.kernel + e.entries * c->syscall + e.invlpgs * b->g.invlpg;
  *t += e.entries * b->syscall + e.invlpgs * b->callout;
  double faults = e.faults + e.protection_faults;
  *g += e.faults * c->page_fault + e.protection_faults * b->g.protection_fault;
  *h += faults * fmax(0.0, b->page_fault - c->page_fault);
  *t += e.cr3_loads * b->cr3;
  *h += e.cr3_loads * b->rebuild * resident * b->shadow_fill;
  double world = hosted_exit_cycles(&b->hosted);
  *h += units * ph->port_io * world;

  vcost_charge_memory(&s->mem, ph, units, VCOST_WALK_1D, b->shadow_miss, out);
  guest_ops_charge_switch_refill(&s->mem, ph, &e, out);
  vcost_charge_timer(c, cycles_total(out) - before, b->callout + world, out);
}

static void bt_switch_in(void *state, cycles_by_mech *out) {
  bt_state *s = state;
  out->cycles[MECH_HYPERVISOR] += s->p->c.context_switch;
  if (!s->p->c.tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(&s->mem);
}

const technique_ops technique_bt_ops = {
    .name = "bt",
    .summary = "binary translation: translation cache, in-TC emulation, VMM-mediated syscalls, "
               "shadow page tables",
    .load = bt_load,
    .free_params = vcost_table_free,
    .create = bt_create,
    .destroy = bt_destroy,
    .charge = bt_charge,
    .switch_in = bt_switch_in,
};
