/* sim/cli/cli_sweep.c: the 'sweep' verb: every point of a sweep
 * (scenarios/SCHEMA.md "sweep", sim/sweep.h) times its replications, run
 * through the one run pipeline by one of three executors:
 *   local:  -j N forked workers (default: the cores), progress bar over runs;
 *   MPI:    mpirun -np K vdcsim sweep FILE -o DIR/ --mpi (sim/cli/sweep_mpi.c);
 *   Slurm:  --slurm writes DIR/sweep.sbatch (a job array, each task one
 *           --shard) and DIR/collect.sbatch (after the array), and submits them.
 * --shard K/N runs the runs whose index r satisfies r % N == K.  Results and
 * seeds never depend on the executor (sim/cli/sweep_run.h); a rerun skips
 * runs whose complete result has the same run_key, so an interrupted sweep
 * resumes.  When every run has a result, DIR/summary.h5 and DIR/summary.csv
 * are collected (sim/cli/sweep_collect.h).
 * Exit codes: 0 every run ran or was current; 1 a run failed; 2 usage error
 * or invalid sweep (then nothing is written). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/recorder.h"
#include "sim/cli/cli.h"
#include "sim/cli/sweep_collect.h"
#include "sim/cli/sweep_run.h"
#include "sim/cli_args.h"
#include "sim/sweep.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim sweep FILE --list\n"
          "       vdcsim sweep FILE -o DIR/ [-j N] [--shard K/N] [--quiet] [--set PATH=VALUE]...\n"
          "       mpirun -np K vdcsim sweep FILE -o DIR/ --mpi\n"
          "       vdcsim sweep FILE -o DIR/ --slurm [--array-size N] [--sbatch-arg ARG]... [--no-submit]\n\n"
          "Runs every point of a sweep (a scenario with a sweep: section, or a sweep file\n"
          "with base: SCENARIO; scenarios/SCHEMA.md \"sweep\") times its replications.\n"
          "Run r is point r / replications, replication r %% replications; its result is\n"
          "DIR/pPPPPPP-rRRRR.h5.  A rerun skips runs whose complete result has the same\n"
          "run_key; once every run has a result, DIR/summary.h5 and DIR/summary.csv are\n"
          "collected (vdcsim collect).\n\n"
          "options:\n"
          "  -o, --output DIR/     the sweep's directory (made if absent)\n"
          "  --list                print every point with its index and values; no run\n"
          "  -j, --jobs N          local worker processes at once (default: the cores)\n"
          "  --shard K/N           only the runs r with r %% N == K (0 <= K < N)\n"
          "  --mpi                 distribute the runs over MPI ranks (under mpirun)\n"
          "  --slurm               write DIR/sweep.sbatch and DIR/collect.sbatch, submit both\n"
          "  --array-size N        Slurm array tasks (default: the runs, at most 100)\n"
          "  --sbatch-arg ARG      an #SBATCH line for both scripts, repeatable\n"
          "                        (--sbatch-arg=--time=1:00:00)\n"
          "  --no-submit           write the Slurm scripts only\n"
          "  --set PATH=VALUE      override a scenario value for every run, repeatable\n"
          "  --quiet               no progress bar\n\n"
          "exit codes: 0 success, 1 a run failed (the others still ran), 2 usage error or\n"
          "            invalid sweep\n");
}

typedef struct sweep_options {
  const char *file, *dir, *shard;
  sim_overrides set;
  int list, quiet, mpi, slurm, no_submit;
  unsigned jobs;
  unsigned long array_size;
  const char **sbatch_args;
  size_t n_sbatch_args;
  char *command_line;
} sweep_options;

static int parse_args(int argc, char **argv, sweep_options *o) {
  memset(o, 0, sizeof *o);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  o->jobs = cores > 0 ? (unsigned)cores : 1;
  o->sbatch_args = sim_calloc((size_t)argc, sizeof *o->sbatch_args);
  size_t len = sizeof "vdcsim";
  for (int i = 0; i < argc; i++) len += strlen(argv[i]) + 1;
  o->command_line = sim_malloc(len);
  if (!o->sbatch_args || !o->command_line) return CLI_FAILURE;
  char *p = o->command_line;
  p += sprintf(p, "vdcsim");
  for (int i = 0; i < argc; i++) p += sprintf(p, " %s", argv[i]);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    char err[256];
    int took = sim_overrides_take(argc, argv, &i, &o->set, err, sizeof err);
    if (took < 0) {
      fprintf(stderr, "vdcsim sweep: error: %s\n", err);
      return CLI_USAGE;
    }
    if (took) continue;
    if (!strcmp(a, "--list")) o->list = 1;
    else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o->quiet = 1;
    else if (!strcmp(a, "--mpi")) o->mpi = 1;
    else if (!strcmp(a, "--slurm")) o->slurm = 1;
    else if (!strcmp(a, "--no-submit")) o->no_submit = 1;
    else if (a[0] == '-' && a[1]) {
      static const char *const with_value[] = {"-o", "--output", "-j", "--jobs", "--shard",
                                               "--array-size", "--sbatch-arg"};
      /* "--opt VALUE" or "--opt=VALUE" */
      const char *opt = NULL, *v = NULL;
      for (size_t k = 0; k < sizeof with_value / sizeof *with_value && !opt; k++) {
        size_t n = strlen(with_value[k]);
        if (!strcmp(a, with_value[k])) opt = with_value[k];
        else if (!strncmp(a, with_value[k], n) && a[n] == '=' && a[1] == '-') opt = with_value[k], v = a + n + 1;
      }
      if (!opt) {
        fprintf(stderr, "vdcsim sweep: error: unknown option '%s' (see vdcsim sweep --help)\n", a);
        return CLI_USAGE;
      }
      if (!v && i + 1 >= argc) {
        fprintf(stderr, "vdcsim sweep: error: %s needs a value\n", a);
        return CLI_USAGE;
      }
      if (!v) v = argv[++i];
      char *end;
      if (!strcmp(opt, "-o") || !strcmp(opt, "--output")) {
        o->dir = v;
      } else if (!strcmp(opt, "--shard")) {
        o->shard = v;
      } else if (!strcmp(opt, "--sbatch-arg")) {
        o->sbatch_args[o->n_sbatch_args++] = v;
      } else {
        unsigned long n = strtoul(v, &end, 10);
        if (end == v || *end || n == 0 || v[0] == '-' || n > 100000) {
          fprintf(stderr, "vdcsim sweep: error: %s takes a whole number from 1 to 100000, not '%s'\n", a, v);
          return CLI_USAGE;
        }
        if (!strcmp(opt, "--array-size")) o->array_size = n;
        else o->jobs = (unsigned)n;
      }
    } else if (!o->file) {
      o->file = a;
    } else {
      fprintf(stderr, "vdcsim sweep: error: one sweep file at a time ('%s' and '%s')\n", o->file, a);
      return CLI_USAGE;
    }
  }
  if (!o->file) {
    fprintf(stderr, "vdcsim sweep: error: no sweep file given\n");
    usage(stderr);
    return CLI_USAGE;
  }
  if (!o->list && (!o->dir || !*o->dir)) {
    fprintf(stderr, "vdcsim sweep: error: give the sweep's directory with -o DIR/\n");
    return CLI_USAGE;
  }
  if (o->mpi + o->slurm + (o->shard != NULL) > 1) {
    fprintf(stderr, "vdcsim sweep: error: --mpi, --slurm and --shard exclude each other\n");
    return CLI_USAGE;
  }
  return CLI_OK;
}

