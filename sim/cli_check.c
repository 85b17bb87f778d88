/* sim/cli_check.c: the 'check' verb. */
#include <stdio.h>

#include "sim/cli.h"

int cli_check(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: vdcsim check ...  (not available yet)\n");
    return CLI_OK;
  }
  return cli_not_available("check", "this verb lands with its issue");
}
