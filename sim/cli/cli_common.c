/* sim/cli/cli_common.c: helpers shared by the verbs. */
#include <stdio.h>
#include <string.h>

#include "sim/cli/cli.h"

#include <stdlib.h>

#include "sim/version.h"

sim_data_path cli_data_path(void) {
  sim_data_path path = sim_data_path_from_env();
  path.dirs[path.n++] = VDCSIM_SOURCE_DIR "/models";
  path.dirs[path.n++] = VDCSIM_DATADIR;
  return path;
}

int cli_wants_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--")) break;
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
  }
  return 0;
}

int cli_not_available(const char *verb, const char *what) {
  fprintf(stderr, "vdcsim %s: not available in this version; %s\n", verb, what);
  return CLI_USAGE;
}
