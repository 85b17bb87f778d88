/* sim/recorder.h: what a run records, apart from what it simulates.
 * Models emit signals, events and table rows through this interface and never
 * touch files (the ns-3/OMNeT++ split); the recorder decides what is kept (the
 * scenario's `record` section) and writes one HDF5 file per run, atomically:
 * under a temporary name, renamed on success, so a failed or killed run leaves
 * nothing under the final name.  The final name is only ever a new file or a
 * regular file (never a link, device or FIFO), one run at a time writes it (a
 * lock file beside it), and a disk that refuses a write (ENOSPC, EIO) fails
 * the run with that cause and leaves no file.  The layout is documented in
 * DATASETS.md.
 *
 * Three kinds of record:
 *  - entities: every host, guest, vCPU, device and migration gets a small
 *    integer id, written once as /entities (id, kind, name, parent) at the
 *    end, with the parent each has then (a migrated guest: its last host);
 *  - signals: time series sampled by the models, written in long format as
 *    /series/<signal> with columns (time_ns, entity, value) and a unit; a
 *    signal written on change holds a row only where an entity's value
 *    differs from its previous row (and at its first sample, and at its last
 *    unless the series declares its end): a value holds until the entity's
 *    next row, or until the series' end;
 *  - tables: fixed-column tables (summaries, migration rounds, request
 *    latencies), written as compound datasets with a unit per column;
 *  - events: a log of discrete events, /events (time_ns, type, entity, value0,
 *    value1), the type names as an attribute.
 * Every append returns 0 or a negative error (out of memory, write failure);
 * once an error occurred the recorder stays failed and write() reports it. */
#ifndef SIM_RECORDER_H
#define SIM_RECORDER_H
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/time.h"

typedef struct sim_recorder sim_recorder;
typedef struct sim_table sim_table;

typedef enum sim_col_type { SIM_COL_I64, SIM_COL_F64, SIM_COL_STR } sim_col_type;
/* Width of a string cell, bytes including the terminator (fixed-length
 * strings read cleanly in h5py, pandas and MATLAB). */
#define SIM_STR_CELL 64

typedef struct sim_column {
  const char *name; /* dataset member name, snake_case with unit suffix where it has one */
  sim_col_type type;
  const char *unit; /* "ns", "s", "bytes", "bit/s", "cycles", "1" (dimensionless) ... */
  const char *doc;  /* one line, stored as an attribute */
} sim_column;

typedef union sim_cell {
  int64_t i;
  double f;
  const char *s;
} sim_cell;

typedef struct sim_record_config {
  sim_time sample_interval_ns; /* models sample signals at this interval */
  int events;                  /* keep the event log */
  int series;                  /* keep signals */
  const char *const *signals;  /* names of signals to keep; NULL: all */
  size_t n_signals;
  int compression_level;       /* deflate 0-9 */
} sim_record_config;

sim_recorder *sim_recorder_new(const sim_record_config *config);
void sim_recorder_free(sim_recorder *rec);
sim_time sim_recorder_sample_interval(const sim_recorder *rec);
/* Bytes of memory the datasets' row buffers hold now (their capacity): rows
 * not yet in the file.  Once the output is begun (sim_recorder_begin) they
 * are at most a chunk a dataset, whatever the run's size; before, every row
 * of the run. */
size_t sim_recorder_buffered_bytes(const sim_recorder *rec);

/* Root attributes: version, scenario text, resolved scenario, profile, seed ... */
int sim_recorder_attr_str(sim_recorder *rec, const char *name, const char *value);
int sim_recorder_attr_i64(sim_recorder *rec, const char *name, int64_t value);
int sim_recorder_attr_f64(sim_recorder *rec, const char *name, double value);
int sim_recorder_attr_u64(sim_recorder *rec, const char *name, uint64_t value);

/* Registers an entity; returns its id (>= 0) or a negative error.  kind is
 * "host", "guest", "vcpu", "disk", "nic", "migration"...; parent is an entity
 * id or -1. */
int32_t sim_recorder_entity(sim_recorder *rec, const char *kind, const char *name, int32_t parent);
/* Entity id now belongs to `parent` (an entity id or -1; a guest that
 * migrated to another host): /entities records the last parent given.  0 or
 * negative when the recorder failed. */
int sim_recorder_entity_reparent(sim_recorder *rec, int32_t id, int32_t parent);

/* Declares a signal; returns its id (>= 0), SIM_SIGNAL_OFF when the record
 * configuration does not keep it (emitting to it is then a no-op), or a
 * negative error. */
