/* models/technique.h: the interface of a virtualization technique model.
 * A technique turns a workload's operation mix into cycles, split by the
 * mechanism that spends them, so every result can be explained ("BT loses on
 * getppid because each system call costs a callout into the VMM").  It knows
 * nothing of time or scheduling: the engine asks it what a slice of work costs
 * and what switching the guest onto a CPU costs, and turns cycles into
 * simulated time at the host's clock.  Every cost comes from the calibration
 * profile (sim/profile.h), never from a literal in model code.
 * One technique per file (technique_<name>.c), one row in registry.c. */
#ifndef MODELS_TECHNIQUE_H
#define MODELS_TECHNIQUE_H
#include <stdint.h>

#include "sim/diag.h"
#include "sim/profile.h"
#include "sim/scenario.h"

/* Where cycles go.  Order is the order of the HDF5 columns and plot stacks. */
typedef enum mechanism {
  MECH_GUEST = 0,   /* the guest's own work at native cost */
  MECH_TRAP,        /* traps and VM exits (exit + emulate + entry), BT callouts */
  MECH_TRANSLATE,   /* binary translation of code executed for the first time */
  MECH_PAGEWALK,    /* TLB misses: 1D or 2D page walks */
  MECH_HYPERCALL,   /* paravirtual hypercalls, including batched page-table updates */
  MECH_HYPERVISOR,  /* hypervisor work: shadow page-table maintenance, world switches */
  MECH_IO,          /* I/O path work charged to the guest's CPU */
  MECH_COUNT
} mechanism;

/* Names as written in results: "guest", "trap", "translate", "pagewalk" ... */
extern const char *const mechanism_names[MECH_COUNT];

typedef struct cycles_by_mech {
  double cycles[MECH_COUNT]; /* cycles, by mechanism */
} cycles_by_mech;

/* Sum of the cycles in c, all mechanisms, in mechanism order from 0 (a
 * -0 term gives +0, as a sum started at 0 does).  Written out: the
 * compiler keeps the loop over the seven terms rolled, and every dispatch
 * sums several of them. */
_Static_assert(MECH_COUNT == 7, "cycles_total adds every mechanism");
static inline double cycles_total(const cycles_by_mech *c) {
  const double *x = c->cycles;
  return 0.0 + x[MECH_GUEST] + x[MECH_TRAP] + x[MECH_TRANSLATE] + x[MECH_PAGEWALK] +
         x[MECH_HYPERCALL] + x[MECH_HYPERVISOR] + x[MECH_IO];
}

/* to += from times f, mechanism by mechanism (each term from[m] * f, then
 * added), and to += from: written out for the same reason as cycles_total. */
static inline void cycles_add_scaled(cycles_by_mech *to, const cycles_by_mech *from, double f) {
  to->cycles[MECH_GUEST] += from->cycles[MECH_GUEST] * f;
  to->cycles[MECH_TRAP] += from->cycles[MECH_TRAP] * f;
  to->cycles[MECH_TRANSLATE] += from->cycles[MECH_TRANSLATE] * f;
  to->cycles[MECH_PAGEWALK] += from->cycles[MECH_PAGEWALK] * f;
  to->cycles[MECH_HYPERCALL] += from->cycles[MECH_HYPERCALL] * f;
  to->cycles[MECH_HYPERVISOR] += from->cycles[MECH_HYPERVISOR] * f;
  to->cycles[MECH_IO] += from->cycles[MECH_IO] * f;
}

static inline void cycles_add(cycles_by_mech *to, const cycles_by_mech *from) {
  to->cycles[MECH_GUEST] += from->cycles[MECH_GUEST];
  to->cycles[MECH_TRAP] += from->cycles[MECH_TRAP];
  to->cycles[MECH_TRANSLATE] += from->cycles[MECH_TRANSLATE];
  to->cycles[MECH_PAGEWALK] += from->cycles[MECH_PAGEWALK];
  to->cycles[MECH_HYPERCALL] += from->cycles[MECH_HYPERCALL];
  to->cycles[MECH_HYPERVISOR] += from->cycles[MECH_HYPERVISOR];
  to->cycles[MECH_IO] += from->cycles[MECH_IO];
}

/* A technique in three parts: its cost table, read from the profile once per
 * (profile, host type) and shared by every guest of the technique on such
 * hosts (load, free_params); the state it keeps per guest (create, destroy);
 * the work it charges through that state (charge, switch_in). */
typedef struct technique_ops {
  const char *name;    /* as written in scenarios: native, container, bt, pv, hvm, hvm-ept */
  const char *summary; /* one line for --help and docs */
  /* Reads the technique's own cost table from `profile`, converted at the
   * clock of host_type when it has one (else cpu.clock), with the MMU figures
   * host_type sets (host_type may be NULL).  0, or negative with one error
   * per quantity missing from the profile, naming it and the profile: no
   * cost has a default. */
  int (*load)(const sim_profile *profile, const sim_host_type *host_type, void **params,
              sim_diag *diag);
  void (*free_params)(void *params);
  /* Per-guest state over params (translation cache, TLB contents...); params
   * outlives it.  0, or negative with a diagnostic. */
  int (*create)(const void *params, const sim_guest *guest, void **state, sim_diag *diag);
  void (*destroy)(void *state);
  /* Adds to *out the cycles that `units` units of `phase` cost on one vCPU.
   * May update state (BT's translation cache warms up). */
  void (*charge)(void *state, const sim_phase *phase, double units, cycles_by_mech *out);
  /* Adds to *out the cost of switching this guest onto a physical CPU after
   * another context ran there: world switch, TLB refill where untagged,
   * shadow page-table rebuild. */
  void (*switch_in)(void *state, cycles_by_mech *out);
} technique_ops;

#endif
