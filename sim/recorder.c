/* sim/recorder.c: records a run's signals, events and tables into one HDF5
 * file (see recorder.h for the interface, DATASETS.md for the layout).  This
 * file holds the datasets in memory, their HDF5 writing and the file's life
 * cycle; what the models append (attributes, entities, signals, events,
 * tables) is in sim/recorder_records.c, the chunk filters in
 * sim/chunk_codec.c, the shared layout in sim/recorder_internal.h.
 *
 * Model: every output dataset is a one-dimensional, chunked, extendible
 * compound dataset.  Rows are packed into a byte buffer per dataset (no
 * padding; HDF5 compound members at the same offsets), and flushed to the file
 * a chunk at a time once the file is open (sim_recorder_begin), so a long run
 * holds at most one chunk per dataset in memory.  Without begin(), rows stay
 * in memory until sim_recorder_write().
 * Compression: a dataset declares HDF5's shuffle and deflate filters (every
 * reader applies them), but the recorder applies them itself to each whole
 * chunk and writes the result with H5Dwrite_chunk, which lets it do less per
 * byte than the library's filters (sim/chunk_codec.c).
 * Units: times are int64 ns; every column's unit is stored beside it as the
 * dataset attribute unit_<column>.
 * Invariants:
 *  - the file is written under a temporary name in the destination directory
 *    (.NAME.tmp-PID), closed, fsync'ed and renamed to NAME only when every
 *    call and every write to the disk succeeded; any failure unlinks the
 *    temporary file, so NAME is either absent or a complete result (status
 *    attribute "complete");
 *  - NAME is only ever a new name or a regular file: a symbolic link, a
 *    device, a FIFO, a socket or a directory there is refused, never replaced;
 *  - one writer per output: the lock file .NAME.lock (flock, exclusive) is held
 *    from begin() until the rename, so a second run writing the same output
 *    fails instead of silently losing one result; temporaries of the same
 *    output left by killed runs (their PID gone) are removed under the lock;
 *  - a write the disk refuses (ENOSPC, EIO) never reaches HDF5 as an error
 *    (sim/h5_out_driver.c): the recorder fails with the errno's text
 *    and discards the file;
 *  - once a call failed the recorder stays failed: later appends return an
 *    error and write() reports the first failure;
 *  - datasets hold no wall-clock value (dataset creation times are not
 *    tracked), so two runs of the same scenario and seed differ only in the
 *    wall-clock root attributes.
 * Every HDF5 call that creates or writes goes through H5_CALL (fault
 * injection), and the closes that complete the file through close_once (the
 * same count); closes of temporaries in cleanup paths are not counted, since
 * their failure cannot lose data. */
#include "sim/recorder.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/chunk_codec.h"
#include "sim/h5_out_driver.h"
#include "sim/h5util.h"
#include "sim/recorder_output.h"

#include "sim/recorder_internal.h"

/* ---- failure state ---- */

void rec_fail(sim_recorder *rec, const char *fmt, ...) {
  if (rec->failed) return; /* keep the first cause */
  rec->failed = 1;
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(rec->error, sizeof rec->error, fmt, ap);
  va_end(ap);
  /* a refused write is the cause of whatever failed after it: name it */
  if (rec->io_errno && len >= 0 && (size_t)len < sizeof rec->error)
    snprintf(rec->error + len, sizeof rec->error - (size_t)len, ": %s", strerror(rec->io_errno));
}

/* Fails the recorder when the disk refused a write during `what` (the driver
 * kept the errno and HDF5 saw success). */
int io_check(sim_recorder *rec, const char *what, const char *name) {
  if (!rec->io_errno) return 0;
  rec_fail(rec, "cannot write %s%s", what, name);
  return -1;
}

/* ---- datasets in memory ---- */

static size_t type_bytes(rec_type t) {
  switch (t) {
    case REC_I64: return sizeof(int64_t);
    case REC_I32: return sizeof(int32_t);
    case REC_F64: return sizeof(double);
    case REC_STR: return SIM_STR_CELL;
  }
  return 0;
}

static void table_free(sim_table *t) {
  if (!t) return;
  if (t->dset >= 0) H5Dclose(t->dset);
  if (t->type >= 0) H5Tclose(t->type);
  for (size_t i = 0; i < t->n_cols; i++) {
    sim_free(t->cols[i].name);
    sim_free(t->cols[i].unit);
    sim_free(t->cols[i].doc);
  }
  sim_free(t->cols);
  sim_free(t->path);
  sim_free(t->doc);
  sim_free(t->unit);
  sim_free(t->buf);
  sim_chunk_memory_free(&t->chunk_memory);
  sim_free(t);
}

