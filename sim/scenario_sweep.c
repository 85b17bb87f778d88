/* sim/scenario_sweep.c: the `sweep` block (scenarios/SCHEMA.md "sweep"):
 * axes of --set paths and values.  Every point is loaded once to check it
 * is a valid scenario (at most MAX_SWEEP_CHECKS per file). */
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/scenario_internal.h"

/* Loads the scenario with `path=value` added to the overrides; the first
 * error goes to *msg.  0 valid, -1 invalid, -2 out of memory. */
static int check_sweep_point(ctx *C, const char *path, const char *value, char *msg, size_t len) {
  const scenario_source *src = C->src;
  sim_override *ovs = sim_malloc((src->n_ovs + 1) * sizeof *ovs);
  if (!ovs) return -2;
  if (src->n_ovs) memcpy(ovs, src->ovs, src->n_ovs * sizeof *ovs);
  ovs[src->n_ovs].path = path;
  ovs[src->n_ovs].value = value;
  scenario_source point = *src;
  point.ovs = ovs;
  point.n_ovs = src->n_ovs + 1;
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  int rc = scenario_load_source(&point, true, &s, &d);
  sim_free(ovs);
  sim_scenario_free(s);
  if (rc < 0) {
    rc = d.oom ? -2 : -1;
    msg[0] = '\0';
    for (size_t i = 0; i < d.count; i++)
      if (d.entries[i].level == SIM_DIAG_ERROR) {
        snprintf(msg, len, "%s", d.entries[i].message);
        if (!strcmp(msg, "out of memory") || strstr(msg, "out of memory while")) rc = -2;
        break;
      }
  }
  sim_diag_clear(&d);
  return rc;
}

/* The values of an axis, each checked; -1 when out of memory. */
static int load_values(ctx *C, const sim_yaml_node *vv, const char *path, sim_sweep_axis *ax) {
  ax->values = sim_calloc(vv->n, sizeof *ax->values);
  if (!ax->values) { sim_schema_nomem(&C->S); return -1; }
  for (size_t k = 0; k < vv->n && !C->S.oom; k++) {
    const char *t = sim_schema_scalar(&C->S, vv->items[k], "values", "a value");
    if (!t) continue;
    /* every point of the sweep must be a valid scenario */
    char msg[900];
    int rc = C->sweep_checks++ < MAX_SWEEP_CHECKS ? check_sweep_point(C, path, t, msg, sizeof msg) : 0;
    if (rc == -2) {
      sim_schema_nomem(&C->S);
      return -1;
    }
    if (rc < 0)
      sim_schema_error(&C->S, vv->items[k], "sweep value %s of '%s' gives an invalid scenario: %s", t, path, msg);
    ax->values[ax->n_values] = sim_schema_strdup(&C->S, t);
    if (ax->values[ax->n_values]) ax->n_values++;
  }
  return 0;
}

/* Axis i {path, values}; -1 when out of memory. */
static int load_axis(ctx *C, const sim_yaml_node *a, size_t i, sim_yaml_node *root) {
  sim_scenario *s = C->s;
  sim_schema_set_what(&C->S, "sweep axis %zu", i);
  if (!sim_schema_is_map(&C->S, a, "a sweep axis {path, values}")) return 0;
  static const char *const keys[] = {"path", "values"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, a, keys);
  const sim_yaml_node *pv = sim_schema_need(&C->S, a, "path"), *vv = sim_schema_need(&C->S, a, "values");
  const char *path = pv ? sim_schema_scalar(&C->S, pv, "path", "a key path such as guests.web.vcpus") : NULL;
  if (!path || !vv || !sim_schema_is_seq(&C->S, vv, "a list of values")) return 0;
  sim_yaml_node *parent;
  char last[NAME_MAX_LEN];
  const sim_yaml_node *target = scenario_find_path(C, root, path, &parent, last, sizeof last, NULL);
  if (!parent || (!target && parent->kind != SIM_YAML_MAP)) {
    sim_schema_error(&C->S, pv, "sweep path '%s' names no key of the scenario", path);
    return 0;
  }
  sim_sweep_axis *ax = &s->sweep[s->n_sweep_axes++];
  ax->path = sim_schema_strdup(&C->S, path);
  return load_values(C, vv, path, ax);
}

void scenario_load_sweep(ctx *C, const sim_yaml_node *sw, sim_yaml_node *root) {
  sim_scenario *s = C->s;
  if (!sw || !sim_schema_is_map(&C->S, sw, "a sweep {replications, axes}")) return;
  sim_schema_set_what(&C->S, "sweep");
  static const char *const keys[] = {"replications", "axes"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, sw, keys);
  sim_schema_u32(&C->S, sw, "replications", 1, 100000, &s->sweep_replications);
  const sim_yaml_node *axes = sim_schema_need(&C->S, sw, "axes");
  if (!axes || !sim_schema_is_seq(&C->S, axes, "a list of axes {path, values}")) return;
  s->sweep = sim_calloc(axes->n, sizeof *s->sweep);
  if (!s->sweep) { sim_schema_nomem(&C->S); return; }
  for (size_t i = 0; i < axes->n && !C->S.oom; i++)
    if (load_axis(C, axes->items[i], i, root) < 0) return;
}
