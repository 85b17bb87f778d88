/* sim/cli_run.c: the 'run' verb. */
#include <stdio.h>

#include "sim/cli.h"

int cli_run(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: vdcsim run ...  (not available yet)\n");
    return CLI_OK;
  }
  return cli_not_available("run", "this verb lands with its issue");
}