#define SIM_SIGNAL_OFF (-1000)
int sim_recorder_signal(sim_recorder *rec, const char *name, const char *unit, const char *doc);
int sim_emit(sim_recorder *rec, int signal, int32_t entity, sim_time t, double value);
/* n rows of `signal` at time t, entity[k] with value[k], in order: what n
 * calls of sim_emit write, at a fraction of their cost (a sampler writing
 * many entities at one instant).  0, or negative when the recorder failed;
 * a no-op for SIM_SIGNAL_OFF. */
int sim_emit_batch(sim_recorder *rec, int signal, sim_time t, size_t n, const int32_t *entity,
                   const double *value);
/* Declares that the model emits `signal` on change: at each sample interval
 * (sim_recorder_sample_interval) it writes an entity's value only when it
 * differs from the last one written for that entity, and always its first
 * sample, and its last unless it declares the series' end
 * (sim_recorder_signal_end), so that a value holds until the entity's next
 * row.  The dataset then carries the int64 attribute SIM_SERIES_ON_CHANGE,
 * the sample interval in ns, from which readers fill the samples in
 * between.  Called after sim_recorder_signal and before the first sim_emit;
 * a no-op for SIM_SIGNAL_OFF.  0 or negative when the recorder failed. */
#define SIM_SERIES_ON_CHANGE "on_change_interval_ns"
int sim_recorder_signal_on_change(sim_recorder *rec, int signal);
/* Declares that the samples of `signal`, written on change, end at `end`
 * (ns, the time of the last sample, a sample instant of every entity that
 * has rows): each entity's last row then holds until `end`, and an entity's
 * value unchanged at the last sample needs no row there.  The dataset
 * carries it as the int64 attribute SIM_SERIES_END.  Called once the last
 * sample is taken, before write(); a no-op for SIM_SIGNAL_OFF.  0 or
 * negative when the recorder failed. */
#define SIM_SERIES_END "on_change_end_ns"
int sim_recorder_signal_end(sim_recorder *rec, int signal, sim_time end);

/* Declares an event type; returns its id (>= 0) or a negative error. */
int sim_recorder_event_type(sim_recorder *rec, const char *name, const char *doc);
int sim_record_event(sim_recorder *rec, int type, sim_time t, int32_t entity, double value0,
                     double value1);

/* Declares a table at an HDF5 path such as "summary/guests" or
 * "migration/rounds"; NULL when out of memory.  The table belongs to rec. */
sim_table *sim_recorder_table(sim_recorder *rec, const char *path, const char *doc, size_t n_cols,
                              const sim_column *cols);
int sim_table_append(sim_table *table, const sim_cell *row);

/* Whether `path` may receive a result: a new name, or an existing regular
 * file (replaced).  A symbolic link, a directory, a device, a FIFO or a socket
 * is refused with a diagnostic naming the path: 0 or negative.  begin() and
 * write() check it too; a caller may check every output before any run. */
int sim_recorder_check_target(const char *path, sim_diag *diag);
/* Creates directory `dir` and its parents (mkdir -p), for an output's
 * directory; 0, or -1 with errno set. */
int sim_output_make_dirs(const char *dir);

/* Opens the output early, under its temporary name, so that rows are flushed
 * to it a chunk at a time during the run instead of held in memory (optional:
 * write() opens it otherwise): checks the path, takes the lock (a second
 * writer of the same output fails here), removes the temporaries of killed
 * runs of this output.  0, or negative with a diagnostic.  A recorder
 * freed without a successful write() removes the temporary file. */
int sim_recorder_begin(sim_recorder *rec, const char *path, sim_diag *diag);
/* What made the recorder fail (an append, a flush), or NULL while it works.
 * Owned by rec. */
const char *sim_recorder_error(const sim_recorder *rec);
/* The temporary file's path once begun (for a signal handler to remove it),
 * else NULL. */
const char *sim_recorder_temp_path(const sim_recorder *rec);
/* The output's lock file (.NAME.lock) while this recorder holds it, else
 * NULL: a signal handler removes it with the temporary file (the lock itself
 * ends with the process). */
const char *sim_recorder_lock_path(const sim_recorder *rec);

/* Writes everything to `path` atomically.  0 on success; on failure a
 * diagnostic naming the path, and no file under `path`. */
int sim_recorder_write(sim_recorder *rec, const char *path, sim_diag *diag);

#endif
