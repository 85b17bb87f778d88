/* sim/recorder_records.c: what the models record through sim/recorder.h:
 * root attributes, entities (and their re-parenting after a migration),
 * signals and their samples, event types and events, and tables of their
 * own.  Each appends packed rows to an in-memory dataset of the recorder
 * (sim/recorder.c writes them to the file).  Units: times in ns; every
 * column's unit is declared with it. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/h5util.h"
#include "sim/recorder_internal.h"

/* ---- root attributes ---- */

static rec_attr *attr_slot(sim_recorder *rec, const char *name) {
  if (rec->failed) return NULL;
  if (!valid_name(name)) {
    rec_fail(rec, "invalid attribute name '%s'", name ? name : "(null)");
    return NULL;
  }
  for (size_t i = 0; i < rec->n_attrs; i++)
    if (!strcmp(rec->attrs[i].name, name)) {
      sim_free(rec->attrs[i].s);
      rec->attrs[i].s = NULL;
      return &rec->attrs[i];
    }
  if (sim_grow((void **)&rec->attrs, &rec->cap_attrs, rec->n_attrs + 1, sizeof *rec->attrs) < 0)
    goto oom;
  rec_attr *a = &rec->attrs[rec->n_attrs];
  memset(a, 0, sizeof *a);
  if (!(a->name = sim_strdup(name))) goto oom;
  rec->n_attrs++;
  return a;
oom:
  rec_fail(rec, "out of memory");
  return NULL;
}

int sim_recorder_attr_str(sim_recorder *rec, const char *name, const char *value) {
  rec_attr *a = attr_slot(rec, name);
  if (!a) return -1;
  a->kind = ATTR_STR;
  if (!(a->s = sim_strdup(value ? value : ""))) {
    rec_fail(rec, "out of memory");
    return -1;
  }
  return 0;
}

int sim_recorder_attr_i64(sim_recorder *rec, const char *name, int64_t value) {
  rec_attr *a = attr_slot(rec, name);
  if (!a) return -1;
  a->kind = ATTR_I64;
  a->i = value;
  return 0;
}

int sim_recorder_attr_u64(sim_recorder *rec, const char *name, uint64_t value) {
  rec_attr *a = attr_slot(rec, name);
  if (!a) return -1;
  a->kind = ATTR_U64;
  a->u = value;
  return 0;
}

int sim_recorder_attr_f64(sim_recorder *rec, const char *name, double value) {
  rec_attr *a = attr_slot(rec, name);
  if (!a) return -1;
  a->kind = ATTR_F64;
  a->f = value;
  return 0;
}

/* ---- entities, signals, events, tables ---- */

int32_t sim_recorder_entity(sim_recorder *rec, const char *kind, const char *name, int32_t parent) {
  sim_table *t = rec->entities;
  uint64_t id = t->n_written + t->n_buf;
  assert(parent >= -1 && (uint64_t)(parent + 1) <= id);
  if (id >= INT32_MAX) {
    rec_fail(rec, "too many entities");
    return -1;
  }
  unsigned char *row = table_row(t);
  if (!row) return -1;
  put_i32(row, &t->cols[0], (int32_t)id);
  put_str(row, &t->cols[1], kind);
  put_str(row, &t->cols[2], name);
  put_i32(row, &t->cols[3], parent);
  t->n_buf++;
  return (int32_t)id;
}

int sim_recorder_entity_reparent(sim_recorder *rec, int32_t id, int32_t parent) {
  if (rec->failed) return -1;
  sim_table *t = rec->entities;
  assert(id >= 0 && (uint64_t)id < t->n_written + t->n_buf && parent >= -1 &&
         (uint64_t)(parent + 1) <= t->n_written + t->n_buf && parent != id);
  if ((uint64_t)id >= t->n_written) { /* its row is still buffered */
    put_i32(table_slot(t, (size_t)((uint64_t)id - t->n_written)), &t->cols[3], parent);
    return 0;
  }
  for (size_t i = 0; i < rec->n_reparents; i++)
    if (rec->reparents[i].id == id) {
      rec->reparents[i].parent = parent;
      return 0;
    }
  if (sim_grow((void **)&rec->reparents, &rec->cap_reparents, rec->n_reparents + 1,
               sizeof *rec->reparents) < 0) {
    rec_fail(rec, "out of memory");
    return -1;
  }
  rec->reparents[rec->n_reparents++] = (rec_reparent){id, parent};
  return 0;
}


