/* sim/cli/cli_sweep.c: the 'sweep' verb.
 * Sweeps are not run by this version: a scenario's `sweep:` section is
 * checked by the loader (every point must be a valid scenario), and single
 * points run with `vdcsim run --set path=value`. */
#include <stdio.h>

#include "sim/cli/cli.h"

int cli_sweep(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: vdcsim sweep SCENARIO.yaml  (not available in this version)\n\n"
           "Run one point of a sweep with: vdcsim run SCENARIO.yaml --set PATH=VALUE -o OUT.h5\n");
    return CLI_OK;
  }
  return cli_not_available("sweep", "run single points with 'vdcsim run --set PATH=VALUE'");
}
