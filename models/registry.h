/* models/registry.h: the model catalog, every model of every pluggable kind
 * in one table.  A row is {kind, ops} (plus, for a technique, the I/O path a
 * guest gets by default and the kind of guest it runs); a model's name is
 * its ops table's `name`, written once.  The catalog is the one source of
 * the names scenarios may use: model_vocabulary() hands them to the loader
 * (sim/vocabulary.h), so a new model is one new file plus one row in
 * registry.c, and the loader accepts it with nothing else to change.
 * Invariants (tests/test_catalog.c): names are unique per kind; a
 * technique's default I/O path is a catalog I/O path. */
#ifndef MODELS_REGISTRY_H
#define MODELS_REGISTRY_H
#include <stddef.h>

#include "sim/scenario.h"
#include "sim/vocabulary.h"

typedef enum model_kind {
  MODEL_TECHNIQUE,    /* technique_ops (models/technique.h): per guest */
  MODEL_SCHEDULER,    /* scheduler_ops (models/scheduler.h): per host */
  MODEL_MIGRATION,    /* migration_ops (models/migration.h) */
  MODEL_IO_PATH,      /* iopath_ops (models/io.h): per guest */
  /* the data center (models/datacenter.h): a `datacenter` section and
   * host types' `power` name them */
  MODEL_PLACEMENT,    /* dc_placement_ops */
  MODEL_OVERLOAD,     /* dc_overload_ops */
  MODEL_UNDERLOAD,    /* dc_underload_ops */
  MODEL_VM_SELECTION, /* dc_vmselect_ops */
  MODEL_POWER,        /* dc_power_ops */
  MODEL_GOVERNOR      /* dvfs_governor_ops (models/dvfs.h): host types' dvfs.governor */
} model_kind;

struct iopath_ops;

typedef struct model_entry {
  model_kind kind;
  const void *ops; /* the kind's ops table (see model_kind) */
  /* techniques only: */
  const struct iopath_ops *default_io_path; /* a guest's I/O path without io_path */
  sim_guest_kind guest_kind;                /* the kind of guest the technique runs */
} model_entry;

/* The name of an entry: its ops table's `name`. */
const char *model_entry_name(const model_entry *e);
/* The entry of that kind and name; NULL when unknown. */
const model_entry *model_find(model_kind kind, const char *name);
/* Its ops table; NULL when unknown. */
const void *model_ops(model_kind kind, const char *name);
/* The names of a kind, in catalog order, for error messages and
 * suggestions; returns the count (names beyond max are counted, not stored). */
size_t model_names(model_kind kind, const char **names, size_t max);
/* The whole catalog: *n rows. */
const model_entry *model_catalog(size_t *n);

/* Elastic services' models (models/balancer.h, models/autoscale.h), in
 * catalogs of their own beside the table above: by name, NULL when unknown. */
const struct balancer_ops *model_balancer(const char *name);
const struct autoscale_ops *model_autoscale(const char *name);

/* The catalog's names as the scenario loader takes them, with `data_path`
 * (not copied: it must outlive the vocabulary's use; NULL: none) as where
 * shipped workloads are found. */
sim_vocabulary model_vocabulary(const sim_data_path *data_path);

#endif
