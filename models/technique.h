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

/* Sum of the cycles in c, all mechanisms, in mechanism order. */
static inline double cycles_total(const cycles_by_mech *c) {
  double t = 0;
  for (int m = 0; m < MECH_COUNT; m++) t += c->cycles[m];
  return t;
}

/* What a technique is created with. */
typedef struct technique_env {
  const sim_profile *profile;     /* the host's calibration profile */
  const sim_host_type *host_type; /* clock, MMU parameters (0: from the profile) */
  const sim_guest *guest;
} technique_env;

typedef struct technique_ops {
  const char *name;    /* as written in scenarios: native, container, bt, pv, hvm, hvm-ept */
  const char *summary; /* one line for --help and docs */
  /* Per-guest state (translation cache, shadow tables...).  0, or negative
   * with a diagnostic (a quantity missing from the profile, say). */
  int (*create)(const technique_env *env, void **state, sim_diag *diag);
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
