/* models/run.c: one simulation run, from a scenario to its HDF5 result (see
 * run.h).  Models nothing itself: it loads what the engine needs, records
 * through the recorder and writes the result's root attributes.
 * Units: simulated ns; wall-clock s (durations) and ISO 8601 UTC (instants).
 * Invariants: the output's directory is made only once the scenario and its
 * profile are known to be good; the temporary file exists only between
 * on_temp(path) and on_temp(NULL). */
#include "models/run.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "models/engine.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/progress.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "sim/version.h"

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ISO 8601, UTC, milliseconds. */
static void iso_time(char *buf, size_t size) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, size - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* What watches the event loop (engine_options.watch_loop): the progress bar
 * and the run's guards (run.h), at a checkpoint of the loop every
 * WATCH_EVERY dispatches (sim_loop_set_checkpoint), so that the dispatches
 * between keep the loop's common path.  A checkpoint schedules nothing, so
 * the event sequence, and every result, is the same whatever it watches. */
typedef struct run_watch {
  sim_progress *bar;       /* NULL: none */
  sim_diag *diag;
  const char *path;        /* the scenario, for messages */
  sim_time end_ns;         /* the run's end; SIM_TIME_MAX: until the work is done */
  uint64_t max_events;     /* 0: no limit */
  double max_wall_s;       /* 0: no limit */
  double wall_start;       /* wall_s() when the run began */
  sim_time last_t;         /* simulated time at the previous checkpoint; -1 before the first */
  uint64_t last_t_from;    /* dispatches done at the first checkpoint that saw last_t */
  uint64_t stall_limit;    /* consecutive dispatches at one time that mean no progress */
} run_watch;

/* Dispatches between checkpoints: the progress bar's refresh and the
 * wall-clock guard's period, and how late a stall may be caught. */
#define WATCH_EVERY 1024

static void watch_stop(run_watch *w, sim_loop *loop, const char *fmt, double value) {
  char why[200];
  snprintf(why, sizeof why, fmt, value);
  sim_diag_error(w->diag, w->path, 0, 0, "%s, at simulated time %lld ns; no result written", why,
                 (long long)sim_loop_now(loop));
  sim_loop_stop(loop);
}

/* The checkpoint: the guards, then the bar; returns the dispatches to the
 * next one (0 once the run is stopped).
 * --max-events is exact: the checkpoint comes after dispatch max_events + 1,
 * the first one too many, whose time the message gives.
 * A stall is caught late, but always: time never moves back, so when two
 * checkpoints see the same time, every dispatch between them was at that
 * time, and a stall, which never advances time, keeps showing it.  The
 * dispatches counted from the first checkpoint that saw it are a lower
 * bound on the run at one time (never a false stop), which reaches the
 * limit at most 2 x WATCH_EVERY dispatches after the run itself did (it
 * may have begun up to one interval before that checkpoint). */
static uint64_t watch_checkpoint(sim_loop *loop, void *ctx) {
  run_watch *w = ctx;
  uint64_t events = sim_loop_dispatched(loop);
  sim_time t = sim_loop_now(loop);
  if (t != w->last_t) {
    w->last_t = t;
    w->last_t_from = events;
  } else if (events - w->last_t_from + 1 > w->stall_limit) {
    watch_stop(w, loop,
               "the simulation makes no progress: simulated time stayed put over %.0f consecutive "
               "events (a repeating phase whose work costs nothing?)",
               (double)(events - w->last_t_from + 1));
    return 0;
  }
  if (w->max_events && events > w->max_events) {
    watch_stop(w, loop, "the run needs more than %.0f events (--max-events)",
               (double)w->max_events);
    return 0;
  }
  if (w->bar) sim_progress_update(w->bar, (double)t, (double)(w->end_ns == SIM_TIME_MAX ? t : w->end_ns));
  if (w->max_wall_s > 0 && wall_s() - w->wall_start > w->max_wall_s) {
    watch_stop(w, loop, "the run took longer than %g s of wall-clock time (--max-wall)",
               w->max_wall_s);
    return 0;
  }
  uint64_t left = w->max_events ? w->max_events - events : UINT64_MAX; /* events still allowed */
  return left < WATCH_EVERY ? left + 1 : WATCH_EVERY;
}

