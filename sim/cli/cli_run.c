/* sim/cli/cli_run.c: the 'run' verb: simulate scenarios, write one HDF5 result each.
 *
 *   vdcsim run [--set K=V]... [--print-resolved] [--quiet] [--calibration P]
 *              [--seed N] [--run-index N] [--resume] [--replications N]
 *              [--max-events N] [--max-wall S]
 *              -o OUT.h5|DIR/ SCENARIO.yaml...
 *
 * One scenario writes OUT.h5 (or DIR/NAME.h5); several scenarios are a batch:
 * one result per scenario in DIR, named after the scenario file, one summary
 * line per run; a failed scenario is reported and the others still run.
 * Exit codes (sim/cli/cli.h): 0 all ran; 1 a run or its output failed (or, in a
 * batch, any scenario failed); 2 usage error, or the one scenario given is
 * invalid.  Results are written atomically by the recorder: a run that fails
 * or is interrupted (SIGINT, SIGTERM, SIGHUP) leaves nothing under the final
 * name; a SIGKILL can leave only the hidden temporary file (.NAME.tmp-PID).
 * --resume skips a scenario whose result exists with status "complete" and
 * the same run_key (models/run.h: the resolved scenario with its overrides,
 * the profile, seed, run index, version), so an interrupted batch continues
 * where it stopped and a result made with other overrides is run again.
 * --seed, --run-index and --calibration are shorthands for --set
 * simulation.seed=N, simulation.run_index=N and calibration=P, applied after
 * the --set options.  Datasets never hold wall-clock values (only the root
 * attributes do), so the same scenario and seed give the same datasets.
 * Each run goes through the run pipeline (models/run.h); this verb decides
 * outputs, batches, --resume and interruption.
 * --max-events and --max-wall end a run that passes them as failed (exit 1,
 * nothing written), as does a run whose simulated time stops advancing. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/registry.h"
#include "models/run.h"
#include "sim/alloc.h"
#include "sim/recorder.h"
#include "sim/cli/cli.h"
#include "sim/cli_args.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/sweep.h"
#include "sim/cli/sweep_collect.h"
#include "sim/cli/sweep_run.h"

typedef struct run_options {
  sim_overrides set;       /* --set, then the shorthands */
  int print_resolved;      /* print the resolved scenario instead of running */
  int quiet;               /* no progress output */
  int resume;              /* skip complete results */
  unsigned replications;   /* --replications N; 0: not given */
  const char *output;      /* -o: a file, or a directory when it ends in '/' or is one */
  char **scenarios;        /* positional arguments */
  size_t n_scenarios;
  char *command_line;      /* argv joined, for the result's attributes */
  char *calibration_abs;   /* --calibration PATH made absolute: it names a file from here */
  uint64_t max_events;     /* --max-events; 0: no limit */
  double max_wall_s;       /* --max-wall, s; 0: no limit */
} run_options;

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim run [options] -o OUT.h5 SCENARIO.yaml\n"
          "       vdcsim run [options] -o DIR/ SCENARIO.yaml...\n\n"
          "Simulates each scenario and writes its HDF5 result (layout: DATASETS.md).\n"
          "Several scenarios form a batch: one DIR/NAME.h5 per scenario file NAME.yaml;\n"
          "a failed scenario is reported and the others still run.\n\n"
          "options:\n"
          "  -o, --output PATH     result file, or directory (ending in '/') for a batch;\n"
          "                        default: the scenario's simulation.output\n"
          "  --set PATH=VALUE      override a scenario value (scenarios/SCHEMA.md), repeatable\n"
          "  --seed N              same as --set simulation.seed=N\n"
          "  --run-index N         same as --set simulation.run_index=N\n"
          "  --calibration P       same as --set calibration=P (profile name or path)\n"
          "  --print-resolved      print each scenario after defaults and overrides; no run\n"
          "  --replications N      run N independent replications (run index 0..N-1) of one\n"
          "                        scenario: -o OUT.h5 becomes directory OUT/ with one result\n"
          "                        per replication (OUT/p000000-rRRRR.h5) and OUT/summary.h5,\n"
          "                        OUT/summary.csv (mean and 95%% CI; vdcsim collect);\n"
          "                        a scenario's simulation.replications does the same\n"
          "  --resume              skip scenarios whose result is complete and has the same\n"
          "                        run_key (same resolved scenario, profile, seed, run index)\n"
          "  --quiet               no progress output\n"
          "  --max-events N        fail a run that needs more than N events\n"
          "  --max-wall SECONDS    fail a run that takes longer than SECONDS of wall-clock time\n"
          "                        (the clock is read every 1,024 events)\n\n"
          "exit codes: 0 success, 1 a run or its output failed (a batch: any scenario),\n"
          "            2 usage error or invalid scenario\n");
}

