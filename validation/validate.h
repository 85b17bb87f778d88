/* validation/validate.h: published measurements as executable cases.
 * A case (validation/cases/NAME.yaml) names a scenario, the quantity to read
 * from the scenario's HDF5 result, the published value with its source and a
 * tolerance.  The harness runs the scenario through the run pipeline of
 * `vdcsim run` (models/run.h), reads the quantity back through sim/results.h
 * (validation reads HDF5 only, as plots do) and compares.  Schema of a case:
 *
 *   name: lect-getppid-bt            # must equal the file's base name
 *   description: one line
 *   source: "[LECT] Benefits/Limitations Illustrated (2/3)"
 *   scenario: validation/scenarios/lect-loops.yaml   # relative to the source tree
 *   quantity: {table: summary/guests, column: relative_to_native, row: getppid-bt,
 *              key: name}             # key: the column rows are matched on (default name)
 *   divide_by: {row: ..., column: ..., table: ...}  # optional: quantity / this (missing
 *                                      # members default to the quantity's own)
 *   published: 0.25                    # a value, or a range [3.9, 4.6]
 *   tolerance: {absolute: 0.10}        # or {relative: 0.15}; optional for a range
 *   order: [getppid-bt, getppid-hvm]   # instead of published: the quantity must
 *                                      # increase strictly along these rows
 *   fitted: "why a constant was fitted to this case"   # only when one was
 *
 * Units: whatever the quantity's column holds; tolerance.relative is a
 * fraction (0.15 = 15 %). */
#ifndef VALIDATION_VALIDATE_H
#define VALIDATION_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"
#include "sim/profile.h"
#include "sim/results.h"

/* One value in a result: a column of a table at the row whose key column
 * equals `row`. */
typedef struct val_ref {
  char *table;  /* HDF5 path of the table, e.g. summary/guests */
  char *column; /* numeric column */
  char *row;    /* key value selecting the row; NULL in an order case */
  char *key;    /* string column the row is matched on ("name") */
} val_ref;

typedef enum val_kind {
  VAL_VALUE, /* published value with a tolerance */
  VAL_RANGE, /* published [min, max], optionally widened by a tolerance */
  VAL_ORDER  /* strict increase along `order` */
} val_kind;

typedef struct val_case {
  char *path;        /* case file */
  char *name;        /* case name (file base name) */
  char *description; /* one line */
  char *source;      /* citation key and place, "[AA06] Table 2" */
  char *scenario;    /* scenario path relative to the source tree */
  char *fitted;      /* NULL, or why a constant was fitted to this case */
  val_kind kind;     /* see val_kind */
  val_ref quantity;  /* what to read */
  bool has_divisor;  /* quantity is divided by `divisor` */
  val_ref divisor;   /* complete (defaults filled in) when has_divisor */
  double published;  /* VAL_VALUE: the value; VAL_RANGE: the minimum */
  double published_max; /* VAL_RANGE: the maximum */
  double tol_abs;    /* absolute tolerance, in the quantity's unit; 0 none */
  double tol_rel;    /* relative tolerance, fraction; 0 none */
  char **order;      /* VAL_ORDER: row keys, increasing quantity expected */
  size_t n_order;    /* count */
} val_case;

/* Parses a case file; every problem goes to diag as FILE:LINE:COL.  0, or
 * negative with *out NULL. */
int val_case_load(const char *path, val_case **out, sim_diag *diag);
/* The same from text; `path` names it in messages and gives the expected name. */
int val_case_load_text(const char *path, const char *text, size_t len, val_case **out,
                       sim_diag *diag);
void val_case_free(val_case *c);
/* The case files of dir (NAME.yaml, hidden files aside), sorted by name so
 * that what reads them does not depend on the directory's order.  0, or -1
 * when dir cannot be read or memory runs out (*files then holds what was
 * found).  Freed with val_case_files_free. */
int val_case_files(const char *dir, char ***files, size_t *n);
void val_case_files_free(char **files, size_t n);

/* The outcome of a case. */
typedef struct val_outcome {
  double simulated;  /* VAL_VALUE/RANGE: the value read; VAL_ORDER: rows in order / pairs */
  double error;      /* signed: absolute difference, or relative (fraction) when the
                      * tolerance is relative; distance outside a range; 0 for order */
  bool error_relative; /* `error` is a fraction */
  bool pass;         /* within tolerance / in order */
  char detail[256];  /* VAL_ORDER: the values in order, "0.25 < 0.95" */
} val_outcome;

/* Reads the case's quantity from an open result and judges it.  0, or
 * negative with a diagnostic when the result lacks the table, column or row. */
int val_case_evaluate(const val_case *c, sim_result *r, val_outcome *out, sim_diag *diag);

/* A set of runs: each scenario of the cases runs once, its HDF5 result kept
 * in a temporary directory until val_runner_free. */
typedef struct val_runner val_runner;
/* source_dir: the tree the cases' scenario paths are relative to; data:
 * where shipped profiles and workloads are found (copied). */
val_runner *val_runner_new(const char *source_dir, const sim_data_path *data, sim_diag *diag);
void val_runner_free(val_runner *vr);
/* Runs (or reuses) the case's scenario and evaluates it.  0, or negative
 * with diagnostics (scenario error, run failure, missing quantity). */
int val_runner_run(val_runner *vr, const val_case *c, val_outcome *out, sim_diag *diag);

#endif
