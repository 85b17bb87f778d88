/* models/registry.c: the table of models by name (see registry.h). */
#include "models/registry.h"

#include <string.h>

static const model_entry registry[] = {
    {MODEL_TECHNIQUE, "native", NULL},
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
