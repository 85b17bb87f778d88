/* sim/cli/export_csv.h: results as tidy CSV tables (the `export` verb).
 * One CSV file per table of the results (entities, events, summary/guests
 * -> summary_guests.csv, series/steal -> series_steal.csv ...), the rows of
 * every result given one after the other.  Each row starts with the run's
 * parameters (result_file, scenario_name, seed, run_index,
 * calibration_name); entity ids become entity names (and kinds), event type
 * indices their names; a column with a unit carries it in its name
 * (export_column_name).
 * Units: those of the columns, named; values written exactly (reals as the
 * shortest decimal that reads back as the same double, integers as
 * integers, NaN, Inf and -Inf spelled so pandas and R read them).
 * Invariants: every input is read and checked before anything is written;
 * each file is written under a temporary name in DIR and the files are
 * renamed only when all were written, so a failure leaves no CSV behind. */
#ifndef SIM_CLI_EXPORT_CSV_H
#define SIM_CLI_EXPORT_CSV_H
#include <stddef.h>

#include "sim/diag.h"

enum {
  EXPORT_EIO = -1,    /* an output could not be written */
  EXPORT_EINPUT = -2, /* a result is missing, unreadable or inconsistent */
  EXPORT_ENOMEM = -3  /* out of memory */
};

/* The name a column takes in the CSV: `name` when it already says its unit
 * (time_ns, downtime_s, cycles_guest, bits_per_s, bytes) or has none ("",
 * "1"), else name_<unit> (series value in bit/s: value_bps; in cycles/s:
 * value_cycles_per_s).  Written into buf. */
void export_column_name(const char *name, const char *unit, char *buf, size_t size);

/* Writes DIR/<table>.csv for every table of the results at paths (DIR is
 * made when missing).  0, or a negative EXPORT_E* with diagnostics. */
int export_csv(const char *const *paths, size_t n_paths, const char *dir, sim_diag *diag);

#endif
