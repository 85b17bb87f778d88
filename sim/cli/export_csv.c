/* sim/cli/export_csv.c: results as tidy CSV tables (see export_csv.h).
 * Reads through sim/results.h only, as plots and validation do.
 * Units: named in the column names (export_column_name); values as stored.
 * A series written on change is exported filled forward, a row per entity
 * per sample as the model sampled it (to the series' end when it declares one), so that every CSV row of a series is a
 * sample (a spreadsheet's sums and means need no step function).
 * Invariants: nothing is written before every result has been opened and
 * every table's columns agree across results; the files appear under their
 * final names only when all of them were written. */
#include "sim/cli/export_csv.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/results.h"

#define ENTITIES "entities"
#define EVENTS "events"

/* ---- column names ---- */

/* The spellings that say a unit in a column name, the first being the one
 * appended when a name lacks it. */
static const struct {
  const char *unit;
  const char *tokens[3];
} unit_tokens[] = {
    {"s", {"s", NULL, NULL}},          {"ns", {"ns", NULL, NULL}},
    {"Hz", {"hz", NULL, NULL}},        {"bit/s", {"bps", "bits_per_s", NULL}},
    {"bytes", {"bytes", NULL, NULL}},  {"cycles", {"cycles", NULL, NULL}},
    {"1/s", {"per_s", NULL, NULL}},    {"cycles/s", {"cycles_per_s", NULL, NULL}},
    {"USD", {"usd", NULL, NULL}},      {"USD/h", {"usd_per_h", "per_hour_usd", NULL}},
    {"credits", {"credits", "credit", NULL}},
    {"kWh", {"kwh", NULL, NULL}},
};

/* Whether token is a whole underscore-separated part at the start or end of name. */
static int names_token(const char *name, const char *token) {
  size_t n = strlen(name), t = strlen(token);
  if (n == t) return !strcmp(name, token);
  if (n > t && name[n - t - 1] == '_' && !strcmp(name + n - t, token)) return 1;
  return n > t && name[t] == '_' && !strncmp(name, token, t);
}

void export_column_name(const char *name, const char *unit, char *buf, size_t size) {
  if (!unit || !*unit || !strcmp(unit, "1") || !strcmp(unit, "type-dependent")) {
    snprintf(buf, size, "%s", name);
    return;
  }
  for (size_t i = 0; i < sizeof unit_tokens / sizeof unit_tokens[0]; i++) {
    if (strcmp(unit, unit_tokens[i].unit)) continue;
    for (size_t k = 0; k < 3 && unit_tokens[i].tokens[k]; k++)
      if (names_token(name, unit_tokens[i].tokens[k])) {
        snprintf(buf, size, "%s", name);
        return;
      }
    snprintf(buf, size, "%s_%s", name, unit_tokens[i].tokens[0]);
    return;
  }
  /* a unit not listed: spelled out, '/' as "_per_", other signs as '_' */
  size_t len = (size_t)snprintf(buf, size, "%s_", name);
  for (const char *u = unit; *u && len + 6 < size; u++) {
    if (*u == '/') {
      memcpy(buf + len, "_per_", 5);
      len += 5;
    } else {
      char ch = *u;
      buf[len++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a')
                   : ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) ? ch
                                                                            : '_';
    }
  }
  if (len < size) buf[len] = '\0';
}

/* ---- a result's entities and parameters ---- */

typedef struct run_info {
  sim_result *r;
  char **entity_name;  /* by id; NULL past n_entities */
  char **entity_kind;  /* by id */
  size_t n_entities;   /* ids 0 .. n_entities-1 */
  char **tables;       /* dataset paths, sorted */
  size_t n_tables;
  char seed[24], run_index[24]; /* as text, "" when absent */
  const char *scenario, *calibration; /* "" when absent; owned by r */
} run_info;

static int input_error(sim_diag *diag, const char *path, const char *what) {
  sim_diag_error(diag, path, 0, 0, "%s", what);
  return EXPORT_EINPUT;
}

