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
 *  - virtual timer interrupts: hvm.interrupt_exits exits each;
 *  - the guest operations (models/guest_ops.h) run natively: the guest owns
 *    its page tables, so faults, teardown, invlpg and CR3 loads take no
 *    exit (with VPID/ASID a CR3 load needs no VM exit); a process switch
 *    refills an untagged TLB (tlb.tagged 0: no PCID/ASID for the guest's
 *    address spaces) through 2D walks, which cost more than 1D ones
 *    (models/mmu.c, [BH08]) (MECH_PAGEWALK);
 *  - hosted (hypervisor.hosted: VirtualBox or VMware Workstation with
 *    nested paging [SUG01]): each port I/O exit and each timer interrupt
 *    also pays hypervisor.world_switch to the host OS (MECH_HYPERVISOR).
 * Switch-in: a world switch; the TLB is tagged (VPID), so no refill unless
 * the profile says the TLB is untagged. */
#include "models/guest_ops.h"
#include "models/technique_hvm.h"
#include "models/technique_unit.h"
#include "models/techniques.h"

typedef struct ept_params {
  native_costs c;           /* native costs */
  hvm_exit_costs x;         /* VM exits (models/technique_hvm.h) */
  double cpu_eff;           /* hvm.untuned.cpu_efficiency: ratio in (0, 1], instruction
                               throughput of the guest CPU model vs the host */
  guest_op_costs g;         /* guest operations (models/guest_ops.h) */
  hosted_costs hosted;      /* hypervisor.*: type II world switch per host exit */
} ept_params;

static const vcost_key ept_keys[] = {
    HVM_EXIT_KEYS(ept_params, x),
    {"hvm.untuned.cpu_efficiency", offsetof(ept_params, cpu_eff), VCOST_SAME},
    GUEST_OP_KEYS(ept_params, g),
    HOSTED_KEYS(ept_params, hosted),
};

static int ept_load(const sim_profile *profile, const sim_host_type *host_type, void **params,
                    sim_diag *diag) {
  if (vcost_table_load(profile, host_type, sizeof(ept_params), ept_keys,
                       sizeof ept_keys / sizeof ept_keys[0], params, diag) < 0)
    return -1;
  const ept_params *p = *params;
  if (!(p->cpu_eff > 0)) { /* a guest CPU that runs no instruction never completes */
    sim_diag_error(diag, vcost_profile_name(profile), 0, 0,
                   "calibration profile: 'hvm.untuned.cpu_efficiency' must be > 0");
    vcost_table_free(*params);
    *params = NULL;
    return -1;
  }
  return 0;
}

/* The table of an hvm-ept guest's state: the native costs vstate points to
 * are the first member of its ept_params. */
static const ept_params *ept_of(const vstate *s) { return (const ept_params *)s->c; }

/* Cycles of one unit's page-table writes, page faults, process creations
 * and exceptions, all run natively. */
static double ept_kernel_cycles(const native_costs *c, const sim_phase *ph) {
  double resident = vcost_resident_pages(ph);
  return ph->pte_updates * c->pte_write + ph->page_faults * c->page_fault +
         ph->process_creations * (c->fork + c->fork_per_page * resident) +
         ph->divide_faults * c->exception;
}

/* Prepared unit: cpu, a unit's guest instructions (at the guest CPU
 * model's efficiency), call/ret pairs, cli and system calls; memory, its
 * streams' costs under 2D walks; timer_irq, the exits of one virtual timer
 * interrupt and, hosted, its world switch. */
static void ept_prepare(const void *state, const sim_phase *ph, technique_unit *u) {
  const vstate *s = state;
  const ept_params *v = ept_of(s);
  const native_costs *c = s->c;
  u->cpu = vcost_instr_cycles(ph) / v->cpu_eff + ph->call_ret * c->callret + ph->cli * c->cli +
           ph->syscalls * c->syscall;
  u->exits = technique_unit_has_exits(ph);
  u->kernel_ops = technique_unit_has_kernel_ops(ph);
  u->guest_ops = technique_unit_has_guest_ops(ph);
  u->memory = vcost_streams_of(s, ph, VCOST_WALK_2D, 0);
  u->timer_irq = hvm_timer_irq_cycles(&v->x) + hosted_exit_cycles(&v->hosted);
}

