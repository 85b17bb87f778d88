/* sim/cli/main.c: the vdcsim executable: gives the core the folders of the
 * shipped data (sim/profile.h), then dispatches to a verb.
 * Exit codes (README.md): 0 success, 1 simulation or I/O failure, 2 usage or
 * input error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/profile.h"
#include "sim/version.h"

typedef struct verb {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} verb;

static int cli_version(int argc, char **argv) {
  (void)argc;
  (void)argv;
  printf("vdcsim %s\n", VDCSIM_VERSION);
  return CLI_OK;
}

static const verb verbs[] = {
    {"run", cli_run, "simulate one scenario, or a batch, and write HDF5 results"},
    {"check", cli_check, "validate scenario files without running them"},
    {"sweep", cli_sweep, "run a parameter sweep or replications: locally, under MPI, or on Slurm"},
    {"collect", cli_collect, "gather a sweep's results into one summary table (HDF5, CSV)"},
    {"plot", cli_plot, "draw comparison plots from HDF5 results"},
    {"export", cli_export, "write HDF5 results as tidy CSV tables"},
    {"calibrate", cli_calibrate, "measure costs on this machine, write a calibration profile"},
    {"validate", cli_validate, "run the validation cases against published measurements"},
    {"version", cli_version, "print the version"},
};

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim <verb> [options] [args]\n"
          "       vdcsim <verb> --help\n\n"
          "A discrete-event simulator of a virtualized data center.\n\n"
          "verbs:\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
  fprintf(out,
          "\nexit codes: 0 success, 1 simulation or I/O failure, 2 usage or input error\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return CLI_USAGE;
  }
  if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return CLI_OK;
  }
  if (!strcmp(argv[1], "--version")) return cli_version(0, NULL);
  if (sim_fault_arm_from_env() < 0) {
    fprintf(stderr, "vdcsim: error: VDCSIM_FAULT_ALLOC/VDCSIM_FAULT_HDF5 must be a whole number\n");
    return CLI_USAGE;
  }
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (!strcmp(argv[1], verbs[i].name)) return verbs[i].run(argc - 1, argv + 1);
  fprintf(stderr, "vdcsim: error: unknown verb '%s'\n\n", argv[1]);
  usage(stderr);
  return CLI_USAGE;
}