/* ---- interruption: remove the temporary file, keep nothing partial ---- */

/* The one piece of process-wide state of this verb: the temporary file being
 * written, for the signal handler (which may only call async-signal-safe
 * functions: unlink, _exit). */
static char interrupted_temp[4096], interrupted_lock[4096];

/* Async-signal-safe: removes the run's temporary and lock files, says why
 * the program stops (write(2) only), and exits 128 + sig. */
static void on_signal(int sig) {
  if (interrupted_temp[0]) unlink(interrupted_temp);
  if (interrupted_lock[0]) unlink(interrupted_lock);
  static const char msg[] = "vdcsim: interrupted: no result written\n";
  ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
  (void)ignored;
  _exit(128 + sig);
}

static void copy_path(char *dst, size_t cap, const char *path) {
  if (path && strlen(path) < cap)
    strcpy(dst, path);
  else
    dst[0] = '\0';
}

static void set_temp(const char *temp_path, const char *lock_path) {
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  copy_path(interrupted_temp, sizeof interrupted_temp, temp_path);
  copy_path(interrupted_lock, sizeof interrupted_lock, lock_path);
  sigprocmask(SIG_SETMASK, &old, NULL);
}

static void install_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
}

/* ---- arguments ---- */

static void options_free(run_options *o) {
  sim_overrides_free(&o->set);
  sim_free(o->scenarios);
  sim_free(o->command_line);
  sim_free(o->calibration_abs);
}

/* A relative path given on the command line names a file from the current
 * directory, where a scenario's own calibration path is relative to the
 * scenario: the loader gets it absolute.  NULL when out of memory. */
static char *from_here(const char *value, char **own) {
  size_t n = strlen(value);
  bool is_path = strchr(value, '/') || (n > 5 && !strcmp(value + n - 5, ".yaml"));
  if (!is_path || value[0] == '/') return (char *)value;
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return (char *)value; /* left relative: the loader reports it */
  size_t len = strlen(cwd) + n + 2;
  if (!(*own = sim_malloc(len))) return NULL;
  snprintf(*own, len, "%s/%s", cwd, value);
  return *own;
}

/* --max-events N (a whole number >= 1) or --max-wall SECONDS (> 0). */
static int parse_guard(const char *opt, const char *value, run_options *o) {
  char *end = NULL;
  errno = 0;
  if (!strcmp(opt, "--max-events")) {
    unsigned long long n = *value == '-' ? 0 : strtoull(value, &end, 10);
    if (end && end != value && !*end && !errno && n > 0) {
      o->max_events = n;
      return 0;
    }
  } else {
    double s = strtod(value, &end);
    if (end != value && !*end && s > 0 && s <= 1e9) {
      o->max_wall_s = s;
      return 0;
    }
  }
  fprintf(stderr, "vdcsim run: error: %s needs a %s, found '%s'\n", opt,
          strcmp(opt, "--max-events") ? "number of seconds > 0" : "whole number >= 1", value);
  return -1;
}

