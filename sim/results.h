/* sim/results.h: reading a run's HDF5 result back.
 * plots/ and validation/ read results only through this interface (never the
 * models' memory), so what they show is what the file holds.  The layout is
 * the one sim/recorder.c writes and DATASETS.md documents.  Arrays returned
 * are allocated with sim_malloc and freed by the caller with sim_free
 * (string arrays with sim_result_free_strings). */
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"

typedef struct sim_result sim_result;

/* 0, or negative with a diagnostic naming the file. */
int sim_result_open(const char *path, sim_result **out, sim_diag *diag);
void sim_result_close(sim_result *r);
const char *sim_result_path(const sim_result *r);

/* A string attribute of the root group (scenario_name, scenario_text, status
 * ...); NULL when absent.  Owned by r. */
const char *sim_result_attr_str(sim_result *r, const char *name);
/* The same, telling an absent attribute from a failure: 1 and *value set
 * (owned by r) when present, 0 and *value NULL when absent or not a string,
 * negative (*value NULL) when out of memory or the attribute is unreadable. */
int sim_result_attr_text(sim_result *r, const char *name, const char **value);
/* A numeric attribute of the root group; negative when absent. */
int sim_result_attr_f64(sim_result *r, const char *name, double *value);

/* Whether a dataset exists at `path` ("summary/guests", "series/progress"). */
int sim_result_has(sim_result *r, const char *path);
/* Rows of a table (compound dataset); negative when absent. */
int sim_result_table_rows(sim_result *r, const char *path, size_t *rows);
/* A numeric column (integer columns converted), *n values. */
int sim_result_column_f64(sim_result *r, const char *path, const char *column, double **values,
                          size_t *n);
/* A string column. */
int sim_result_column_str(sim_result *r, const char *path, const char *column, char ***values,
                          size_t *n);
void sim_result_free_strings(char **values, size_t n);
/* The unit of a column ("s", "cycles", "1" ...); NULL when none.  Owned by r. */
const char *sim_result_column_unit(sim_result *r, const char *path, const char *column);

/* ---- every table, generically (vdcsim export) ---- */

typedef enum sim_result_type {
  SIM_RESULT_TEXT,    /* a string column */
  SIM_RESULT_INTEGER, /* a signed integer column (read exactly: sim_result_column_i64) */
  SIM_RESULT_REAL     /* a floating-point column */
} sim_result_type;

typedef struct sim_result_column_info {
  char *name;           /* member name */
  sim_result_type type; /* how to read it */
  char *unit;           /* its unit_<name> attribute, "" when none or text */
} sim_result_column_info;

/* The paths of every dataset of the result ("entities", "series/steal"), in
 * byte order of the path.  0, or negative when out of memory or unreadable;
 * freed with sim_result_free_strings. */
int sim_result_tables(sim_result *r, char ***paths, size_t *n);
/* The columns of a table, in member order.  0, or negative when the table is
 * absent, not a compound table, or memory runs out; freed with
 * sim_result_columns_free. */
int sim_result_columns(sim_result *r, const char *path, sim_result_column_info **cols,
                       size_t *n);
void sim_result_columns_free(sim_result_column_info *cols, size_t n);
/* An integer column as int64 (exact where doubles are not: time_ns). */
int sim_result_column_i64(sim_result *r, const char *path, const char *column, int64_t **values,
                          size_t *n);
/* A string-array attribute of a table (events' type_names): 1 and the
 * strings (freed with sim_result_free_strings), 0 when absent, negative on
 * failure. */
int sim_result_table_attr_strings(sim_result *r, const char *path, const char *name,
                                  char ***values, size_t *n);
/* A numeric root attribute as an exact integer (seed is uint64, run_index
 * int64): 0, or negative when absent or not an integer. */
int sim_result_attr_u64(sim_result *r, const char *name, uint64_t *value);
int sim_result_attr_i64(sim_result *r, const char *name, int64_t *value);

/* Entity id by name; negative when absent. */
int sim_result_entity(sim_result *r, const char *name, int32_t *id);
/* Whether the series at `path` ("series/cpu_share") was written on change
 * (sim/recorder.h sim_recorder_signal_on_change): 1 and *interval_ns its
 * sample interval, each value then holding until the entity's next row; 0
 * (every sample a row); negative when absent or unreadable. */
int sim_result_series_on_change(sim_result *r, const char *path, int64_t *interval_ns);
/* Where the series at `path`, written on change, ends (sim/recorder.h
 * sim_recorder_signal_end): 1 and *end_ns the time of its last sample, each
 * entity's last row then holding until it; 0 (*end_ns -1) when the series
 * does not say, each entity's samples then ending at its last row;
 * negative when absent or unreadable. */
int sim_result_series_end(sim_result *r, const char *path, int64_t *end_ns);
/* The samples of one signal for one entity, in time order: times in
 * seconds and values, *n of each.  A series written on change is filled
 * forward: one sample per interval from the entity's first row to the
 * series' end (or, when it declares none, to the entity's last row), as the
 * model sampled it. */
int sim_result_series(sim_result *r, const char *signal, int32_t entity, double **t_s,
                      double **values, size_t *n);

#endif
