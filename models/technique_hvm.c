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
 *    hvm.exit.interrupt handlers;
 *  - the guest operations (models/guest_ops.h): kernel entries, signals and
 *    metadata calls run natively (no exit); demand faults of new mappings
 *    and write-protect faults exit (hvm.exit.page_fault); teardown clears
 *    of shadowed PTEs exit (hvm.exit.pte_write); each invlpg exits, its
 *    handler invalidating the entry and dropping its shadow (hvm.exit.invlpg); each CR3 load (process switch,
 *    exec) exits (hvm.exit.cr3) to switch the shadow root, rebuilding the
 *    shadow tables by one page-fault exit per resident page for
 *    shadow.rebuild_fraction of the loads; a process switch refills an
 *    untagged TLB (first-generation VT-x flushes it on every CR3 load)
 *    through the shadow walks (MECH_PAGEWALK) [AA06] sec. 4-5;
 *  - hosted (hypervisor.hosted: VMware Workstation/Player, VirtualBox
 *    [SUG01]): each port I/O exit and each timer interrupt also pays
 *    hypervisor.world_switch to the host OS and back (MECH_HYPERVISOR).
 * Switch-in: a world switch plus a TLB refill when untagged (first-generation
 * VT-x flushes the TLB on every world switch).
 * Also holds the exit costs and charges technique_hvm_ept.c shares
 * (models/technique_hvm.h). */
#include "models/guest_ops.h"
#include "models/technique_hvm.h"
#include "models/techniques.h"

typedef struct hvm_params {
  native_costs c;           /* native costs */
  hvm_exit_costs x;         /* VM exits shared with hvm-ept */
  double pf;                /* hvm.exit.page_fault: handler of a page-fault exit */
  double pte;               /* hvm.exit.pte_write: handler of a traced PTE write */
  double cr3;               /* hvm.exit.cr3: handler of a CR3 load exit (shadow root) */
  double shadow_miss;       /* shadow.tlb_miss_extra: software-MMU overhead of one TLB miss on
                               shadow page tables, beyond the hardware 1D walk (FITTED) */
  guest_op_costs g;         /* guest operations (models/guest_ops.h) */
  double invlpg;            /* hvm.exit.invlpg: handler of an INVLPG exit (shadow entry dropped) */
  double rebuild;           /* shadow.rebuild_fraction: share of CR3 loads whose shadow tables
                               are rebuilt rather than found cached, in [0, 1] */
  hosted_costs hosted;      /* hypervisor.*: type II world switch per host exit */
} hvm_params;

static const vcost_key hvm_keys[] = {
    HVM_EXIT_KEYS(hvm_params, x),
    {"hvm.exit.page_fault", offsetof(hvm_params, pf), VCOST_SAME},
    {"hvm.exit.pte_write", offsetof(hvm_params, pte), VCOST_SAME},
    {"hvm.exit.cr3", offsetof(hvm_params, cr3), VCOST_SAME},
    {"shadow.tlb_miss_extra", offsetof(hvm_params, shadow_miss), VCOST_SAME},
    GUEST_OP_KEYS(hvm_params, g),
    {"hvm.exit.invlpg", offsetof(hvm_params, invlpg), VCOST_SAME},
    {"shadow.rebuild_fraction", offsetof(hvm_params, rebuild), VCOST_SAME},
    HOSTED_KEYS(hvm_params, hosted),
};

/* n exits with `handler` cycles each: round trips to MECH_TRAP, handlers to
 * MECH_HYPERVISOR. */
static void hvm_exits(const hvm_exit_costs *x, double n, double handler, cycles_by_mech *out) {
  out->cycles[MECH_TRAP] += n * x->roundtrip;
  out->cycles[MECH_HYPERVISOR] += n * handler;
}