static int signal_kept(const sim_recorder *rec, const char *name) {
  if (!rec->keep_series) return 0;
  if (!rec->signals) return 1;
  for (size_t i = 0; i < rec->n_signals; i++)
    if (!strcmp(rec->signals[i], name)) return 1;
  return 0;
}

int sim_recorder_signal(sim_recorder *rec, const char *name, const char *unit, const char *doc) {
  if (rec->failed) return -1;
  if (!valid_name(name)) {
    rec_fail(rec, "invalid signal name '%s'", name ? name : "(null)");
    return -1;
  }
  if (!signal_kept(rec, name)) return SIM_SIGNAL_OFF;
  for (size_t i = 0; i < rec->n_sigs; i++)
    if (!strcmp(rec->sigs[i].name, name)) {
      /* declared again (by another instance of a model): the same series */
      if (strcmp(rec->sigs[i].data->unit, unit ? unit : "")) {
        rec_fail(rec, "signal '%s' declared with units '%s' and '%s'", name,
                 rec->sigs[i].data->unit, unit ? unit : "");
        return -1;
      }
      return (int)i;
    }
  if (sim_grow((void **)&rec->sigs, &rec->cap_sigs, rec->n_sigs + 1, sizeof *rec->sigs) < 0) {
    rec_fail(rec, "out of memory");
    return -1;
  }
  char path[160];
  snprintf(path, sizeof path, SIM_H5_SERIES "/%s", name);
  const col_def cols[] = {
      {"time_ns", "ns", "simulated time of the sample", REC_I64},
      {"entity", "1", "entity id (/entities)", REC_I32},
      {"value", unit ? unit : "", doc, REC_F64},
  };
  rec_signal *s = &rec->sigs[rec->n_sigs];
  if (!(s->name = sim_strdup(name))) {
    rec_fail(rec, "out of memory");
    return -1;
  }
  if (!(s->data = table_new(rec, path, doc, unit ? unit : "", 3, cols))) {
    sim_free(s->name);
    return -1;
  }
  return (int)rec->n_sigs++;
}

int sim_recorder_signal_on_change(sim_recorder *rec, int signal) {
  if (signal == SIM_SIGNAL_OFF) return 0;
  if (rec->failed) return -1;
  assert(signal >= 0 && (size_t)signal < rec->n_sigs);
  sim_table *t = rec->sigs[signal].data;
  /* marked before its first row, so before its dataset exists */
  assert(t->dset < 0 && t->n_buf == 0);
  t->on_change_ns = rec->sample_interval_ns > 0 ? rec->sample_interval_ns : 0;
  return 0;
}

int sim_recorder_signal_end(sim_recorder *rec, int signal, sim_time end) {
  if (signal == SIM_SIGNAL_OFF) return 0;
  if (rec->failed) return -1;
  assert(signal >= 0 && (size_t)signal < rec->n_sigs && end >= 0);
  sim_table *t = rec->sigs[signal].data;
  /* only a series written on change leaves out rows its readers fill */
  assert(t->on_change_ns > 0);
  t->end_ns = end;
  return 0;
}

int sim_emit(sim_recorder *rec, int signal, int32_t entity, sim_time t, double value) {
  if (signal == SIM_SIGNAL_OFF) return 0;
  if (rec->failed) return -1;
  assert(signal >= 0 && (size_t)signal < rec->n_sigs);
  sim_table *d = rec->sigs[signal].data;
  unsigned char *row = table_row(d);
  if (!row) return -1;
  put_i64(row, &d->cols[0], t);
  put_i32(row, &d->cols[1], entity);
  put_f64(row, &d->cols[2], value);
  d->n_buf++;
  return 0;
}

