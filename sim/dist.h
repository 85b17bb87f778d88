/* sim/dist.h: probability distributions of a quantity, as scenarios write
 * them (scenarios/SCHEMA.md "Distributions"), sampled from a gsl_rng stream
 * (sim/rng.h).  A distribution describes one kind of quantity: a count
 * (SIM_UNIT_NONE), a time (SIM_UNIT_TIME, values in ns) or a size
 * (SIM_UNIT_SIZE, values in bytes); its parameters are written with that
 * kind's units and stored in its canonical unit.
 * Families: deterministic (a bare quantity too), exponential {mean},
 * uniform {min, max}, normal {mean, sd, min} (truncated below at min, 0 by
 * default), lognormal {mean, sd} or {mu, sigma} (of the log of the canonical
 * unit), gamma {shape, mean}, weibull {shape, scale}, pareto {alpha, min}
 * (alpha > 1: a finite mean), empirical {cdf: [[v, p], ...]} (piecewise
 * linear between points; a non-decreasing CDF ending at 1) or
 * {samples: FILE, unit: U} (one value per line, each drawn with equal
 * probability).
 * Invariants: every sample is >= 0 and finite; sim_dist_mean is the
 * analytic mean; a parsed distribution owns its tables (sim_dist_free). */
#ifndef SIM_DIST_H
#define SIM_DIST_H
#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "sim/schema.h"
#include "sim/units.h"

typedef enum sim_dist_family {
  SIM_DIST_DETERMINISTIC,
  SIM_DIST_EXPONENTIAL,
  SIM_DIST_UNIFORM,
  SIM_DIST_NORMAL,
  SIM_DIST_LOGNORMAL,
  SIM_DIST_GAMMA,
  SIM_DIST_WEIBULL,
  SIM_DIST_PARETO,
  SIM_DIST_EMPIRICAL,
  SIM_DIST_FAMILIES
} sim_dist_family;

/* Family names as written after `dist:`, by sim_dist_family. */
extern const char *const sim_dist_family_names[SIM_DIST_FAMILIES];

typedef struct sim_dist {
  sim_dist_family family;
  sim_unit_kind kind; /* what it describes: NONE (count), TIME (ns) or SIZE (bytes) */
  /* parameters, in the canonical unit of kind (shape-like ones plain):
   *  deterministic a = value; exponential a = mean; uniform a = min, b = max;
   *  normal a = mean, b = sd, c = truncation point; lognormal a = mu, b = sigma
   *  (of ln value); gamma a = shape, b = scale; weibull a = shape, b = scale;
   *  pareto a = alpha, b = min */
  double a, b, c;
  size_t n;          /* empirical: points (cdf) or samples */
  double *values;    /* empirical: n values, non-decreasing */
  double *probs;     /* empirical cdf: P(X <= values[i]), non-decreasing, last 1; NULL for samples */
  char *samples_path; /* empirical samples: the file read (resolved), for the resolved scenario */
  char *samples_unit; /* empirical samples: its `unit` as written; NULL: none */
} sim_dist;

/* A deterministic distribution of `value`. */
sim_dist sim_dist_constant(sim_unit_kind kind, double value);

/* Reads the value of `key` in map (absent: *out untouched, false) as a
 * distribution of `kind` (NONE, TIME or SIZE): a bare quantity or a mapping
 * {dist: FAMILY, ...}.  Errors at FILE:LINE:COL through S, naming what was
 * expected; relative sample files are found under `dir` (NULL: the working
 * directory).  true when a distribution was read into *out. */
bool sim_dist_parse(sim_schema *S, const sim_yaml_node *map, const char *key, sim_unit_kind kind,
                    const char *dir, sim_dist *out);
/* Parses node v itself (the value of `key`, for messages). */
bool sim_dist_parse_node(sim_schema *S, const sim_yaml_node *v, const char *key, sim_unit_kind kind,
                         const char *dir, sim_dist *out);

/* Reads a file of one plain number per line (blank lines and lines starting
 * with '#' skipped), each times `scale`, into *values (sim_malloc'd) and *n.
 * Errors (unreadable, not a regular file, malformed or negative value, no
 * value) go to S's diagnostics at FILE:LINE:COL of the file; `at` is the node
 * naming the file.  0 or -1. */
int sim_dist_read_values(sim_schema *S, const sim_yaml_node *at, const char *path, double scale,
                         double **values, size_t *n);

/* One draw from r. */
double sim_dist_sample(const sim_dist *d, gsl_rng *r);
/* The analytic mean (for the truncated normal, the truncated one's). */
double sim_dist_mean(const sim_dist *d);
/* The analytic variance. */
double sim_dist_variance(const sim_dist *d);
/* P(X <= x). */
double sim_dist_cdf(const sim_dist *d, double x);
/* Writes d as a scenario would (a bare quantity, or {dist: ...} with its
 * parameters in the canonical unit of its kind), so that reading the text
 * back gives the same distribution. */
void sim_dist_write(sim_yaml_writer *w, const sim_dist *d);
/* Frees the tables of d (not d). */
void sim_dist_free(sim_dist *d);

/* A rate as written for arrivals: "2000/s", "5/ms", "2 kHz" or a plain
 * number (per second); 0 and *per_s, or -1 with a message in err. */
int sim_parse_per_second(const char *text, double *per_s, char *err, size_t errlen);

#endif