int valid_name(const char *s) {
  if (!s || !*s) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
          *s == '_' || *s == '-' || *s == '.'))
      return 0;
  return 1;
}

/* A dataset path: names separated by single '/', no leading or trailing '/'. */
int valid_path(const char *p) {
  if (!p || !*p || *p == '/') return 0;
  const char *start = p;
  for (const char *s = p;; s++) {
    if (*s == '/' || !*s) {
      if (s == start) return 0;
      char part[128];
      size_t len = (size_t)(s - start);
      if (len >= sizeof part) return 0;
      memcpy(part, start, len);
      part[len] = '\0';
      if (!valid_name(part)) return 0;
      if (!*s) return 1;
      start = s + 1;
    }
  }
}

/* Creates and registers a dataset; NULL (recorder failed) on error. */
sim_table *table_new(sim_recorder *rec, const char *path, const char *doc, const char *unit,
                     size_t n_cols, const col_def *defs) {
  if (rec->failed) return NULL;
  for (size_t i = 0; i < rec->n_sets; i++)
    if (!strcmp(rec->sets[i]->path, path)) {
      rec_fail(rec, "dataset '%s' declared twice", path);
      return NULL;
    }
  if (sim_grow((void **)&rec->sets, &rec->cap_sets, rec->n_sets + 1, sizeof *rec->sets) < 0) {
    rec_fail(rec, "out of memory");
    return NULL;
  }
  sim_table *t = sim_calloc(1, sizeof *t);
  if (!t) {
    rec_fail(rec, "out of memory");
    return NULL;
  }
  t->rec = rec;
  t->type = t->dset = -1;
  t->end_ns = -1;
  t->path = sim_strdup(path);
  t->doc = sim_strdup(doc ? doc : "");
  t->unit = unit ? sim_strdup(unit) : NULL;
  t->cols = sim_calloc(n_cols, sizeof *t->cols);
  int oom = !t->path || !t->doc || (unit && !t->unit) || !t->cols;
  if (!oom) {
    t->n_cols = n_cols;
    for (size_t i = 0; i < n_cols; i++) {
      rec_col *c = &t->cols[i];
      c->type = defs[i].type;
      c->offset = t->row_bytes;
      t->row_bytes += type_bytes(c->type);
      t->has_str |= c->type == REC_STR;
      c->name = sim_strdup(defs[i].name);
      c->unit = sim_strdup(defs[i].unit ? defs[i].unit : "");
      c->doc = sim_strdup(defs[i].doc ? defs[i].doc : "");
      if (!c->name || !c->unit || !c->doc) oom = 1;
    }
  }
  if (oom) {
    table_free(t);
    rec_fail(rec, "out of memory");
    return NULL;
  }
  t->chunk_rows = CHUNK_BYTES / t->row_bytes;
  if (t->chunk_rows < 1) t->chunk_rows = 1;
  rec->sets[rec->n_sets++] = t;
  return t;
}

/* ---- HDF5 writing ---- */

/* Writes attribute `name` on obj: n strings (n == 1 and !array: a scalar),
 * as variable-length UTF-8 (h5py reads them as str). */
static int attr_strings(sim_recorder *rec, hid_t obj, const char *name, const char *const *values,
                        size_t n, int array) {
  hid_t space = -1, attr = -1;
  int rc = -1;
  hsize_t dims[1] = {n};
  if (array && (space = H5_CALL(H5Screate_simple(1, dims, NULL))) < 0) goto out;
  attr = H5_CALL(
      H5Acreate2(obj, name, rec->str_type, array ? space : rec->scalar, H5P_DEFAULT, H5P_DEFAULT));
  if (attr < 0) goto out;
  if (n > 0 && H5_CALL(H5Awrite(attr, rec->str_type, values)) < 0) goto out;
  rc = 0;
out:
  if (attr >= 0) H5Aclose(attr);
  if (space >= 0) H5Sclose(space);
  return rc;
}

static int attr_str(sim_recorder *rec, hid_t obj, const char *name, const char *value) {
  return attr_strings(rec, obj, name, &value, 1, 0);
}

static int attr_num(sim_recorder *rec, hid_t obj, const char *name, hid_t type, const void *value) {
  hid_t attr = H5_CALL(H5Acreate2(obj, name, type, rec->scalar, H5P_DEFAULT, H5P_DEFAULT));
  if (attr < 0) return -1;
  int rc = H5_CALL(H5Awrite(attr, type, value)) < 0 ? -1 : 0;
  H5Aclose(attr);
  return rc;
}