static int parse_args(int argc, char **argv, run_options *o) {
  memset(o, 0, sizeof *o);
  o->scenarios = sim_calloc((size_t)argc, sizeof *o->scenarios);
  size_t len = sizeof "vdcsim";
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
  o->command_line = sim_malloc(len);
  if (!o->scenarios || !o->command_line) {
    fprintf(stderr, "vdcsim run: error: out of memory\n");
    return CLI_FAILURE;
  }
  char *p = o->command_line;
  p += sprintf(p, "vdcsim");
  for (int i = 0; i < argc; i++) p += sprintf(p, " %s", argv[i]);
  /* shorthands apply after every --set: collected first, added at the end */
  const char *seed = NULL, *run_index = NULL, *calibration = NULL;
  int only_files = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *value = NULL;
    if (!only_files && a[0] == '-' && a[1]) {
      if (!strcmp(a, "--")) {
        only_files = 1;
        continue;
      }
      if (!strcmp(a, "--print-resolved")) {
        o->print_resolved = 1;
        continue;
      }
      if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
        o->quiet = 1;
        continue;
      }
      if (!strcmp(a, "--resume")) {
        o->resume = 1;
        continue;
      }
      char err[256];
      int took = sim_overrides_take(argc, argv, &i, &o->set, err, sizeof err);
      if (took < 0) {
        fprintf(stderr, "vdcsim run: error: %s\n", err);
        return strcmp(err, "out of memory") ? CLI_USAGE : CLI_FAILURE;
      }
      if (took) continue;
      /* options with a value: "--opt VALUE" or "--opt=VALUE" */
      static const char *const with_value[] = {"-o", "--output", "--seed", "--run-index",
                                               "--calibration", "--replications", "--max-events",
                                               "--max-wall"};
      const char *opt = NULL;
      for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++) {
        size_t n = strlen(with_value[k]);
        if (!strcmp(a, with_value[k])) {
          if (i + 1 >= argc) {
            fprintf(stderr, "vdcsim run: error: %s needs a value\n", a);
            return CLI_USAGE;
          }
          opt = with_value[k];
          value = argv[++i];
          break;
        }
        if (!strncmp(a, with_value[k], n) && a[n] == '=' && a[1] == '-') {
          opt = with_value[k];
          value = a + n + 1;
          break;
        }
      }
      if (!opt) {
        fprintf(stderr, "vdcsim run: error: unknown option '%s' (see vdcsim run --help)\n", a);
        return CLI_USAGE;
      }
      if (!strcmp(opt, "-o") || !strcmp(opt, "--output")) {
        o->output = value;
      } else if (!strcmp(opt, "--seed")) {
        seed = value;
      } else if (!strcmp(opt, "--run-index")) {
        run_index = value;
      } else if (!strcmp(opt, "--replications")) {
        char *end;
        unsigned long n = strtoul(value, &end, 10);
        if (end == value || *end || value[0] == '-' || n == 0 || n > SIM_SWEEP_MAX_REPLICATIONS) {
          fprintf(stderr, "vdcsim run: error: --replications takes a whole number from 1 to %u, not '%s'\n",
                  SIM_SWEEP_MAX_REPLICATIONS, value);
          return CLI_USAGE;
        }
        o->replications = (unsigned)n;
      } else if (!strcmp(opt, "--max-events") || !strcmp(opt, "--max-wall")) {
        if (parse_guard(opt, value, o) < 0) return CLI_USAGE;
      } else {
        calibration = value;
      }
      continue;
    }
    o->scenarios[o->n_scenarios++] = argv[i];
  }
  /* the shorthands' values stay in argv: only their keys are built */
  if (calibration && !(calibration = from_here(calibration, &o->calibration_abs))) {
    fprintf(stderr, "vdcsim run: error: out of memory\n");
    return CLI_FAILURE;
  }
  const struct {
    const char *key, *value;
  } shorthands[] = {{"simulation.seed", seed},
                    {"simulation.run_index", run_index},
                    {"calibration", calibration}};
  for (size_t k = 0; k < 3; k++) {
    if (!shorthands[k].value) continue;
    char *key = NULL;
    if (sim_grow((void **)&o->set.items, &o->set.cap, o->set.n + 1, sizeof *o->set.items) < 0 ||
        !(key = sim_strdup(shorthands[k].key))) {
      fprintf(stderr, "vdcsim run: error: out of memory\n");
      return CLI_FAILURE;
    }
    o->set.items[o->set.n++] = (sim_override){key, shorthands[k].value};
  }
  if (o->output && !*o->output) {
    fprintf(stderr, "vdcsim run: error: -o needs a file or directory name\n");
    return CLI_USAGE;
  }
  if (o->n_scenarios == 0) {
    fprintf(stderr, "vdcsim run: error: no scenario given\n");
    usage(stderr);
    return CLI_USAGE;
  }
  return CLI_OK;
}

