/* sim/recorder_internal.h: the recorder's private layout, shared by
 * sim/recorder.c (datasets in memory, HDF5 writing, the file's life cycle)
 * and sim/recorder_records.c (root attributes, entities, signals, events and
 * tables as the models declare and append them).  Nothing else includes it;
 * the model and invariants are in sim/recorder.c's file comment.  Units:
 * times in ns, sizes in bytes. */
#ifndef SIM_RECORDER_INTERNAL_H
#define SIM_RECORDER_INTERNAL_H
#include <hdf5.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/chunk_codec.h"
#include "sim/recorder.h"

/* Target chunk size: large enough for deflate to work well and for readers to
 * read millions of rows quickly, small enough to keep one per dataset in
 * memory (the HDF5 documentation suggests chunks of 10 KiB to 1 MiB).  A
 * chunk costs a fixed part to code (sim/chunk_codec.c: the Huffman trees of
 * its deflated planes, a block header per stretch of runs), so that larger
 * chunks cost less per row: with 256 KiB rather than 64 KiB, a recorded
 * run of datacenter-10k at 1,000 hosts takes 7% fewer instructions, and
 * its file is about half as large. */
#define CHUNK_BYTES ((size_t)256 * 1024)

typedef enum rec_type { REC_I64, REC_I32, REC_F64, REC_STR } rec_type;

typedef struct rec_col {
  char *name;    /* compound member name */
  rec_type type; /* storage type */
  char *unit;    /* unit string, stored as attribute unit_<name> */
  char *doc;     /* one line, stored as attribute doc_<name> */
  size_t offset; /* byte offset of the member in a packed row */
} rec_col;

/* One output dataset (a table, a signal's series, the events, the entities). */
struct sim_table {
  sim_recorder *rec;   /* owner */
  char *path;          /* HDF5 path below the root, e.g. "summary/guests" */
  char *doc;           /* dataset attribute "doc" */
  char *unit;          /* dataset attribute "unit" (series only), else NULL */
  size_t n_cols;       /* columns */
  rec_col *cols;       /* column descriptors */
  size_t row_bytes;    /* bytes of one packed row */
  bool has_str;        /* a column is a string: rows are zeroed first (its padding) */
  size_t chunk_rows;   /* rows per flush once the file is open */
  unsigned char *buf;  /* buffered rows, packed, from row `head` of it on, wrapping round at
                        * ring_rows (recorder.c table_flush) */
  size_t n_buf;        /* rows in buf */
  size_t cap_rows;     /* rows that fill buf: a flush, or buf grown, at the next */
  size_t ring_rows;    /* rows buf holds: cap_rows, or once rows wait behind a chunk written,
                        * cap_rows rounded up to whole chunks */
  size_t head;         /* the row of buf where the buffered rows start: 0, or a multiple of
                        * chunk_rows */
  uint64_t n_written;  /* rows already in the file */
  hid_t type;          /* compound type (memory and file), -1 before creation */
  hid_t dset;          /* dataset handle, -1 before creation */
  sim_time on_change_ns; /* series written on change: its sample interval, ns (attribute
                          * SIM_SERIES_ON_CHANGE); 0: every sample is a row */
  sim_time end_ns;       /* series written on change: the time of its last sample, ns
                          * (attribute SIM_SERIES_END); -1 while not declared */
  sim_chunk_memory chunk_memory; /* what its chunks coded so far found of its byte planes */
};

typedef struct rec_signal {
  char *name;      /* signal name, dataset series/<name> */
  sim_table *data; /* its dataset */
} rec_signal;

typedef struct rec_event_type {
  char *name; /* type name, listed in /events attribute type_names */
  char *doc;  /* listed in type_docs */
} rec_event_type;

/* A parent changed after the entity's row was written (applied at write()). */
typedef struct rec_reparent {
  int32_t id;     /* entity id */
  int32_t parent; /* its parent now, an entity id or -1 */
} rec_reparent;

typedef enum rec_attr_kind { ATTR_STR, ATTR_I64, ATTR_U64, ATTR_F64 } rec_attr_kind;
typedef struct rec_attr {
  char *name;         /* root attribute name */
  rec_attr_kind kind; /* which of the values is set */
  char *s;            /* ATTR_STR: text (UTF-8) */
  int64_t i;          /* ATTR_I64 */
  uint64_t u;         /* ATTR_U64 (seeds span the whole 64-bit range) */
  double f;           /* ATTR_F64 */
} rec_attr;

