/* models/technique_unit.c: which techniques split their charge into a
 * prepared unit and its application (models/technique_unit.h), and the
 * groups of operations a prepared unit marks.
 * Units: none of its own.  Invariant: a group is absent only when every
 * count in it is exactly 0, so leaving it out adds nothing a charge would. */
#include "models/technique_unit.h"

#include "models/techniques.h"

#define N_SPLIT 3
const technique_unit_ops *const technique_unit_split[N_SPLIT] = {
    &technique_native_unit_ops, &technique_container_unit_ops, &technique_hvm_ept_unit_ops};

uint8_t technique_unit_index(const technique_ops *t) {
  for (size_t i = 0; i < N_SPLIT; i++)
    if (technique_unit_split[i]->technique == t) return (uint8_t)(i + 1);
  return 0;
}

bool technique_unit_has_exits(const sim_phase *ph) {
  return ph->cr8_writes != 0 || ph->rdtsc != 0 || ph->port_io != 0;
}

bool technique_unit_has_kernel_ops(const sim_phase *ph) {
  return ph->pte_updates != 0 || ph->page_faults != 0 || ph->process_creations != 0 ||
         ph->divide_faults != 0;
}

/* The counts guest_ops_events (models/guest_ops.c) reads. */
bool technique_unit_has_guest_ops(const sim_phase *ph) {
  return ph->context_switches != 0 || ph->execs != 0 || ph->signals != 0 || ph->mmaps != 0 ||
         ph->fs_metadata != 0 || ph->protection_faults != 0;
}