static void watch_loop(void *ctx, sim_loop *loop) {
  /* the first checkpoint after the first dispatch: the bar shows at once,
   * and a wall-clock limit already passed stops the run there */
  sim_loop_set_checkpoint(loop, 1, watch_checkpoint, ctx);
}

/* Consecutive dispatches at one simulated time that mean no progress: every
 * vCPU, host and migration may act a bounded number of times at one instant. */
static uint64_t stall_limit(const sim_scenario *sc) {
  uint64_t entities = sc->n_hosts + sc->n_migrations;
  for (size_t i = 0; i < sc->n_guests; i++) entities += sc->guests[i].vcpus;
  return RUN_STALL_EVENTS + RUN_STALL_PER_ENTITY * entities;
}

/* The technique names in catalog order, comma-separated ("native,container,
 * ..."): plots order and colour techniques by it.  NULL when out of memory. */
static char *technique_list(void) {
  enum { MAX_TECHNIQUES = 64 };
  const char *names[MAX_TECHNIQUES];
  size_t n = model_names(MODEL_TECHNIQUE, names, MAX_TECHNIQUES);
  if (n > MAX_TECHNIQUES) n = MAX_TECHNIQUES;
  size_t len = 1;
  for (size_t i = 0; i < n; i++) len += strlen(names[i]) + 1;
  char *list = sim_malloc(len);
  if (!list) return NULL;
  list[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    if (i) strcat(list, ",");
    strcat(list, names[i]);
  }
  return list;
}

/* FNV-1a, 64 bits, over n bytes, continuing from h. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* A string and its terminator, so that ("ab","c") and ("a","bc") differ. */
static uint64_t fnv1a_str(uint64_t h, const char *s) { return fnv1a(h, s ? s : "", strlen(s ? s : "") + 1); }

void run_key(const sim_scenario *sc, const sim_profile *prof, char key[RUN_KEY_LEN]) {
  uint64_t h = 0xcbf29ce484222325ULL;
  const char *text = sc->resolved_text ? sc->resolved_text : "";
  /* the top-level `sweep:` block, up to the next top-level key, is left out */
  const char *sw = strncmp(text, "sweep:", 6) ? strstr(text, "\nsweep:") : text;
  if (sw) {
    if (sw != text) sw++;
    const char *next = sw;
    while ((next = strchr(next, '\n')) && next[1] && (next[1] == ' ' || next[1] == '-')) next++;
    h = fnv1a(h, text, (size_t)(sw - text));
    if (next) h = fnv1a(h, next + 1, strlen(next + 1));
    h = fnv1a(h, "", 1);
  } else {
    h = fnv1a_str(h, text);
  }
  h = fnv1a_str(h, sim_profile_text(prof));
  uint64_t seed = sc->seed, run_index = sc->run_index;
  h = fnv1a(h, &seed, sizeof seed);
  h = fnv1a(h, &run_index, sizeof run_index);
  h = fnv1a_str(h, VDCSIM_VERSION);
  snprintf(key, RUN_KEY_LEN, "%016llx", (unsigned long long)h);
}

int run_key_of(const sim_scenario *sc, const sim_data_path *data_path, char key[RUN_KEY_LEN],
               sim_diag *diag) {
  sim_profile *prof = NULL;
  if (sim_profile_load(data_path, sc->calibration, &prof, diag) < 0) return -1;
  run_key(sc, prof, key);
  sim_profile_free(prof);
  return 0;
}

bool run_result_current(const char *path, const char *key) {
  struct stat st;
  if (stat(path, &st) != 0) return false;
  sim_diag d;
  sim_diag_init(&d);
  sim_result *r = NULL;
  bool ok = false;
  if (sim_result_open(path, &r, &d) == 0) {
    const char *status = sim_result_attr_str(r, "status");
    const char *stored = sim_result_attr_str(r, "run_key");
    ok = status && !strcmp(status, "complete") && stored && !strcmp(stored, key);
    sim_result_close(r);
  }
  sim_diag_clear(&d);
  return ok;
}

