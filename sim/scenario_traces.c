/* sim/scenario_traces.c: per-instance traces of a guest entry
 * (scenarios/SCHEMA.md "guests", `trace`).  An entry of `count` guests
 * gives each instance its own CPU-utilisation trace file (sim/trace.h):
 *   trace: {dir: DIR, file: PATTERN}  instance i reads DIR/PATTERN expanded
 *                                     for i as names are ("{i:04}.txt")
 *   trace: {dir: DIR, glob: GLOB}     the regular files of DIR matching GLOB,
 *                                     in byte order of their names: instance
 *                                     i reads the i-th
 *   trace: {files: [A, B, ...]}       instance i reads the i-th (in DIR when
 *                                     given)
 * with the trace's `interval` (300 s by default), as a workload's trace.
 * `index: PATTERN` (glob and files) picks instance i's file by its position
 * in that order, the pattern expanded as names are: "{i*4+1}" takes every
 * fourth file from the second, as CloudSim deals its four VM types out in
 * turn [BB12, Section 7.1]; "{i}" by default.
 * The entry's workload gives the phases (the operation mix a sample scales).
 * Each distinct file becomes one workload, the entry's workload (its
 * description, source and phases shared, not copied) with that trace, under the lookup key "trace:<workload key>@<path>" (so
 * instances and entries naming one file share it, and the canonical order,
 * by key, does not depend on the order of loading) and named
 * "<workload>@<file as the entry names it>".  DIR and relative files are
 * relative to the scenario.  Files are read at load time, so a malformed
 * sample is an error at its line in the trace file. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/scenario_internal.h"

/* The files of one entry, as the entry names them (relative to dir). */
typedef struct trace_files {
  char **names;  /* n names, owned */
  size_t n, cap;
} trace_files;

static void files_free(trace_files *f) {
  for (size_t i = 0; i < f->n; i++) sim_free(f->names[i]);
  sim_free(f->names);
  memset(f, 0, sizeof *f);
}

static int files_add(trace_files *f, const char *name) {
  if (f->n == f->cap && sim_grow((void **)&f->names, &f->cap, f->n + 1, sizeof *f->names) < 0) return -1;
  if (!(f->names[f->n] = sim_strdup(name))) return -1;
  f->n++;
  return 0;
}

static int by_bytes(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* dir joined with name (name as is when absolute or dir is NULL). */
static char *join(ctx *C, const char *dir, const char *name) {
  if (!dir || !*dir || name[0] == '/') return sim_schema_strdup(&C->S, name);
  size_t n = strlen(dir) + strlen(name) + 2;
  char *out = sim_malloc(n);
  if (!out) {
    sim_schema_nomem(&C->S);
    return NULL;
  }
  snprintf(out, n, "%s/%s", dir, name);
  return out;
}

/* The regular files of dir matching glob, sorted by byte order; 0, -1 (reported). */
static int list_glob(ctx *C, const sim_yaml_node *dv, const sim_yaml_node *gv, const char *dir,
                     const char *glob, trace_files *out) {
  const char *open_dir = dir && *dir ? dir : ".";
  DIR *d = opendir(open_dir);
  if (!d) {
    sim_schema_error(&C->S, dv ? dv : gv, "cannot read the trace directory '%s' of %s: %s", open_dir, C->S.what,
                     strerror(errno));
    return -1;
  }
  int rc = 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (fnmatch(glob, e->d_name, FNM_PERIOD) != 0) continue;
    char *path = join(C, dir, e->d_name);
    struct stat st;
    bool regular = path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    sim_free(path);
    if (!path) {
      rc = -1;
      break;
    }
    if (regular && files_add(out, e->d_name) < 0) {
      sim_schema_nomem(&C->S);
      rc = -1;
      break;
    }
  }
  closedir(d);
  if (rc < 0) return -1;
  if (!out->n) {
    sim_schema_error(&C->S, gv, "no regular file in the trace directory '%s' of %s matches '%s'", open_dir,
                     C->S.what, glob);
    return -1;
  }
  qsort(out->names, out->n, sizeof *out->names, by_bytes);
  return 0;
}