static hid_t compound_type(const sim_table *t) {
  hid_t type = H5_CALL(H5Tcreate(H5T_COMPOUND, t->row_bytes));
  if (type < 0) return -1;
  hid_t str = -1;
  for (size_t i = 0; i < t->n_cols; i++) {
    const rec_col *c = &t->cols[i];
    hid_t member;
    switch (c->type) {
      case REC_I64: member = H5T_NATIVE_INT64; break;
      case REC_I32: member = H5T_NATIVE_INT32; break;
      case REC_F64: member = H5T_NATIVE_DOUBLE; break;
      default:
        if (str < 0) {
          /* fixed length, NUL-terminated, UTF-8: reads cleanly everywhere */
          if ((str = H5_CALL(H5Tcopy(H5T_C_S1))) < 0 ||
              H5_CALL(H5Tset_size(str, SIM_STR_CELL)) < 0 ||
              H5_CALL(H5Tset_strpad(str, H5T_STR_NULLTERM)) < 0 ||
              H5_CALL(H5Tset_cset(str, H5T_CSET_UTF8)) < 0)
            goto fail;
        }
        member = str;
    }
    if (H5_CALL(H5Tinsert(type, c->name, c->offset, member)) < 0) goto fail;
  }
  if (str >= 0) H5Tclose(str);
  return type;
fail:
  if (str >= 0) H5Tclose(str);
  H5Tclose(type);
  return -1;
}

/* Creates t's dataset in the open file, with its attributes. */
static int table_create(sim_recorder *rec, sim_table *t) {
  hid_t space = -1, dcpl = -1, lcpl = -1;
  int rc = -1;
  if ((t->type = compound_type(t)) < 0) goto out;
  hsize_t dims[1] = {0}, maxdims[1] = {H5S_UNLIMITED};
  if ((space = H5_CALL(H5Screate_simple(1, dims, maxdims))) < 0) goto out;
  /* chunk: the target size, or fewer rows when the dataset is small (the
   * whole dataset is then known: it is being created at write time) */
  hsize_t rows = t->n_buf ? t->n_buf : 1, chunk[1] = {t->chunk_rows};
  if (rows < chunk[0]) chunk[0] = rows;
  t->chunk_rows = (size_t)chunk[0]; /* what chunk_write fills */
  if ((dcpl = H5_CALL(H5Pcreate(H5P_DATASET_CREATE))) < 0) goto out;
  if (H5_CALL(H5Pset_chunk(dcpl, 1, chunk)) < 0) goto out;
  if (rec->level > 0 && (H5_CALL(H5Pset_shuffle(dcpl)) < 0 ||
                         H5_CALL(H5Pset_deflate(dcpl, (unsigned)rec->level)) < 0))
    goto out;
  if (H5_CALL(H5Pset_obj_track_times(dcpl, 0)) < 0) goto out;
  if ((lcpl = H5_CALL(H5Pcreate(H5P_LINK_CREATE))) < 0) goto out;
  if (H5_CALL(H5Pset_create_intermediate_group(lcpl, 1)) < 0) goto out;
  if ((t->dset = H5_CALL(H5Dcreate2(rec->file, t->path, t->type, space, lcpl, dcpl, H5P_DEFAULT))) <
      0)
    goto out;
  if (attr_str(rec, t->dset, "doc", t->doc) < 0) goto out;
  if (t->unit && attr_str(rec, t->dset, "unit", t->unit) < 0) goto out;
  if (t->on_change_ns > 0 &&
      attr_num(rec, t->dset, SIM_SERIES_ON_CHANGE, H5T_NATIVE_INT64, &t->on_change_ns) < 0)
    goto out;
  for (size_t i = 0; i < t->n_cols; i++) {
    char name[160];
    snprintf(name, sizeof name, SIM_H5_UNIT_PREFIX "%s", t->cols[i].name);
    if (attr_str(rec, t->dset, name, t->cols[i].unit) < 0) goto out;
    snprintf(name, sizeof name, SIM_H5_DOC_PREFIX "%s", t->cols[i].name);
    if (attr_str(rec, t->dset, name, t->cols[i].doc) < 0) goto out;
  }
  rc = 0;
out:
  if (lcpl >= 0) H5Pclose(lcpl);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  if (rc < 0) rec_fail(rec, "cannot create dataset /%s", t->path);
  if (rc == 0) rc = io_check(rec, "dataset /", t->path);
  return rc;
}

/* Writes `rows` packed rows (at most a chunk) as the chunk that starts at row
 * t->n_written, through the filters the dataset declares, applied here
 * (sim/chunk_codec.h); H5Dwrite_chunk stores the bytes as they are. */
