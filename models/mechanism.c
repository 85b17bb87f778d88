/* models/mechanism.c: the names of the mechanisms cycles are charged to, as
 * written in results (HDF5 columns, plot legends); order as in technique.h. */
#include "models/technique.h"

const char *const mechanism_names[MECH_COUNT] = {
    [MECH_GUEST] = "guest",
    [MECH_TRAP] = "trap",
    [MECH_TRANSLATE] = "translate",
    [MECH_PAGEWALK] = "pagewalk",
    [MECH_HYPERCALL] = "hypercall",
    [MECH_HYPERVISOR] = "hypervisor",
    [MECH_IO] = "io",
};