static int read_run(const char *path, run_info *ri, sim_diag *diag) {
  memset(ri, 0, sizeof *ri);
  if (sim_result_open(path, &ri->r, diag) < 0) return EXPORT_EINPUT;
  const char *status = NULL;
  if (sim_result_attr_text(ri->r, "status", &status) < 0 ||
      sim_result_attr_text(ri->r, "scenario_name", &ri->scenario) < 0 ||
      sim_result_attr_text(ri->r, "calibration_name", &ri->calibration) < 0)
    return input_error(diag, path, "cannot read the result's root attributes");
  if (!status || strcmp(status, "complete"))
    return input_error(diag, path, "not a complete vdcsim result (root attribute status)");
  if (!ri->scenario) ri->scenario = "";
  if (!ri->calibration) ri->calibration = "";
  uint64_t seed;
  int64_t run_index;
  if (sim_result_attr_u64(ri->r, "seed", &seed) == 0)
    snprintf(ri->seed, sizeof ri->seed, "%" PRIu64, seed);
  if (sim_result_attr_i64(ri->r, "run_index", &run_index) == 0)
    snprintf(ri->run_index, sizeof ri->run_index, "%" PRId64, run_index);
  char **names = NULL, **kinds = NULL;
  int64_t *ids = NULL;
  size_t nn = 0, nk = 0, ni = 0;
  int rc = 0;
  if (sim_result_column_str(ri->r, ENTITIES, "name", &names, &nn) < 0 ||
      sim_result_column_str(ri->r, ENTITIES, "kind", &kinds, &nk) < 0 ||
      sim_result_column_i64(ri->r, ENTITIES, "id", &ids, &ni) < 0 || nn != nk || nn != ni) {
    rc = input_error(diag, path, "no readable table 'entities' (id, kind, name) in this result");
    goto out;
  }
  ri->n_entities = nn;
  ri->entity_name = sim_calloc(nn ? nn : 1, sizeof *ri->entity_name);
  ri->entity_kind = sim_calloc(nn ? nn : 1, sizeof *ri->entity_kind);
  if (!ri->entity_name || !ri->entity_kind) {
    rc = EXPORT_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < nn; i++) {
    if (ids[i] < 0 || (size_t)ids[i] >= nn || ri->entity_name[ids[i]]) {
      rc = input_error(diag, path, "table 'entities' has ids that are not its row numbers");
      goto out;
    }
    ri->entity_name[ids[i]] = names[i];
    ri->entity_kind[ids[i]] = kinds[i];
    names[i] = kinds[i] = NULL;
  }
  if (sim_result_tables(ri->r, &ri->tables, &ri->n_tables) < 0) rc = EXPORT_ENOMEM;
out:
  sim_result_free_strings(names, nn);
  sim_result_free_strings(kinds, nk);
  sim_free(ids);
  return rc;
}

static void free_run(run_info *ri) {
  sim_result_free_strings(ri->entity_name, ri->n_entities);
  sim_result_free_strings(ri->entity_kind, ri->n_entities);
  sim_result_free_strings(ri->tables, ri->n_tables);
  if (ri->r) sim_result_close(ri->r);
  memset(ri, 0, sizeof *ri);
}

static int has_table(const run_info *ri, const char *table) {
  for (size_t i = 0; i < ri->n_tables; i++)
    if (!strcmp(ri->tables[i], table)) return 1;
  return 0;
}

/* ---- writing ---- */

/* A text cell, quoted when it holds a separator, a quote, a line break or
 * edge spaces (RFC 4180). */
static void put_text(FILE *f, const char *s) {
  size_t n = strlen(s);
  int quote = n && (s[0] == ' ' || s[n - 1] == ' ');
  for (const char *p = s; *p && !quote; p++) quote = *p == ',' || *p == '"' || *p == '\n' || *p == '\r';
  if (!quote) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (const char *p = s; *p; p++) {
    if (*p == '"') fputc('"', f);
    fputc(*p, f);
  }
  fputc('"', f);
}

static void put_real(FILE *f, double v) {
  if (isnan(v)) fputs("NaN", f);
  else if (isinf(v)) fputs(v > 0 ? "Inf" : "-Inf", f);
  else { /* the shortest decimal that reads back as the same double */
    char buf[32];
    for (int digits = 15; digits <= 17; digits++) {
      snprintf(buf, sizeof buf, "%.*g", digits, v);
      if (strtod(buf, NULL) == v) break;
    }
    fputs(buf, f);
  }
}

