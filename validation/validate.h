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
 *   kind: prediction                   # prediction | fitted | input-echo | by-construction | analytic
 *   replications: 10                   # optional, with a published value only: the scenario runs
 *                                      # with run index 0..N-1 and the mean of the N values is
 *                                      # judged; the case also needs the 95% confidence
 *                                      # interval of that mean (Student t) to cover `published`
 *   qualitative: true                  # optional: the source gives an order or a
 *                                      # yes/no, not a number (implied by `order`)
 *   fitted_inputs:                     # inputs of the run fitted to a measurement
 *     - {input: "pentium4-2006 bt.syscall_extra", fitted_to: aa06-nano-syscall-bt}
 *   fitted: "why a constant was fitted to this case"   # only with kind: fitted
 *
 * What a case proves (its kind, validation/README.md "Kinds"):
 *   prediction       the value follows from mechanisms and inputs none of which
 *                    was fitted to this published quantity;
 *   fitted           an input was fitted to this quantity (or to the same
 *                    measurement under another name): the case checks only
 *                    that the model charges what it was given;
 *   input-echo       the quantity is (arithmetic on) a value the scenario sets;
 *   by-construction  the model makes the quantity hold by definition;
 *   analytic         a closed form of queueing theory (M/M/1, Erlang C, mean
 *                    value analysis) checks the simulation machinery: no
 *                    published measurement, no evidence about what
 *                    virtualization costs.
 * A fitted_to is a case name or, for a measurement no case holds, a citation
 * ("[CL05] sec. 6.2 ...").  val_cases_check enforces the rules that keep a
 * prediction from resting on a fit to its own target.
 *
 * Units: whatever the quantity's column holds; tolerance.relative is a
 * fraction (0.15 = 15 %). */
#ifndef VALIDATION_VALIDATE_H
#define VALIDATION_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* What a case proves; the YAML key is `kind`. */
typedef enum val_evidence {
  VAL_PREDICTION,      /* no input fitted to the published quantity */
  VAL_FITTED,          /* an input was fitted to it */
  VAL_INPUT_ECHO,      /* the quantity restates the scenario's own values */
  VAL_BY_CONSTRUCTION, /* the model holds it by definition */
  VAL_ANALYTIC,        /* a closed form checks the simulation machinery */
  VAL_N_EVIDENCE       /* count of the kinds above */
} val_evidence;

/* The YAML word of a kind ("prediction", "input-echo" ...). */
const char *val_evidence_name(val_evidence e);

/* One fitted input the case's run uses. */
typedef struct val_fit {
  char *input;      /* the profile key or workload/scenario value, "xeon-e5-2014 io.nat.per_segment" */
  char *fitted_to;  /* a case name, or a citation "[KEY] ..." of a measurement no case holds */
  int line, col;    /* position of the entry in the case file */
} val_fit;

/* The most replications a case may ask for: the runs are kept until the
 * runner is freed. */
#define VAL_MAX_REPLICATIONS 1000

typedef struct val_case {
  char *path;        /* case file */
  char *name;        /* case name (file base name) */
  char *description; /* one line */
  char *source;      /* citation key and place, "[AA06] Table 2" */
  char *scenario;    /* scenario path relative to the source tree */
  char *fitted;      /* NULL, or why a constant was fitted to this case */
  val_evidence evidence; /* the case's `kind` */
  int kind_line, kind_col; /* position of `kind` in the case file */
  bool qualitative;  /* an order or a yes/no: no error enters the prediction figures */
  val_fit *fits;     /* fitted_inputs */
  size_t n_fits;     /* count */
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
  uint32_t replications; /* runs judged (run index 0..replications-1); 1 without the key */
} val_case;

/* Parses a case file; every problem goes to diag as FILE:LINE:COL.  0, or
 * negative with *out NULL. */
int val_case_load(const char *path, val_case **out, sim_diag *diag);
/* The same from text; `path` names it in messages and gives the expected name. */
int val_case_load_text(const char *path, const char *text, size_t len, val_case **out,
                       sim_diag *diag);
void val_case_free(val_case *c);
/* The rules across cases (validation/README.md "Kinds"), each error at
 * FILE:LINE:COL of the offending case:
 *  - a fitted_to that is not a citation names a case of the set;
 *  - a prediction has no input fitted to the same published quantity: a case
 *    with the same `source` and the same published value or range;
 *  - a prediction that runs the scenario of a fitted case F, where F lists an
 *    input fitted to a quantity of the prediction's source (same leading
 *    citation key), lists that input (same input and fitted_to) itself: the
 *    fit may reach it, so it must say so.
 * 0, or negative with one error per violation. */
int val_cases_check(val_case *const *cases, size_t n, sim_diag *diag);

/* The case files of dir (NAME.yaml, hidden files aside), sorted by name so
 * that what reads them does not depend on the directory's order.  0, or -1
 * when dir cannot be read or memory runs out (*files then holds what was
 * found).  Freed with val_case_files_free. */
