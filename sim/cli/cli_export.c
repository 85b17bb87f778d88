/* sim/cli/cli_export.c: the 'export' verb: vdcsim export RESULT.h5... --csv DIR.
 * Writes the tables of HDF5 results as tidy CSV files in DIR (export_csv.h),
 * for pandas, R or a spreadsheet.
 * Exit codes (sim/cli/cli.h): 0 written; 1 out of memory or an output could
 * not be written; 2 usage or input error (a result missing, unreadable,
 * incomplete, or with tables that disagree), with nothing written. */
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/cli/export_csv.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim export RESULT.h5... --csv DIR\n\n"
          "Writes every table of the results as a tidy CSV file in DIR (made when missing):\n"
          "entities.csv, events.csv, summary_guests.csv, summary_hosts.csv, summary_mmu.csv,\n"
          "io_guests.csv, io_requests.csv, migration_summary.csv, migration_rounds.csv and\n"
          "series_<signal>.csv, those the results hold.  The rows of all results go into one\n"
          "file per table, each row led by its run: result_file, scenario_name, seed,\n"
          "run_index, calibration_name.  Entity ids are replaced by entity names (entity,\n"
          "entity_kind), event types by their names; a column with a unit names it\n"
          "(time_ns, downtime_s, value_bps).  Files are replaced atomically.\n"
          "A series written on change is exported sample by sample (filled forward).\n\n"
          "options:\n"
          "  --csv DIR   output directory\n\n"
          "exit codes: 0 written, 1 write failure, 2 usage or input error (nothing written)\n");
}

int cli_export(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  const char **files = sim_calloc((size_t)argc, sizeof *files);
  if (!files) {
    fprintf(stderr, "vdcsim export: error: out of memory\n");
    return CLI_FAILURE;
  }
  size_t n_files = 0;
  const char *dir = NULL;
  int rc = CLI_OK;
  for (int i = 1; i < argc && rc == CLI_OK; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--csv")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "vdcsim export: error: --csv needs a directory\n");
        rc = CLI_USAGE;
      } else {
        dir = argv[++i];
      }
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "vdcsim export: error: unknown option '%s' (see vdcsim export --help)\n",
              a);
      rc = CLI_USAGE;
    } else {
      files[n_files++] = a;
    }
  }
  if (rc == CLI_OK && n_files == 0) {
    fprintf(stderr, "vdcsim export: error: no result file given\n");
    rc = CLI_USAGE;
  } else if (rc == CLI_OK && !dir) {
    fprintf(stderr, "vdcsim export: error: no output given (--csv DIR)\n");
    rc = CLI_USAGE;
  }
  if (rc == CLI_OK) {
    sim_diag diag;
    sim_diag_init(&diag);
    int r = export_csv(files, n_files, dir, &diag);
    if (r == EXPORT_ENOMEM && !diag.errors) sim_diag_error(&diag, NULL, 0, 0, "out of memory");
    sim_diag_print(&diag, stderr);
    sim_diag_clear(&diag);
    rc = r == 0 ? CLI_OK : r == EXPORT_EINPUT ? CLI_USAGE : CLI_FAILURE;
  }
  sim_free(files);
  return rc;
}
