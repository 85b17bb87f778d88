/* models/technique_unit.h: a technique's charge (models/technique.h) in two
 * steps, for the techniques whose charge allows it: what one unit of a phase
 * costs that does not depend on how many units are charged (prepare), and
 * the charge of any number of units from that (apply).  The technique's own
 * charge() is prepare then apply, so a caller that keeps the prepared unit
 * of a phase and applies it at each later charge of the same phase, state
 * and host type gets the cycles charge() would, bit for bit: the
 * floating-point operations that depend on the units are the same ones, in
 * the same order.  The engine does so for every vCPU (models/engine.c
 * charge_units): a vCPU charges its phase at every dispatch.
 * Units: cycles per unit of work.
 * Invariants: a prepared unit holds for the phase's content, the state's
 * table and the technique only; apply may still update the state as
 * charge() does (the memory model's pages touched, a container's set-up).
 * The costs of the phase's memory streams it points to are its table's
 * (models/vcost.h vcost_streams), valid as long as the table is.
 * A group of operations the prepared unit marks absent adds exactly +0 to
 * every mechanism (its counts are 0 and every cost is finite), so apply
 * leaves it out. */
#ifndef MODELS_TECHNIQUE_UNIT_H
#define MODELS_TECHNIQUE_UNIT_H
#include <stdbool.h>
#include <stdint.h>

#include "models/technique.h"
#include "models/vcost.h"

/* One unit of a phase under one technique state, before the units. */
typedef struct technique_unit {
  double cpu;        /* cycles per unit of the CPU work charged as one product with the units
                        (what each technique's apply says) */
  bool exits;        /* the phase has operations that may exit: cr8 writes, rdtsc, port I/O */
  bool kernel_ops;   /* the phase has page-table writes, page faults, process creations or
                        exceptions */
  bool guest_ops;    /* the phase has guest operations (models/guest_ops.h) */
  const vcost_streams *memory; /* the per-access costs of the phase's memory streams under the
                        technique's walk (vcost_streams_of); NULL: the phase has none, or they
                        are computed at each charge (vcost_charge_memory) */
  double timer_irq;  /* cycles of one virtual timer interrupt beyond native, where the
                        technique charges them (vcost_charge_timer); else 0 */
} technique_unit;

typedef struct technique_unit_ops {
  const technique_ops *technique; /* the technique whose charge this splits */
  /* Fills *u for phase ph under `state`. */
  void (*prepare)(const void *state, const sim_phase *ph, technique_unit *u);
  /* Adds to *out what `units` units of ph cost, from u (prepare of the
   * same phase content and state): exactly what charge() adds. */
  void (*apply)(void *state, const sim_phase *ph, double units, const technique_unit *u,
                cycles_by_mech *out);
  /* cycles_total of what apply adds to cycles all +0, bit for bit, with the
   * same effect on the state: for a caller that needs the charge as a
   * total only (the engine's native reference).  NULL: none; such a
   * caller totals apply's cycles itself. */
  double (*apply_total)(void *state, const sim_phase *ph, double units, const technique_unit *u);
  /* apply onto cycles *out all +0 (the engine charges every chunk of a run
   * so): what apply adds to them, bit for bit, with the same effect on the
   * state, sparing what their zeros make known (apply itself when nothing
   * is). */
  void (*apply_fresh)(void *state, const sim_phase *ph, double units, const technique_unit *u,
                      cycles_by_mech *out);
} technique_unit_ops;

extern const technique_unit_ops technique_native_unit_ops;
extern const technique_unit_ops technique_container_unit_ops;
extern const technique_unit_ops technique_hvm_ept_unit_ops;

/* The split of technique t's charge as a small number, what a record per
 * guest keeps instead of a pointer: k > 0 for technique_unit_ops_at(k), 0
 * when it has none (its charge depends on more than the phase and the
 * state's table: BT's translation cache, or it is not split yet). */
uint8_t technique_unit_index(const technique_ops *t);
/* The splits technique_unit_index numbers, from 1, after a NULL at 0 (read
 * at every charge: the number is the index, without a test of 0). */
extern const technique_unit_ops *const technique_unit_split[];
/* The split numbered k, NULL for 0 (none). */
static inline const technique_unit_ops *technique_unit_ops_at(uint8_t k) {
  return technique_unit_split[k];
}

/* Whether ph has operations of each group a prepared unit marks (inline:
 * read at every prepare). */
static inline bool technique_unit_has_exits(const sim_phase *ph) {
  return ph->cr8_writes != 0 || ph->rdtsc != 0 || ph->port_io != 0;
}

static inline bool technique_unit_has_kernel_ops(const sim_phase *ph) {
  return ph->pte_updates != 0 || ph->page_faults != 0 || ph->process_creations != 0 ||
         ph->divide_faults != 0;
}

/* The counts guest_ops_events (models/guest_ops.c) reads. */
static inline bool technique_unit_has_guest_ops(const sim_phase *ph) {
  return ph->context_switches != 0 || ph->execs != 0 || ph->signals != 0 || ph->mmaps != 0 ||
         ph->fs_metadata != 0 || ph->protection_faults != 0;
}

/* Charges `units` of ph's memory accesses to s under `walk` (no software-MMU
 * extra), from u's streams when it has them: vcost_charge_memory's cycles,
 * bit for bit. */
static inline void technique_unit_charge_memory(vstate *s, const sim_phase *ph, double units,
                                                const technique_unit *u, vcost_walk walk,
                                                cycles_by_mech *out) {
  if (u->memory)
    vcost_charge_streams(s, u->memory, units, out);
  else if (ph->n_access)
    vcost_charge_memory(s, ph, units, walk, 0, out);
}

#endif
