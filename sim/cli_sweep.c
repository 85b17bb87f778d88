/* sim/cli_sweep.c: the 'sweep' verb. */
#include <stdio.h>

#include "sim/cli.h"

int cli_sweep(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: vdcsim sweep ...  (not available yet)\n");
    return CLI_OK;
  }
  return cli_not_available("sweep", "this verb lands with its issue");
}