/* Whether a column of `table` holds entity ids (named into entity names). */
static int entity_column(const char *table, const sim_result_column_info *c) {
  if (c->type != SIM_RESULT_INTEGER) return 0;
  if (!strcmp(table, ENTITIES)) return !strcmp(c->name, "parent");
  return !strcmp(c->name, "entity");
}

static void write_header(FILE *f, const char *table, const sim_result_column_info *cols,
                         size_t n) {
  fputs("result_file,scenario_name,seed,run_index,calibration_name", f);
  for (size_t i = 0; i < n; i++) {
    char name[192];
    export_column_name(cols[i].name, cols[i].unit, name, sizeof name);
    fputc(',', f);
    put_text(f, name);
    if (entity_column(table, &cols[i]) && strcmp(table, ENTITIES)) {
      fputc(',', f);
      put_text(f, "entity_kind");
    }
  }
  fputc('\n', f);
}

/* One column's cells, read whole. */
typedef struct column_data {
  char **text;
  int64_t *ints;
  double *reals;
  size_t n;
} column_data;

static void free_columns(column_data *d, const sim_result_column_info *cols, size_t n) {
  for (size_t i = 0; d && i < n; i++) {
    if (cols[i].type == SIM_RESULT_TEXT) sim_result_free_strings(d[i].text, d[i].n);
    sim_free(d[i].ints);
    sim_free(d[i].reals);
  }
  sim_free(d);
}

/* The rows a series written on change (sim_result_series_on_change) is
 * exported as: filled forward, one per entity per sample interval dt from
 * the entity's first row to the series' end `end` (sim_result_series_end;
 * -1: to the entity's last row), each holding the value of the entity's
 * last row so far, in time order and within a time in the order the
 * entities first appear (the order the model sampled them).  *src the row
 * each comes from, *times its time; *n_out of each.  0; 1 when the rows are
 * not on such a grid (exported as stored, *src NULL); EXPORT_ENOMEM. */
static int fill_forward_plan(const int64_t *t, const int64_t *ent, size_t rows, size_t n_entities,
                             int64_t dt, int64_t end, size_t **src, int64_t **times,
                             size_t *n_out) {
  *src = NULL;
  *times = NULL;
  *n_out = 0;
  size_t *slot_of = sim_malloc((n_entities ? n_entities : 1) * sizeof *slot_of);
  size_t *start = sim_calloc(n_entities + 1, sizeof *start); /* rows of slot k: start[k].. */
  size_t *by_slot = sim_malloc((rows ? rows : 1) * sizeof *by_slot);
  size_t *cur = sim_malloc((n_entities ? n_entities : 1) * sizeof *cur);
  int rc = slot_of && start && by_slot && cur ? 0 : EXPORT_ENOMEM;
  size_t n_slots = 0, total = 0;
  int64_t tmin = INT64_MAX, tmax = INT64_MIN;
  for (size_t i = 0; i < n_entities && rc == 0; i++) slot_of[i] = SIZE_MAX;
  for (size_t r = 0; r < rows && rc == 0; r++) {
    if (ent[r] < 0 || (size_t)ent[r] >= n_entities) {
      rc = 1; /* the row loop reports it */
      break;
    }
    if (slot_of[ent[r]] == SIZE_MAX) slot_of[ent[r]] = n_slots++;
    start[slot_of[ent[r]] + 1]++;
  }
  for (size_t k = 0; k < n_slots && rc == 0; k++) start[k + 1] += start[k];
  for (size_t k = 0; k < n_slots && rc == 0; k++) cur[k] = start[k];
  for (size_t r = 0; r < rows && rc == 0; r++) by_slot[cur[slot_of[ent[r]]]++] = r;
  for (size_t k = 0; k < n_slots && rc == 0; k++) {
    int64_t first = t[by_slot[start[k]]], last = t[by_slot[start[k + 1] - 1]];
    for (size_t j = start[k] + 1; j < start[k + 1] && rc == 0; j++) {
      int64_t gap = t[by_slot[j]] - t[by_slot[j - 1]];
      if (gap <= 0 || gap % dt) rc = 1;
    }
    if (end > last) {
      if ((end - last) % dt) rc = 1;
      last = end; /* the entity's last row holds to the series' end */
    }
    if (first < tmin) tmin = first;
    if (last > tmax) tmax = last;
    total += (size_t)((last - first) / dt) + 1;
    cur[k] = start[k];
  }
  for (size_t k = 0; k < n_slots && rc == 0; k++)
    if ((t[by_slot[start[k]]] - tmin) % dt) rc = 1;
  if (rc == 0 && n_slots) {
    *src = sim_malloc(total * sizeof **src);
    *times = sim_malloc(total * sizeof **times);
    if (!*src || !*times) rc = EXPORT_ENOMEM;
  }
  for (int64_t now = tmin; rc == 0 && n_slots && now <= tmax; now += dt)
    for (size_t k = 0; k < n_slots; k++) {
      int64_t last = t[by_slot[start[k + 1] - 1]];
      if (t[by_slot[start[k]]] > now || (last > end ? last : end) < now) continue;
      while (cur[k] + 1 < start[k + 1] && t[by_slot[cur[k] + 1]] <= now) cur[k]++;
      (*src)[*n_out] = by_slot[cur[k]];
      (*times)[(*n_out)++] = now;
    }
  if (rc != 0) {
    sim_free(*src);
    sim_free(*times);
    *src = NULL;
    *times = NULL;
    *n_out = 0;
  }
  sim_free(slot_of);
  sim_free(start);
  sim_free(by_slot);
  sim_free(cur);
  return rc;
}

