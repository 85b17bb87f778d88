/* sim/cli/cli_check.c: the 'check' verb: loads and validates scenarios without
 * running them, including their calibration profiles.  One line per valid
 * file on stdout; every error as FILE:LINE:COL on stderr; exit 2 when any
 * file has an error. */
#include <stdio.h>
#include <string.h>

#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/cli_args.h"
#include "sim/diag.h"
#include "sim/profile.h"
#include "sim/scenario.h"
#include "sim/sweep.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim check [--set PATH=VALUE]... [--print-resolved] [--no-profiles] FILE...\n\n"
          "Validates scenario files without running them: schema, units, references,\n"
          "over-commitment and calibration profiles.  A sweep file (base: SCENARIO)\n"
          "is checked with its base scenario and every point.  Prints 'FILE: ok (...)'\n"
          "per valid file, or every error as FILE:LINE:COL: error: ...; exits 2 on any\n"
          "error.\n\n"
          "  --set PATH=VALUE  override a value before validation (guests.web-1.vcpus=4,\n"
          "                    hosts.0.count=10, simulation.seed=7); repeatable\n"
          "  --print-resolved  print each scenario after defaults and overrides\n"
          "  --no-profiles     do not load the calibration profiles\n"
          "The scenario language is documented in scenarios/SCHEMA.md.\n");
}

/* Loads the scenario's profile and each host type's override; 0 or -1. */
static int check_profiles(const sim_data_path *data, const sim_scenario *s, sim_diag *diag) {
  int rc = 0;
  for (size_t i = 0; i <= s->n_host_types; i++) {
    const char *name = i == 0 ? s->calibration : s->host_types[i - 1].calibration;
    if (!name) continue;
    bool seen = false;
    for (size_t k = 0; k < i && !seen; k++) {
      const char *other = k == 0 ? s->calibration : s->host_types[k - 1].calibration;
      seen = other && !strcmp(other, name);
    }
    if (seen) continue;
    sim_profile *p = NULL;
    if (sim_profile_load(data, name, &p, diag) < 0) {
      rc = -1;
      if (i == 0)
        sim_diag_add(diag, SIM_DIAG_NOTE, s->path, s->calibration_line, s->calibration_col,
                     "the scenario's calibration profile is '%s'", name);
    } else
      sim_profile_free(p);
  }
  return rc;
}

int cli_check(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  sim_overrides ovs = {0};
  bool print_resolved = false, profiles = true;
  const char **files = sim_calloc((size_t)argc, sizeof *files);
  size_t n_files = 0;
  if (!files) {
    fprintf(stderr, "vdcsim check: error: out of memory\n");
    return CLI_FAILURE;
  }
  bool only_files = false;
  for (int i = 1; i < argc; i++) {
    char e[300];
    int took = only_files ? 0 : sim_overrides_take(argc, argv, &i, &ovs, e, sizeof e);
    if (took < 0) {
      fprintf(stderr, "vdcsim check: error: %s\n", e);
      sim_overrides_free(&ovs);
      sim_free(files);
      return CLI_USAGE;
    }
    if (took) continue;
    if (!only_files && !strcmp(argv[i], "--")) only_files = true;
    else if (!only_files && !strcmp(argv[i], "--print-resolved")) print_resolved = true;
    else if (!only_files && !strcmp(argv[i], "--no-profiles")) profiles = false;
    else if (!only_files && argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "vdcsim check: error: unknown option '%s'\n", argv[i]);
      usage(stderr);
      sim_overrides_free(&ovs);
      sim_free(files);
      return CLI_USAGE;
    } else
      files[n_files++] = argv[i];
  }
  if (!n_files) {
    fprintf(stderr, "vdcsim check: error: no scenario file given\n");
    usage(stderr);
    sim_overrides_free(&ovs);
    sim_free(files);
    return CLI_USAGE;
  }
  int status = CLI_OK;
  sim_data_path data = cli_data_path();
  sim_vocabulary vocab = model_vocabulary(&data);
  for (size_t f = 0; f < n_files; f++) {
    if (sim_sweep_is_file(files[f], NULL, NULL)) {
      if (cli_sweep_check_file(files[f], &ovs) != CLI_OK) status = CLI_USAGE;
      continue;
    }
    sim_diag diag;
    sim_diag_init(&diag);
    sim_scenario *s = NULL;
    int rc = sim_scenario_load(files[f], &vocab, ovs.items, ovs.n, &s, &diag);
    if (rc == 0 && profiles) rc = check_profiles(&data, s, &diag);
    sim_diag_print(&diag, stderr);
    if (rc == 0 && diag.errors == 0) {
      printf("%s: ok (%zu host%s, %zu guest%s, %zu workload%s, %zu migration%s; calibration %s)\n",
             files[f], s->n_hosts, s->n_hosts == 1 ? "" : "s", s->n_guests,
             s->n_guests == 1 ? "" : "s", s->n_workloads, s->n_workloads == 1 ? "" : "s",
             s->n_migrations, s->n_migrations == 1 ? "" : "s", s->calibration);
      if (print_resolved) fputs(s->resolved_text, stdout);
    } else {
      status = CLI_USAGE;
    }
    sim_scenario_free(s);
    sim_diag_clear(&diag);
  }
  sim_overrides_free(&ovs);
  sim_free(files);
  return status;
}