void hvm_charge_exiting_ops(const hvm_exit_costs *x, const native_costs *c, const sim_phase *ph,
                            double units, cycles_by_mech *out) {
  double *g = &out->cycles[MECH_GUEST];
  if (x->tpr_shadow)
    *g += units * ph->cr8_writes * c->cr8;
  else
    hvm_exits(x, units * ph->cr8_writes, x->cr8, out);
  if (x->rdtsc_exiting)
    hvm_exits(x, units * ph->rdtsc, x->rdtsc, out);
  else
    *g += units * ph->rdtsc * c->rdtsc;
  out->cycles[MECH_TRAP] += units * ph->port_io * x->user;
}

double hvm_timer_irq_cycles(const hvm_exit_costs *x) {
  return x->irq_exits * (x->roundtrip + x->interrupt);
}

static int hvm_load(const sim_profile *profile, const sim_host_type *host_type, void **params,
                    sim_diag *diag) {
  if (vcost_table_load(profile, host_type, sizeof(hvm_params), hvm_keys,
                       sizeof hvm_keys / sizeof hvm_keys[0], params, diag) < 0)
    return -1;
  const hvm_params *p = *params;
  if (guest_ops_check_share(profile, "shadow.rebuild_fraction", p->rebuild, diag) < 0) {
    vcost_table_free(*params);
    *params = NULL;
    return -1;
  }
  return 0;
}

/* The table of an hvm guest's state: the native costs vstate points to are
 * the first member of its hvm_params. */
static const hvm_params *hvm_of(const vstate *s) { return (const hvm_params *)s->c; }

static void hvm_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  vstate *s = state;
  const hvm_params *v = hvm_of(s);
  const native_costs *c = s->c;
  const hvm_exit_costs *x = &v->x;
  double before = cycles_total(out);
  double *g = &out->cycles[MECH_GUEST];

  *g += units * (vcost_instr_cycles(ph) + ph->call_ret * c->callret + ph->cli * c->cli +
                 ph->syscalls * c->syscall);
  hvm_charge_exiting_ops(x, c, ph, units, out);

  *g += units * ph->pte_updates * c->pte_write;
  hvm_exits(x, units * ph->pte_updates, v->pte, out);
  *g += units * ph->page_faults * c->page_fault;
  hvm_exits(x, units * ph->page_faults, v->pf, out);
  *g += units * ph->divide_faults * c->exception;
  out->cycles[MECH_TRAP] += units * ph->divide_faults * x->exception;

  double resident = vcost_resident_pages(ph);
  *g += units * ph->process_creations * (c->fork + c->fork_per_page * resident);
  hvm_exits(x, units * ph->process_creations * resident, v->pf, out);
  hvm_exits(x, units * ph->process_creations * c->fork_switches, v->cr3, out);

  guest_op_events e = guest_ops_events(&v->g, ph, units);
  *g += e.kernel + e.entries * c->syscall;
  *g += e.faults * c->page_fault + e.protection_faults * v->g.protection_fault;
  hvm_exits(x, e.faults + e.protection_faults, v->pf, out);
  *g += e.pte_clears * c->pte_write;
  hvm_exits(x, e.pte_clears, v->pte, out);
  hvm_exits(x, e.invlpgs, v->invlpg, out);
  hvm_exits(x, e.cr3_loads, v->cr3, out);
  hvm_exits(x, e.cr3_loads * v->rebuild * resident, v->pf, out);
  double world = hosted_exit_cycles(&v->hosted);
  out->cycles[MECH_HYPERVISOR] += units * ph->port_io * world;

  vcost_charge_memory(s, ph, units, VCOST_WALK_1D, v->shadow_miss, out);
  guest_ops_charge_switch_refill(s, ph, &e, out);
  vcost_charge_timer(c, cycles_total(out) - before, hvm_timer_irq_cycles(x) + world, out);
}

static void hvm_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_HYPERVISOR] += s->c->context_switch;
  if (!s->c->tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_hvm_ops = {
    .name = "hvm",
    .summary = "hardware assistance, 1st generation: VM exits by reason, shadow paging",
    .load = hvm_load,
    .free_params = vcost_table_free,
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = hvm_charge,
    .switch_in = hvm_switch_in,
};
