/* sim/cli/sweep_collect.c: a sweep's results into one summary (see
 * sweep_collect.h).  Columns are taken from the first run's tables, in their
 * order; a run lacking one gets NaN.  Units: as the runs' columns; swept
 * parameters in SI (sim/sweep.h).  Invariants: nothing of the wall clock or
 * of the file names' order on disk reaches the output. */
#include "sim/cli/sweep_collect.h"

#include <dirent.h>
#include <gsl/gsl_cdf.h>
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/recorder.h"
#include "sim/results.h"

#define GUESTS "summary/guests"
#define MIGRATIONS "migration/summary"
#define REQUESTS "summary/requests"     /* per request-driven guest, joined on its name */
#define DATACENTER "summary/datacenter" /* one row per run, on every guest's row */
#define MAX_COLS 256

typedef struct run_file {
  unsigned long long point, rep;
  char *path;
} run_file;

static int cmp_run(const void *a, const void *b) {
  const run_file *x = a, *y = b;
  if (x->point != y->point) return x->point < y->point ? -1 : 1;
  return (x->rep > y->rep) - (x->rep < y->rep);
}

/* The numeric and string members of a table's compound type. */
typedef struct members {
  size_t n;
  char *name[MAX_COLS];
  bool is_str[MAX_COLS];
} members;

static void members_free(members *m) {
  for (size_t i = 0; i < m->n; i++) H5free_memory(m->name[i]);
  m->n = 0;
}

/* Whether the file holds the table "group/name" (its group checked first:
 * a result without migrations has no migration group). */
static bool table_exists(hid_t f, const char *table) {
  char group[64];
  snprintf(group, sizeof group, "%.*s", (int)strcspn(table, "/"), table);
  return H5Lexists(f, group, H5P_DEFAULT) > 0 && H5Lexists(f, table, H5P_DEFAULT) > 0;
}

static void list_members(const char *path, const char *table, members *m) {
  m->n = 0;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return;
  {
    if (table_exists(f, table)) {
      hid_t d = H5Dopen2(f, table, H5P_DEFAULT);
      hid_t t = d >= 0 ? H5Dget_type(d) : -1;
      int n = t >= 0 ? H5Tget_nmembers(t) : 0;
      for (int i = 0; i < n && m->n < MAX_COLS; i++) {
        m->name[m->n] = H5Tget_member_name(t, (unsigned)i);
        m->is_str[m->n] = H5Tget_member_class(t, (unsigned)i) == H5T_STRING;
        m->n++;
      }
      if (t >= 0) H5Tclose(t);
      if (d >= 0) H5Dclose(d);
    }
  }
  H5Fclose(f);
}

/* A column of the runs table, and where its value comes from. */
typedef enum src {
  SRC_POINT, SRC_REP, SRC_POINT_NAME, SRC_PARAM, SRC_GUEST, SRC_MIGRATION, SRC_REQUESTS, SRC_DATACENTER
} src;

/* The table a metric column comes from. */
static const char *source_table(src from) {
  return from == SRC_GUEST ? GUESTS : from == SRC_MIGRATION ? MIGRATIONS : from == SRC_REQUESTS ? REQUESTS
         : from == SRC_DATACENTER ? DATACENTER : NULL;
}
typedef struct col {
  sim_column c;
  src from;
  size_t index;      /* parameter index */
  const char *member; /* table member */
  char name[96];
  char unit[32];
} col;

typedef struct table_data {
  size_t rows;
  double *f[MAX_COLS];
  char **s[MAX_COLS];
} table_data;

static void table_free(table_data *t, const members *m) {
  for (size_t i = 0; i < m->n; i++) {
    sim_free(t->f[i]);
    if (t->s[i]) sim_free(t->s[i][0]);
    sim_free(t->s[i]);
  }
  memset(t, 0, sizeof *t);
}

/* The whole table in one read (a read per column would convert the table
 * once per column): numbers as doubles, texts as cells of SIM_STR_CELL.
 * A table or member that is absent is left empty (NaN, ""). */
