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
 * (technique_native_unit_cpu) from the first charge of the phase on.
 * Units: cycles.  Invariant: no cycle lands outside MECH_GUEST and
 * MECH_PAGEWALK.  Sources: the profile's native quantities ([AA06] sec. 5
 * nanobenchmarks, [FE14] testbed, or `vdcsim calibrate`). */
#include <stddef.h>

#include "models/engine_internal.h"
#include "models/guest_ops.h"
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

double technique_native_unit_cpu(const void *state, const sim_phase *ph) {
  const vstate *s = state;
  const native_params *p = native_of(s);
  guest_op_events e = guest_ops_events(&p->g, ph, 1);
  return vcost_native_cpu(s->c, ph) + guest_ops_native_cycles(s->c, &p->g, &e);
}

void technique_native_charge_unit_cpu(void *state, const sim_phase *ph, double units,
                                      double unit_cpu, cycles_by_mech *out) {
  vstate *s = state;
  out->cycles[MECH_GUEST] += units * unit_cpu;
  vcost_charge_memory(s, ph, units, VCOST_WALK_1D, 0, out);
  guest_op_events e = guest_ops_events(&native_of(s)->g, ph, units);
  guest_ops_charge_switch_refill(s, ph, &e, out);
}

static void native_charge(void *state, const sim_phase *ph, double units, cycles_by_mech *out) {
  technique_native_charge_unit_cpu(state, ph, units, technique_native_unit_cpu(state, ph), out);
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
