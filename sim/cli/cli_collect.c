/* sim/cli/cli_collect.c: the 'collect' verb: a sweep's results into one
 * summary table (sim/cli/sweep_collect.h, DATASETS.md "Sweep summary").
 *   vdcsim collect DIR/ [-o summary.h5] [--csv FILE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cli/cli.h"
#include "sim/cli/sweep_collect.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim collect DIR/ [-o SUMMARY.h5] [--csv FILE] [--points P --replications R]\n\n"
          "Gathers a sweep's results (DIR/pPPPPPP-rRRRR.h5) into table runs (one row per\n"
          "run and guest: point, replication, swept parameters in SI units, every guest\n"
          "and migration summary metric) and table points (mean and 95%% Student-t\n"
          "interval over replications).  Identical inputs give identical bytes.\n"
          "Default: -o DIR/summary.h5.  --points P --replications R: only the runs of\n"
          "points 0..P-1 and replications 0..R-1, every one required (what vdcsim sweep\n"
          "and its Slurm collect job pass); default: every result in DIR.\n\n"
          "exit codes: 0 success, 1 a run missing or incomplete, or a write failed,\n"
          "            2 usage error or no sweep results in DIR\n");
}

int cli_collect(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  const char *dir = NULL, *out = NULL, *csv = NULL;
  unsigned long long points = 0, reps = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if ((!strcmp(a, "--points") || !strcmp(a, "--replications")) && i + 1 < argc) {
      char *end;
      const char *v = argv[++i];
      unsigned long long n = strtoull(v, &end, 10);
      if (end == v || *end || v[0] == '-' || n == 0) {
        fprintf(stderr, "vdcsim collect: error: %s takes a whole number above 0, not '%s'\n", a, v);
        return CLI_USAGE;
      }
      if (!strcmp(a, "--points")) points = n;
      else reps = n;
    } else if ((!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--csv")) && i + 1 < argc) {
      if (!strcmp(a, "--csv")) csv = argv[++i];
      else out = argv[++i];
    } else if (a[0] == '-') {
      fprintf(stderr, "vdcsim collect: error: unknown option or missing value '%s'\n", a);
      return CLI_USAGE;
    } else if (!dir) {
      dir = a;
    } else {
      fprintf(stderr, "vdcsim collect: error: one directory at a time\n");
      return CLI_USAGE;
    }
  }
  if (!dir) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (!points != !reps) {
    fprintf(stderr, "vdcsim collect: error: --points and --replications go together\n");
    return CLI_USAGE;
  }
  char def[4200];
  if (!out && !csv) {
    snprintf(def, sizeof def, "%s/summary.h5", dir);
    out = def;
  }
  return sweep_collect(dir, out, csv, points, reps);
}
