/* models/technique_native.c: bare metal, the reference every technique is
 * compared with.
 * Model: each operation of the mix costs its native cost from the profile
 * (syscall.native, page_fault.native, fork.native + fork.per_resident_page per
 * resident page, ...), all charged to MECH_GUEST; memory accesses cost their
 * data accesses (MECH_GUEST) and 1D page walks on TLB misses (MECH_PAGEWALK,
 * models/mmu.h).  A switch onto a CPU is a process context switch
 * (context_switch.native) plus, when the TLB is untagged, its refill.
 * The guest operations (models/guest_ops.h) cost their native cycles
 * (MECH_GUEST), and each in-guest process switch a TLB refill of the
 * phase's pages where the TLB is untagged (MECH_PAGEWALK).
 * The engine charges every guest's work through it too, as the guest's
 * native reference, and keeps the CPU cycles of one unit of the vCPU's phase
 * (its prepared unit, models/technique_unit.h) from the first charge of the
 * phase on.
 * Units: cycles.  Invariant: no cycle lands outside MECH_GUEST and
 * MECH_PAGEWALK.  Sources: the profile's native quantities ([AA06] sec. 5
 * nanobenchmarks, [FE14] testbed, or `vdcsim calibrate`). */
#include <stddef.h>

#include "models/guest_ops.h"
#include "models/technique_unit.h"
#include "models/techniques.h"
#include "models/vcost.h"

/* Its cost table: the native costs and those of the guest operations. */
typedef struct native_params {
  native_costs c;           /* native costs */
  guest_op_costs g;         /* guest operations (models/guest_ops.h) */
} native_params;

static const vcost_key native_keys[] = {GUEST_OP_KEYS(native_params, g)};

static int native_load(const sim_profile *profile, const sim_host_type *host_type, void **params,
                       sim_diag *diag) {
  return vcost_table_load(profile, host_type, sizeof(native_params), native_keys,
                          sizeof native_keys / sizeof native_keys[0], params, diag);
}

/* The table of a native guest's state: the native costs vstate points to
 * are the first member of its native_params. */
static const native_params *native_of(const vstate *s) { return (const native_params *)s->c; }

/* Prepared unit: cpu, the native CPU cycles of one unit (every operation
 * but the memory accesses, the guest operations' at one unit); memory, its
 * streams' costs under 1D walks. */
static void native_prepare(const void *state, const sim_phase *ph, technique_unit *u) {
  const vstate *s = state;
  const native_params *p = native_of(s);
  u->exits = false;
  u->kernel_ops = false;
  u->guest_ops = technique_unit_has_guest_ops(ph);
  /* without guest operations their cycles are +0, added as such */
  double ops = 0.0;
  if (u->guest_ops) {
    guest_op_events e = guest_ops_events(&p->g, ph, 1);
    ops = guest_ops_native_cycles(s->c, &p->g, &e);
  }
  u->cpu = vcost_native_cpu(s->c, ph) + ops;
  u->memory = vcost_streams_of(s, ph, VCOST_WALK_1D, 0);
  u->timer_irq = 0;
}

/* native_apply past the CPU cycles of a phase with guest operations. */
__attribute__((noinline)) static void native_apply_guest_ops(vstate *s, const sim_phase *ph,
                                                           double units, const technique_unit *u,
                                                           cycles_by_mech *out) {
  technique_unit_charge_memory(s, ph, units, u, VCOST_WALK_1D, out);
  guest_op_events e = guest_ops_events(&native_of(s)->g, ph, units);
  guest_ops_charge_switch_refill(s, ph, &e, out);
}

/* The engine applies a native unit at every event: without guest
 * operations it calls nothing (its streams kept) or ends in a call, so it
 * saves no register. */
static void native_apply(void *state, const sim_phase *ph, double units, const technique_unit *u,
                         cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_GUEST] += units * u->cpu;
  if (u->guest_ops) {
    native_apply_guest_ops(s, ph, units, u, out);
    return;
  }
  technique_unit_charge_memory(s, ph, units, u, VCOST_WALK_1D, out);
}

/* native_apply's cycles from all +0, totalled: only MECH_GUEST and
 * MECH_PAGEWALK receive any, so cycles_total's sum is 0.0 + guest, plus
 * +0 (which changes no sum that is not -0, and 0.0 + x is not), plus
 * pagewalk, plus +0 again: the same value, bit for bit, in two additions. */
static double native_apply_total(void *state, const sim_phase *ph, double units,
                                 const technique_unit *u) {
  if (u->memory && !u->guest_ops) {
    /* native_apply's operations on cycles of a local (which the compiler
     * keeps in registers): the common case */
    cycles_by_mech n = {{0}};
    n.cycles[MECH_GUEST] += units * u->cpu;
    vcost_charge_streams(state, u->memory, units, &n);
    return (0.0 + n.cycles[MECH_GUEST]) + n.cycles[MECH_PAGEWALK];
  }
  cycles_by_mech n = {{0}};
  native_apply(state, ph, units, u, &n);
  return (0.0 + n.cycles[MECH_GUEST]) + n.cycles[MECH_PAGEWALK];
}

static void native_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  technique_unit u;
  native_prepare(state, ph, &u);
  native_apply(state, ph, units, &u, out);
}

static void native_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_GUEST] += s->c->context_switch;
  if (!s->c->tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_native_ops = {
    .name = "native",
    .summary = "bare metal: every operation at its native cost, 1D page walks",
    .load = native_load,
    .free_params = vcost_table_free,
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = native_charge,
    .switch_in = native_switch_in,
};

const technique_unit_ops technique_native_unit_ops = {
    .technique = &technique_native_ops,
    .prepare = native_prepare,
    .apply = native_apply,
    .apply_total = native_apply_total,
    .apply_fresh = native_apply, /* it reads none of *out */
};
