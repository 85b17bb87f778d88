/* sim/sweep.h: a parameter sweep, from its YAML definition to its points
 * (scenarios/SCHEMA.md "sweep").  A sweep is a list of points, each a set of
 * `--set` overrides; every point runs `replications` times.  Points come
 * from, in this order: the cartesian product of the axis entries (an entry is
 * one axis, or `zip:` axes that move together), or a space-filling sample of
 * range axes (Sobol, Latin hypercube), then the named `points:`.
 * Units: a parameter's numeric value (si) is in its SI unit (unit_name):
 * time in s, size in bytes, rate in bit/s, frequency in Hz, ratios 1.
 * Invariants: the point order, and so every point's index, depends only on
 * the definition; the last axis entry varies fastest.  Run r of a sweep is
 * point r / replications, replication r % replications. */
#ifndef SIM_SWEEP_H
#define SIM_SWEEP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/scenario.h"
#include "sim/schema.h"
#include "sim/units.h"
#include "sim/yaml.h"

#define SIM_SWEEP_MAX_POINTS 10000000u /* points of one sweep */
#define SIM_SWEEP_MAX_REPLICATIONS 100000u

/* A swept parameter: one `--set` path. */
typedef struct sim_sweep_param {
  char *path;            /* dotted key path, as --set takes it */
  bool numeric;          /* every value is a quantity: si holds it */
  sim_unit_kind kind;    /* the values' kind when numeric */
  int line, col;         /* where the path is written */
} sim_sweep_param;

/* One value of a parameter at a point. */
typedef struct sim_sweep_value {
  char *text;            /* as --set takes it; NULL: the parameter is not set at this point */
  double si;             /* in the parameter's SI unit; NaN when not numeric or not set */
  int line, col;         /* where it is written, or where its axis or point is */
} sim_sweep_value;

typedef struct sim_sweep_point {
  char *name;            /* a named point's name; "" otherwise */
  sim_sweep_value *values; /* n_params values */
} sim_sweep_point;

typedef struct sim_sweep {
  char *file;            /* the file the definition was read from */
  char *base;            /* a separate sweep file's scenario (resolved against its directory); NULL */
  uint32_t replications; /* runs per point, >= 1 */
  size_t n_params;
  sim_sweep_param *params;
  size_t n_points;
  sim_sweep_point *points;
} sim_sweep;

/* Reads a sweep definition (the map of a scenario's `sweep:` section, or a
 * separate sweep file's root without its `base` key) into *out.  Errors go
 * through S at FILE:LINE:COL; returns 0, or -1 with *out NULL. */
int sim_sweep_parse(sim_schema *S, const sim_yaml_node *def, sim_sweep **out);
/* Reads FILE: a scenario with a `sweep:` section, or a sweep file
 * `base: SCENARIO` plus the sweep keys.  0, or -1 with errors in diag. */
int sim_sweep_load_file(const char *path, sim_sweep **out, sim_diag *diag);
void sim_sweep_free(sim_sweep *sw);
/* Whether FILE is a separate sweep file: YAML whose top-level mapping has a
 * `base` key (false for anything else, unreadable or malformed included:
 * the scenario loader then says what is wrong); *line and *col (when not
 * NULL) get the position of that key. */
bool sim_sweep_is_file(const char *path, int *line, int *col);
/* A sweep of one point (the scenario as it is) and n replications
 * (`vdcsim run --replications N`); NULL when out of memory. */
sim_sweep *sim_sweep_replications(uint32_t n);

/* The SI unit name of a kind: "s", "bytes", "bit/s", "Hz", "1", "cycles". */
const char *sim_sweep_unit_name(sim_unit_kind kind);
/* Runs in the sweep: points x replications. */
uint64_t sim_sweep_runs(const sim_sweep *sw);
/* The overrides of a point (those it sets) into ovs (n_params slots);
 * returns how many.  Texts point into sw. */
size_t sim_sweep_point_overrides(const sim_sweep *sw, size_t point, sim_override *ovs);

/* Parses "K/N" (0 <= K < N): the shard of a split run list.  0, or -1 with
 * a message in err. */
int sim_sweep_parse_shard(const char *text, uint64_t *k, uint64_t *n, char *err, size_t errlen);
/* Whether run index `run` belongs to shard K of N: run % N == K. */
bool sim_sweep_in_shard(uint64_t run, uint64_t k, uint64_t n);

#endif