static int set_attrs(sim_recorder *rec, const sim_scenario *sc, const sim_profile *prof,
                     const run_request *req, const char *start, const char *techniques) {
  int bad = 0;
  bad |= sim_recorder_attr_str(rec, "vdcsim_version", VDCSIM_VERSION);
  bad |= sim_recorder_attr_str(rec, "scenario_name", sc->name ? sc->name : "");
  bad |= sim_recorder_attr_str(rec, "scenario_path", sc->path ? sc->path : "");
  bad |= sim_recorder_attr_str(rec, "scenario_text", sc->text ? sc->text : "");
  bad |= sim_recorder_attr_str(rec, "scenario_resolved", sc->resolved_text ? sc->resolved_text : "");
  bad |= sim_recorder_attr_str(rec, "calibration_name", sim_profile_name(prof));
  bad |= sim_recorder_attr_str(rec, "calibration_text", sim_profile_text(prof));
  bad |= sim_recorder_attr_u64(rec, "seed", sc->seed);
  bad |= sim_recorder_attr_i64(rec, "run_index", sc->run_index);
  bad |= sim_recorder_attr_i64(rec, "sample_interval_ns", sc->record.sample_interval_ns);
  bad |= sim_recorder_attr_str(rec, "command_line", req->command_line ? req->command_line : "");
  bad |= sim_recorder_attr_str(rec, "wall_clock_start", start);
  bad |= sim_recorder_attr_str(rec, "techniques", techniques);
  char key[RUN_KEY_LEN];
  run_key(sc, prof, key);
  bad |= sim_recorder_attr_str(rec, "run_key", key);
  for (size_t i = 0; i < req->n_attrs; i++)
    bad |= req->attrs[i].str ? sim_recorder_attr_str(rec, req->attrs[i].name, req->attrs[i].str)
                             : sim_recorder_attr_f64(rec, req->attrs[i].name, req->attrs[i].f64);
  return bad ? -1 : 0;
}

/* A profile that lacks a quantity the models read falls back to its named
 * default profile (sim/profile.h).  The result always lists the quantities
 * that came from a fallback; for a profile the user gave as a file (one that
 * `vdcsim calibrate` wrote, say) the run also warns, so a simulated machine
 * is never silently part another machine.  Shipped profiles declare and
 * document their fallbacks (models/profiles/README.md), so for them the
 * attribute is enough. */
static void report_fallbacks(const char *profile_ref, const sim_profile *prof, sim_recorder *rec,
                             sim_diag *diag) {
  enum { SHOWN = 6 }; /* keys named in the warning; the result lists them all */
  const char **keys = NULL;
  size_t n = sim_profile_fallback_keys(prof, &keys);
  if (n == 0) return;
  size_t len = 1;
  for (size_t i = 0; i < n; i++) len += strlen(keys[i]) + 2;
  char *list = sim_malloc(len);
  if (!list) return; /* the warning is advisory; the run's result stands */
  list[0] = '\0';
  size_t shown_len = 0;
  for (size_t i = 0; i < n; i++) {
    if (i) strcat(list, ", ");
    strcat(list, keys[i]);
    if (i + 1 == SHOWN) shown_len = strlen(list);
  }
  if (n <= SHOWN) shown_len = strlen(list);
  bool user_file = strchr(profile_ref, '/') || strstr(profile_ref, ".yaml");
  if (user_file)
    sim_diag_warning(diag, NULL, 0, 0,
                   "calibration profile '%s' lacks %zu quantit%s, taken from its fallback: %.*s%s",
                   sim_profile_name(prof), n, n == 1 ? "y" : "ies", (int)shown_len, list,
                   n > SHOWN ? ", ... (all in the result's calibration_fallback_keys)" : "");
  sim_recorder_attr_str(rec, "calibration_fallback_keys", list);
  sim_free(list);
}

static void tell_temp(const run_request *req, const sim_recorder *rec) {
  if (req->on_temp)
    req->on_temp(req->temp_ctx, rec ? sim_recorder_temp_path(rec) : NULL,
                 rec ? sim_recorder_lock_path(rec) : NULL);
}