static void list_points(const sim_sweep *sw) {
  printf("%zu points x %u replications = %llu runs\n", sw->n_points, sw->replications,
         (unsigned long long)sim_sweep_runs(sw));
  for (size_t p = 0; p < sw->n_points; p++) {
    printf("%6zu", p);
    if (sw->points[p].name[0]) printf("  [%s]", sw->points[p].name);
    for (size_t k = 0; k < sw->n_params; k++)
      if (sw->points[p].values[k].text) printf("  %s=%s", sw->params[k].path, sw->points[p].values[k].text);
    printf("\n");
  }
}

/* A separate sweep file's points are checked here as the loader checks a
 * sweep section: each point loads (at most 256), errors at its values. */
static int check_points(const sim_sweep *sw, const char *scenario, const sim_overrides *set) {
  sim_data_path data = cli_data_path();
  sim_vocabulary vocab = model_vocabulary(&data);
  sim_override *ovs = sim_malloc((set->n + sw->n_params + 1) * sizeof *ovs);
  if (!ovs) return CLI_FAILURE;
  int rc = CLI_OK;
  for (size_t p = 0; p < sw->n_points && p < 256; p++) {
    if (set->n) memcpy(ovs, set->items, set->n * sizeof *ovs);
    size_t n = set->n + sim_sweep_point_overrides(sw, p, ovs + set->n);
    sim_diag d;
    sim_diag_init(&d);
    sim_scenario *s = NULL;
    if (sim_scenario_load(scenario, &vocab, ovs, n, &s, &d) < 0) {
      const sim_sweep_value *v = NULL;
      for (size_t k = 0; k < sw->n_params && !v; k++)
        if (sw->points[p].values[k].text) v = &sw->points[p].values[k];
      const char *msg = "";
      for (size_t i = 0; i < d.count && !*msg; i++)
        if (d.entries[i].level == SIM_DIAG_ERROR) msg = d.entries[i].message;
      fprintf(stderr, "%s:%d:%d: error: sweep point %zu gives an invalid scenario: %s\n", sw->file,
              v ? v->line : 0, v ? v->col : 0, p, msg);
      rc = CLI_USAGE;
    }
    sim_scenario_free(s);
    sim_diag_clear(&d);
    if (rc != CLI_OK) break;
  }
  sim_free(ovs);
  return rc;
}

