/* models/technique_container.c: an OS container (Docker, LXC) [FE14].
 * Model: processes of a container are host processes: they share the host
 * kernel, so every operation runs at its native cost on the native paths
 * (system calls, page faults, page tables, 1D walks), exactly as
 * technique_native.c charges it.  What differs is isolation set up once:
 * creating the container's namespaces (container.namespace_create) and
 * entering its cgroups (container.cgroup_enter), charged at the first slice
 * to MECH_HYPERVISOR (the container runtime's work).  Network NAT costs
 * belong to the I/O path, not here.  [FE14] sec. IV: Linpack, Stream and
 * RandomAccess run at native speed in Docker.
 * Units: cycles; the set-up quantities are ns, converted at cpu.clock.
 * Invariant: after the set-up, a container's cycles equal native's. */
#include "models/techniques.h"
#include "models/vcost.h"

static void container_charge(void *state, const sim_phase *ph, double units,
                             cycles_by_mech *out) {
  vstate *s = state;
  if (!s->started) {
    s->started = true;
    out->cycles[MECH_HYPERVISOR] += (s->c.ct_namespace_ns + s->c.ct_cgroup_ns) * 1e-9 * s->c.clock_hz;
  }
  out->cycles[MECH_GUEST] += units * vcost_native_cpu(&s->c, ph);
  vcost_charge_memory(s, ph, units, VCOST_WALK_1D, out);
}

static void container_switch_in(void *state, cycles_by_mech *out) {
  vstate *s = state;
  /* a switch between host processes: the same as natively */
  out->cycles[MECH_GUEST] += s->c.context_switch;
  if (!s->c.tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(s);
}

const technique_ops technique_container_ops = {
    .name = "container",
    .summary = "OS container: native paths on the shared host kernel, namespace/cgroup set-up",
    .create = vstate_create,
    .destroy = vstate_free,
    .charge = container_charge,
    .switch_in = container_switch_in,
};
