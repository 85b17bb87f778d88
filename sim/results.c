/* sim/results.c: reads a run's HDF5 result (see results.h; layout written by
 * sim/recorder.c and documented in DATASETS.md).
 * Units: series times are returned in seconds (stored as int64 ns); other
 * values as stored, their unit given by the unit_<column> attribute.
 * A series written on change (attribute SIM_SERIES_ON_CHANGE, recorder.h)
 * is read back filled forward: one sample per interval from an entity's
 * first row to the series' end (attribute SIM_SERIES_END; without it, to
 * the entity's last row), each value holding until the entity's next row.
 * Invariants: every HDF5 handle opened by a function is closed before it
 * returns; strings handed out as "owned by r" live until sim_result_close.
 * Columns are read by member name through a one-member compound memory type,
 * so HDF5 converts integer columns to double and the reader does not depend on
 * the member order or offsets of the file. */
#include "sim/results.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/h5util.h"
#include "sim/recorder.h"

struct sim_result {
  char *path;     /* file opened */
  hid_t file;     /* open read-only */
  char **owned;   /* strings handed out, freed on close */
  size_t n_owned; /* entries of owned */
  size_t cap_owned;
};

int sim_result_open(const char *path, sim_result **out, sim_diag *diag) {
  *out = NULL;
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported below, naming the file */
  if (access(path, R_OK) != 0) {
    sim_diag_error(diag, path, 0, 0, "cannot read the results file");
    return -1;
  }
  if (H5Fis_hdf5(path) <= 0) {
    sim_diag_error(diag, path, 0, 0, "not an HDF5 results file");
    return -1;
  }
  sim_result *r = sim_calloc(1, sizeof *r);
  if (!r || !(r->path = sim_strdup(path))) {
    sim_free(r);
    sim_diag_error(diag, path, 0, 0, "out of memory");
    return -1;
  }
  r->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (r->file < 0) {
    sim_diag_error(diag, path, 0, 0, "cannot open the HDF5 results file");
    sim_result_close(r);
    return -1;
  }
  *out = r;
  return 0;
}

void sim_result_close(sim_result *r) {
  if (!r) return;
  if (r->file >= 0) H5Fclose(r->file);
  for (size_t i = 0; i < r->n_owned; i++) sim_free(r->owned[i]);
  sim_free(r->owned);
  sim_free(r->path);
  sim_free(r);
}

const char *sim_result_path(const sim_result *r) { return r->path; }

/* Keeps s for the life of r; NULL (and s freed) when out of memory. */
static const char *own(sim_result *r, char *s) {
  if (!s) return NULL;
  if (sim_grow((void **)&r->owned, &r->cap_owned, r->n_owned + 1, sizeof *r->owned) < 0) {
    sim_free(s);
    return NULL;
  }
  r->owned[r->n_owned++] = s;
  return s;
}

/* A string attribute of obj (variable or fixed length) into *out,
 * sim_malloc'ed: 1 when read, 0 when absent or not a string, negative when
 * out of memory or HDF5 fails to read it. */
