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
 *    an iret hypercall (pv.hypercall each);
 *  - the guest operations (models/guest_ops.h): native kernel work
 *    (MECH_GUEST); each kernel entry through the fast trap handler
 *    (pv.syscall_extra, MECH_TRAP); demand faults of new mappings and
 *    write-protect faults bounce through Xen (pv.page_fault_extra,
 *    MECH_TRAP); teardown clears are validated and batched mmu_update
 *    entries, and munmap's invalidations ride the same multicalls as
 *    mmuext_op INVLPG (one pv.hypercall per pv.pte_batch_size) (MECH_HYPERCALL);
 *    each CR3 load (process switch, exec) is an mmuext_op new_baseptr
 *    hypercall (pv.hypercall + pv.cr3_switch, MECH_HYPERCALL) [BDF03]
 *    sec. 3.1; a process switch refills an untagged TLB (MECH_PAGEWALK).
 * Switch-in: a world switch (context_switch.native) plus a TLB refill when
 * untagged.  Invariant: no shadow page tables, so no hidden faults. */
#include <stddef.h>

#include "models/guest_ops.h"
#include "models/techniques.h"
#include "models/vcost.h"

typedef struct pv_params {
  native_costs c;           /* native costs */
  double hypercall;         /* pv.hypercall: one hypercall round trip */
  double batch;             /* pv.pte_batch_size: entries per mmu_update hypercall, count >= 1 */
  double validate;          /* pv.pte_validate: validation of one entry by the hypervisor */
  double syscall;           /* pv.syscall_extra: fast trap handler vs native */
  double page_fault;        /* pv.page_fault_extra: fault bounced through the hypervisor */
  double cr3;               /* pv.cr3_switch: new_baseptr hypercall work beyond the call */
  double sensitive;         /* pv.sensitive_op: PV-op replacing cli/cr8 (hypercall-free) */
  guest_op_costs g;         /* guest operations (models/guest_ops.h) */
} pv_params;

#define F(field) offsetof(pv_params, field)
static const vcost_key pv_keys[] = {
    {"pv.hypercall", F(hypercall), VCOST_SAME},
    {"pv.pte_batch_size", F(batch), VCOST_SAME},
    {"pv.pte_validate", F(validate), VCOST_SAME},
    {"pv.syscall_extra", F(syscall), VCOST_SAME},
    {"pv.page_fault_extra", F(page_fault), VCOST_SAME},
    {"pv.cr3_switch", F(cr3), VCOST_SAME},
    {"pv.sensitive_op", F(sensitive), VCOST_SAME},
    GUEST_OP_KEYS(pv_params, g),
};
#undef F

static int pv_load(const sim_profile *profile, const sim_host_type *host_type, void **params,
                   sim_diag *diag) {
  if (vcost_table_load(profile, host_type, sizeof(pv_params), pv_keys,
                       sizeof pv_keys / sizeof pv_keys[0], params, diag) < 0)
    return -1;
  const pv_params *p = *params;
  if (!(p->batch >= 1)) { /* a batch holds at least the update that starts it */
    sim_diag_error(diag, vcost_profile_name(profile), 0, 0,
                   "calibration profile: 'pv.pte_batch_size' must be at least 1");
    vcost_table_free(*params);
    *params = NULL;
    return -1;
  }
  return 0;
}

/* The table of a PV guest's state: the native costs vstate points to are the
 * first member of its pv_params. */
static const pv_params *pv_of(const vstate *s) { return (const pv_params *)s->c; }

/* Cycles of n validated page-table entry updates in batched hypercalls. */
static double pv_pte_batched(const pv_params *p, double n) {
  return n * p->validate + n / p->batch * p->hypercall;
}

static void pv_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  vstate *s = state;
  const pv_params *v = pv_of(s);
  const native_costs *c = s->c;
  double before = cycles_total(out);
  double *g = &out->cycles[MECH_GUEST], *t = &out->cycles[MECH_TRAP];
  double *hc = &out->cycles[MECH_HYPERCALL];

  *g += units * (vcost_instr_cycles(ph) + ph->call_ret * c->callret + ph->rdtsc * c->rdtsc);
  *g += units * ph->syscalls * c->syscall;
  *t += units * ph->syscalls * v->syscall;
  *hc += units * (ph->cli + ph->cr8_writes) * v->sensitive;
  *g += units * ph->port_io * c->port_io;
  *hc += units * ph->port_io * v->hypercall;

  *g += units * ph->pte_updates * c->pte_write;
  *hc += pv_pte_batched(v, units * ph->pte_updates);
  *g += units * (ph->page_faults * c->page_fault + ph->divide_faults * c->exception);
  *t += units * (ph->page_faults + ph->divide_faults) * v->page_fault;

  double resident = vcost_resident_pages(ph);
  *g += units * ph->process_creations * (c->fork + c->fork_per_page * resident);
  *hc += pv_pte_batched(v, units * ph->process_creations * resident);
  *hc += units * ph->process_creations * c->fork_switches * (v->hypercall + v->cr3);

  guest_op_events e = guest_ops_events(&v->g, ph, units);
  *g += guest_ops_native_cycles(c, &v->g, &e);
  *t += (e.entries * v->syscall) + (e.faults + e.protection_faults) * v->page_fault;
  *hc += pv_pte_batched(v, e.pte_clears) + e.invlpgs / v->batch * v->hypercall;
  *hc += e.cr3_loads * (v->hypercall + v->cr3);

  vcost_charge_memory(s, ph, units, VCOST_WALK_1D, 0, out);
  guest_ops_charge_switch_refill(s, ph, &e, out);
  vcost_charge_timer(c, cycles_total(out) - before, v->hypercall, out);
}

static void pv_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_HYPERVISOR] += s->c->context_switch;
  if (!s->c->tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_pv_ops = {
    .name = "pv",
    .summary = "paravirtualization (Xen): fast syscall handlers, batched validated page-table "
               "hypercalls, guest-owned page tables",
    .load = pv_load,
    .free_params = vcost_table_free,
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = pv_charge,
    .switch_in = pv_switch_in,
};