static void table_read(const char *path, const char *table, const members *m, table_data *t) {
  memset(t, 0, sizeof *t);
  if (!m->n) return;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return;
  hid_t d = -1, space = -1, mem = -1, str = -1;
  unsigned char *buf = NULL;
  if (!table_exists(f, table)) goto out;
  if ((d = H5Dopen2(f, table, H5P_DEFAULT)) < 0) goto out;
  space = H5Dget_space(d);
  hssize_t rows = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  if (rows <= 0) goto out;
  str = H5Tcopy(H5T_C_S1);
  H5Tset_size(str, SIM_STR_CELL);
  H5Tset_strpad(str, H5T_STR_NULLTERM);
  H5Tset_cset(str, H5T_CSET_UTF8);
  size_t row = 0, off[MAX_COLS];
  for (size_t i = 0; i < m->n; i++) {
    off[i] = row;
    row += m->is_str[i] ? SIM_STR_CELL : sizeof(double);
  }
  mem = H5Tcreate(H5T_COMPOUND, row);
  for (size_t i = 0; i < m->n; i++)
    H5Tinsert(mem, m->name[i], off[i], m->is_str[i] ? str : H5T_NATIVE_DOUBLE);
  buf = sim_malloc((size_t)rows * row);
  if (!buf || H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) goto out;
  t->rows = (size_t)rows;
  for (size_t i = 0; i < m->n; i++) {
    if (m->is_str[i]) {
      t->s[i] = sim_calloc(t->rows, sizeof *t->s[i]);
      char *cells = sim_calloc(t->rows, SIM_STR_CELL);
      if (!t->s[i] || !cells) {
        sim_free(cells);
        sim_free(t->s[i]);
        t->s[i] = NULL;
        continue;
      }
      for (size_t r = 0; r < t->rows; r++) {
        t->s[i][r] = cells + r * SIM_STR_CELL;
        memcpy(t->s[i][r], buf + r * row + off[i], SIM_STR_CELL);
        t->s[i][r][SIM_STR_CELL - 1] = '\0';
      }
    } else if ((t->f[i] = sim_malloc(t->rows * sizeof(double)))) {
      for (size_t r = 0; r < t->rows; r++) memcpy(&t->f[i][r], buf + r * row + off[i], sizeof(double));
    }
  }
out:
  sim_free(buf);
  if (mem >= 0) H5Tclose(mem);
  if (str >= 0) H5Tclose(str);
  if (space >= 0) H5Sclose(space);
  if (d >= 0) H5Dclose(d);
  H5Fclose(f);
}

static size_t member_ix(const members *m, const char *name) {
  for (size_t i = 0; i < m->n; i++)
    if (!strcmp(m->name[i], name)) return i;
  return SIZE_MAX;
}

/* The n-th line of a '\n'-joined attribute, into buf. */
static void line_of(const char *s, size_t n, char *buf, size_t len) {
  buf[0] = '\0';
  for (size_t i = 0; s && i < n; i++) {
    s = strchr(s, '\n');
    if (s) s++;
  }
  if (!s) return;
  size_t l = strcspn(s, "\n");
  snprintf(buf, len, "%.*s", (int)l, s);
}

static size_t count_lines(const char *s) {
  if (!s || !*s) return 0;
  size_t n = 1;
  for (; *s; s++) n += *s == '\n';
  return n;
}

static void csv_cell(FILE *f, const char *s) {
  if (strpbrk(s, ",\"\n")) {
    fputc('"', f);
    for (; *s; s++) {
      if (*s == '"') fputc('"', f);
      fputc(*s, f);
    }
    fputc('"', f);
  } else {
    fputs(s, f);
  }
}

/* Guest rows in name order (insertion sort: a run has few guests). */
static void sort_by_name(size_t *order, size_t n, char *const *names) {
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && strcmp(names[order[j - 1]], names[order[j]]) > 0; j--) {
      size_t t = order[j];
      order[j] = order[j - 1];
      order[j - 1] = t;
    }
}