static int chunk_write(sim_table *t, const unsigned char *data, size_t rows) {
  sim_recorder *rec = t->rec;
  const unsigned char *packed = NULL;
  size_t len = 0;
  int rc = sim_chunk_encode(&rec->codec, &t->chunk_memory, data, rows, t->chunk_rows, t->row_bytes, &packed, &len);
  if (rc == -2) {
    rec_fail(rec, "out of memory");
    return -1;
  }
  if (rc < 0) {
    rec_fail(rec, "cannot compress dataset /%s: %s", t->path, sim_chunk_codec_error(&rec->codec));
    return -1;
  }
  hsize_t size[1] = {t->n_written + rows}, offset[1] = {t->n_written};
  if (H5_CALL(H5Dset_extent(t->dset, size)) < 0 ||
      H5_CALL(H5Dwrite_chunk(t->dset, H5P_DEFAULT, 0, offset, len, packed)) < 0) {
    rec_fail(rec, "cannot write dataset /%s", t->path);
    return -1;
  }
  t->n_written += rows;
  return io_check(rec, "dataset /", t->path);
}

/* Appends the buffered rows of t to its dataset (creating it first).  With
 * compression, whole chunks only, the rows that do not fill one kept for the
 * next flush, unless `last`: the dataset then ends with them.  The rows kept
 * stay where they are, the buffer a ring of whole chunks from then on (its
 * rows rounded up to them once): a chunk starts at a multiple of chunk_rows,
 * and never wraps round; each flush still comes when cap_rows rows wait, so
 * that the chunks reach the file when they did with the rows kept moved to
 * the buffer's start (the file's layout follows the order of the writes). */
static int table_flush(sim_table *t, int last) {
  sim_recorder *rec = t->rec;
  if (rec->failed) return -1;
  if (t->dset < 0 && table_create(rec, t) < 0) return -1;
  if (t->n_buf == 0) return 0;
  if (rec->level > 0) {
    size_t done = 0;
    while (done < t->n_buf && (last || t->n_buf - done >= t->chunk_rows)) {
      size_t rows = t->n_buf - done < t->chunk_rows ? t->n_buf - done : t->chunk_rows;
      if (chunk_write(t, table_slot(t, done), rows) < 0) return -1;
      done += rows;
    }
    if (done == t->n_buf) {
      t->head = 0;
    } else if (done) {
      if (t->ring_rows % t->chunk_rows) { /* rows at 0 .. n_buf: the buffer grows in place */
        size_t chunks = (t->ring_rows + t->chunk_rows - 1) / t->chunk_rows;
        unsigned char *grown = sim_realloc(t->buf, chunks * t->chunk_rows * t->row_bytes);
        if (!grown) {
          rec_fail(rec, "out of memory");
          return -1;
        }
        t->buf = grown;
        t->ring_rows = chunks * t->chunk_rows;
      }
      t->head = (t->head + done) % t->ring_rows;
    }
    t->n_buf -= done;
    return 0;
  }
  assert(t->head == 0); /* without compression every flush writes every row */
  hid_t fspace = -1, mspace = -1;
  int rc = -1;
  hsize_t size[1] = {t->n_written + t->n_buf}, start[1] = {t->n_written}, count[1] = {t->n_buf};
  if (H5_CALL(H5Dset_extent(t->dset, size)) < 0) goto out;
  if ((fspace = H5_CALL(H5Dget_space(t->dset))) < 0) goto out;
  if (H5_CALL(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL)) < 0) goto out;
  if ((mspace = H5_CALL(H5Screate_simple(1, count, NULL))) < 0) goto out;
  if (H5_CALL(H5Dwrite(t->dset, t->type, mspace, fspace, H5P_DEFAULT, t->buf)) < 0) goto out;
  t->n_written += t->n_buf;
  t->n_buf = 0;
  rc = 0;
out:
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  if (rc < 0) rec_fail(rec, "cannot write dataset /%s", t->path);
  if (rc == 0) rc = io_check(rec, "dataset /", t->path);
  return rc;
}

/* Room for one more row: flushes a full chunk when the file is open, else
 * grows the buffer (table_row in recorder_internal.h takes the common case,
 * room left, itself). */
unsigned char *table_row_slow(sim_table *t) {
  sim_recorder *rec = t->rec;
  if (rec->failed) return NULL;
  if (t->n_buf == t->cap_rows) {
    /* with the file open, a buffer past an eighth of a chunk grows to a
     * chunk at once: fewer copies of its rows, the same chunks */
    size_t need = t->n_buf + 1;
    if (rec->file >= 0 && need > t->chunk_rows / 8 && need < t->chunk_rows) need = t->chunk_rows;
    if (rec->file >= 0 && t->n_buf >= t->chunk_rows) {
      if (table_flush(t, 0) < 0) return NULL;
    } else {
      /* rows wait behind written chunks only with the file open and a
       * chunk in the buffer, which is then flushed when full */
      assert(t->head == 0);
      if (sim_grow((void **)&t->buf, &t->cap_rows, need, t->row_bytes) < 0) {
        rec_fail(rec, "out of memory");
        return NULL;
      }
      t->ring_rows = t->cap_rows;
    }
  }
  unsigned char *row = table_slot(t, t->n_buf);
  /* string padding is deterministic; rows without strings are packed
   * columns, every byte written by the append */
  if (t->has_str) memset(row, 0, t->row_bytes);
  return row;
}

