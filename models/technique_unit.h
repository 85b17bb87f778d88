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
 * A group of operations the prepared unit marks absent adds exactly +0 to
 * every mechanism (its counts are 0 and every cost is finite), so apply
 * leaves it out. */
#ifndef MODELS_TECHNIQUE_UNIT_H
#define MODELS_TECHNIQUE_UNIT_H
#include <stdbool.h>
#include <stdint.h>

#include "models/technique.h"

/* One unit of a phase under one technique state, before the units. */
typedef struct technique_unit {
  double cpu;        /* cycles per unit of the CPU work charged as one product with the units
                        (what each technique's apply says) */
  bool exits;        /* the phase has operations that may exit: cr8 writes, rdtsc, port I/O */
  bool kernel_ops;   /* the phase has page-table writes, page faults, process creations or
                        exceptions */
  bool guest_ops;    /* the phase has guest operations (models/guest_ops.h) */
} technique_unit;

typedef struct technique_unit_ops {
  const technique_ops *technique; /* the technique whose charge this splits */
  /* Fills *u for phase ph under `state`. */
  void (*prepare)(const void *state, const sim_phase *ph, technique_unit *u);
  /* Adds to *out what `units` units of ph cost, from u (prepare of the
   * same phase content and state): exactly what charge() adds. */
  void (*apply)(void *state, const sim_phase *ph, double units, const technique_unit *u,
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
/* The splits technique_unit_index numbers, from 1 (read at every charge). */
extern const technique_unit_ops *const technique_unit_split[];
static inline const technique_unit_ops *technique_unit_ops_at(uint8_t k) {
  return technique_unit_split[k - 1];
}

/* Whether ph has operations of each group a prepared unit marks. */
bool technique_unit_has_exits(const sim_phase *ph);
bool technique_unit_has_kernel_ops(const sim_phase *ph);
bool technique_unit_has_guest_ops(const sim_phase *ph);

#endif
