/* models/technique_unit.c: which techniques split their charge into a
 * prepared unit and its application (models/technique_unit.h).
 * Units: none of its own.  Invariant: technique_unit_split lists each split
 * technique once, after a NULL for the techniques without one. */
#include "models/technique_unit.h"

#include <stddef.h>

#include "models/techniques.h"

#define N_SPLIT 3
const technique_unit_ops *const technique_unit_split[N_SPLIT + 1] = {
    NULL, &technique_native_unit_ops, &technique_container_unit_ops, &technique_hvm_ept_unit_ops};

uint8_t technique_unit_index(const technique_ops *t) {
  for (size_t i = 1; i <= N_SPLIT; i++)
    if (technique_unit_split[i]->technique == t) return (uint8_t)i;
  return 0;
}
