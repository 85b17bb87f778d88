/* models/technique_container.c: an OS container (Docker, LXC) [FE14].
 * Model: processes of a container are host processes: they share the host
 * kernel, so every operation runs at its native cost on the native paths
 * (system calls, page faults, page tables, 1D walks), exactly as
 * technique_native.c charges it.  What differs is isolation set up once:
 * creating the container's namespaces (container.namespace_create) and
 * entering its cgroups (container.cgroup_enter), charged at the first slice
 * to MECH_HYPERVISOR (the container runtime's work).  Network NAT costs
 * belong to the I/O path, not here.  [FE14] sec. IV: Linpack, Stream and
 * RandomAccess run at native speed in Docker.  The guest operations
 * (models/guest_ops.h) cost their native cycles, and process switches their
 * TLB refill where untagged, as natively.
 * Units: cycles; the set-up quantities are ns, converted at cpu.clock.
 * Invariant: after the set-up, a container's cycles equal native's. */
#include <stddef.h>

#include "models/guest_ops.h"
#include "models/technique_unit.h"
#include "models/techniques.h"
#include "models/vcost.h"
#include "sim/alloc.h"

typedef struct container_params {
  native_costs c;           /* native costs: a container runs on the host kernel */
  double namespace_ns;      /* container.namespace_create, ns (once, at start) */
  double cgroup_ns;         /* container.cgroup_enter, ns (once, at start) */
  guest_op_costs g;         /* guest operations, at native cost (models/guest_ops.h) */
} container_params;

static const vcost_key container_keys[] = {
    {"container.namespace_create", offsetof(container_params, namespace_ns), VCOST_SAME},
    {"container.cgroup_enter", offsetof(container_params, cgroup_ns), VCOST_SAME},
    GUEST_OP_KEYS(container_params, g),
};

typedef struct container_state {
  vstate mem;               /* its memory accesses and TLB */
  const container_params *p;
  bool started;             /* the set-up is charged (first charge done) */
} container_state;

static int container_load(const sim_profile *profile, const sim_host_type *host_type,
                          void **params, sim_diag *diag) {
  return vcost_table_load(profile, host_type, sizeof(container_params), container_keys,
                          sizeof container_keys / sizeof container_keys[0], params, diag);
}

static int container_create(const void *params, const sim_guest *g, void **state, sim_diag *diag) {
  container_state *s = sim_malloc(sizeof *s);
  if (!s) {
    sim_diag_error(diag, NULL, 0, 0, "out of memory creating the container state");
    return -1;
  }
  s->p = params;
  vstate_init(&s->mem, &s->p->c, g);
  s->started = false;
  *state = s;
  return 0;
}

static void container_destroy(void *state) { sim_free(state); }

/* Prepared unit: cpu, the native CPU cycles of one unit but its guest
 * operations'; memory, its streams' costs under 1D walks. */
static void container_prepare(const void *state, const sim_phase *ph, technique_unit *u) {
  const container_state *s = state;
  u->cpu = vcost_native_cpu(&s->p->c, ph);
  u->exits = false;
  u->kernel_ops = false;
  u->guest_ops = technique_unit_has_guest_ops(ph);
  u->memory = vcost_streams_of(&s->mem, ph, VCOST_WALK_1D, 0);
  u->timer_irq = 0;
}

/* container_apply past the CPU cycles of a phase with guest operations. */
__attribute__((noinline)) static void container_apply_guest_ops(container_state *s,
                                                              const sim_phase *ph, double units,
                                                              const technique_unit *u,
                                                              cycles_by_mech *out) {
  const container_params *p = s->p;
  guest_op_events e = guest_ops_events(&p->g, ph, units);
  out->cycles[MECH_GUEST] += guest_ops_native_cycles(&p->c, &p->g, &e);
  technique_unit_charge_memory(&s->mem, ph, units, u, VCOST_WALK_1D, out);
  guest_ops_charge_switch_refill(&s->mem, ph, &e, out);
}

/* The engine applies a container's unit at every event: without guest
 * operations it calls nothing (its streams kept) or ends in a call, so it
 * saves no register. */
static void container_apply(void *state, const sim_phase *ph, double units,
                            const technique_unit *u, cycles_by_mech *out) {
  container_state *s = state;
  if (!s->started) {
    const container_params *p = s->p;
    s->started = true;
    out->cycles[MECH_HYPERVISOR] += (p->namespace_ns + p->cgroup_ns) * 1e-9 * p->c.clock_hz;
  }
  out->cycles[MECH_GUEST] += units * u->cpu;
  if (u->guest_ops) {
    container_apply_guest_ops(s, ph, units, u, out);
    return;
  }
  technique_unit_charge_memory(&s->mem, ph, units, u, VCOST_WALK_1D, out);
}

static void container_charge(void *state, const sim_phase *ph, double units,
                             cycles_by_mech *out) {
  technique_unit u;
  container_prepare(state, ph, &u);
  container_apply(state, ph, units, &u, out);
}

static void container_switch_in(void *state, cycles_by_mech *out) {
  container_state *s = state;
  /* a switch between host processes: the same as natively */
  out->cycles[MECH_GUEST] += s->p->c.context_switch;
  if (!s->p->c.tlb_tagged) out->cycles[MECH_PAGEWALK] += vcost_tlb_refill(&s->mem);
}

const technique_ops technique_container_ops = {
    .name = "container",
    .summary = "OS container: native paths on the shared host kernel, namespace/cgroup set-up",
    .load = container_load,
    .free_params = vcost_table_free,
    .create = container_create,
    .destroy = container_destroy,
    .charge = container_charge,
    .switch_in = container_switch_in,
};

const technique_unit_ops technique_container_unit_ops = {
    .technique = &technique_container_ops,
    .prepare = container_prepare,
    .apply = container_apply,
    .apply_fresh = container_apply, /* it reads none of *out */
};
