/* models/run.h: one simulation run, from a scenario to its HDF5 result.
 * The one pipeline every caller uses (`vdcsim run`, `vdcsim validate`, a
 * sweep's points): scenario -> calibration profile -> recorder -> engine ->
 * result file, with the result's root attributes (DATASETS.md).  It sits
 * at the models layer so that validation and the command line share it.
 * Units: simulated time in ns; wall-clock time in s.
 * Invariants: the result is written atomically (sim/recorder.h): on any
 * failure nothing is left under the output's name; the datasets depend only
 * on the scenario, its overrides and its profile, never on the wall clock
 * (only root attributes hold wall-clock values). */
#ifndef MODELS_RUN_H
#define MODELS_RUN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/profile.h"
#include "sim/scenario.h"
#include "sim/time.h"

typedef enum run_status {
  RUN_OK = 0,      /* the result is written */
  RUN_FAILED = 1,  /* the simulation or its output failed */
  RUN_INVALID = 2  /* the scenario or a profile is invalid: nothing ran */
} run_status;

/* Told the temporary file's path and the output's lock file once the result
 * is opened, and NULLs when they are gone (written or removed), so that a
 * signal handler can remove them. */
typedef void (*run_temp_fn)(void *ctx, const char *temp_path, const char *lock_path);

/* An extra root attribute of the result (a sweep's point, say). */
typedef struct run_attr {
  const char *name;
  const char *str;  /* a string attribute; NULL: the number f64 */
  double f64;
} run_attr;

typedef struct run_request {
  /* The scenario: loaded from scenario_path with the overrides (the seed and
   * the run index are overrides too: simulation.seed, simulation.run_index),
   * unless `scenario` is given already loaded. */
  const char *scenario_path;
  const sim_scenario *scenario;     /* NULL: load scenario_path */
  const sim_data_path *data_path;   /* where shipped profiles and workloads are found (required) */
  const sim_override *overrides;    /* applied when loading scenario_path */
  size_t n_overrides;
  const char *output;               /* the result file (required); its directory is made */
  bool summary_only;                /* record the summary tables only: no series, no event log */
  bool progress;                    /* a progress bar on stderr, when it is a terminal */
  const char *command_line;         /* root attribute command_line; NULL: "" */
  run_temp_fn on_temp;              /* NULL: not told */
  void *temp_ctx;                   /* passed to on_temp */
  const run_attr *attrs;            /* extra root attributes; may be NULL */
  size_t n_attrs;
  /* Guards: a run that passes one fails (RUN_FAILED) with a message and
   * writes nothing.  Besides these, a run fails when simulated time stays put
   * over RUN_STALL_EVENTS consecutive events (plus RUN_STALL_PER_ENTITY per
   * vCPU, host and migration): a loop that makes no progress.  The guards
   * look at the loop every 1,024 events: max_events is exact, the wall
   * clock is read that often, and a stall is caught within 2,048 events of
   * its limit (never before it). */
  uint64_t max_events;              /* events dispatched at most; 0: no limit */
  double max_wall_s;                /* wall-clock seconds of the simulation at most; 0: no limit */
  uint64_t stall_events;            /* consecutive events at one time that stop the run; 0: the
                                     * default above */
} run_request;

#define RUN_STALL_EVENTS 10000000ULL
#define RUN_STALL_PER_ENTITY 64ULL

typedef struct run_result {
  run_status status;     /* what happened */
  uint64_t events;       /* events dispatched */
  sim_time simulated_ns; /* simulated time reached, ns */
  double wall_s;         /* wall-clock duration of the call, s */
} run_result;

/* Runs the request.  0 with res->status RUN_OK, or negative with
 * res->status RUN_FAILED or RUN_INVALID and every message in diag (warnings,
 * such as fallback quantities of a profile given as a file, may come with
 * success). */
int run_scenario(const run_request *req, run_result *res, sim_diag *diag);

/* The run key: 16 hex digits of a 64-bit FNV-1a hash of everything a run's
 * datasets depend on: the resolved scenario text (overrides applied; its
 * `sweep` section left out, so that adding replications or named points to
 * a sweep keeps the results it has), the profile's text, the seed, the run
 * index and the version.
 * Stored as the root attribute run_key; a result is reused (--resume, a
 * rerun sweep) only when its key matches. */
#define RUN_KEY_LEN 17 /* 16 hex digits and the terminator */
void run_key(const sim_scenario *sc, const sim_profile *prof, char key[RUN_KEY_LEN]);
/* The same, loading the scenario's profile; 0, or negative with diag. */
int run_key_of(const sim_scenario *sc, const sim_data_path *data_path, char key[RUN_KEY_LEN],
               sim_diag *diag);
/* Whether `path` holds a complete result whose run_key is `key`. */
bool run_result_current(const char *path, const char *key);

#endif