struct sim_recorder {
  /* configuration (copied) */
  sim_time sample_interval_ns; /* signals' sampling interval, ns */
  int keep_events;             /* keep the event log */
  int keep_series;             /* keep signals */
  char **signals;              /* names of signals kept; NULL: all */
  size_t n_signals;            /* entries of signals */
  int level;                   /* deflate level 0-9 */
  /* the compression of chunks (level > 0), one stream for every chunk */
  sim_chunk_codec codec;       /* shuffle + deflate of whole chunks, at `level` */
  /* datasets, in declaration order (written in this order) */
  sim_table **sets;
  size_t n_sets, cap_sets;
  sim_table *entities;         /* /entities */
  rec_reparent *reparents;     /* parents changed in rows of /entities already written */
  size_t n_reparents, cap_reparents;
  sim_table *events;           /* /events, NULL when not kept */
  rec_signal *sigs;            /* declared kept signals, by id */
  size_t n_sigs, cap_sigs;
  rec_event_type *etypes;      /* declared event types, by id */
  size_t n_etypes, cap_etypes;
  rec_attr *attrs;             /* root attributes */
  size_t n_attrs, cap_attrs;
  /* output */
  char *final_path;            /* destination, NULL before begin() */
  char *tmp_path;              /* temporary file, NULL before begin() */
  char *lock_path;             /* lock file .NAME.lock, NULL before begin() */
  int lock_fd;                 /* the lock file, flock'ed, -1 when not held */
  hid_t driver;                /* the file driver registered for this file, or -1 */
  int io_errno;                /* errno of the first write the disk refused, 0 while none */
  hid_t file;                  /* open temporary file, -1 when closed */
  hid_t str_type;              /* variable-length UTF-8 string type for attributes, or -1 */
  hid_t scalar;                /* scalar dataspace for attributes, or -1 */
  int owns_tmp;                /* tmp_path is this recorder's to remove: it holds the lock */
  int committed;               /* renamed to final_path */
  /* first failure */
  int failed;                  /* a call failed: the recorder is unusable */
  char error[512];             /* what failed */
};

/* A column as a dataset is declared with it. */
typedef struct col_def {
  const char *name, *unit, *doc;
  rec_type type;
} col_def;

/* ---- shared by the two files (sim/recorder.c) ---- */

/* Marks the recorder failed with a message (the first failure is kept). */
void rec_fail(sim_recorder *rec, const char *fmt, ...) SIM_PRINTF(2, 3);
/* 0, or fails the recorder when the output driver saw a write error. */
int io_check(sim_recorder *rec, const char *what, const char *name);
/* Whether s is a valid dataset or column name, and p a valid dataset path. */
int valid_name(const char *s);
int valid_path(const char *p);
/* A new dataset of n_cols columns at path; NULL (the recorder failed) on error. */
sim_table *table_new(sim_recorder *rec, const char *path, const char *doc, const char *unit,
                     size_t n_cols, const col_def *defs);
/* The next row of t to fill when t's buffer is full or its rows hold a
 * string (flushing a full chunk first, or growing the buffer; zeroing the
 * row); NULL on failure. */
unsigned char *table_row_slow(sim_table *t);
/* The k-th buffered row of t (k <= n_buf: the next to fill at n_buf). */
static inline unsigned char *table_slot(const sim_table *t, size_t k) {
  size_t at = t->head + k;
  if (at >= t->ring_rows) at -= t->ring_rows;
  return t->buf + at * t->row_bytes;
}
/* The next row of t to fill (zeroed when it has a string column; every
 * column of it is to be written), NULL on failure.  Inline: a series row is
 * appended at every sample of every entity whose value changed, and most
 * find room in the buffer. */
static inline unsigned char *table_row(sim_table *t) {
  if (t->n_buf < t->cap_rows && !t->has_str && !t->rec->failed) return table_slot(t, t->n_buf);
  return table_row_slow(t);
}
/* Stores a value of column c into a packed row (inline: a series row is
 * three of them, at every sample of every entity that changed). */
static inline void put_i64(unsigned char *row, const rec_col *c, int64_t v) {
  memcpy(row + c->offset, &v, sizeof v);
}
static inline void put_i32(unsigned char *row, const rec_col *c, int32_t v) {
  memcpy(row + c->offset, &v, sizeof v);
}
static inline void put_f64(unsigned char *row, const rec_col *c, double v) {
  memcpy(row + c->offset, &v, sizeof v);
}
void put_str(unsigned char *row, const rec_col *c, const char *s);

#endif