/* Writes the rows of `table` of one result (a series written on change
 * filled forward: fill_forward_plan).  0 or EXPORT_E*. */
static int write_rows(FILE *f, const run_info *ri, const char *table,
                      const sim_result_column_info *cols, size_t n_cols, sim_diag *diag) {
  const char *path = sim_result_path(ri->r);
  column_data *d = sim_calloc(n_cols ? n_cols : 1, sizeof *d);
  char **type_names = NULL;
  size_t n_types = 0, rows = 0;
  int rc = d ? 0 : EXPORT_ENOMEM;
  for (size_t i = 0; i < n_cols && rc == 0; i++) {
    int got = cols[i].type == SIM_RESULT_TEXT
                  ? sim_result_column_str(ri->r, table, cols[i].name, &d[i].text, &d[i].n)
              : cols[i].type == SIM_RESULT_INTEGER
                  ? sim_result_column_i64(ri->r, table, cols[i].name, &d[i].ints, &d[i].n)
                  : sim_result_column_f64(ri->r, table, cols[i].name, &d[i].reals, &d[i].n);
    if (got < 0) {
      sim_diag_error(diag, path, 0, 0, "cannot read column '%s' of table '%s'", cols[i].name,
                     table);
      rc = EXPORT_EINPUT;
    } else if (i && d[i].n != rows) {
      sim_diag_error(diag, path, 0, 0, "table '%s' has columns of different lengths", table);
      rc = EXPORT_EINPUT;
    }
    rows = d[i].n;
  }
  if (rc == 0 && !strcmp(table, EVENTS) &&
      sim_result_table_attr_strings(ri->r, table, "type_names", &type_names, &n_types) < 0)
    rc = EXPORT_ENOMEM;
  size_t *src = NULL, n_out = rows;
  int64_t *times = NULL, dt = 0, end = -1;
  size_t time_col = n_cols, entity_col = n_cols;
  for (size_t i = 0; i < n_cols; i++) {
    if (!strcmp(cols[i].name, "time_ns") && cols[i].type == SIM_RESULT_INTEGER) time_col = i;
    if (!strcmp(cols[i].name, "entity") && cols[i].type == SIM_RESULT_INTEGER) entity_col = i;
  }
  if (rc == 0 && time_col < n_cols && entity_col < n_cols &&
      sim_result_series_on_change(ri->r, table, &dt) == 1) {
    int plan = sim_result_series_end(ri->r, table, &end) < 0
                   ? 1 /* an unreadable end: exported as stored */
                   : fill_forward_plan(d[time_col].ints, d[entity_col].ints, rows, ri->n_entities,
                                       dt, end, &src, &times, &n_out);
    if (plan < 0) rc = plan;
    if (plan == 1) n_out = rows;
  }
  for (size_t k = 0; k < n_out && rc == 0; k++) {
    size_t row = src ? src[k] : k;
    put_text(f, path);
    fputc(',', f);
    put_text(f, ri->scenario);
    fprintf(f, ",%s,%s,", ri->seed, ri->run_index);
    put_text(f, ri->calibration);
    for (size_t i = 0; i < n_cols; i++) {
      fputc(',', f);
      if (cols[i].type == SIM_RESULT_TEXT) {
        put_text(f, d[i].text[row]);
      } else if (cols[i].type == SIM_RESULT_REAL) {
        put_real(f, d[i].reals[row]);
      } else if (times && i == time_col) {
        fprintf(f, "%" PRId64, times[k]);
      } else if (entity_column(table, &cols[i])) {
        int64_t id = d[i].ints[row];
        int known = id >= 0 && (size_t)id < ri->n_entities;
        put_text(f, known ? ri->entity_name[id] : ""); /* -1: no parent */
        if (strcmp(table, ENTITIES)) {
          fputc(',', f);
          put_text(f, known ? ri->entity_kind[id] : "");
        }
        if (!known && id != -1) {
          sim_diag_error(diag, path, 0, 0, "table '%s' names entity %" PRId64 ", not in /entities",
                         table, id);
          rc = EXPORT_EINPUT;
        }
      } else if (type_names && !strcmp(cols[i].name, "type") && d[i].ints[row] >= 0 &&
                 (size_t)d[i].ints[row] < n_types) {
        put_text(f, type_names[d[i].ints[row]]);
      } else {
        fprintf(f, "%" PRId64, d[i].ints[row]);
      }
    }
    fputc('\n', f);
  }
  sim_free(src);
  sim_free(times);
  sim_result_free_strings(type_names, n_types);
  free_columns(d, cols, n_cols);
  return rc;
}

