/* plots/cli_plot.c: the 'plot' verb. */
#include <stdio.h>

#include "sim/cli.h"

int cli_plot(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: vdcsim plot ...  (not available yet)\n");
    return CLI_OK;
  }
  return cli_not_available("plot", "this verb lands with its issue");
}
