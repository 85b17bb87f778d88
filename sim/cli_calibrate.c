/* sim/cli_calibrate.c: the 'calibrate' verb. */
#include <stdio.h>

#include "sim/cli.h"

int cli_calibrate(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: vdcsim calibrate ...  (not available yet)\n");
    return CLI_OK;
  }
  return cli_not_available("calibrate", "this verb lands with its issue");
}