static int read_attr_text(hid_t obj, const char *name, char **out) {
  *out = NULL;
  htri_t exists = H5Aexists(obj, name);
  if (exists == 0) return 0;
  if (exists < 0) return -1;
  hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  int rc = -1;
  hid_t ftype = H5Aget_type(attr), mtype = -1;
  if (ftype < 0) goto out;
  if (H5Tget_class(ftype) != H5T_STRING) {
    rc = 0;
    goto out;
  }
  /* HDF5 converts no string between character sets: read in the file's */
  if ((mtype = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_cset(mtype, H5Tget_cset(ftype)) < 0) goto out;
  if (H5Tis_variable_str(ftype) > 0) {
    char *vlen = NULL;
    if (H5Tset_size(mtype, H5T_VARIABLE) < 0 || H5Aread(attr, mtype, &vlen) < 0) goto out;
    *out = sim_strdup(vlen ? vlen : "");
    if (vlen) H5free_memory(vlen);
    if (*out) rc = 1;
  } else {
    size_t size = H5Tget_size(ftype);
    char *buf = sim_calloc(size + 1, 1);
    if (!buf) goto out;
    if (H5Tset_size(mtype, size) < 0 || H5Aread(attr, mtype, buf) < 0) {
      sim_free(buf);
      goto out;
    }
    *out = buf;
    rc = 1;
  }
out:
  if (mtype >= 0) H5Tclose(mtype);
  if (ftype >= 0) H5Tclose(ftype);
  H5Aclose(attr);
  return rc;
}

/* read_attr_text that folds absence and failure into NULL. */
static char *read_attr_str(hid_t obj, const char *name) {
  char *s = NULL;
  return read_attr_text(obj, name, &s) > 0 ? s : NULL;
}

const char *sim_result_attr_str(sim_result *r, const char *name) {
  return own(r, read_attr_str(r->file, name));
}

int sim_result_attr_text(sim_result *r, const char *name, const char **value) {
  *value = NULL;
  char *s = NULL;
  int rc = read_attr_text(r->file, name, &s);
  if (rc <= 0) return rc;
  if (!(*value = own(r, s))) return -1;
  return 1;
}

int sim_result_attr_f64(sim_result *r, const char *name, double *value) {
  if (H5Aexists(r->file, name) <= 0) return -1;
  hid_t attr = H5Aopen(r->file, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  int rc = -1;
  hid_t ftype = H5Aget_type(attr);
  if (ftype >= 0) {
    H5T_class_t c = H5Tget_class(ftype);
    if ((c == H5T_INTEGER || c == H5T_FLOAT) && H5Aread(attr, H5T_NATIVE_DOUBLE, value) >= 0) rc = 0;
    H5Tclose(ftype);
  }
  H5Aclose(attr);
  return rc;
}

/* Opens the dataset at path (relative to the root), checking each link first
 * so a missing group is not an HDF5 error; negative when absent. */
static hid_t open_dataset(sim_result *r, const char *path) {
  if (!path || !*path || *path == '/') return -1;
  size_t len = strlen(path);
  char *prefix = sim_malloc(len + 1);
  if (!prefix) return -1;
  for (size_t i = 0; i <= len; i++) {
    if (path[i] == '/' || path[i] == '\0') {
      memcpy(prefix, path, i);
      prefix[i] = '\0';
      if (H5Lexists(r->file, prefix, H5P_DEFAULT) <= 0) {
        sim_free(prefix);
        return -1;
      }
    }
  }
  sim_free(prefix);
  return H5Dopen2(r->file, path, H5P_DEFAULT);
}

int sim_result_has(sim_result *r, const char *path) {
  hid_t d = open_dataset(r, path);
  if (d < 0) return 0;
  H5Dclose(d);
  return 1;
}

static int dataset_rows(hid_t d, size_t *rows) {
  hid_t space = H5Dget_space(d);
  if (space < 0) return -1;
  hsize_t dims[1] = {0};
  int rc = H5Sget_simple_extent_ndims(space) == 1 && H5Sget_simple_extent_dims(space, dims, NULL) == 1
               ? 0
               : -1;
  H5Sclose(space);
  *rows = (size_t)dims[0];
  return rc;
}

int sim_result_table_rows(sim_result *r, const char *path, size_t *rows) {
  hid_t d = open_dataset(r, path);
  if (d < 0) return -1;
  int rc = dataset_rows(d, rows);
  H5Dclose(d);
  return rc;
}

/* Reads member `column` of every row of d as `member` (elem bytes each) into
 * a new array; the file member must be a string (string != 0) or a number
 * (integer or float).  0 or negative. */
static int read_member(hid_t d, const char *column, hid_t member, size_t elem, int string,
                       void **out, size_t *n) {
  *out = NULL;
  *n = 0;
  int rc = -1;
  hid_t ftype = H5Dget_type(d), mtype = -1;
  void *buf = NULL;
  size_t rows = 0;
  if (ftype < 0 || H5Tget_class(ftype) != H5T_COMPOUND) goto out;
  int idx = H5Tget_member_index(ftype, column);
  if (idx < 0) goto out;
  H5T_class_t c = H5Tget_member_class(ftype, (unsigned)idx);
  if (string ? c != H5T_STRING : (c != H5T_INTEGER && c != H5T_FLOAT)) goto out;
  if (dataset_rows(d, &rows) < 0) goto out;
  if (!(buf = sim_calloc(rows ? rows : 1, elem))) goto out;
  if ((mtype = H5Tcreate(H5T_COMPOUND, elem)) < 0) goto out;
  if (H5Tinsert(mtype, column, 0, member) < 0) goto out;
  if (rows && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) goto out;
  *out = buf;
  *n = rows;
  buf = NULL;
  rc = 0;
out:
  sim_free(buf);
  if (mtype >= 0) H5Tclose(mtype);
  if (ftype >= 0) H5Tclose(ftype);
  return rc;
}

int sim_result_column_f64(sim_result *r, const char *path, const char *column, double **values,
                          size_t *n) {
  hid_t d = open_dataset(r, path);
  if (d < 0) return -1;
  void *buf = NULL;
  int rc = read_member(d, column, H5T_NATIVE_DOUBLE, sizeof(double), 0, &buf, n);
  H5Dclose(d);
  *values = buf;
  return rc;
}

/* The character set of a string member (HDF5 converts no string between
 * character sets, so the memory type takes the file's). */
static H5T_cset_t member_cset(hid_t d, const char *column) {
  H5T_cset_t cset = H5T_CSET_ASCII;
  hid_t ftype = H5Dget_type(d);
  if (ftype < 0) return cset;
  int idx = H5Tget_member_index(ftype, column);
  if (idx >= 0) {
    hid_t m = H5Tget_member_type(ftype, (unsigned)idx);
    if (m >= 0) {
      if (H5Tget_class(m) == H5T_STRING) cset = H5Tget_cset(m);
      H5Tclose(m);
    }
  }
  H5Tclose(ftype);
  return cset;
}

static int read_cells(hid_t d, const char *column, char **cells, size_t *n) {
  hid_t str = H5Tcopy(H5T_C_S1);
  if (str < 0) return -1;
  int rc = -1;
  void *buf = NULL;
  if (H5Tset_size(str, SIM_STR_CELL) >= 0 && H5Tset_strpad(str, H5T_STR_NULLTERM) >= 0 &&
      H5Tset_cset(str, member_cset(d, column)) >= 0)
    rc = read_member(d, column, str, SIM_STR_CELL, 1, &buf, n);
  H5Tclose(str);
  *cells = buf;
  return rc;
}

int sim_result_column_str(sim_result *r, const char *path, const char *column, char ***values,
                          size_t *n) {
  *values = NULL;
  hid_t d = open_dataset(r, path);
  if (d < 0) return -1;
  char *cells = NULL;
  int rc = read_cells(d, column, &cells, n);
  H5Dclose(d);
  if (rc < 0) return -1;
  char **v = sim_calloc(*n ? *n : 1, sizeof *v);
  if (!v) {
    sim_free(cells);
    return -1;
  }
  for (size_t i = 0; i < *n; i++) {
    if (!(v[i] = sim_strndup(cells + i * SIM_STR_CELL, SIM_STR_CELL - 1))) {
      sim_result_free_strings(v, i);
      sim_free(cells);
      return -1;
    }
  }
  sim_free(cells);
  *values = v;
  return 0;
}

void sim_result_free_strings(char **values, size_t n) {
  if (!values) return;
  for (size_t i = 0; i < n; i++) sim_free(values[i]);
  sim_free(values);
}

const char *sim_result_column_unit(sim_result *r, const char *path, const char *column) {
  hid_t d = open_dataset(r, path);
  if (d < 0) return NULL;
  size_t len = strlen(SIM_H5_UNIT_PREFIX) + strlen(column) + 1;
  char *name = sim_malloc(len);
  char *unit = NULL;
  if (name) {
    snprintf(name, len, SIM_H5_UNIT_PREFIX "%s", column);
    unit = read_attr_str(d, name);
    sim_free(name);
  }
  H5Dclose(d);
  if (unit && !*unit) { /* text columns carry an empty unit: none */
    sim_free(unit);
    return NULL;
  }
  return own(r, unit);
}

int sim_result_entity(sim_result *r, const char *name, int32_t *id) {
  char **names = NULL;
  double *ids = NULL;
  size_t n = 0, n_ids = 0;
  int rc = -1;
  if (sim_result_column_str(r, SIM_H5_ENTITIES, "name", &names, &n) < 0) return -1;
  if (sim_result_column_f64(r, SIM_H5_ENTITIES, "id", &ids, &n_ids) == 0 && n_ids == n) {
    for (size_t i = 0; i < n; i++)
      if (!strcmp(names[i], name)) {
        *id = (int32_t)ids[i];
        rc = 0;
        break;
      }
  }
  sim_free(ids);
  sim_result_free_strings(names, n);
  return rc;
}

typedef struct sample {
  int64_t t_ns;  /* sample time, ns */
  double value;  /* sample value */
  size_t order;  /* row in the file: keeps equal times in file order */
} sample;

static int sample_cmp(const void *a, const void *b) {
  const sample *x = a, *y = b;
  if (x->t_ns != y->t_ns) return x->t_ns < y->t_ns ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* The int64 attribute `name` of the dataset at `path`: 1 and *value when
 * present and at least `least`, 0 when absent, negative when the dataset is
 * absent or the attribute unreadable or out of range. */
static int series_attr(sim_result *r, const char *path, const char *name, int64_t least,
                       int64_t *value) {
  hid_t d = open_dataset(r, path);
  if (d < 0) return -1;
  int rc = 0;
  htri_t exists = H5Aexists(d, name);
  if (exists < 0) rc = -1;
  if (exists > 0) {
    hid_t attr = H5Aopen(d, name, H5P_DEFAULT);
    int64_t v = 0;
    rc = attr >= 0 && H5Aread(attr, H5T_NATIVE_INT64, &v) >= 0 && v >= least ? 1 : -1;
    if (attr >= 0) H5Aclose(attr);
    if (rc == 1) *value = v;
  }
  H5Dclose(d);
  return rc;
}

int sim_result_series_on_change(sim_result *r, const char *path, int64_t *interval_ns) {
  *interval_ns = 0;
  return series_attr(r, path, SIM_SERIES_ON_CHANGE, 1, interval_ns);
}

int sim_result_series_end(sim_result *r, const char *path, int64_t *end_ns) {
  *end_ns = -1;
  return series_attr(r, path, SIM_SERIES_END, 0, end_ns);
}

/* Samples of a series written on change between its rows sel[0..k), in
 * time order, and to `end` (ns; -1: to the last row): each value holds
 * until the entity's next row, the last until `end`, one sample every dt
 * ns.  The count, or 0 when the rows and the end do not lie on that grid. */
static size_t filled_count(const sample *sel, size_t k, int64_t dt, int64_t end) {
  size_t n = k;
  for (size_t i = 1; i < k; i++) {
    int64_t gap = sel[i].t_ns - sel[i - 1].t_ns;
    if (gap <= 0 || gap % dt) return 0;
    n += (size_t)(gap / dt) - 1;
  }
  if (k && end > sel[k - 1].t_ns) {
    int64_t gap = end - sel[k - 1].t_ns;
    if (gap % dt) return 0;
    n += (size_t)(gap / dt);
  }
  return n;
}

int sim_result_series(sim_result *r, const char *signal, int32_t entity, double **t_s,
                      double **values, size_t *n) {
  *t_s = *values = NULL;
  *n = 0;
  size_t len = strlen(SIM_H5_SERIES) + strlen(signal) + 2;
  char *path = sim_malloc(len);
  if (!path) return -1;
  snprintf(path, len, SIM_H5_SERIES "/%s", signal);
  int64_t dt = 0, end = -1;
  int on_change = sim_result_series_on_change(r, path, &dt);
  if (on_change == 1 && sim_result_series_end(r, path, &end) < 0) on_change = -1;
  hid_t d = on_change < 0 ? -1 : open_dataset(r, path);
  sim_free(path);
  if (d < 0) return -1;
  int64_t *times = NULL;
  int32_t *ents = NULL;
  double *vals = NULL, *out_t = NULL, *out_v = NULL;
  sample *sel = NULL;
  size_t n_t = 0, n_e = 0, n_v = 0, k = 0;
  int rc = -1;
  if (read_member(d, "time_ns", H5T_NATIVE_INT64, sizeof *times, 0, (void **)&times, &n_t) < 0 ||
      read_member(d, "entity", H5T_NATIVE_INT32, sizeof *ents, 0, (void **)&ents, &n_e) < 0 ||
      read_member(d, "value", H5T_NATIVE_DOUBLE, sizeof *vals, 0, (void **)&vals, &n_v) < 0 ||
      n_t != n_e || n_t != n_v)
    goto out;
  if (!(sel = sim_calloc(n_t ? n_t : 1, sizeof *sel))) goto out;
  for (size_t i = 0; i < n_t; i++)
    if (ents[i] == entity) sel[k++] = (sample){times[i], vals[i], i};
  qsort(sel, k, sizeof *sel, sample_cmp);
  /* written on change: the samples between rows are filled forward (a
   * file whose rows are off the grid is read as it is) */
  size_t filled = on_change == 1 ? filled_count(sel, k, dt, end) : 0;
  size_t m = filled ? filled : k;
  out_t = sim_calloc(m ? m : 1, sizeof *out_t);
  out_v = sim_calloc(m ? m : 1, sizeof *out_v);
  if (!out_t || !out_v) goto out;
  size_t j = 0;
  for (size_t i = 0; i < k; i++) {
    /* the last row holds to the series' end, the sample at `end` included */
    int64_t last = filled && end > sel[i].t_ns ? end + 1 : sel[i].t_ns + 1;
    int64_t next = filled && i + 1 < k ? sel[i + 1].t_ns : last;
    for (int64_t t = sel[i].t_ns; t < next; t += filled ? dt : 1, j++) {
      out_t[j] = sim_time_to_s(t);
      out_v[j] = sel[i].value;
    }
  }
  *t_s = out_t;
  *values = out_v;
  *n = m;
  out_t = out_v = NULL;
  rc = 0;
out:
  H5Dclose(d);
  sim_free(times);
  sim_free(ents);
  sim_free(vals);
  sim_free(sel);
  sim_free(out_t);
  sim_free(out_v);
  return rc;
}

/* ---- every table, generically ---- */

typedef struct path_list {
  char **paths; /* sim_malloc'ed */
  size_t n, cap;
  int failed;   /* out of memory while visiting */
} path_list;

/* Visits links rather than objects (H5Lvisit is the same in every HDF5
 * version), keeping those that lead to a dataset. */
static herr_t visit_dataset(hid_t group, const char *name, const H5L_info_t *info, void *data) {
  path_list *l = data;
  if (info->type != H5L_TYPE_HARD) return 0;
  hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
  if (obj < 0) return -1;
  int is_dataset = H5Iget_type(obj) == H5I_DATASET;
  H5Oclose(obj);
  if (!is_dataset) return 0;
  char *copy = sim_strdup(name);
  if (!copy || sim_grow((void **)&l->paths, &l->cap, l->n + 1, sizeof *l->paths) < 0) {
    sim_free(copy);
    l->failed = 1;
    return 1; /* stops the visit */
  }
  l->paths[l->n++] = copy;
  return 0;
}

static int path_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int sim_result_tables(sim_result *r, char ***paths, size_t *n) {
  path_list l = {0};
  *paths = NULL;
  *n = 0;
  herr_t v = H5Lvisit(r->file, H5_INDEX_NAME, H5_ITER_INC, visit_dataset, &l);
  if (v < 0 || l.failed) {
    sim_result_free_strings(l.paths, l.n);
    return -1;
  }
  if (l.n) qsort(l.paths, l.n, sizeof *l.paths, path_cmp);
  *paths = l.paths;
  *n = l.n;
  return 0;
}

void sim_result_columns_free(sim_result_column_info *cols, size_t n) {
  if (!cols) return;
  for (size_t i = 0; i < n; i++) {
    sim_free(cols[i].name);
    sim_free(cols[i].unit);
  }
  sim_free(cols);
}

int sim_result_columns(sim_result *r, const char *path, sim_result_column_info **cols,
                       size_t *n) {
  *cols = NULL;
  *n = 0;
  hid_t d = open_dataset(r, path);
  if (d < 0) return -1;
  int rc = -1;
  hid_t ftype = H5Dget_type(d);
  sim_result_column_info *c = NULL;
  int members = 0;
  if (ftype < 0 || H5Tget_class(ftype) != H5T_COMPOUND) goto out;
  if ((members = H5Tget_nmembers(ftype)) < 0) goto out;
  if (!(c = sim_calloc(members ? (size_t)members : 1, sizeof *c))) goto out;
  for (int i = 0; i < members; i++) {
    char *name = H5Tget_member_name(ftype, (unsigned)i);
    if (!name) goto out;
    c[i].name = sim_strdup(name);
    H5free_memory(name);
    if (!c[i].name) goto out;
    hid_t m = H5Tget_member_type(ftype, (unsigned)i);
    if (m < 0) goto out;
    H5T_class_t cls = H5Tget_class(m);
    int is_signed = cls == H5T_INTEGER && H5Tget_sign(m) == H5T_SGN_2;
    H5Tclose(m);
    if (cls == H5T_STRING) c[i].type = SIM_RESULT_TEXT;
    else if (cls == H5T_FLOAT) c[i].type = SIM_RESULT_REAL;
    else if (is_signed) c[i].type = SIM_RESULT_INTEGER;
    else goto out; /* the recorder writes no other member type */
    size_t len = strlen(SIM_H5_UNIT_PREFIX) + strlen(c[i].name) + 1;
    char *attr = sim_malloc(len);
    if (!attr) goto out;
    snprintf(attr, len, SIM_H5_UNIT_PREFIX "%s", c[i].name);
    int got = read_attr_text(d, attr, &c[i].unit);
    sim_free(attr);
    if (got < 0) goto out;
    if (!c[i].unit && !(c[i].unit = sim_strdup(""))) goto out;
  }
  *cols = c;
  *n = (size_t)members;
  c = NULL;
  rc = 0;
out:
  sim_result_columns_free(c, members > 0 ? (size_t)members : 0);
  if (ftype >= 0) H5Tclose(ftype);
  H5Dclose(d);
  return rc;
}

int sim_result_column_i64(sim_result *r, const char *path, const char *column, int64_t **values,
                          size_t *n) {
  hid_t d = open_dataset(r, path);
  *values = NULL;
  if (d < 0) return -1;
  void *buf = NULL;
  int rc = read_member(d, column, H5T_NATIVE_INT64, sizeof(int64_t), 0, &buf, n);
  H5Dclose(d);
  *values = buf;
  return rc;
}

int sim_result_table_attr_strings(sim_result *r, const char *path, const char *name,
                                  char ***values, size_t *n) {
  *values = NULL;
  *n = 0;
  hid_t d = open_dataset(r, path);
  if (d < 0) return -1;
  int rc = -1;
  hid_t attr = -1, ftype = -1, space = -1, mtype = -1;
  char **raw = NULL, **out = NULL;
  hssize_t count = 0;
  htri_t exists = H5Aexists(d, name);
  if (exists <= 0) {
    rc = exists == 0 ? 0 : -1;
    goto done;
  }
  if ((attr = H5Aopen(d, name, H5P_DEFAULT)) < 0 || (ftype = H5Aget_type(attr)) < 0 ||
      H5Tget_class(ftype) != H5T_STRING || H5Tis_variable_str(ftype) <= 0)
    goto done;
  if ((space = H5Aget_space(attr)) < 0 || (count = H5Sget_simple_extent_npoints(space)) < 0)
    goto done;
  if ((mtype = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
      H5Tset_cset(mtype, H5Tget_cset(ftype)) < 0)
    goto done;
  raw = sim_calloc(count ? (size_t)count : 1, sizeof *raw);
  out = sim_calloc(count ? (size_t)count : 1, sizeof *out);
  if (!raw || !out || (count && H5Aread(attr, mtype, raw) < 0)) goto done;
  rc = 1;
  for (hssize_t i = 0; i < count; i++)
    if (!(out[i] = sim_strdup(raw[i] ? raw[i] : ""))) rc = -1;
  for (hssize_t i = 0; i < count; i++) H5free_memory(raw[i]);
  if (rc == 1) {
    *values = out;
    *n = (size_t)count;
    out = NULL;
  }
done:
  sim_result_free_strings(out, (size_t)count);
  sim_free(raw);
  if (mtype >= 0) H5Tclose(mtype);
  if (space >= 0) H5Sclose(space);
  if (ftype >= 0) H5Tclose(ftype);
  if (attr >= 0) H5Aclose(attr);
  H5Dclose(d);
  return rc;
}

/* A root integer attribute read as `mem` (an integer memory type). */
static int attr_int(sim_result *r, const char *name, hid_t mem, void *value) {
  if (H5Aexists(r->file, name) <= 0) return -1;
  hid_t attr = H5Aopen(r->file, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  int rc = -1;
  hid_t ftype = H5Aget_type(attr);
  if (ftype >= 0) {
    if (H5Tget_class(ftype) == H5T_INTEGER && H5Aread(attr, mem, value) >= 0) rc = 0;
    H5Tclose(ftype);
  }
  H5Aclose(attr);
  return rc;
}

int sim_result_attr_u64(sim_result *r, const char *name, uint64_t *value) {
  return attr_int(r, name, H5T_NATIVE_UINT64, value);
}

int sim_result_attr_i64(sim_result *r, const char *name, int64_t *value) {
  return attr_int(r, name, H5T_NATIVE_INT64, value);
}
