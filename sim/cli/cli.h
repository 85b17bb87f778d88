/* sim/cli/cli.h: the verbs of the vdcsim command line.
 * Each verb takes its own argv (argv[0] is the verb) and returns the process
 * exit code: 0 success, 1 simulation or I/O failure, 2 usage or input error. */
#ifndef SIM_CLI_CLI_H
#define SIM_CLI_CLI_H

#include "sim/profile.h"

enum { CLI_OK = 0, CLI_FAILURE = 1, CLI_USAGE = 2 };

int cli_run(int argc, char **argv);
int cli_check(int argc, char **argv);
int cli_sweep(int argc, char **argv);
/* `vdcsim check` of a separate sweep file: its keys, its base scenario and
 * every point, as `vdcsim sweep` checks them; prints 'FILE: ok (...)' or the
 * errors.  CLI_OK or CLI_USAGE. */
struct sim_overrides;
int cli_sweep_check_file(const char *path, const struct sim_overrides *set);
int cli_collect(int argc, char **argv);
int cli_plot(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_calibrate(int argc, char **argv);
int cli_validate(int argc, char **argv);

/* Where shipped profiles and workloads are found, in this order:
 * $VDCSIM_DATADIR, the models/ folder of the source tree this binary was
 * built from, the installed data directory.  Its strings are static. */
sim_data_path cli_data_path(void);
/* True when argv holds -h or --help (verbs print their usage and exit 0). */
int cli_wants_help(int argc, char **argv);
/* For a verb this version does not provide: says so on stderr, returns CLI_USAGE. */
int cli_not_available(const char *verb, const char *what);

#endif