/* A sweep file's base with simulation.replications > 1: refused, since the
 * sweep file's own `replications` says how often each point runs. */
static bool base_has_replications(const char *sweep_file, const sim_scenario *base, sim_diag *d) {
  if (base->replications <= 1) return false;
  sim_diag_error(d, sweep_file, 0, 0,
                 "its base scenario %s has simulation.replications %u: give the replications in the "
                 "sweep file (replications: N) instead",
                 base->path, (unsigned)base->replications);
  return true;
}

int cli_sweep_check_file(const char *path, const sim_overrides *set) {
  sim_diag d;
  sim_diag_init(&d);
  sim_sweep *sw = NULL;
  int rc = CLI_OK;
  if (sim_sweep_load_file(path, &sw, &d) < 0) {
    rc = CLI_USAGE;
  } else {
    sim_data_path data = cli_data_path();
    sim_vocabulary vocab = model_vocabulary(&data);
    sim_scenario *s = NULL;
    if (sim_scenario_load(sw->base, &vocab, set->items, set->n, &s, &d) < 0) rc = CLI_USAGE;
    else if (base_has_replications(path, s, &d)) rc = CLI_USAGE;
    sim_scenario_free(s);
  }
  sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  if (rc == CLI_OK) rc = check_points(sw, sw->base, set);
  if (rc == CLI_OK)
    printf("%s: ok (sweep of %zu point%s x %u replication%s over %s)\n", path, sw->n_points,
           sw->n_points == 1 ? "" : "s", (unsigned)sw->replications, sw->replications == 1 ? "" : "s",
           sw->base);
  sim_sweep_free(sw);
  return rc;
}