/* The file of each instance, pattern expanded; 0, -1 (reported). */
static int expand_pattern(ctx *C, const sim_yaml_node *fv, const char *pattern, uint64_t count,
                          trace_files *out) {
  for (uint64_t i = 0; i < count; i++) {
    char name[4096], e2[400];
    if (sim_name_expand(pattern, i, name, sizeof name, e2, sizeof e2) < 0) {
      sim_schema_error(&C->S, fv, "trace file of %s: %s", C->S.what, e2);
      return -1;
    }
    if (!name[0]) {
      sim_schema_error(&C->S, fv, "trace file of %s: instance %llu's file name is empty", C->S.what,
                       (unsigned long long)i);
      return -1;
    }
    if (files_add(out, name) < 0) {
      sim_schema_nomem(&C->S);
      return -1;
    }
  }
  return 0;
}

/* The listed files; 0, -1 (reported). */
static int read_list(ctx *C, const sim_yaml_node *lv, trace_files *out) {
  if (!sim_schema_is_seq(&C->S, lv, "a list of trace files")) return -1;
  for (size_t i = 0; i < lv->n; i++) {
    const char *t = sim_schema_scalar(&C->S, lv->items[i], "files", "a path");
    if (!t) return -1;
    if (files_add(out, t) < 0) {
      sim_schema_nomem(&C->S);
      return -1;
    }
  }
  if (!lv->n) {
    sim_schema_error(&C->S, lv, "'files' of the trace of %s is empty", C->S.what);
    return -1;
  }
  return 0;
}

/* The workload of trace file `name` (path `path`) with tpl's phases: found
 * by key, or added and its trace read.  Its index; -1 on error (reported). */
static long trace_workload(ctx *C, uint32_t tpl, const sim_yaml_node *at, const char *name, const char *path,
                           sim_time interval_ns) {
  const char *tkey = C->wl_key[tpl];
  size_t kl = strlen(tkey) + strlen(path) + 8;
  char *key = sim_malloc(kl);
  if (!key) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  snprintf(key, kl, "trace:%s@%s", tkey, path);
  long k = sim_name_index_find(&C->wl_ix, C->wl_key, sizeof *C->wl_key, key);
  if (k >= 0 && C->s->workloads[k].trace_interval_ns != interval_ns) {
    char a[64], b[64];
    sim_format_quantity(SIM_UNIT_TIME, (double)C->s->workloads[k].trace_interval_ns, a, sizeof a);
    sim_format_quantity(SIM_UNIT_TIME, (double)interval_ns, b, sizeof b);
    sim_schema_error(&C->S, at, "trace file '%s' of %s has interval %s here, %s in an entry before", path,
                     C->S.what, b, a);
    k = -1;
  } else if (k < 0 && access(path, R_OK) != 0) {
    sim_schema_error(&C->S, at, "trace file '%s' of %s cannot be read: %s", path, C->S.what, strerror(errno));
  } else if (k < 0 && (k = scenario_add_workload_slot(C, key)) < 0) {
    sim_schema_nomem(&C->S);
  } else if (!C->s->workloads[k].trace_path) {
    sim_workload *w = &C->s->workloads[k];
    const sim_workload *t = &C->s->workloads[tpl];
    size_t nl = strlen(t->name) + strlen(name) + 2;
    w->trace_template = t->name;
    w->trace_interval_ns = interval_ns;
    /* the template's description, source and phases, shared: a file's workload differs by its
     * trace alone, and a copy per file would cost more than the file's samples */
    w->description = t->description;
    w->source = t->source;
    w->n_phases = t->n_phases;
    w->phases = t->phases;
    w->repeat = t->repeat;
    if (!(w->name = sim_malloc(nl)) || !(w->trace_path = sim_strdup(path))) {
      sim_schema_nomem(&C->S);
      k = -1;
    } else {
      snprintf(w->name, nl, "%s@%s", t->name, name);
      int rc = sim_workload_read_trace(w, path, C->S.diag);
      if (rc == -2 || C->S.diag->oom) sim_schema_nomem(&C->S);
      if (rc < 0) k = -1;
    }
  }
  sim_free(key);
  return k;
}

