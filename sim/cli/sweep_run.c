/* sim/cli/sweep_run.c: one run of a sweep, and the local pool of worker
 * processes (see sweep_run.h).  A worker is a forked process per run, so a
 * run that crashes or runs out of memory takes only itself down, and the
 * pool needs no shared state: the parent learns a run's fate from its exit
 * code.  Units: wall-clock s. */
#include "sim/cli/sweep_run.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/registry.h"
#include "models/run.h"
#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/progress.h"

char *sweep_run_path(const sweep_job *job, uint64_t run) {
  uint64_t point = run / job->sw->replications, rep = run % job->sw->replications;
  size_t len = strlen(job->dir) + 64;
  char *p = sim_malloc(len);
  if (p) {
    size_t dl = strlen(job->dir);
    snprintf(p, len, "%s%sp%06llu-r%04llu.h5", job->dir, dl && job->dir[dl - 1] == '/' ? "" : "/",
             (unsigned long long)point, (unsigned long long)rep);
  }
  return p;
}

void sweep_count(sweep_counts *c, int status) {
  if (status == SWEEP_RAN) c->ran++;
  else if (status == SWEEP_SKIPPED) c->skipped++;
  else if (status == SWEEP_INVALID) c->invalid++;
  else c->failed++;
}

/* s joined by '\n' into one allocated string. */
static char *join(const char *const *s, size_t n) {
  size_t len = 1;
  for (size_t i = 0; i < n; i++) len += strlen(s[i]) + 1;
  char *out = sim_malloc(len);
  if (!out) return NULL;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    if (i) strcat(out, "\n");
    strcat(out, s[i]);
  }
  return out;
}

/* The sweep's root attributes of a run's result (DATASETS.md "Sweeps"). */
typedef struct point_attrs {
  char *params, *units, *values, *values_si;
  char (*si)[32];
  const char **texts;
} point_attrs;

static void point_attrs_free(point_attrs *a) {
  sim_free(a->params);
  sim_free(a->units);
  sim_free(a->values);
  sim_free(a->values_si);
  sim_free(a->si);
  sim_free(a->texts);
}

static int point_attrs_make(const sim_sweep *sw, size_t point, point_attrs *a) {
  memset(a, 0, sizeof *a);
  size_t n = sw->n_params;
  a->texts = sim_calloc(n + 1, sizeof *a->texts);
  a->si = sim_calloc(n + 1, sizeof *a->si);
  if (!a->texts || !a->si) return -1;
  const char **tmp = a->texts;
  for (size_t k = 0; k < n; k++) tmp[k] = sw->params[k].path;
  if (!(a->params = join(tmp, n))) return -1;
  for (size_t k = 0; k < n; k++) tmp[k] = sw->params[k].numeric ? sim_sweep_unit_name(sw->params[k].kind) : "";
  if (!(a->units = join(tmp, n))) return -1;
  for (size_t k = 0; k < n; k++) {
    double v = sw->points[point].values[k].si;
    if (isnan(v)) snprintf(a->si[k], sizeof a->si[k], "nan");
    else snprintf(a->si[k], sizeof a->si[k], "%.17g", v);
    tmp[k] = a->si[k];
  }
  if (!(a->values_si = join(tmp, n))) return -1;
  for (size_t k = 0; k < n; k++) tmp[k] = sw->points[point].values[k].text ? sw->points[point].values[k].text : "";
  if (!(a->values = join(tmp, n))) return -1;
  return 0;
}

