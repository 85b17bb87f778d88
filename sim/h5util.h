/* sim/h5util.h: the HDF5 conventions shared by the recorder (writer) and the
 * result reader.  Internal to sim/: plots/ and validation/ use sim/results.h.
 *
 * Every HDF5 call the recorder makes goes through H5_CALL, so that fault
 * injection (sim_fault_hit(SIM_FAULT_HDF5), VDCSIM_FAULT_HDF5=N) can make the
 * Nth call fail exactly as a failing library call would (a negative return),
 * and the failure paths are exercised for N = 1, 2, ... (SQLite's technique).
 * A call made to fail is not performed at all.
 *
 * Layout names (DATASETS.md documents them):
 *   root attributes        see DATASETS.md, "Root attributes"
 *   /entities              (id, kind, name, parent)
 *   /events                (time_ns, type, entity, value0, value1); type names in
 *                          the attribute "type_names"
 *   /series/<signal>       (time_ns, entity, value); unit in the attribute "unit"
 *   /<table path>          compound; per column "unit_<column>", "doc_<column>"
 */
#ifndef SIM_H5UTIL_H
#define SIM_H5UTIL_H
#include <hdf5.h>

#include "sim/alloc.h"

/* Value of a failed call made to fail: negative, as HDF5 returns on error for
 * both herr_t and hid_t functions. */
#define H5_CALL(expr) (sim_fault_hit(SIM_FAULT_HDF5) ? -1 : (expr))

#define SIM_H5_ENTITIES "entities"
#define SIM_H5_EVENTS "events"
#define SIM_H5_SERIES "series"
#define SIM_H5_UNIT_PREFIX "unit_"
#define SIM_H5_DOC_PREFIX "doc_"

#endif