/* The position of instance i's file among n (`index` pattern iv, NULL: i);
 * -1 when out of range or malformed (reported). */
static long long file_index(ctx *C, const sim_yaml_node *iv, uint64_t i, size_t n) {
  unsigned long long k = i;
  if (iv) {
    char text[64], e2[400], *end;
    if (sim_name_expand(iv->text, i, text, sizeof text, e2, sizeof e2) < 0) {
      sim_schema_error(&C->S, iv, "'index' of the trace of %s: %s", C->S.what, e2);
      return -1;
    }
    k = strtoull(text, &end, 10);
    if (end == text || *end || text[0] == '-') {
      sim_schema_error(&C->S, iv, "'index' of the trace of %s gives instance %llu the index '%s', not a "
                       "whole number", C->S.what, (unsigned long long)i, text);
      return -1;
    }
  }
  if (k >= n) {
    sim_schema_error(&C->S, iv, "%s has %llu instances, but its trace names only %zu file%s (instance %llu "
                     "takes file %llu)", C->S.what, (unsigned long long)C->grec[C->n_grec - 1].count, n,
                     n == 1 ? "" : "s", (unsigned long long)i, k);
    return -1;
  }
  return (long long)k;
}

/* The files of the trace map tr, into names (relative to *dir, resolved);
 * 0, -1 (reported). */
static int trace_files_of(ctx *C, const sim_yaml_node *tr, uint64_t count, char **dir, trace_files *names,
                          const sim_yaml_node **at) {
  const sim_yaml_node *dv = sim_schema_opt(tr, "dir"), *fv = sim_schema_opt(tr, "file"),
                      *gv = sim_schema_opt(tr, "glob"), *lv = sim_schema_opt(tr, "files");
  if (!!fv + !!gv + !!lv != 1) {
    const sim_yaml_node *second = fv && gv ? gv : lv && (fv || gv) ? lv : tr;
    sim_schema_error(&C->S, second, "the trace of %s needs exactly one of 'file' (a pattern per instance), "
                     "'glob' (files of 'dir') and 'files' (a list)", C->S.what);
    return -1;
  }
  *at = fv ? fv : gv ? gv : lv;
  const char *d = dv ? sim_schema_scalar(&C->S, dv, "dir", "a directory") : NULL;
  if (dv && !d) return -1;
  /* the scenario's directory when none is given: relative files are the scenario's */
  *dir = d ? scenario_rel_path(C, d) : sim_schema_strdup(&C->S, C->dir ? C->dir : "");
  if (!*dir) return -1;
  if (lv) {
    if (read_list(C, lv, names) < 0) return -1;
  } else {
    const char *t = sim_schema_scalar(&C->S, *at, fv ? "file" : "glob", fv ? "a file name pattern" : "a glob");
    if (!t) return -1;
    if (fv ? expand_pattern(C, fv, t, count, names) < 0 : list_glob(C, dv, gv, *dir, t, names) < 0) return -1;
  }
  if (sim_schema_opt(tr, "index") && fv) {
    sim_schema_error(&C->S, sim_schema_opt(tr, "index"), "'index' of the trace of %s picks among the files "
                     "of 'glob' or 'files'; 'file' names each instance's own", C->S.what);
    return -1;
  }
  if (!sim_schema_opt(tr, "index") && names->n < count) {
    sim_schema_error(&C->S, *at, "%s has %llu instances, but its trace names only %zu file%s", C->S.what,
                     (unsigned long long)count, names->n, names->n == 1 ? "" : "s");
    return -1;
  }
  return 0;
}