int sim_emit_batch(sim_recorder *rec, int signal, sim_time t, size_t n, const int32_t *entity,
                   const double *value) {
  if (signal == SIM_SIGNAL_OFF) return 0;
  if (rec->failed) return -1;
  assert(signal >= 0 && (size_t)signal < rec->n_sigs);
  sim_table *d = rec->sigs[signal].data;
  size_t at_t = d->cols[0].offset, at_entity = d->cols[1].offset, at_value = d->cols[2].offset;
  assert(!d->has_str); /* a series row is three numbers, every byte written */
  for (size_t k = 0; k < n;) {
    /* the first row through table_row (a full buffer flushed or grown), the
     * rest of the buffer's room filled here */
    unsigned char *row = table_row(d);
    if (!row) return -1;
    size_t room = d->cap_rows - d->n_buf, take = n - k < room ? n - k : room;
    size_t to_end = d->ring_rows - (size_t)(row - d->buf) / d->row_bytes; /* rows before the ring wraps */
    if (take > to_end) take = to_end;
    for (size_t r = k; r < k + take; r++, row += d->row_bytes) {
      memcpy(row + at_t, &t, sizeof t);
      memcpy(row + at_entity, &entity[r], sizeof entity[r]);
      memcpy(row + at_value, &value[r], sizeof value[r]);
    }
    d->n_buf += take;
    k += take;
  }
  return 0;
}

/* Truncated to SIM_STR_CELL - 1 bytes; the rest of the cell stays zero. */
void put_str(unsigned char *row, const rec_col *c, const char *s) {
  if (s) memcpy(row + c->offset, s, strnlen(s, SIM_STR_CELL - 1));
}

/* ---- life cycle ---- */

static const col_def entity_cols[] = {
    {"id", "1", "entity id, referenced by the entity columns of events and series", REC_I32},
    {"kind", "1", "host, guest, vcpu, disk, nic, migration ...", REC_STR},
    {"name", "1", "name from the scenario", REC_STR},
    {"parent", "1", "id of the containing entity, -1 for none", REC_I32},
};

static const col_def event_cols[] = {
    {"time_ns", "ns", "simulated time of the event", REC_I64},
    {"type", "1", "index into the attribute type_names", REC_I32},
    {"entity", "1", "entity id (/entities)", REC_I32},
    {"value0", "type-dependent", "first value, meaning given by type_docs", REC_F64},
    {"value1", "type-dependent", "second value, meaning given by type_docs", REC_F64},
};

sim_recorder *sim_recorder_new(const sim_record_config *config) {
  assert(config);
  /* The recorder reports its own errors, naming the file: HDF5's automatic
   * error stack printing would only add noise on stderr. */
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  sim_recorder *rec = sim_calloc(1, sizeof *rec);
  if (!rec) return NULL;
  rec->file = rec->str_type = rec->scalar = rec->driver = -1;
  rec->lock_fd = -1;
  rec->sample_interval_ns = config->sample_interval_ns;
  rec->keep_events = config->events;
  rec->keep_series = config->series;
  rec->level = config->compression_level < 0 ? 0
               : config->compression_level > 9 ? 9
                                                 : config->compression_level;
  rec->codec.level = rec->level;
  if (config->signals) {
    rec->signals = sim_calloc(config->n_signals ? config->n_signals : 1, sizeof *rec->signals);
    if (!rec->signals) goto fail;
    for (size_t i = 0; i < config->n_signals; i++) {
      if (!(rec->signals[i] = sim_strdup(config->signals[i]))) goto fail;
      rec->n_signals++;
    }
  }
  rec->entities = table_new(rec, SIM_H5_ENTITIES, "every host, guest, vCPU, device and migration",
                            NULL, sizeof entity_cols / sizeof *entity_cols, entity_cols);
  if (!rec->entities) goto fail;
  if (rec->keep_events) {
    rec->events = table_new(rec, SIM_H5_EVENTS, "log of discrete events", NULL,
                            sizeof event_cols / sizeof *event_cols, event_cols);
    if (!rec->events) goto fail;
  }
  return rec;
fail:
  sim_recorder_free(rec);
  return NULL;
}

