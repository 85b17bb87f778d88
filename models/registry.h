/* models/registry.h: every model, registered by name in one table.
 * A scenario picks a technique, scheduler or migration strategy by name; a new
 * one is one new file plus one row in registry.c. */
#ifndef MODELS_REGISTRY_H
#define MODELS_REGISTRY_H
#include <stddef.h>

typedef enum model_kind { MODEL_TECHNIQUE, MODEL_SCHEDULER, MODEL_MIGRATION, MODEL_IO_PATH } model_kind;

typedef struct model_entry {
  model_kind kind;
  const char *name;
  const void *ops; /* the kind's ops table: technique_ops, scheduler_ops ... */
} model_entry;

/* The entry of that kind and name; NULL when unknown. */
const model_entry *model_find(model_kind kind, const char *name);
/* The names of a kind, for error messages and suggestions; returns the count. */
size_t model_names(model_kind kind, const char **names, size_t max);

#endif
