/* sim/scenario_simulation.c: the `simulation` section of a scenario and its
 * `record` block (scenarios/SCHEMA.md "simulation"): run length, seed, output
 * and what the recorder keeps.  Defaults are set by scenario.c before. */
#include <stdint.h>

#include "sim/alloc.h"
#include "sim/scenario_internal.h"

static void load_record(ctx *C, const sim_yaml_node *rec) {
  sim_scenario *s = C->s;
  if (!rec || !sim_schema_is_map(&C->S, rec, "the record section")) return;
  static const char *const keys[] = {"sample_interval", "events", "series", "signals",
                                     "request_latencies", "compression"};
  sim_schema_set_what(&C->S, "simulation.record");
  SIM_SCHEMA_CHECK_KEYS(&C->S, rec, keys);
  sim_schema_time(&C->S, rec, "sample_interval", &s->record.sample_interval_ns, 1);
  sim_schema_bool(&C->S, rec, "events", &s->record.events);
  sim_schema_bool(&C->S, rec, "series", &s->record.series);
  sim_schema_bool(&C->S, rec, "request_latencies", &s->record.request_latencies);
  uint64_t level = (uint64_t)s->record.compression_level;
  sim_schema_uint(&C->S, rec, "compression", 0, 9, &level);
  s->record.compression_level = (int)level;
  sim_schema_strings(&C->S, rec, "signals", "a list of signal names", "a signal name",
                     &s->record.signals, &s->record.n_signals);
}

void scenario_load_simulation(ctx *C, const sim_yaml_node *sim) {
  sim_scenario *s = C->s;
  if (!sim || !sim_schema_is_map(&C->S, sim, "the simulation section")) return;
  static const char *const keys[] = {"duration", "seed", "run_index", "replications", "output", "record"};
  sim_schema_set_what(&C->S, "simulation");
  SIM_SCHEMA_CHECK_KEYS(&C->S, sim, keys);
  sim_schema_time(&C->S, sim, "duration", &s->duration_ns, 0);
  sim_schema_uint(&C->S, sim, "seed", 0, UINT64_MAX, &s->seed);
  sim_schema_u32(&C->S, sim, "run_index", 0, UINT32_MAX, &s->run_index);
  /* replications of the whole scenario: runs with run index 0..n-1, so each
   * draws from its own random streams (vdcsim run; a sweep has its own) */
  sim_schema_u32(&C->S, sim, "replications", 1, 100000, &s->replications);
  sim_schema_str(&C->S, sim, "output", &s->output);
  if (s->output && !*s->output) {
    sim_schema_error(&C->S, sim_schema_opt(sim, "output"), "'output' in simulation is empty; give a file name or leave it out");
    sim_free(s->output);
    s->output = NULL;
  }
  load_record(C, sim_schema_opt(sim, "record"));
}