/* Closes every open handle without counting the calls (cleanup). */
static void close_all(sim_recorder *rec) {
  for (size_t i = 0; i < rec->n_sets; i++) {
    sim_table *t = rec->sets[i];
    if (t->dset >= 0) H5Dclose(t->dset);
    if (t->type >= 0) H5Tclose(t->type);
    t->dset = t->type = -1;
  }
  if (rec->str_type >= 0) H5Tclose(rec->str_type);
  if (rec->scalar >= 0) H5Sclose(rec->scalar);
  if (rec->file >= 0) H5Fclose(rec->file);
  /* the driver's class lives on while a file uses it: unregistering only
   * drops the recorder's reference */
  if (rec->driver >= 0) H5FDunregister(rec->driver);
  rec->file = rec->str_type = rec->scalar = rec->driver = -1;
}

/* Removes and releases the output's lock, when held. */
static void unlock_output(sim_recorder *rec) { sim_output_unlock(rec->lock_path, &rec->lock_fd); }

/* Removes the temporary file, unless it is another writer's: a recorder that
 * did not get the lock never touches the name. */
static void remove_temp(sim_recorder *rec) {
  if (rec->owns_tmp && !rec->committed) unlink(rec->tmp_path);
}

void sim_recorder_free(sim_recorder *rec) {
  if (!rec) return;
  close_all(rec);
  remove_temp(rec);
  unlock_output(rec);
  for (size_t i = 0; i < rec->n_sets; i++) table_free(rec->sets[i]);
  sim_free(rec->sets);
  sim_free(rec->reparents);
  for (size_t i = 0; i < rec->n_signals; i++) sim_free(rec->signals[i]);
  sim_free(rec->signals);
  for (size_t i = 0; i < rec->n_sigs; i++) sim_free(rec->sigs[i].name);
  sim_free(rec->sigs);
  for (size_t i = 0; i < rec->n_etypes; i++) {
    sim_free(rec->etypes[i].name);
    sim_free(rec->etypes[i].doc);
  }
  sim_free(rec->etypes);
  for (size_t i = 0; i < rec->n_attrs; i++) {
    sim_free(rec->attrs[i].name);
    sim_free(rec->attrs[i].s);
  }
  sim_free(rec->attrs);
  sim_chunk_codec_free(&rec->codec);
  sim_free(rec->final_path);
  sim_free(rec->tmp_path);
  sim_free(rec->lock_path);
  sim_free(rec);
}

sim_time sim_recorder_sample_interval(const sim_recorder *rec) { return rec->sample_interval_ns; }

size_t sim_recorder_buffered_bytes(const sim_recorder *rec) {
  size_t bytes = 0;
  for (size_t i = 0; i < rec->n_sets; i++) bytes += rec->sets[i]->ring_rows * rec->sets[i]->row_bytes;
  return bytes;
}

/* Applies the reparents of rows already in the file: each row read back,
 * its parent set, written again (through the library's filters: a few rows
 * of a run that migrates, once). */
static int apply_reparents(sim_recorder *rec) {
  sim_table *t = rec->entities;
  unsigned char *row = rec->n_reparents ? sim_malloc(t->row_bytes) : NULL;
  if (rec->n_reparents && !row) {
    rec_fail(rec, "out of memory");
    return -1;
  }
  hid_t fspace = -1, mspace = -1;
  int rc = 0;
  hsize_t one[1] = {1};
  if (rec->n_reparents &&
      ((fspace = H5_CALL(H5Dget_space(t->dset))) < 0 || (mspace = H5_CALL(H5Screate_simple(1, one, NULL))) < 0))
    rc = -1;
  for (size_t i = 0; i < rec->n_reparents && rc == 0; i++) {
    hsize_t at[1] = {(hsize_t)rec->reparents[i].id};
    if (H5_CALL(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, at, NULL, one, NULL)) < 0 ||
        H5_CALL(H5Dread(t->dset, t->type, mspace, fspace, H5P_DEFAULT, row)) < 0) {
      rc = -1;
      break;
    }
    put_i32(row, &t->cols[3], rec->reparents[i].parent);
    if (H5_CALL(H5Dwrite(t->dset, t->type, mspace, fspace, H5P_DEFAULT, row)) < 0) rc = -1;
  }
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  sim_free(row);
  if (rc < 0) rec_fail(rec, "cannot write dataset /%s", t->path);
  if (rc == 0) rc = io_check(rec, "dataset /", t->path);
  return rc;
}


/* ---- the file ---- */