void scenario_load_guest_trace(ctx *C, const sim_yaml_node *m) {
  const sim_yaml_node *tr = sim_schema_opt(m, "trace");
  if (!tr || !C->n_grec) return;
  sim_scenario *s = C->s;
  const entry_rec *rec = &C->grec[C->n_grec - 1];
  /* an instance left out has been reported: its entry's traces are not news */
  if (s->n_guests - rec->first != rec->count || !rec->count) return;
  uint32_t tpl = s->guests[rec->first].workload;
  if (s->workloads[tpl].requests) {
    sim_schema_error(&C->S, tr, "%s has a trace, but its workload '%s' has 'requests': a trace scales "
                     "phases", C->S.what, s->workloads[tpl].name);
    return;
  }
  if (!sim_schema_is_map(&C->S, tr, "a trace {dir, file | glob | files, interval}")) return;
  static const char *const keys[] = {"dir", "file", "glob", "files", "index", "interval"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, tr, keys);
  const sim_yaml_node *iv = sim_schema_opt(tr, "index");
  if (iv && !sim_schema_scalar(&C->S, iv, "index", "a pattern such as '{i*4+1}'")) return;
  sim_time interval_ns = 300 * SIM_S;
  sim_schema_time(&C->S, tr, "interval", &interval_ns, 1);
  char *dir = NULL;
  trace_files names = {0};
  const sim_yaml_node *at = tr;
  if (trace_files_of(C, tr, rec->count, &dir, &names, &at) == 0) {
    for (uint64_t i = 0; i < rec->count && !C->S.oom; i++) {
      long long f = file_index(C, iv, i, names.n);
      if (f < 0) break;
      char *path = join(C, dir, names.names[f]);
      const sim_yaml_node *item = at->kind == SIM_YAML_SEQ ? at->items[f] : at;
      long k = path ? trace_workload(C, tpl, item, names.names[f], path, interval_ns) : -1;
      sim_free(path);
      if (k < 0) break;
      s->guests[rec->first + i].workload = (uint32_t)k;
    }
  }
  files_free(&names);
  sim_free(dir);
}

/* ---- the resolved text ---- */

static int by_guest_name(const void *key, const void *g) {
  return strcmp((const char *)key, ((const sim_guest *)g)->name);
}

void scenario_write_guest_trace(sim_yaml_writer *w, const entry_rec *r, const sim_scenario *s) {
  const sim_workload *first = &s->workloads[s->guests[r->first].workload];
  if (!first->trace_template) return;
  size_t prefix = strlen(first->trace_template) + 1; /* "<template>@" */
  /* the directory: the path of a relative file less "/<file>" ("" when none) */
  const char *dir = NULL;
  size_t dir_len = 0;
  sim_yaml_write_scalar(w, "trace");
  sim_yaml_write_map_start(w, false);
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      if (dir && dir_len) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%.*s", (int)dir_len, dir);
        sim_yaml_write_kv(w, "dir", buf);
      }
      sim_yaml_write_scalar(w, "files");
      sim_yaml_write_seq_start(w, false);
    }
    for (uint64_t i = 0; i < r->count; i++) {
      /* the guests are sorted by name: instance i is found by its name */
      char name[NAME_MAX_LEN], e2[400];
      int rc = sim_name_expand(r->pattern, i, name, sizeof name, e2, sizeof e2);
      const sim_guest *g = rc == 0 ? bsearch(name, s->guests, s->n_guests, sizeof *s->guests, by_guest_name) : NULL;
      assert(g); /* the names were expanded when the scenario loaded */
      const sim_workload *wl = &s->workloads[g->workload];
      const char *file = wl->name + prefix;
      if (pass == 1) {
        sim_yaml_write_scalar(w, file);
      } else if (file[0] != '/' && !dir) {
        size_t pl = strlen(wl->trace_path), fl = strlen(file);
        dir = wl->trace_path;
        dir_len = pl > fl ? pl - fl - 1 : 0;
        break;
      }
    }
  }
  sim_yaml_write_seq_end(w);
  char buf[64];
  sim_format_quantity(SIM_UNIT_TIME, (double)first->trace_interval_ns, buf, sizeof buf);
  sim_yaml_write_kv(w, "interval", buf);
  sim_yaml_write_map_end(w);
}
