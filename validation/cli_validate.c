/* validation/cli_validate.c: the 'validate' verb. */
#include <stdio.h>

#include "sim/cli.h"

int cli_validate(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: vdcsim validate ...  (not available yet)\n");
    return CLI_OK;
  }
  return cli_not_available("validate", "this verb lands with its issue");
}
