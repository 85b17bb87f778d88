/* models/technique_unit.c: which techniques split their charge into a
 * prepared unit and its application (models/technique_unit.h), and the
 * groups of operations a prepared unit marks.
 * Units: none of its own.  Invariant: a group is absent only when every
 * count in it is exactly 0, so leaving it out adds nothing a charge would. */
#include "models/technique_unit.h"

#include "models/techniques.h"

const technique_unit_ops *technique_unit_ops_of(const technique_ops *t) {
  static const technique_unit_ops *const split[] = {
      &technique_native_unit_ops, &technique_container_unit_ops, &technique_hvm_ept_unit_ops};
  for (size_t i = 0; i < sizeof split / sizeof split[0]; i++)
    if (split[i]->technique == t) return split[i];
  return NULL;
}

bool technique_unit_has_exits(const sim_phase *ph) {
  return ph->cr8_writes != 0 || ph->rdtsc != 0 || ph->port_io != 0;
}

/* The counts guest_ops_events (models/guest_ops.c) reads. */
bool technique_unit_has_guest_ops(const sim_phase *ph) {
  return ph->context_switches != 0 || ph->execs != 0 || ph->signals != 0 || ph->mmaps != 0 ||
         ph->fs_metadata != 0 || ph->protection_faults != 0;
}
