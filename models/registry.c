/* models/registry.c: the table of models by name (see registry.h). */
#include "models/registry.h"

#include <string.h>

#include "models/io.h"
#include "models/migration.h"
#include "models/scheduler.h"
#include "models/techniques.h"

static const model_entry registry[] = {
    /* virtualization techniques (models/techniques.h) */
    {MODEL_TECHNIQUE, "native", &technique_native_ops},
    {MODEL_TECHNIQUE, "container", &technique_container_ops},
    {MODEL_TECHNIQUE, "bt", &technique_bt_ops},
    {MODEL_TECHNIQUE, "pv", &technique_pv_ops},
    {MODEL_TECHNIQUE, "hvm", &technique_hvm_ops},
    {MODEL_TECHNIQUE, "hvm-ept", &technique_hvm_ept_ops},
    /* CPU schedulers (models/scheduler.h) */
    {MODEL_SCHEDULER, "rr", &sched_rr_ops},
    {MODEL_SCHEDULER, "credit", &sched_credit_ops},
    {MODEL_SCHEDULER, "credit2", &sched_credit2_ops},
    {MODEL_SCHEDULER, "cfs", &sched_cfs_ops},
    /* I/O paths (models/io.h) */
    {MODEL_IO_PATH, "emulated", &iopath_emulated_ops},
    {MODEL_IO_PATH, "pv", &iopath_pv_ops},
    {MODEL_IO_PATH, "virtio", &iopath_virtio_ops},
    {MODEL_IO_PATH, "passthrough", &iopath_passthrough_ops},
    {MODEL_IO_PATH, "bridge", &iopath_bridge_ops},
    {MODEL_IO_PATH, "nat", &iopath_nat_ops},
    {MODEL_IO_PATH, "native", &iopath_native_ops},
    /* live migration strategies (models/migration.h) */
    {MODEL_MIGRATION, "precopy", &migration_precopy_ops},
    {MODEL_MIGRATION, "stop-and-copy", &migration_stopcopy_ops},
    {MODEL_MIGRATION, "postcopy", &migration_postcopy_ops},
    {MODEL_MIGRATION, "container", &migration_container_ops},
};

const model_entry *model_find(model_kind kind, const char *name) {
  for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
    if (registry[i].kind == kind && !strcmp(registry[i].name, name)) return &registry[i];
  return NULL;
}

size_t model_names(model_kind kind, const char **names, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
    if (registry[i].kind == kind) {
      if (n < max) names[n] = registry[i].name;
      n++;
    }
  return n;
}