int sweep_run_one(const sweep_job *job, uint64_t run) {
  const sim_sweep *sw = job->sw;
  size_t point = (size_t)(run / sw->replications);
  uint32_t rep = (uint32_t)(run % sw->replications);
  sim_diag diag;
  sim_diag_init(&diag);
  sim_scenario *sc = NULL;
  char *out = sweep_run_path(job, run);
  sim_override *ovs = sim_malloc((job->n_set + sw->n_params + 1) * sizeof *ovs);
  point_attrs pa;
  int rc_attrs = point_attrs_make(sw, point, &pa);
  int status = SWEEP_FAILED;
  if (!out || !ovs || rc_attrs < 0) {
    fprintf(stderr, "vdcsim sweep: error: out of memory\n");
    goto done;
  }
  if (job->n_set) memcpy(ovs, job->set, job->n_set * sizeof *ovs);
  size_t n = job->n_set + sim_sweep_point_overrides(sw, point, ovs + job->n_set);
  char rep_text[16];
  snprintf(rep_text, sizeof rep_text, "%u", rep);
  ovs[n++] = (sim_override){"simulation.run_index", rep_text};
  sim_data_path data = cli_data_path();
  sim_vocabulary vocab = model_vocabulary(&data);
  if (sim_scenario_load(job->scenario, &vocab, ovs, n, &sc, &diag) < 0) {
    status = SWEEP_INVALID;
    goto done;
  }
  char key[RUN_KEY_LEN];
  if (run_key_of(sc, &data, key, &diag) < 0) {
    status = SWEEP_INVALID;
    goto done;
  }
  if (run_result_current(out, key)) {
    status = SWEEP_SKIPPED;
    goto done;
  }
  const run_attr attrs[] = {
      {"sweep_point", NULL, (double)point},
      {"sweep_replication", NULL, (double)rep},
      {"sweep_point_name", sw->points[point].name, 0},
      {"sweep_params", pa.params, 0},
      {"sweep_units", pa.units, 0},
      {"sweep_values", pa.values, 0},
      {"sweep_values_si", pa.values_si, 0},
      {"sweep_runs", NULL, (double)sim_sweep_runs(sw)},
  };
  run_request req = {
      .scenario = sc,
      .data_path = &data,
      .output = out,
      .command_line = job->command_line,
      .attrs = attrs,
      .n_attrs = sizeof attrs / sizeof attrs[0],
  };
  run_result res;
  run_scenario(&req, &res, &diag);
  status = res.status == RUN_OK ? SWEEP_RAN : res.status == RUN_INVALID ? SWEEP_INVALID : SWEEP_FAILED;
done:
  sim_diag_print(&diag, stderr);
  if (status == SWEEP_FAILED || status == SWEEP_INVALID)
    fprintf(stderr, "vdcsim sweep: run %llu (point %zu, replication %u): %s\n",
            (unsigned long long)run, point, rep, status == SWEEP_INVALID ? "invalid, not run" : "failed");
  sim_diag_clear(&diag);
  sim_scenario_free(sc);
  point_attrs_free(&pa);
  sim_free(ovs);
  sim_free(out);
  return status;
}

int sweep_run_local(const sweep_job *job, const uint64_t *runs, size_t n_runs, unsigned workers,
                    bool progress, sweep_counts *counts) {
  if (workers == 0) workers = 1;
  /* the HDF5 library is initialised once, here, not in every worker: a
   * worker inherits it (no file is open at the fork) */
  H5open();
  sim_progress *bar = sim_progress_new(stderr, progress);
  size_t next = 0, done = 0, running = 0;
  int rc = 0;
  while (done < n_runs) {
    while (running < workers && next < n_runs) {
      fflush(stdout);
      fflush(stderr);
      pid_t pid = fork();
      if (pid < 0) {
        if (running) break; /* wait for one to end, then try again */
        fprintf(stderr, "vdcsim sweep: error: cannot start a worker: %s\n", strerror(errno));
        rc = -1;
        goto out;
      }
      if (pid == 0) {
        int status = sweep_run_one(job, runs[next]);
        fflush(stdout);
        fflush(stderr);
        _exit(status);
      }
      next++;
      running++;
    }
    int ws;
    pid_t pid = waitpid(-1, &ws, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "vdcsim sweep: error: waiting for a worker: %s\n", strerror(errno));
      rc = -1;
      goto out;
    }
    running--;
    done++;
    int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : SWEEP_FAILED;
    if (!WIFEXITED(ws))
      fprintf(stderr, "vdcsim sweep: a worker died of signal %d\n", WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
    sweep_count(counts, status > SWEEP_SKIPPED ? SWEEP_FAILED : status);
    sim_progress_update(bar, (double)done, (double)n_runs);
  }
out:
  while (running > 0 && waitpid(-1, NULL, 0) > 0) running--;
  sim_progress_finish(bar);
  return rc;
}