/* Whether two column lists are the same (names, types, units). */
static int same_columns(const sim_result_column_info *a, size_t na,
                        const sim_result_column_info *b, size_t nb) {
  if (na != nb) return 0;
  for (size_t i = 0; i < na; i++)
    if (strcmp(a[i].name, b[i].name) || a[i].type != b[i].type || strcmp(a[i].unit, b[i].unit))
      return 0;
  return 1;
}

/* One table to write: its columns (from the first result holding it). */
typedef struct table_out {
  char *path;                   /* dataset path, owned */
  sim_result_column_info *cols; /* its columns */
  size_t n_cols;
  char *temp, *final;           /* file names in dir, owned */
} table_out;

static void free_tables(table_out *t, size_t n) {
  for (size_t i = 0; t && i < n; i++) {
    sim_free(t[i].path);
    sim_result_columns_free(t[i].cols, t[i].n_cols);
    sim_free(t[i].temp);
    sim_free(t[i].final);
  }
  sim_free(t);
}

/* "summary/guests" -> "summary_guests". */
static char *file_stem(const char *table) {
  char *s = sim_strdup(table);
  for (char *p = s; p && *p; p++)
    if (*p == '/') *p = '_';
  return s;
}

static char *join(const char *dir, const char *prefix, const char *stem, const char *suffix) {
  size_t len = strlen(dir) + strlen(prefix) + strlen(stem) + strlen(suffix) + 2;
  char *s = sim_malloc(len);
  if (s) snprintf(s, len, "%s/%s%s%s", dir, prefix, stem, suffix);
  return s;
}