int sim_recorder_event_type(sim_recorder *rec, const char *name, const char *doc) {
  if (rec->failed) return -1;
  if (!valid_name(name)) {
    rec_fail(rec, "invalid event type name '%s'", name ? name : "(null)");
    return -1;
  }
  for (size_t i = 0; i < rec->n_etypes; i++)
    if (!strcmp(rec->etypes[i].name, name)) return (int)i;
  if (sim_grow((void **)&rec->etypes, &rec->cap_etypes, rec->n_etypes + 1, sizeof *rec->etypes) <
      0) {
    rec_fail(rec, "out of memory");
    return -1;
  }
  rec_event_type *e = &rec->etypes[rec->n_etypes];
  e->name = sim_strdup(name);
  e->doc = sim_strdup(doc ? doc : "");
  if (!e->name || !e->doc) {
    sim_free(e->name);
    sim_free(e->doc);
    rec_fail(rec, "out of memory");
    return -1;
  }
  return (int)rec->n_etypes++;
}

int sim_record_event(sim_recorder *rec, int type, sim_time t, int32_t entity, double value0,
                     double value1) {
  if (rec->failed) return -1;
  assert(type >= 0 && (size_t)type < rec->n_etypes);
  if (!rec->events) return 0;
  sim_table *d = rec->events;
  unsigned char *row = table_row(d);
  if (!row) return -1;
  /* the columns' offsets read before the row is written (its bytes might
   * alias them, and each would be read again after each store) */
  size_t at_t = d->cols[0].offset, at_type = d->cols[1].offset, at_entity = d->cols[2].offset;
  size_t at_v0 = d->cols[3].offset, at_v1 = d->cols[4].offset;
  memcpy(row + at_t, &t, sizeof t);
  int32_t type_id = (int32_t)type;
  memcpy(row + at_type, &type_id, sizeof type_id);
  memcpy(row + at_entity, &entity, sizeof entity);
  memcpy(row + at_v0, &value0, sizeof value0);
  memcpy(row + at_v1, &value1, sizeof value1);
  d->n_buf++;
  return 0;
}

sim_table *sim_recorder_table(sim_recorder *rec, const char *path, const char *doc, size_t n_cols,
                              const sim_column *cols) {
  if (rec->failed) return NULL;
  if (!valid_path(path) || n_cols == 0 || !strcmp(path, SIM_H5_ENTITIES) ||
      !strcmp(path, SIM_H5_EVENTS) || !strncmp(path, SIM_H5_SERIES "/", strlen(SIM_H5_SERIES) + 1)) {
    rec_fail(rec, "invalid or reserved table path '%s'", path ? path : "(null)");
    return NULL;
  }
  col_def *defs = sim_calloc(n_cols, sizeof *defs);
  if (!defs) {
    rec_fail(rec, "out of memory");
    return NULL;
  }
  for (size_t i = 0; i < n_cols; i++) {
    if (!valid_name(cols[i].name)) {
      sim_free(defs);
      rec_fail(rec, "table '%s': invalid column name '%s'", path,
               cols[i].name ? cols[i].name : "(null)");
      return NULL;
    }
    defs[i].name = cols[i].name;
    defs[i].unit = cols[i].unit;
    defs[i].doc = cols[i].doc;
    defs[i].type = cols[i].type == SIM_COL_I64   ? REC_I64
                   : cols[i].type == SIM_COL_F64 ? REC_F64
                                                 : REC_STR;
  }
  sim_table *t = table_new(rec, path, doc, NULL, n_cols, defs);
  sim_free(defs);
  return t;
}

int sim_table_append(sim_table *table, const sim_cell *row_cells) {
  unsigned char *row = table_row(table);
  if (!row) return -1;
  for (size_t i = 0; i < table->n_cols; i++) {
    const rec_col *c = &table->cols[i];
    switch (c->type) {
      case REC_I64: put_i64(row, c, row_cells[i].i); break;
      case REC_F64: put_f64(row, c, row_cells[i].f); break;
      case REC_STR: put_str(row, c, row_cells[i].s); break;
      case REC_I32: assert(!"tables have no int32 columns"); break;
    }
  }
  table->n_buf++;
  return 0;
}