/* ---- output paths ---- */

static int is_directory(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* DIR/NAME.h5 for scenario file .../NAME.yaml. */
static char *path_in_dir(const char *dir, const char *scenario) {
  const char *base = strrchr(scenario, '/');
  base = base ? base + 1 : scenario;
  size_t stem = strlen(base);
  if (stem > 5 && !strcmp(base + stem - 5, ".yaml")) stem -= 5;
  else if (stem > 4 && !strcmp(base + stem - 4, ".yml")) stem -= 4;
  size_t dl = strlen(dir);
  int slash = dl > 0 && dir[dl - 1] != '/';
  size_t len = dl + (size_t)slash + stem + 4;
  char *out = sim_malloc(len);
  if (out) snprintf(out, len, "%s%s%.*s.h5", dir, slash ? "/" : "", (int)stem, base);
  return out;
}

/* ---- one run ---- */

/* The run's temporary file, for the signal handler (models/run.h). */
static void note_temp(void *ctx, const char *temp_path, const char *lock_path) {
  (void)ctx;
  set_temp(temp_path, lock_path);
}

/* What became of one scenario, for the exit code. */
enum { RAN = 0, FAILED = 1, INVALID = 2, SKIPPED = 3 };

static int run_replications(const run_options *o, unsigned replications);

static int run_one(const run_options *o, const char *scenario_path, const char *out_path) {
  sim_diag diag;
  sim_diag_init(&diag);
  sim_scenario *sc = NULL;
  char *own_out = NULL;
  int result = FAILED;

  /* loaded here, not by the pipeline: --print-resolved, the scenario's own
   * output and --resume are decided before anything runs */
  sim_data_path data = cli_data_path();
  sim_vocabulary vocab = model_vocabulary(&data);
  if (sim_scenario_load(scenario_path, &vocab, o->set.items, o->set.n, &sc, &diag) < 0) {
    int base_line = 0, base_col = 0;
    if (sim_sweep_is_file(scenario_path, &base_line, &base_col)) {
      /* `check` accepts it as a sweep: say so, rather than report its keys as unknown */
      sim_diag_clear(&diag);
      sim_diag_init(&diag);
      sim_diag_error(&diag, scenario_path, base_line, base_col,
                     "a sweep file (base: SCENARIO), not a scenario: run it with `vdcsim sweep %s -o DIR/`",
                     scenario_path);
    }
    result = INVALID;
    goto done;
  }
  if (o->print_resolved) {
    fputs(sc->resolved_text ? sc->resolved_text : "", stdout);
    result = RAN;
    goto done;
  }
  if (sc->replications > 1) {
    /* simulation.replications: as --replications, for one scenario at a time */
    if (o->n_scenarios > 1) {
      sim_diag_error(&diag, scenario_path, 0, 0,
                     "simulation.replications is %u: a scenario with replications runs alone "
                     "(vdcsim run SCENARIO.yaml -o OUT.h5), not in a batch",
                     (unsigned)sc->replications);
      result = INVALID;
      goto done;
    }
    sim_diag_print(&diag, stderr);
    unsigned n = sc->replications;
    sim_scenario_free(sc);
    sim_diag_clear(&diag);
    int rc = run_replications(o, n);
    return rc == CLI_OK ? RAN : rc == CLI_USAGE ? INVALID : FAILED;
  }
  if (!out_path) {
    if (!sc->output) {
      sim_diag_error(&diag, scenario_path, 0, 0,
                     "no output: give -o OUT.h5 or set simulation.output in the scenario");
      result = INVALID;
      goto done;
    }
    out_path = own_out = sim_strdup(sc->output);
    if (!own_out) {
      sim_diag_error(&diag, scenario_path, 0, 0, "out of memory");
      goto done;
    }
  }
  char key[RUN_KEY_LEN];
  if (o->resume && run_key_of(sc, &data, key, &diag) == 0 && run_result_current(out_path, key)) {
    printf("%s: %s: skipped, result complete\n", scenario_path, out_path);
    result = SKIPPED;
    goto done;
  }
  run_request req = {
      .scenario = sc,
      .data_path = &data,
      .output = out_path,
      .progress = !o->quiet,
      .command_line = o->command_line,
      .on_temp = note_temp,
      .max_events = o->max_events,
      .max_wall_s = o->max_wall_s,
  };
  run_result res;
  run_scenario(&req, &res, &diag);
  result = res.status == RUN_OK ? RAN : res.status == RUN_INVALID ? INVALID : FAILED;
  if (result == RAN)
    printf("%s: %s: simulated %.6f s, %llu events, wall %.3f s, complete\n", scenario_path,
           out_path, sim_time_to_s(res.simulated_ns), (unsigned long long)res.events, res.wall_s);
done:
  sim_diag_print(&diag, stderr);
  if (result == FAILED || result == INVALID)
    printf("%s: %s: %s\n", scenario_path, out_path ? out_path : "(no output)",
           result == INVALID ? "invalid, not run" : "failed");
  fflush(stdout);
  sim_scenario_free(sc);
  sim_free(own_out);
  sim_diag_clear(&diag);
  return result;
}

/* --replications N (or simulation.replications: N): a sweep of one point
 * (sim/cli/sweep_run.h) into the directory OUT/ for -o OUT.h5 (or the
 * scenario's output), then its summary. */
static int run_replications(const run_options *o, unsigned replications) {
  sim_diag diag;
  sim_diag_init(&diag);
  sim_data_path data = cli_data_path();
  sim_vocabulary vocab = model_vocabulary(&data);
  sim_scenario *sc = NULL;
  int rc = CLI_OK;
  if (sim_scenario_load(o->scenarios[0], &vocab, o->set.items, o->set.n, &sc, &diag) < 0) rc = CLI_USAGE;
  const char *out = o->output ? o->output : sc ? sc->output : NULL;
  if (rc == CLI_OK && !out)
    sim_diag_error(&diag, o->scenarios[0], 0, 0,
                   "no output: give -o OUT.h5 or set simulation.output in the scenario"), rc = CLI_USAGE;
  sim_diag_print(&diag, stderr);
  sim_diag_clear(&diag);
  char *dir = NULL;
  sim_sweep *sw = NULL;
  uint64_t *runs = NULL;
  if (rc == CLI_OK) {
    size_t len = strlen(out);
    if (len > 3 && !strcmp(out + len - 3, ".h5")) len -= 3;
    dir = sim_strndup(out, len);
    sw = sim_sweep_replications(replications);
    runs = sim_malloc(replications * sizeof *runs);
    if (!dir || !sw || !runs || sim_output_make_dirs(dir) < 0) {
      fprintf(stderr, "vdcsim run: error: cannot prepare %s: %s\n", dir ? dir : out, strerror(errno));
      rc = CLI_FAILURE;
    }
  }
  if (rc == CLI_OK) {
    for (unsigned i = 0; i < replications; i++) runs[i] = i;
    sweep_job job = {sw, o->scenarios[0], o->set.items, o->set.n, dir, o->command_line};
    sweep_counts counts = {0, 0, 0, 0};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int exec = sweep_run_local(&job, runs, replications, cores > 0 ? (unsigned)cores : 1, !o->quiet, &counts);
    printf("%s: %u replications: %llu ran, %llu current (skipped), %llu failed, %llu invalid\n",
           o->scenarios[0], replications, (unsigned long long)counts.ran,
           (unsigned long long)counts.skipped, (unsigned long long)counts.failed,
           (unsigned long long)counts.invalid);
    fflush(stdout);
    rc = exec < 0 || counts.failed || counts.invalid ? CLI_FAILURE : CLI_OK;
    if (rc == CLI_OK) {
      size_t len = strlen(dir) + 16;
      char *h5 = sim_malloc(len), *csv = sim_malloc(len);
      if (h5 && csv) {
        snprintf(h5, len, "%s/summary.h5", dir);
        snprintf(csv, len, "%s/summary.csv", dir);
        rc = sweep_collect(dir, h5, csv, 1, replications);
        if (rc == CLI_OK) printf("summary: %s, %s\n", h5, csv);
      } else {
        rc = CLI_FAILURE;
      }
      sim_free(h5);
      sim_free(csv);
    }
  }
  sim_free(runs);
  sim_sweep_free(sw);
  sim_free(dir);
  sim_scenario_free(sc);
  return rc;
}

int cli_run(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  run_options o;
  int rc = parse_args(argc, argv, &o);
  if (rc != CLI_OK) {
    options_free(&o);
    return rc;
  }
  if (o.replications && !o.print_resolved) {
    rc = o.n_scenarios == 1 ? run_replications(&o, o.replications) : CLI_USAGE;
    if (o.n_scenarios != 1)
      fprintf(stderr, "vdcsim run: error: --replications takes one scenario\n");
    options_free(&o);
    return rc;
  }
  int batch = o.n_scenarios > 1;
  int to_dir = o.output && (o.output[strlen(o.output) - 1] == '/' || is_directory(o.output));
  if (batch && !o.print_resolved && !to_dir) {
    fprintf(stderr, "vdcsim run: error: several scenarios need -o DIR/ (a directory)\n");
    options_free(&o);
    return CLI_USAGE;
  }
  char **outs = sim_calloc(o.n_scenarios, sizeof *outs);
  if (!outs) {
    fprintf(stderr, "vdcsim run: error: out of memory\n");
    options_free(&o);
    return CLI_FAILURE;
  }
  rc = CLI_OK;
  if (to_dir && !o.print_resolved) {
    if (sim_output_make_dirs(o.output) < 0) {
      fprintf(stderr, "%s: error: cannot create the output directory: %s\n", o.output,
              strerror(errno));
      rc = CLI_FAILURE;
    }
    for (size_t i = 0; i < o.n_scenarios && rc == CLI_OK; i++) {
      if (!(outs[i] = path_in_dir(o.output, o.scenarios[i]))) {
        fprintf(stderr, "vdcsim run: error: out of memory\n");
        rc = CLI_FAILURE;
      }
      for (size_t j = 0; j < i && rc == CLI_OK; j++)
        if (!strcmp(outs[i], outs[j])) {
          fprintf(stderr, "vdcsim run: error: %s and %s would both write %s\n", o.scenarios[j],
                  o.scenarios[i], outs[i]);
          rc = CLI_USAGE;
        }
    }
  } else if (o.output && !o.print_resolved) {
    if (!(outs[0] = sim_strdup(o.output))) {
      fprintf(stderr, "vdcsim run: error: out of memory\n");
      rc = CLI_FAILURE;
    }
  }
  if (rc == CLI_OK) {
    install_handlers();
    size_t failed = 0, invalid = 0, ran = 0, skipped = 0;
    for (size_t i = 0; i < o.n_scenarios; i++) {
      int r = run_one(&o, o.scenarios[i], outs[i]);
      if (r == FAILED) failed++;
      else if (r == INVALID) invalid++;
      else if (r == SKIPPED) skipped++;
      else ran++;
    }
    if (batch && !o.print_resolved)
      printf("batch: %zu ran, %zu skipped, %zu failed, %zu invalid\n", ran, skipped, failed,
             invalid);
    if (batch) rc = failed || invalid ? CLI_FAILURE : CLI_OK;
    else rc = invalid ? CLI_USAGE : failed ? CLI_FAILURE : CLI_OK;
  }
  for (size_t i = 0; i < o.n_scenarios; i++) sim_free(outs[i]);
  sim_free(outs);
  options_free(&o);
  return rc;
}
