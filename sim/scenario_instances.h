/* sim/scenario_instances.h: the loader's part for IaaS instances (not part
 * of the public API; sim/instance_type.h is what models read):
 *   scenario_instances.c  the `instance_types` section, a guest entry's
 *                         `instance_type` and `tenant`, their resolved text
 * scenarios/SCHEMA.md "instance_types" documents the keys. */
#ifndef SIM_SCENARIO_INSTANCES_H
#define SIM_SCENARIO_INSTANCES_H
#include "sim/instance_type.h"
#include "sim/scenario_internal.h"

/* Reads the `instance_types` section (NULL: none) into s->instance_types,
 * in name order. */
void scenario_load_instance_types(ctx *C, const sim_yaml_node *types);
/* Guest entry m's `instance_type` and `tenant`: the type supplies g's vCPUs,
 * memory and disk (a key of the entry that says otherwise is an error at
 * it); g->instance_type and g->tenant are set.  false when the entry has an
 * error here. */
bool scenario_guest_instance(ctx *C, const sim_yaml_node *m, sim_guest *g);
/* `instance_types: {...}` for the resolved text (nothing when there are none). */
void scenario_write_instance_types(sim_yaml_writer *w, const sim_scenario *s);
/* A guest entry's `instance_type` and `tenant` for the resolved text (nothing
 * when it has neither). */
void scenario_write_guest_instance(sim_yaml_writer *w, const sim_guest *g, const sim_scenario *s);
/* Frees the instance types and tenants of s (sim_scenario_free's part). */
void scenario_free_instances(sim_scenario *s);

#endif