/* ept_apply past the CPU cycles of a unit, for a phase that has operations
 * of a group (exits, kernel operations, guest operations), or streams whose
 * costs are not kept: `before`, out's total before the charge. */
__attribute__((noinline)) static void ept_apply_ops(vstate *s, const sim_phase *ph, double units,
                                                  const technique_unit *u, double before,
                                                  cycles_by_mech *out) {
  const ept_params *v = ept_of(s);
  const native_costs *c = s->c;
  double *g = &out->cycles[MECH_GUEST];

  if (u->exits) hvm_charge_exiting_ops(&v->x, c, ph, units, out);

  if (u->kernel_ops) {
    *g += units * ept_kernel_cycles(c, ph);
    out->cycles[MECH_TRAP] += units * ph->divide_faults * v->x.exception;
  }

  guest_op_events e = {0};
  if (u->guest_ops) {
    e = guest_ops_events(&v->g, ph, units);
    *g += guest_ops_native_cycles(c, &v->g, &e);
  }
  if (u->exits) /* port I/O: a hosted hypervisor's world switch at each */
    out->cycles[MECH_HYPERVISOR] += units * ph->port_io * hosted_exit_cycles(&v->hosted);

  technique_unit_charge_memory(s, ph, units, u, VCOST_WALK_2D, out);
  if (u->guest_ops) guest_ops_charge_switch_refill(s, ph, &e, out);
  vcost_charge_timer(c, cycles_total(out) - before, u->timer_irq, out);
}

/* The engine applies an hvm-ept unit at every event: for a phase of CPU
 * work and kept streams only it calls nothing, so it saves no register. */
static void ept_apply(void *state, const sim_phase *ph, double units, const technique_unit *u,
                      cycles_by_mech *out) {
  vstate *s = state;
  double before = cycles_total(out);
  out->cycles[MECH_GUEST] += units * u->cpu;
  if (u->exits || u->kernel_ops || u->guest_ops || (!u->memory && ph->n_access)) {
    ept_apply_ops(s, ph, units, u, before, out);
    return;
  }
  if (u->memory) vcost_charge_streams(s, u->memory, units, out);
  vcost_charge_timer(s->c, cycles_total(out) - before, u->timer_irq, out);
}

/* ept_apply onto cycles all +0: `before`, their cycles_total, is +0, and
 * past the CPU work and the kept streams only MECH_GUEST and MECH_PAGEWALK
 * hold any, so cycles_total's sum less +0 is (0.0 + guest) + pagewalk, bit
 * for bit (the +0 of the others changes no sum that is not -0, and
 * 0.0 + x is not): two additions instead of two totals. */
static void ept_apply_fresh(void *state, const sim_phase *ph, double units,
                            const technique_unit *u, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_GUEST] += units * u->cpu;
  if (u->exits || u->kernel_ops || u->guest_ops || (!u->memory && ph->n_access)) {
    ept_apply_ops(s, ph, units, u, 0.0, out);
    return;
  }
  if (u->memory) vcost_charge_streams(s, u->memory, units, out);
  vcost_charge_timer(s->c, (0.0 + out->cycles[MECH_GUEST]) + out->cycles[MECH_PAGEWALK],
                     u->timer_irq, out);
}

static void ept_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  technique_unit u;
  ept_prepare(state, ph, &u);
  ept_apply(state, ph, units, &u, out);
}

static void ept_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_HYPERVISOR] += s->c->context_switch;
  if (!s->c->tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_hvm_ept_ops = {
    .name = "hvm-ept",
    .summary = "hardware assistance, 2nd generation: EPT/NPT 2D page walks, tagged TLB, "
               "no page-table exits",
    .load = ept_load,
    .free_params = vcost_table_free,
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = ept_charge,
    .switch_in = ept_switch_in,
};

const technique_unit_ops technique_hvm_ept_unit_ops = {
    .technique = &technique_hvm_ept_ops,
    .prepare = ept_prepare,
    .apply = ept_apply,
    .apply_fresh = ept_apply_fresh,
};
