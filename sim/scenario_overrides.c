/* sim/scenario_overrides.c: --set PATH=VALUE applied to the YAML tree before
 * the schema walk (scenarios/SCHEMA.md "Overrides").  A path is dotted keys;
 * in a sequence a component is an index or the `name` of an item.  Nodes an
 * override brings carry its label ("--set PATH=VALUE") as their origin, so
 * an error in them names the override. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/scenario_internal.h"

/* Walks the dotted path.  Returns the node at the full path (NULL when the
 * last component is absent) and sets *parent and last; *parent is NULL when
 * an inner component is missing.  With `create` (an origin label), missing
 * keys of mappings on the way are added as empty mappings, so
 * `--set simulation.seed=7` works on a file without a simulation section. */
const sim_yaml_node *scenario_find_path(ctx *C, sim_yaml_node *root, const char *path,
                                        sim_yaml_node **parent, char *last, size_t last_len,
                                        const char *create) {
  *parent = NULL;
  sim_yaml_node *cur = root;
  const char *p = path;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    if (len == 0 || len >= last_len || !cur) return NULL;
    memcpy(last, p, len);
    last[len] = '\0';
    sim_yaml_node *next = NULL;
    if (cur->kind == SIM_YAML_MAP) {
      sim_yaml_pair *pair = sim_yaml_get_pair(cur, last);
      if (pair && dot && create && sim_yaml_is_null(pair->value)) {
        sim_yaml_node *m = sim_calloc(1, sizeof *m);
        if (!m) {
          sim_schema_nomem(&C->S);
          return NULL;
        }
        m->kind = SIM_YAML_MAP;
        m->origin = create;
        sim_yaml_free(pair->value);
        pair->value = m;
      }
      next = pair ? pair->value : NULL;
      if (!next && dot && create) {
        sim_yaml_node *k = sim_yaml_new_scalar(last, 0, 0);
        sim_yaml_node *m = sim_calloc(1, sizeof *m);
        if (!k || !m || sim_yaml_map_add(cur, k, m) < 0) {
          sim_yaml_free(k);
          sim_free(m);
          sim_schema_nomem(&C->S);
          return NULL;
        }
        k->origin = m->origin = create;
        m->kind = SIM_YAML_MAP;
        next = m;
      }
    } else if (cur->kind == SIM_YAML_SEQ) {
      char *end;
      unsigned long idx = strtoul(last, &end, 10);
      if (*end == '\0' && last[0] >= '0' && last[0] <= '9') {
        if (idx < cur->n) next = cur->items[idx];
      } else {
        for (size_t i = 0; i < cur->n && !next; i++) {
          const sim_yaml_node *nm = sim_yaml_get(cur->items[i], "name");
          if (nm && nm->kind == SIM_YAML_SCALAR && !strcmp(nm->text, last)) next = cur->items[i];
        }
      }
    }
    if (!dot) {
      *parent = cur;
      return next;
    }
    cur = next;
    p = dot + 1;
  }
}

static void set_origin(sim_yaml_node *n, const char *origin) {
  n->origin = origin;
  n->line = n->col = 0;
  for (size_t i = 0; n->kind == SIM_YAML_SEQ && i < n->n; i++) set_origin(n->items[i], origin);
  for (size_t i = 0; n->kind == SIM_YAML_MAP && i < n->n; i++) {
    set_origin(n->pairs[i].key, origin);
    set_origin(n->pairs[i].value, origin);
  }
}

void scenario_apply_override(ctx *C, sim_yaml_node **root, const sim_override *ov) {
  size_t ll = strlen(ov->path) + strlen(ov->value) + 8;
  char *label = sim_malloc(ll);
  if (!label || sim_grow((void **)&C->labels, &C->cap_labels, C->n_labels + 1, sizeof *C->labels) < 0) {
    sim_free(label);
    { sim_schema_nomem(&C->S); return; }
  }
  snprintf(label, ll, "--set %s=%s", ov->path, ov->value);
  C->labels[C->n_labels++] = label;
  if (!*root) {
    sim_diag_error(C->S.diag, label, 0, 0, "the scenario is empty");
    return;
  }
  sim_yaml_node *parent;
  char last[NAME_MAX_LEN];
  const sim_yaml_node *target = scenario_find_path(C, *root, ov->path, &parent, last, sizeof last, label);
  if (C->S.oom) return;
  if (!parent || (!target && parent->kind != SIM_YAML_MAP)) {
    sim_diag_error(C->S.diag, label, 0, 0, "no key '%s' in the scenario", ov->path);
    return;
  }
  sim_yaml_node *value = NULL;
  if (sim_yaml_parse(label, ov->value, strlen(ov->value), &value, C->S.diag) < 0) {
    if (C->S.diag->oom) sim_schema_nomem(&C->S);
    return;
  }
  if (!value && !(value = sim_yaml_new_scalar("", 0, 0))) { sim_schema_nomem(&C->S); return; }
  set_origin(value, label);
  if (parent->kind == SIM_YAML_MAP) {
    sim_yaml_pair *pair = sim_yaml_get_pair(parent, last);
    if (pair) {
      sim_yaml_free(pair->value);
      pair->value = value;
    } else {
      sim_yaml_node *key = sim_yaml_new_scalar(last, 0, 0);
      if (!key || sim_yaml_map_add(parent, key, value) < 0) {
        sim_yaml_free(key);
        sim_yaml_free(value);
        { sim_schema_nomem(&C->S); return; }
      }
      key->origin = label;
    }
  } else {
    for (size_t i = 0; i < parent->n; i++)
      if (parent->items[i] == target) {
        sim_yaml_free(parent->items[i]);
        parent->items[i] = value;
      }
  }
}
