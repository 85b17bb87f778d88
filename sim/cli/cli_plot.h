/* sim/cli/cli_plot.h: what the plot verb takes from the validation cases.
 * Plots and validation are siblings that do not include each other; the
 * verb, above both, loads the cases with validation's loader and hands the
 * compare kind their published values.
 * Units: those of each case's quantity. */
#ifndef SIM_CLI_CLI_PLOT_H
#define SIM_CLI_CLI_PLOT_H
#include <stddef.h>

#include "plots/plot.h"
#include "validation/validate.h"

/* The published values of a directory of validation cases. */
typedef struct cli_markers {
  val_case **cases;       /* the cases loaded; marks point into them */
  size_t n_cases;
  plot_published *marks;  /* one per case that marks a bar */
  size_t n_marks;
  char **testbeds;        /* per mark: the calibration its guest ran with (owned), or NULL */
} cli_markers;

/* Loads the cases of dir (in name order) and keeps, as marks, those that
 * read one summary/guests row by name, with no divisor, against a published
 * value or range.  A mark's testbed is the calibration profile of the case
 * scenario's guest (its host type's `calibration`, else the scenario's),
 * read from the scenario file the case names (relative to dir/../..); a
 * source that says "qualitative" becomes a range of its tolerance.  A case
 * file that does not load is skipped (`vdcsim validate` reports it); a
 * missing dir gives no marks.  0, or -1 when out of
 * memory.  Freed with cli_markers_free, also after a failure. */
int cli_markers_load(const char *dir, cli_markers *m);
void cli_markers_free(cli_markers *m);

#endif