int sim_recorder_begin(sim_recorder *rec, const char *path, sim_diag *diag) {
  assert(rec->file < 0 && !rec->final_path);
  if (rec->failed) {
    sim_diag_error(diag, path, 0, 0, "cannot record results: %s", rec->error);
    return -1;
  }
  if (sim_recorder_check_target(path, diag) < 0) return -1;
  const char *slash = strrchr(path, '/');
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
  const char *base = path + dir_len;
  size_t len = strlen(path) + 32;
  rec->final_path = sim_strdup(path);
  rec->tmp_path = sim_malloc(len);
  rec->lock_path = sim_malloc(len);
  if (!rec->final_path || !rec->tmp_path || !rec->lock_path) {
    /* no file was created: nothing for the cleanup to unlink, and an unset
     * tmp_path would name an arbitrary file */
    sim_free(rec->tmp_path);
    sim_free(rec->lock_path);
    rec->tmp_path = rec->lock_path = NULL;
    rec_fail(rec, "out of memory");
    sim_diag_error(diag, path, 0, 0, "cannot record results: out of memory");
    return -1;
  }
  snprintf(rec->tmp_path, len, "%.*s.%s.tmp-%ld", (int)dir_len, path, base, (long)getpid());
  snprintf(rec->lock_path, len, "%.*s.%s.lock", (int)dir_len, path, base);
  char why[sizeof rec->error];
  if (sim_output_lock(rec->lock_path, &rec->lock_fd, why, sizeof why) < 0) {
    rec_fail(rec, "%s", why);
    sim_diag_error(diag, path, 0, 0, "cannot record results: %s", rec->error);
    return -1;
  }
  rec->owns_tmp = 1;
  sim_output_remove_stale_temps(path, dir_len, base);
  /* a temporary of an earlier process that had our PID: it is dead */
  remove_temp(rec);
  hid_t fapl = -1;
  int made = (rec->driver = H5_CALL(sim_h5_out_driver_register())) >= 0 &&
             (fapl = H5_CALL(H5Pcreate(H5P_FILE_ACCESS))) >= 0 &&
             H5_CALL(sim_h5_out_driver_use(fapl, rec->driver, &rec->io_errno)) >= 0 &&
             (rec->file = H5_CALL(H5Fcreate(rec->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl))) >= 0;
  if (fapl >= 0) H5Pclose(fapl);
  if (!made) {
    int err = rec->io_errno;
    rec->io_errno = 0; /* the cause is reported here, not appended to rec->error */
    rec_fail(rec, "cannot create %s", rec->tmp_path);
    sim_diag_error(diag, path, 0, 0, "cannot create the results file %s: %s", rec->tmp_path,
                   err ? strerror(err) : "HDF5 error");
    close_all(rec);
    remove_temp(rec);
    unlock_output(rec);
    return -1;
  }
  /* the types every attribute uses, made once per file */
  if ((rec->str_type = H5_CALL(H5Tcopy(H5T_C_S1))) < 0 ||
      H5_CALL(H5Tset_size(rec->str_type, H5T_VARIABLE)) < 0 ||
      H5_CALL(H5Tset_cset(rec->str_type, H5T_CSET_UTF8)) < 0 ||
      (rec->scalar = H5_CALL(H5Screate(H5S_SCALAR))) < 0) {
    rec_fail(rec, "cannot create the attribute types");
    sim_diag_error(diag, path, 0, 0, "cannot record results: %s", rec->error);
    close_all(rec);
    remove_temp(rec);
    unlock_output(rec);
    return -1;
  }
  return 0;
}

const char *sim_recorder_error(const sim_recorder *rec) { return rec->failed ? rec->error : NULL; }

const char *sim_recorder_temp_path(const sim_recorder *rec) {
  return rec->file >= 0 ? rec->tmp_path : NULL;
}

const char *sim_recorder_lock_path(const sim_recorder *rec) {
  return rec->lock_fd >= 0 ? rec->lock_path : NULL;
}

static int write_root_attrs(sim_recorder *rec) {
  for (size_t i = 0; i < rec->n_attrs; i++) {
    const rec_attr *a = &rec->attrs[i];
    hid_t f = rec->file;
    int rc = a->kind == ATTR_STR   ? attr_str(rec, f, a->name, a->s)
             : a->kind == ATTR_I64 ? attr_num(rec, f, a->name, H5T_NATIVE_INT64, &a->i)
             : a->kind == ATTR_U64 ? attr_num(rec, f, a->name, H5T_NATIVE_UINT64, &a->u)
                                   : attr_num(rec, f, a->name, H5T_NATIVE_DOUBLE, &a->f);
    if (rc < 0) {
      rec_fail(rec, "cannot write root attribute %s", a->name);
      return -1;
    }
  }
  /* the last attribute written: a file renamed to its final name always
   * carries it (resume skips such files) */
  if (attr_str(rec, rec->file, "status", "complete") < 0) {
    rec_fail(rec, "cannot write root attribute status");
    return -1;
  }
  return 0;
}