int run_scenario(const run_request *req, run_result *res, sim_diag *diag) {
  assert(req->output && req->data_path && (req->scenario || req->scenario_path));
  memset(res, 0, sizeof *res);
  res->status = RUN_FAILED;
  double t0 = wall_s();
  char start[40];
  iso_time(start, sizeof start);
  sim_scenario *own_sc = NULL;
  sim_profile *prof = NULL;
  sim_recorder *rec = NULL;
  char *techniques = NULL;
  const char *out = req->output;
  const sim_scenario *sc = req->scenario;

  if (!sc) {
    sim_vocabulary vocab = model_vocabulary(req->data_path);
    if (sim_scenario_load(req->scenario_path, &vocab, req->overrides, req->n_overrides, &own_sc,
                          diag) < 0) {
      res->status = RUN_INVALID;
      goto done;
    }
    sc = own_sc;
  }
  /* the loader made a relative profile path relative to the scenario file */
  if (sim_profile_load(req->data_path, sc->calibration, &prof, diag) < 0) {
    sim_diag_add(diag, SIM_DIAG_NOTE, sc->path, sc->calibration_line, sc->calibration_col,
                 "the scenario's calibration profile is '%s'", sc->calibration);
    res->status = RUN_INVALID;
    goto done;
  }
  sim_record_config rc = {
      .sample_interval_ns = sc->record.sample_interval_ns,
      .events = req->summary_only ? 0 : sc->record.events,
      .series = req->summary_only ? 0 : sc->record.series,
      .signals = req->summary_only ? NULL : (const char *const *)sc->record.signals,
      .n_signals = req->summary_only ? 0 : sc->record.n_signals,
      .compression_level = sc->record.compression_level,
  };
  if (!(rec = sim_recorder_new(&rc))) {
    sim_diag_error(diag, out, 0, 0, "cannot record results: out of memory");
    goto done;
  }
  /* The output's directory is made on demand (as for a batch's -o DIR/),
   * only once the scenario and its profile are known to be good. */
  const char *slash = strrchr(out, '/');
  if (slash && slash != out) {
    char *dir = sim_strndup(out, (size_t)(slash - out));
    int made = dir ? sim_output_make_dirs(dir) : -1;
    sim_free(dir);
    if (made < 0) {
      sim_diag_error(diag, out, 0, 0, "cannot create the output directory: %s", strerror(errno));
      goto done;
    }
  }
  /* open the temporary file now: rows go to disk a chunk at a time */
  if (sim_recorder_begin(rec, out, diag) < 0) goto done;
  tell_temp(req, rec);
  if (!(techniques = technique_list())) {
    sim_diag_error(diag, out, 0, 0, "cannot record results: out of memory");
    goto done; /* freeing the recorder removes the temporary file */
  }
  if (set_attrs(rec, sc, prof, req, start, techniques) < 0) {
    sim_recorder_write(rec, out, diag); /* reports the failure, removes the file */
    goto done;
  }
  sim_progress *bar = sim_progress_new(stderr, req->progress); /* NULL: no bar, not an error */
  run_watch watch = {.bar = bar, .diag = diag, .path = sc->path,
                     .end_ns = sc->duration_ns > 0 ? sc->duration_ns : SIM_TIME_MAX,
                     .max_events = req->max_events, .max_wall_s = req->max_wall_s,
                     .wall_start = t0, .last_t = -1,
                     .stall_limit = req->stall_events ? req->stall_events : stall_limit(sc)};
  engine_options eo = {.data_path = req->data_path, .watch_loop = watch_loop, .watch_ctx = &watch};
  engine_stats stats = {0, 0};
  int rc_run = engine_run(sc, prof, rec, &eo, &stats, diag);
  sim_progress_finish(bar);
  res->events = stats.events;
  res->simulated_ns = stats.simulated_ns;
  if (rc_run < 0) {
    /* a model stops when an append fails: the recorder knows why */
    if (sim_recorder_error(rec))
      sim_diag_error(diag, out, 0, 0, "cannot record results: %s", sim_recorder_error(rec));
    else if (diag->errors == 0)
      sim_diag_error(diag, sc->path, 0, 0, "the simulation failed (out of memory?)");
    goto done; /* freeing the recorder removes the temporary file */
  }
  report_fallbacks(sc->calibration, prof, rec, diag);
  char end[40];
  iso_time(end, sizeof end);
  sim_recorder_attr_str(rec, "wall_clock_end", end);
  sim_recorder_attr_i64(rec, "simulated_ns", stats.simulated_ns);
  sim_recorder_attr_u64(rec, "events_dispatched", stats.events);
  if (sim_recorder_write(rec, out, diag) < 0) goto done;
  res->status = RUN_OK;
done:
  tell_temp(req, NULL);
  sim_recorder_free(rec);
  sim_free(techniques);
  sim_profile_free(prof);
  sim_scenario_free(own_sc);
  res->wall_s = wall_s() - t0;
  return res->status == RUN_OK ? 0 : -1;
}
