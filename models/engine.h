/* models/engine.h: runs a loaded scenario on the event loop.
 * The engine instantiates hosts, guests, workloads and their technique models
 * from the registry, drives every vCPU through its workload's phases by
 * events, charges each mechanism's cycles through the technique and MMU
 * models, and emits signals, events and summary rows to the recorder.  It
 * touches no file: the loader has read every input (trace samples included)
 * and the recorder writes the result. */
#ifndef MODELS_ENGINE_H
#define MODELS_ENGINE_H
#include <stdint.h>

#include "models/registry.h"
#include "sim/diag.h"
#include "sim/loop.h"
#include "sim/profile.h"
#include "sim/recorder.h"
#include "sim/scenario.h"

/* Called now and then with the simulated time reached and the run's end
 * (or an estimate of it), for the progress bar. */
typedef void (*engine_progress_fn)(void *ctx, sim_time now, sim_time end);

typedef struct engine_options {
  engine_progress_fn progress; /* NULL: none */
  void *progress_ctx;
  /* Where techniques and schedulers are found by name; NULL: the registry
   * (model_find).  Lets a test run the engine on models with known costs. */
  const model_entry *(*find_model)(model_kind kind, const char *name);
  /* Where host types' shipped calibration profiles are found by name
   * (host_types[].calibration); NULL: only profiles given by path. */
  const sim_data_path *data_path;
  /* Called once with the event loop before anything is scheduled, so that a
   * caller may watch the run (sim_loop_set_checkpoint, every so many
   * dispatches, which keeps the loop's common path; or sim_loop_set_trace,
   * every dispatch, which replaces the progress observer and sends each one
   * down the general path) and stop the loop (sim_loop_stop): a run whose
   * loop was stopped fails, with the caller's message.  NULL: none. */
  void (*watch_loop)(void *ctx, sim_loop *loop);
  void *watch_ctx;
} engine_options;

typedef struct engine_stats {
  uint64_t events;             /* events dispatched */
  sim_time simulated_ns;       /* simulated time reached */
} engine_stats;

/* Runs the scenario to its end.  `profile` is the scenario's calibration
 * profile (per-host-type overrides are loaded by the engine).  0 on success;
 * negative with a message in diag on failure. */
int engine_run(const sim_scenario *scenario, const sim_profile *profile, sim_recorder *rec,
               const engine_options *options, engine_stats *stats, sim_diag *diag);

#endif