int sweep_collect(const char *dir, const char *out_h5, const char *csv, uint64_t points,
                  uint64_t replications) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "%s: error: cannot read the sweep directory\n", dir);
    return CLI_USAGE;
  }
  run_file *files = NULL;
  size_t n_files = 0, cap = 0;
  struct dirent *e;
  int rc = CLI_OK;
  while ((e = readdir(d))) {
    unsigned long long p, r;
    int used = 0;
    if (sscanf(e->d_name, "p%llu-r%llu.h5%n", &p, &r, &used) != 2 || e->d_name[used] != '\0') continue;
    if (points && (p >= points || r >= replications)) continue; /* not of this sweep (any more) */
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *path = sim_malloc(len);
    if (!path || sim_grow((void **)&files, &cap, n_files + 1, sizeof *files) < 0) {
      sim_free(path);
      rc = CLI_FAILURE;
      break;
    }
    snprintf(path, len, "%s/%s", dir, e->d_name);
    files[n_files++] = (run_file){p, r, path};
  }
  closedir(d);
  if (rc == CLI_OK && n_files == 0) {
    fprintf(stderr, "%s: error: no sweep results (pPPPPPP-rRRRR.h5) in this directory\n", dir);
    rc = CLI_USAGE;
  }
  if (rc != CLI_OK) goto out_files;
  qsort(files, n_files, sizeof *files, cmp_run);
  if (!points) {
    /* inferred: the points and replications the names reach */
    for (size_t i = 0; i < n_files; i++) {
      if (files[i].point >= points) points = files[i].point + 1;
      if (files[i].rep >= replications) replications = files[i].rep + 1;
    }
  }

  /* the columns, from the first run */
  members gm = {0}, mm = {0}, rm = {0}, dm = {0};
  list_members(files[0].path, GUESTS, &gm);
  list_members(files[0].path, MIGRATIONS, &mm);
  list_members(files[0].path, REQUESTS, &rm);
  list_members(files[0].path, DATACENTER, &dm);
  sim_diag diag;
  sim_diag_init(&diag);
  sim_result *first = NULL;
  if (sim_result_open(files[0].path, &first, &diag) < 0) {
    sim_diag_print(&diag, stderr);
    sim_diag_clear(&diag);
    rc = CLI_FAILURE;
    goto out_members;
  }
  char *params = sim_strdup(sim_result_attr_str(first, "sweep_params") ? sim_result_attr_str(first, "sweep_params") : "");
  /* the techniques in catalog order, which the plots colour by */
  char *techniques = sim_strdup(sim_result_attr_str(first, "techniques") ? sim_result_attr_str(first, "techniques") : "");
  char *units = sim_strdup(sim_result_attr_str(first, "sweep_units") ? sim_result_attr_str(first, "sweep_units") : "");
  double total = 0;
  if (sim_result_attr_f64(first, "sweep_runs", &total) < 0) total = 0;
  sim_result_close(first);
  size_t n_params = count_lines(params);
  col *cols = sim_calloc(2 * MAX_COLS + 64, sizeof *cols);
  size_t nc = 0;
  if (!cols) {
    rc = CLI_FAILURE;
    goto out_members;
  }
  cols[nc++] = (col){{"point", SIM_COL_I64, "1", "sweep point index"}, SRC_POINT, 0, NULL, "", ""};
  cols[nc++] = (col){{"replication", SIM_COL_I64, "1", "replication index (the run's simulation.run_index)"}, SRC_REP, 0, NULL, "", ""};
  cols[nc++] = (col){{"point_name", SIM_COL_STR, "", "a named point's name, else empty"}, SRC_POINT_NAME, 0, NULL, "", ""};
  for (size_t k = 0; k < n_params && nc < MAX_COLS; k++) {
    col *c = &cols[nc++];
    *c = (col){{NULL, SIM_COL_F64, NULL, "swept parameter, SI unit"}, SRC_PARAM, k, NULL, "", ""};
    line_of(params, k, c->name, sizeof c->name);
    line_of(units, k, c->unit, sizeof c->unit);
    if (!c->unit[0]) c->c.type = SIM_COL_STR, c->c.doc = "swept parameter, as written";
  }
  size_t guest_name = member_ix(&gm, "name"), mig_guest = member_ix(&mm, "guest");
  for (size_t i = 0; i < gm.n && nc < 2 * MAX_COLS; i++) {
    col *c = &cols[nc++];
    *c = (col){{NULL, gm.is_str[i] ? SIM_COL_STR : SIM_COL_F64, NULL, "summary/guests column"}, SRC_GUEST, i, gm.name[i], "", ""};
    snprintf(c->name, sizeof c->name, "%s", i == guest_name ? "guest" : gm.name[i]);
  }
  for (size_t i = 0; i < mm.n && nc < 2 * MAX_COLS; i++) {
    if (i == mig_guest) continue;
    col *c = &cols[nc++];
    *c = (col){{NULL, mm.is_str[i] ? SIM_COL_STR : SIM_COL_F64, NULL, "migration/summary column (of the guest's migration)"}, SRC_MIGRATION, i, mm.name[i], "", ""};
    snprintf(c->name, sizeof c->name, "migration_%s", mm.name[i]);
  }
  size_t req_guest = member_ix(&rm, "name");
  for (size_t i = 0; i < rm.n && nc < 2 * MAX_COLS; i++) {
    if (i == req_guest) continue;
    col *c = &cols[nc++];
    *c = (col){{NULL, rm.is_str[i] ? SIM_COL_STR : SIM_COL_F64, NULL, "summary/requests column (of the guest)"}, SRC_REQUESTS, i, rm.name[i], "", ""};
    snprintf(c->name, sizeof c->name, "requests_%s", rm.name[i]);
  }
  for (size_t i = 0; i < dm.n && nc < 2 * MAX_COLS; i++) {
    col *c = &cols[nc++];
    *c = (col){{NULL, dm.is_str[i] ? SIM_COL_STR : SIM_COL_F64, NULL, "summary/datacenter column (of the run)"}, SRC_DATACENTER, i, dm.name[i], "", ""};
    snprintf(c->name, sizeof c->name, "datacenter_%s", dm.name[i]);
  }
  sim_column *rc_cols = sim_calloc(nc, sizeof *rc_cols);
  /* units from the first run */
  if (sim_result_open(files[0].path, &first, &diag) == 0) {
    for (size_t i = 0; i < nc; i++) {
      const char *table = source_table(cols[i].from);
      const char *u = table ? sim_result_column_unit(first, table, cols[i].member) : NULL;
      if (u) snprintf(cols[i].unit, sizeof cols[i].unit, "%s", u);
    }
    sim_result_close(first);
  }
  for (size_t i = 0; i < nc; i++) {
    rc_cols[i] = cols[i].c;
    if (cols[i].name[0]) rc_cols[i].name = cols[i].name;
    rc_cols[i].unit = cols[i].c.unit ? cols[i].c.unit : cols[i].unit;
  }
  /* every (point, replication) once: the names are unique, so a count will do;
   * a run's sweep_runs tells when the last points are missing altogether */
  double expected = (double)points * (double)replications;
  if (total > expected) expected = total;
  if ((double)n_files != expected) {
    fprintf(stderr, "%s: error: %zu of the sweep's %.0f runs have a result: run the sweep again to complete it\n",
            dir, n_files, expected);
    rc = CLI_FAILURE;
  }

  sim_record_config cfg = {.sample_interval_ns = 1, .compression_level = 0};
  sim_recorder *rec = out_h5 ? sim_recorder_new(&cfg) : NULL;
  sim_table *runs_t = rec ? sim_recorder_table(rec, "runs", "one row per (run, guest)", nc, rc_cols) : NULL;
  /* the points table: keys, then mean and ci95 of each numeric metric */
  size_t n_metrics = 0, metric_col[2 * MAX_COLS];
  for (size_t i = 0; i < nc; i++)
    if (source_table(cols[i].from) && cols[i].c.type == SIM_COL_F64)
      metric_col[n_metrics++] = i;
  size_t n_keys = 0, key_col[MAX_COLS];
  for (size_t i = 0; i < nc; i++)
    if (cols[i].from == SRC_POINT || cols[i].from == SRC_POINT_NAME || cols[i].from == SRC_PARAM ||
        (cols[i].from == SRC_GUEST && cols[i].c.type == SIM_COL_STR))
      key_col[n_keys++] = i;
  size_t npc = n_keys + 1 + 2 * n_metrics;
  sim_column *pcols = sim_calloc(npc, sizeof *pcols);
  char (*pnames)[112] = sim_calloc(npc, sizeof *pnames);
  for (size_t i = 0; pcols && pnames && i < n_keys; i++) pcols[i] = rc_cols[key_col[i]];
  if (pcols && pnames) {
    pcols[n_keys] = (sim_column){"replications", SIM_COL_I64, "1", "runs averaged"};
    for (size_t m = 0; m < n_metrics; m++) {
      const sim_column *src_c = &rc_cols[metric_col[m]];
      snprintf(pnames[2 * m], sizeof pnames[0], "%s_mean", src_c->name);
      snprintf(pnames[2 * m + 1], sizeof pnames[0], "%s_ci95", src_c->name);
      pcols[n_keys + 1 + 2 * m] = (sim_column){pnames[2 * m], SIM_COL_F64, src_c->unit, "mean over the replications"};
      pcols[n_keys + 2 + 2 * m] = (sim_column){pnames[2 * m + 1], SIM_COL_F64, src_c->unit,
                                               "half-width of the 95% Student-t interval of the mean (NaN: one replication)"};
    }
  }
  sim_table *points_t = rec && pcols && pnames ? sim_recorder_table(rec, "points", "one row per (point, guest): means and 95% intervals over replications", npc, pcols) : NULL;
  FILE *cf = csv ? fopen(csv, "w") : NULL;
  if ((out_h5 && (!rec || !runs_t || !points_t)) || (csv && !cf) || !rc_cols) {
    fprintf(stderr, "vdcsim collect: error: cannot write the summary\n");
    rc = CLI_FAILURE;
    goto out_write;
  }
  if (cf) {
    for (size_t i = 0; i < nc; i++) {
      if (i) fputc(',', cf);
      csv_cell(cf, rc_cols[i].name);
    }
    fputc('\n', cf);
  }
  /* rows of the current point, kept for its means: metric values per (guest, rep) */
  sim_cell *row = sim_calloc(nc, sizeof *row);
  sim_cell *prow = sim_calloc(npc, sizeof *prow);
  char (*texts)[SIM_STR_CELL] = sim_calloc(nc, sizeof *texts);
  char (*ptexts)[SIM_STR_CELL] = sim_calloc(npc, sizeof *ptexts);
  double *acc = NULL;     /* [guest][rep][metric] of the current point */
  size_t acc_cap = 0;
  if (!row || !prow || !texts || !ptexts) rc = CLI_FAILURE;
  for (size_t fi = 0; fi < n_files && rc != CLI_FAILURE;) {
    size_t fj = fi;
    while (fj < n_files && files[fj].point == files[fi].point) fj++;
    size_t n_guests = 0, n_reps = fj - fi;
    char (*pkeys)[MAX_COLS][SIM_STR_CELL] = NULL;  /* per guest: key texts */
    size_t pkeys_cap = 0;
    for (size_t f = fi; f < fj; f++) {
      sim_result *r = NULL;
      if (sim_result_open(files[f].path, &r, &diag) < 0) {
        rc = CLI_FAILURE;
        continue;
      }
      const char *status = sim_result_attr_str(r, "status");
      if (!status || strcmp(status, "complete")) {
        fprintf(stderr, "%s: error: not a complete result\n", files[f].path);
        rc = CLI_FAILURE;
        sim_result_close(r);
        continue;
      }
      const char *vsi = sim_result_attr_str(r, "sweep_values_si"), *vtx = sim_result_attr_str(r, "sweep_values");
      const char *pname = sim_result_attr_str(r, "sweep_point_name");
      table_data g, m, rq, dc;
      table_read(files[f].path, GUESTS, &gm, &g);
      table_read(files[f].path, MIGRATIONS, &mm, &m);
      table_read(files[f].path, REQUESTS, &rm, &rq);
      table_read(files[f].path, DATACENTER, &dm, &dc);
      size_t *order = sim_calloc(g.rows + 1, sizeof *order);
      for (size_t i = 0; order && i < g.rows; i++) order[i] = i;
      if (order && guest_name != SIZE_MAX && g.s[guest_name]) {
        sort_by_name(order, g.rows, g.s[guest_name]);
      }
      if (f == fi) {
        n_guests = g.rows;
        if (sim_grow((void **)&acc, &acc_cap, n_guests * n_reps * (n_metrics + 1) + 1, sizeof *acc) < 0 ||
            sim_grow((void **)&pkeys, &pkeys_cap, n_guests + 1, sizeof *pkeys) < 0)
          rc = CLI_FAILURE;
      }
      for (size_t gi = 0; order && rc != CLI_FAILURE && gi < g.rows; gi++) {
        size_t gr = order[gi];
        const char *gname = guest_name != SIZE_MAX && g.s[guest_name] ? g.s[guest_name][gr] : "";
        size_t mr = SIZE_MAX;
        for (size_t k = 0; mig_guest != SIZE_MAX && m.s[mig_guest] && k < m.rows && mr == SIZE_MAX; k++)
          if (!strcmp(m.s[mig_guest][k], gname)) mr = k;
        size_t rr = SIZE_MAX; /* the guest's row of summary/requests */
        for (size_t k = 0; req_guest != SIZE_MAX && rq.s[req_guest] && k < rq.rows && rr == SIZE_MAX; k++)
          if (!strcmp(rq.s[req_guest][k], gname)) rr = k;
        size_t dr = dc.rows ? 0 : SIZE_MAX;
        size_t metric = 0;
        for (size_t i = 0; i < nc; i++) {
          const col *c = &cols[i];
          double v = NAN;
          const char *s = "";
          switch (c->from) {
            case SRC_POINT: row[i].i = (int64_t)files[f].point; break;
            case SRC_REP: row[i].i = (int64_t)files[f].rep; break;
            case SRC_POINT_NAME: s = pname ? pname : ""; break;
            case SRC_PARAM: {
              char b[SIM_STR_CELL];
              line_of(c->c.type == SIM_COL_STR ? vtx : vsi, c->index, b, sizeof b);
              if (c->c.type == SIM_COL_STR) snprintf(texts[i], sizeof texts[i], "%s", b);
              else v = strcmp(b, "nan") && b[0] ? strtod(b, NULL) : NAN;
              s = texts[i];
              break;
            }
            case SRC_GUEST:
              if (c->c.type == SIM_COL_STR) s = g.s[c->index] ? g.s[c->index][gr] : "";
              else v = g.f[c->index] ? g.f[c->index][gr] : NAN;
              break;
            case SRC_MIGRATION:
              if (c->c.type == SIM_COL_STR) s = mr != SIZE_MAX && m.s[c->index] ? m.s[c->index][mr] : "";
              else v = mr != SIZE_MAX && m.f[c->index] ? m.f[c->index][mr] : NAN;
              break;
            case SRC_REQUESTS:
              if (c->c.type == SIM_COL_STR) s = rr != SIZE_MAX && rq.s[c->index] ? rq.s[c->index][rr] : "";
              else v = rr != SIZE_MAX && rq.f[c->index] ? rq.f[c->index][rr] : NAN;
              break;
            case SRC_DATACENTER:
              if (c->c.type == SIM_COL_STR) s = dr != SIZE_MAX && dc.s[c->index] ? dc.s[c->index][dr] : "";
              else v = dr != SIZE_MAX && dc.f[c->index] ? dc.f[c->index][dr] : NAN;
              break;
          }
          if (c->c.type == SIM_COL_F64) row[i].f = v;
          if (c->c.type == SIM_COL_STR) {
            if (s != texts[i]) snprintf(texts[i], sizeof texts[i], "%s", s);
            row[i].s = texts[i];
          }
          if (metric < n_metrics && metric_col[metric] == i) {
            if (gi < n_guests) acc[(gi * n_reps + (f - fi)) * n_metrics + metric] = v;
            metric++;
          }
        }
        if (f == fi && gi < n_guests)
          for (size_t k = 0; k < n_keys; k++) {
            const col *c = &cols[key_col[k]];
            if (c->c.type == SIM_COL_STR) snprintf(pkeys[gi][k], SIM_STR_CELL, "%s", row[key_col[k]].s);
            else if (c->c.type == SIM_COL_I64) snprintf(pkeys[gi][k], SIM_STR_CELL, "%lld", (long long)row[key_col[k]].i);
            else snprintf(pkeys[gi][k], SIM_STR_CELL, "%.17g", row[key_col[k]].f);
          }
        if (runs_t && sim_table_append(runs_t, row) < 0) rc = CLI_FAILURE;
        for (size_t i = 0; cf && i < nc; i++) {
          if (i) fputc(',', cf);
          if (cols[i].c.type == SIM_COL_STR) csv_cell(cf, row[i].s);
          else if (cols[i].c.type == SIM_COL_I64) fprintf(cf, "%lld", (long long)row[i].i);
          else fprintf(cf, "%.17g", row[i].f);
        }
        if (cf) fputc('\n', cf);
      }
      sim_free(order);
      table_free(&g, &gm);
      table_free(&m, &mm);
      table_free(&rq, &rm);
      table_free(&dc, &dm);
      sim_result_close(r);
    }
    /* the point's rows: one per guest of its first replication */
    for (size_t gi = 0; pkeys && rc != CLI_FAILURE && gi < n_guests; gi++) {
      for (size_t k = 0; k < n_keys; k++) {
        const col *c = &cols[key_col[k]];
        if (c->c.type == SIM_COL_STR) {
          snprintf(ptexts[k], SIM_STR_CELL, "%s", pkeys[gi][k]);
          prow[k].s = ptexts[k];
        } else if (c->c.type == SIM_COL_I64) {
          prow[k].i = strtoll(pkeys[gi][k], NULL, 10);
        } else {
          prow[k].f = strtod(pkeys[gi][k], NULL);
        }
      }
      prow[n_keys].i = (int64_t)n_reps;
      for (size_t mi = 0; mi < n_metrics; mi++) {
        double sum = 0, ss = 0;
        size_t n = 0;
        for (size_t rr = 0; rr < n_reps; rr++) {
          double v = acc[(gi * n_reps + rr) * n_metrics + mi];
          if (isfinite(v)) sum += v, n++;
        }
        double mean = n ? sum / n : NAN;
        for (size_t rr = 0; rr < n_reps; rr++) {
          double v = acc[(gi * n_reps + rr) * n_metrics + mi];
          if (isfinite(v)) ss += (v - mean) * (v - mean);
        }
        double ci = n > 1 ? gsl_cdf_tdist_Pinv(0.975, (double)(n - 1)) * sqrt(ss / (n - 1)) / sqrt((double)n) : NAN;
        prow[n_keys + 1 + 2 * mi].f = mean;
        prow[n_keys + 2 + 2 * mi].f = ci;
      }
      if (points_t && sim_table_append(points_t, prow) < 0) rc = CLI_FAILURE;
    }
    sim_free(pkeys);
    fi = fj;
  }
  sim_free(acc);
  sim_free(row);
  sim_free(prow);
  sim_free(texts);
  sim_free(ptexts);
  if (rec && rc != CLI_FAILURE) {
    sim_recorder_attr_str(rec, "sweep_params", params ? params : "");
    sim_recorder_attr_str(rec, "sweep_units", units ? units : "");
    if (techniques && techniques[0]) sim_recorder_attr_str(rec, "techniques", techniques);
    if (sim_recorder_write(rec, out_h5, &diag) < 0) rc = CLI_FAILURE;
  }
out_write:
  if (cf && fclose(cf) != 0) rc = CLI_FAILURE;
  sim_diag_print(&diag, stderr);
  sim_diag_clear(&diag);
  sim_recorder_free(rec);
  sim_free(pcols);
  sim_free(pnames);
  sim_free(rc_cols);
  sim_free(cols);
  sim_free(params);
  sim_free(techniques);
  sim_free(units);
out_members:
  members_free(&gm);
  members_free(&mm);
  members_free(&rm);
  members_free(&dm);
out_files:
  for (size_t i = 0; i < n_files; i++) sim_free(files[i].path);
  sim_free(files);
  return rc;
}