/* The end of each series written on change that declared it
 * (sim_recorder_signal_end), known only once the run ended: an attribute
 * of a dataset that may have been created long before. */
static int write_series_ends(sim_recorder *rec) {
  for (size_t i = 0; i < rec->n_sets; i++) {
    sim_table *t = rec->sets[i];
    if (t->end_ns < 0) continue;
    if (attr_num(rec, t->dset, SIM_SERIES_END, H5T_NATIVE_INT64, &t->end_ns) < 0) {
      rec_fail(rec, "cannot write the end of series /%s", t->path);
      return -1;
    }
  }
  return 0;
}

static int write_event_types(sim_recorder *rec) {
  if (!rec->events) return 0;
  size_t n = rec->n_etypes;
  const char **names = sim_calloc(n ? n : 1, sizeof *names);
  const char **docs = sim_calloc(n ? n : 1, sizeof *docs);
  int rc = -1;
  if (!names || !docs) {
    rec_fail(rec, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    names[i] = rec->etypes[i].name;
    docs[i] = rec->etypes[i].doc;
  }
  if (attr_strings(rec, rec->events->dset, "type_names", names, n, 1) < 0 ||
      attr_strings(rec, rec->events->dset, "type_docs", docs, n, 1) < 0) {
    rec_fail(rec, "cannot write the event type names");
    goto out;
  }
  rc = 0;
out:
  sim_free(names);
  sim_free(docs);
  return rc;
}

/* fsync of a file or directory by path: the data, then the rename, reach the disk. */
static int sync_path(const char *path, int directory) {
  int fd = open(path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NOFOLLOW);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  errno = err;
  return rc;
}

/* Closes *id through fault injection.  A close HDF5 really attempted is not
 * repeated even when it failed: the identifier is then gone (datasets) or
 * half destroyed (files, HDFFV-11052), and closing it again crashes. */
static int close_once(hid_t *id, herr_t (*close_fn)(hid_t)) {
  if (sim_fault_hit(SIM_FAULT_HDF5)) return -1; /* not performed: closed later by close_all */
  herr_t rc = close_fn(*id);
  *id = -1;
  return rc < 0 ? -1 : 0;
}

int sim_recorder_write(sim_recorder *rec, const char *path, sim_diag *diag) {
  if (!rec->final_path) {
    if (sim_recorder_begin(rec, path, diag) < 0) goto fail_reported;
  } else {
    assert(!strcmp(path, rec->final_path));
  }
  for (size_t i = 0; i < rec->n_sets && !rec->failed; i++) table_flush(rec->sets[i], 1);
  if (!rec->failed) apply_reparents(rec);
  if (!rec->failed) write_series_ends(rec);
  if (!rec->failed) write_event_types(rec);
  if (!rec->failed) write_root_attrs(rec);
  for (size_t i = 0; i < rec->n_sets && !rec->failed; i++) {
    sim_table *t = rec->sets[i];
    if (close_once(&t->dset, H5Dclose) < 0)
      rec_fail(rec, "cannot close dataset /%s", t->path);
    else
      io_check(rec, "dataset /", t->path);
  }
  if (!rec->failed && close_once(&rec->file, H5Fclose) < 0) rec_fail(rec, "cannot close the file");
  close_all(rec); /* the compound types; the file's handles once anything failed */
  if (!rec->failed) io_check(rec, rec->tmp_path, "");
  if (rec->failed) goto fail;
  if (sync_path(rec->tmp_path, 0) < 0) {
    rec_fail(rec, "cannot sync %s: %s", rec->tmp_path, strerror(errno));
    goto fail;
  }
  /* what lies at the final name may have changed during the run */
  if (sim_recorder_check_target(path, diag) < 0) {
    rec_fail(rec, "refusing to replace %s", path);
    goto fail_reported;
  }
  if (rename(rec->tmp_path, rec->final_path) < 0) {
    rec_fail(rec, "cannot rename %s: %s", rec->tmp_path, strerror(errno));
    goto fail;
  }
  rec->committed = 1;
  /* the rename is durable once the directory is synced; a failure here leaves
   * a complete file, so it is not an error of the run */
  const char *slash = strrchr(rec->final_path, '/');
  if (slash) {
    char *dir = sim_strndup(rec->final_path, (size_t)(slash - rec->final_path) + 1);
    if (dir) sync_path(dir, 1);
    sim_free(dir);
  } else {
    sync_path(".", 1);
  }
  unlock_output(rec);
  return 0;
fail:
  sim_diag_error(diag, path, 0, 0, "cannot write results: %s", rec->error);
fail_reported:
  close_all(rec);
  remove_temp(rec);
  unlock_output(rec);
  return -1;
}