int val_case_files(const char *dir, char ***files, size_t *n);
void val_case_files_free(char **files, size_t n);

/* Little's law, L = lambda W ([LIT61]), checked on every request-driven
 * guest of every run: |L / (lambda W) - 1| at most VAL_LITTLE_TOLERANCE.
 * Over a run in which the guest starts empty and every request completes
 * the law is a sample-path identity, so the only slack allowed is the
 * floating-point rounding of sums over 10^6 requests; a run that ends at a
 * `duration` with requests still in the guest is off by their share (1e-5 in
 * scenarios/web-latency.yaml) and is no case for this check. */
#define VAL_LITTLE_TOLERANCE 1e-9

/* Little's law over some runs. */
typedef struct val_little {
  size_t guests;          /* request-driven guests checked, counted once per run */
  double worst;           /* the L / (lambda W) - 1 of largest magnitude; 0 when none */
  char worst_guest[64];   /* its guest's name, "" when none */
} val_little;

/* Adds the rows of r's summary/requests (none when the result has no such
 * table) to *acc.  0, or negative with a diagnostic when the table lacks its
 * columns. */
int val_little_check(sim_result *r, val_little *acc, const char *case_path, sim_diag *diag);
/* Whether *l keeps to VAL_LITTLE_TOLERANCE. */
bool val_little_holds(const val_little *l);

/* The outcome of a case. */
typedef struct val_outcome {
  double simulated;  /* VAL_VALUE/RANGE: the value read; VAL_ORDER: rows in order / pairs */
  double error;      /* signed: absolute difference, or relative (fraction) when the
                      * tolerance is relative; distance outside a range; 0 for order */
  bool error_relative; /* `error` is a fraction */
  double relative_error; /* VAL_VALUE: (simulated - published) / |published|; VAL_RANGE: the
                          * distance outside the range over the nearer bound (0 inside);
                          * NaN for an order or a published 0 */
  bool pass;         /* within tolerance / in order, the interval covering and Little's law
                      * holding */
  char detail[256];  /* VAL_ORDER: the values in order, "0.25 < 0.95" */
  size_t runs;       /* results judged (the case's replications) */
  double ci_low, ci_high; /* runs >= 2: 95% Student-t interval of the mean `simulated`, in the
                           * quantity's unit; NaN otherwise */
  bool ci_covers;    /* runs >= 2: the interval holds `published`; true otherwise */
  val_little little; /* Little's law over the runs judged */
} val_outcome;

/* Reads the case's quantity from each of n_runs open results (one per
 * replication, n_runs equal to c->replications; only a case with a published
 * value has more than one) and judges it: with two runs or more, the mean
 * must be within tolerance and its 95% interval must cover the published
 * value.  Every run must also keep Little's law.  0, or negative with a
 * diagnostic when a result lacks the table, column or row. */
int val_case_evaluate(const val_case *c, sim_result *const *runs, size_t n_runs,
                      val_outcome *out, sim_diag *diag);

/* What a run of cases shows, by kind. */
typedef struct val_summary {
  size_t by_evidence[VAL_N_EVIDENCE]; /* cases of each kind */
  size_t qualitative_predictions;     /* predictions that give an order or a yes/no */
  size_t quantitative_predictions;    /* predictions with a relative error (evaluated) */
  double median_abs_error;            /* median |relative_error| of those, fraction; NaN if none */
  double worst_abs_error;             /* the largest of them, fraction; NaN if none */
  size_t worst;                       /* index of that case in the arrays given */
} val_summary;

/* Summarizes n cases and their outcomes; evaluated[i] false for a case that
 * could not run (it counts in its kind, not in the error figures). */
void val_summarize(val_case *const *cases, const val_outcome *outcomes, const bool *evaluated,
                   size_t n, val_summary *out);

/* A set of runs: each (scenario, run index) of the cases runs once, its HDF5
 * result kept in a temporary directory until val_runner_free.  A case runs
 * its scenario with run index 0..replications-1 (simulation.run_index), so
 * a case without replications shares run 0 with the replicated ones. */
typedef struct val_runner val_runner;
/* source_dir: the tree the cases' scenario paths are relative to; data:
 * where shipped profiles and workloads are found (copied). */
val_runner *val_runner_new(const char *source_dir, const sim_data_path *data, sim_diag *diag);
void val_runner_free(val_runner *vr);
/* Runs (or reuses) the case's scenario and evaluates it.  0, or negative
 * with diagnostics (scenario error, run failure, missing quantity). */
int val_runner_run(val_runner *vr, const val_case *c, val_outcome *out, sim_diag *diag);
/* Little's law over every run made so far, each counted once; *runs the
 * number of runs that had request-driven guests. */
void val_runner_little(const val_runner *vr, val_little *out, size_t *runs);

#endif