/* DIR/sweep.sbatch and DIR/collect.sbatch; submitted unless no_submit. */
static int slurm(const sweep_options *o, const sim_sweep *sw) {
  char exe[PATH_MAX], file[PATH_MAX], dir[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n < 0 || !realpath(o->file, file) || !realpath(o->dir, dir)) {
    fprintf(stderr, "vdcsim sweep: error: cannot resolve the paths for the job scripts: %s\n", strerror(errno));
    return CLI_FAILURE;
  }
  exe[n] = '\0';
  uint64_t runs = sim_sweep_runs(sw);
  unsigned long tasks = o->array_size ? o->array_size : runs < 100 ? (unsigned long)runs : 100;
  if (tasks > runs) tasks = (unsigned long)runs;
  char path[PATH_MAX + 32], collect_path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/sweep.sbatch", dir);
  snprintf(collect_path, sizeof collect_path, "%s/collect.sbatch", dir);
  FILE *f = fopen(path, "w"), *c = fopen(collect_path, "w");
  if (!f || !c) {
    fprintf(stderr, "%s: error: cannot write the job scripts: %s\n", dir, strerror(errno));
    if (f) fclose(f);
    if (c) fclose(c);
    return CLI_FAILURE;
  }
  fprintf(f, "#!/bin/bash\n# written by: %s\n#SBATCH --job-name=vdcsim-sweep\n#SBATCH --array=0-%lu\n"
             "#SBATCH --ntasks=1\n#SBATCH --output=%s/slurm-%%A_%%a.out\n", o->command_line, tasks - 1, dir);
  fprintf(c, "#!/bin/bash\n# written by: %s\n#SBATCH --job-name=vdcsim-collect\n#SBATCH --ntasks=1\n"
             "#SBATCH --output=%s/slurm-collect-%%j.out\n", o->command_line, dir);
  for (size_t i = 0; i < o->n_sbatch_args; i++) {
    fprintf(f, "#SBATCH %s\n", o->sbatch_args[i]);
    fprintf(c, "#SBATCH %s\n", o->sbatch_args[i]);
  }
  fprintf(f, "exec '%s' sweep '%s' -o '%s/' --quiet --shard \"$SLURM_ARRAY_TASK_ID/%lu\"", exe, file, dir, tasks);
  for (size_t i = 0; i < o->set.n; i++) fprintf(f, " --set '%s=%s'", o->set.items[i].path, o->set.items[i].value);
  fprintf(f, "\n");
  fprintf(c, "exec '%s' collect '%s/' -o '%s/summary.h5' --csv '%s/summary.csv' --points %zu --replications %u\n",
          exe, dir, dir, dir, sw->n_points, sw->replications);
  int bad = fclose(f) | fclose(c);
  if (bad) return CLI_FAILURE;
  printf("wrote %s (%lu array tasks) and %s\n", path, tasks, collect_path);
  if (o->no_submit) return CLI_OK;
  /* sbatch --parsable prints the job id */
  char cmd[3 * PATH_MAX];
  snprintf(cmd, sizeof cmd, "sbatch --parsable '%s'", path);
  FILE *p = popen(cmd, "r");
  char id[64] = "";
  if (!p || !fgets(id, sizeof id, p) || pclose(p) != 0) {
    fprintf(stderr, "vdcsim sweep: error: sbatch failed to submit %s\n", path);
    return CLI_FAILURE;
  }
  id[strcspn(id, ";\n")] = '\0';
  snprintf(cmd, sizeof cmd, "sbatch --parsable --dependency=afterok:%s '%s'", id, collect_path);
  p = popen(cmd, "r");
  char id2[64] = "";
  if (!p || !fgets(id2, sizeof id2, p) || pclose(p) != 0) {
    fprintf(stderr, "vdcsim sweep: error: sbatch failed to submit %s\n", collect_path);
    return CLI_FAILURE;
  }
  id2[strcspn(id2, ";\n")] = '\0';
  printf("submitted array job %s and collect job %s\n", id, id2);
  return CLI_OK;
}

