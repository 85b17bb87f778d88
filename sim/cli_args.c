/* sim/cli_args.c: --set options (see cli_args.h). */
#include "sim/cli_args.h"

#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"

int sim_override_parse(const char *arg, sim_override *out, char *err, size_t errlen) {
  const char *eq = strchr(arg, '=');
  if (!eq) {
    snprintf(err, errlen, "--set expects PATH=VALUE, found '%s'", arg);
    return -1;
  }
  if (eq == arg) {
    snprintf(err, errlen, "--set expects PATH=VALUE, found an empty path in '%s'", arg);
    return -1;
  }
  char *path = sim_strndup(arg, (size_t)(eq - arg));
  if (!path) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  out->path = path;
  out->value = eq + 1;
  return 0;
}

int sim_overrides_take(int argc, char **argv, int *i, sim_overrides *ovs, char *err, size_t errlen) {
  const char *a = argv[*i];
  const char *spec;
  if (!strcmp(a, "--set")) {
    if (*i + 1 >= argc) {
      snprintf(err, errlen, "--set expects PATH=VALUE");
      return -1;
    }
    spec = argv[++*i];
  } else if (!strncmp(a, "--set=", 6)) {
    spec = a + 6;
  } else {
    return 0;
  }
  if (sim_grow((void **)&ovs->items, &ovs->cap, ovs->n + 1, sizeof *ovs->items) < 0) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (sim_override_parse(spec, &ovs->items[ovs->n], err, errlen) < 0) return -1;
  ovs->n++;
  return 1;
}

void sim_overrides_free(sim_overrides *ovs) {
  for (size_t i = 0; i < ovs->n; i++) sim_free((void *)ovs->items[i].path);
  sim_free(ovs->items);
  ovs->items = NULL;
  ovs->n = ovs->cap = 0;
}