/* Collects the tables of every result and checks that they agree. */
static int plan_tables(run_info *runs, size_t n_runs, table_out **out, size_t *n_out,
                       sim_diag *diag) {
  table_out *t = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  for (size_t r = 0; r < n_runs && rc == 0; r++)
    for (size_t k = 0; k < runs[r].n_tables && rc == 0; k++) {
      const char *table = runs[r].tables[k];
      sim_result_column_info *cols = NULL;
      size_t nc = 0;
      if (sim_result_columns(runs[r].r, table, &cols, &nc) < 0) {
        sim_diag_error(diag, sim_result_path(runs[r].r), 0, 0,
                       "dataset '%s' is not a table vdcsim writes", table);
        rc = EXPORT_EINPUT;
        break;
      }
      size_t j = 0;
      while (j < n && strcmp(t[j].path, table)) j++;
      if (j < n) {
        if (!same_columns(t[j].cols, t[j].n_cols, cols, nc)) {
          sim_diag_error(diag, sim_result_path(runs[r].r), 0, 0,
                         "table '%s' has other columns than in %s: export results of one "
                         "vdcsim version together",
                         table, sim_result_path(runs[0].r));
          rc = EXPORT_EINPUT;
        }
        sim_result_columns_free(cols, nc);
        continue;
      }
      if (sim_grow((void **)&t, &cap, n + 1, sizeof *t) < 0) {
        sim_result_columns_free(cols, nc);
        rc = EXPORT_ENOMEM;
        break;
      }
      t[n] = (table_out){sim_strdup(table), cols, nc, NULL, NULL};
      n++;
      if (!t[n - 1].path) rc = EXPORT_ENOMEM;
    }
  *out = t;
  *n_out = n;
  return rc;
}

int export_csv(const char *const *paths, size_t n_paths, const char *dir, sim_diag *diag) {
  run_info *runs = sim_calloc(n_paths ? n_paths : 1, sizeof *runs);
  if (!runs) return EXPORT_ENOMEM;
  table_out *tables = NULL;
  size_t n_tables = 0;
  int rc = 0;
  for (size_t i = 0; i < n_paths && rc == 0; i++) rc = read_run(paths[i], &runs[i], diag);
  if (rc == 0) rc = plan_tables(runs, n_paths, &tables, &n_tables, diag);
  struct stat st;
  if (rc == 0 && stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
    sim_diag_error(diag, dir, 0, 0, "exists and is not a directory");
    rc = EXPORT_EINPUT;
  } else if (rc == 0 && stat(dir, &st) != 0 && mkdir(dir, 0777) != 0) {
    sim_diag_error(diag, dir, 0, 0, "cannot make the directory: %s", strerror(errno));
    rc = EXPORT_EIO;
  }
  char suffix[40];
  snprintf(suffix, sizeof suffix, ".csv.tmp-%ld", (long)getpid());
  size_t written = 0; /* temporaries made, to remove on failure */
  for (size_t k = 0; k < n_tables && rc == 0; k++) {
    table_out *t = &tables[k];
    char *stem = file_stem(t->path);
    t->temp = stem ? join(dir, ".", stem, suffix) : NULL;
    t->final = stem ? join(dir, "", stem, ".csv") : NULL;
    sim_free(stem);
    if (!t->temp || !t->final) {
      rc = EXPORT_ENOMEM;
      break;
    }
    FILE *f = fopen(t->temp, "w");
    if (!f) {
      sim_diag_error(diag, t->final, 0, 0, "cannot write: %s", strerror(errno));
      rc = EXPORT_EIO;
      break;
    }
    written = k + 1;
    write_header(f, t->path, t->cols, t->n_cols);
    for (size_t r = 0; r < n_paths && rc == 0; r++)
      if (has_table(&runs[r], t->path))
        rc = write_rows(f, &runs[r], t->path, t->cols, t->n_cols, diag);
    int err = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int saved = errno;
    if (fclose(f) != 0) err = 1;
    if (rc == 0 && err) {
      sim_diag_error(diag, t->final, 0, 0, "cannot write: %s", strerror(saved));
      rc = EXPORT_EIO;
    }
  }
  for (size_t k = 0; k < n_tables && rc == 0; k++)
    if (rename(tables[k].temp, tables[k].final) != 0) {
      sim_diag_error(diag, tables[k].final, 0, 0, "cannot write: %s", strerror(errno));
      rc = EXPORT_EIO;
    }
  if (rc != 0) /* leave nothing: neither temporaries nor some of the tables */
    for (size_t k = 0; k < written; k++) {
      if (tables[k].temp) unlink(tables[k].temp);
    }
  free_tables(tables, n_tables);
  for (size_t i = 0; i < n_paths; i++) free_run(&runs[i]);
  sim_free(runs);
  return rc;
}