int cli_sweep(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  sweep_options o;
  int rc = parse_args(argc, argv, &o);
  sim_sweep *sw = NULL;
  uint64_t *runs = NULL;
  uint64_t shard_k = 0, shard_n = 1;
  if (rc == CLI_OK && o.shard) {
    char err[200];
    if (sim_sweep_parse_shard(o.shard, &shard_k, &shard_n, err, sizeof err) < 0) {
      fprintf(stderr, "vdcsim sweep: error: %s\n", err);
      rc = CLI_USAGE;
    }
  }
  if (rc == CLI_OK && o.mpi && !sweep_have_mpi()) {
    fprintf(stderr, "vdcsim sweep: error: --mpi: this vdcsim was not built with MPI (configure with OpenMPI installed, VDCSIM_MPI=ON)\n");
    rc = CLI_USAGE;
  }
  if (rc != CLI_OK) goto out;
  sim_diag d;
  sim_diag_init(&d);
  const char *scenario = o.file;
  if (sim_sweep_load_file(o.file, &sw, &d) < 0) {
    rc = CLI_USAGE;
  } else {
    if (sw->base) scenario = sw->base;
    /* the loader checks the scenario, its sweep section and its points */
    sim_data_path data = cli_data_path();
    sim_vocabulary vocab = model_vocabulary(&data);
    sim_scenario *s = NULL;
    if (sim_scenario_load(scenario, &vocab, o.set.items, o.set.n, &s, &d) < 0) rc = CLI_USAGE;
    else if (sw->base && base_has_replications(o.file, s, &d)) rc = CLI_USAGE;
    sim_scenario_free(s);
  }
  sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  if (rc == CLI_OK && sw->base) rc = check_points(sw, scenario, &o.set);
  if (rc != CLI_OK) goto out;
  if (o.list) {
    list_points(sw);
    goto out;
  }
  if (sim_output_make_dirs(o.dir) < 0) {
    fprintf(stderr, "%s: error: cannot create the sweep directory: %s\n", o.dir, strerror(errno));
    rc = CLI_FAILURE;
    goto out;
  }
  if (o.slurm) {
    rc = slurm(&o, sw);
    goto out;
  }
  uint64_t total = sim_sweep_runs(sw);
  runs = sim_malloc((size_t)(total ? total : 1) * sizeof *runs);
  if (!runs) {
    fprintf(stderr, "vdcsim sweep: error: out of memory\n");
    rc = CLI_FAILURE;
    goto out;
  }
  size_t n_runs = 0;
  for (uint64_t r = 0; r < total; r++)
    if (sim_sweep_in_shard(r, shard_k, shard_n)) runs[n_runs++] = r;
  sweep_job job = {sw, scenario, o.set.items, o.set.n, o.dir, o.command_line};
  sweep_counts counts = {0, 0, 0, 0};
  bool root = true;
  int exec_rc = o.mpi ? sweep_run_mpi(&job, runs, n_runs, &counts, &root)
                      : sweep_run_local(&job, runs, n_runs, o.jobs, !o.quiet, &counts);
  if (!root) goto out; /* rank 0 reports and collects */
  printf("sweep: %llu runs: %llu ran, %llu current (skipped), %llu failed, %llu invalid\n",
         (unsigned long long)n_runs, (unsigned long long)counts.ran, (unsigned long long)counts.skipped,
         (unsigned long long)counts.failed, (unsigned long long)counts.invalid);
  fflush(stdout);
  rc = exec_rc < 0 || counts.failed || counts.invalid ? CLI_FAILURE : CLI_OK;
  if (rc == CLI_OK && !o.shard) {
    char h5[PATH_MAX + 32], csv[PATH_MAX + 32];
    snprintf(h5, sizeof h5, "%s/summary.h5", o.dir);
    snprintf(csv, sizeof csv, "%s/summary.csv", o.dir);
    rc = sweep_collect(o.dir, h5, csv, sw->n_points, sw->replications);
    if (rc == CLI_OK) printf("summary: %s, %s\n", h5, csv);
  }
out:
  sim_free(runs);
  sim_sweep_free(sw);
  sim_overrides_free(&o.set);
  sim_free(o.sbatch_args);
  sim_free(o.command_line);
  return rc;
}
