/* sim/scenario_sweep.c: the `sweep` block (scenarios/SCHEMA.md "sweep"),
 * read by sim/sweep.c.  The loader checks what a sweep can get wrong before
 * anything runs: every swept path names a key of the scenario, and every
 * point gives a valid scenario (the first MAX_SWEEP_CHECKS points); an
 * invalid point's error names the values that are invalid alone, else the
 * point.  The scenario keeps one axis per swept
 * path with its distinct values, for the resolved text. */
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/scenario_internal.h"
#include "sim/sweep.h"

/* Loads the scenario with ovs added to the overrides; the first error goes
 * to *msg.  0 valid, -1 invalid, -2 out of memory. */
static int check_sweep_point(ctx *C, const sim_override *add, size_t n_add, char *msg, size_t len) {
  const scenario_source *src = C->src;
  sim_override *ovs = sim_malloc((src->n_ovs + n_add + 1) * sizeof *ovs);
  if (!ovs) return -2;
  if (src->n_ovs) memcpy(ovs, src->ovs, src->n_ovs * sizeof *ovs);
  if (n_add) memcpy(ovs + src->n_ovs, add, n_add * sizeof *ovs);
  scenario_source point = *src;
  point.ovs = ovs;
  point.n_ovs = src->n_ovs + n_add;
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

/* A position in the file, as a node for the schema's messages. */
static sim_yaml_node at(int line, int col) {
  sim_yaml_node n;
  memset(&n, 0, sizeof n);
  n.line = line;
  n.col = col;
  return n;
}

/* Whether the value of parameter k at point p was met at an earlier point
 * (it was then checked, alone, already). */
static bool seen_before(const sim_sweep *sw, size_t k, size_t p) {
  const char *t = sw->points[p].values[k].text;
  for (size_t q = 0; q < p; q++) {
    const char *u = sw->points[q].values[k].text;
    if (u && !strcmp(u, t)) return true;
  }
  return false;
}

/* Checks point p whole; when it is invalid, blames the values that are
 * invalid alone, else the point.  -1 when out of memory. */
static int check_point(ctx *C, const sim_sweep *sw, size_t p, sim_override *ovs) {
  size_t n = sim_sweep_point_overrides(sw, p, ovs);
  char msg[900];
  int rc = check_sweep_point(C, ovs, n, msg, sizeof msg);
  if (rc == -2) return -1;
  if (rc == 0) return 0;
  bool blamed = false;
  for (size_t k = 0; k < sw->n_params; k++) {
    const sim_sweep_value *v = &sw->points[p].values[k];
    if (!v->text) continue;
    if (seen_before(sw, k, p)) {
      blamed = true; /* reported with the earlier point, or valid there */
      continue;
    }
    char alone[900];
    sim_override ov = {sw->params[k].path, v->text};
    int r = check_sweep_point(C, &ov, 1, alone, sizeof alone);
    if (r == -2) return -1;
    if (r < 0) {
      sim_yaml_node where = at(v->line, v->col);
      sim_schema_error(&C->S, &where, "sweep value %s of '%s' gives an invalid scenario: %s", v->text,
                       sw->params[k].path, alone);
      blamed = true;
    }
  }
  if (!blamed) {
    const sim_sweep_value *v = NULL;
    for (size_t k = 0; k < sw->n_params && !v; k++)
      if (sw->points[p].values[k].text) v = &sw->points[p].values[k];
    sim_yaml_node where = at(v ? v->line : 0, v ? v->col : 0);
    if (sw->points[p].name[0])
      sim_schema_error(&C->S, &where, "sweep point '%s' gives an invalid scenario: %s", sw->points[p].name, msg);
    else
      sim_schema_error(&C->S, &where, "sweep point %zu gives an invalid scenario: %s", p, msg);
  }
  return 0;
}

/* The scenario's copy: one axis per parameter with its distinct values. */
static int keep_axes(ctx *C, const sim_sweep *sw) {
  sim_scenario *s = C->s;
  s->sweep_replications = sw->replications;
  if (!sw->n_params) return 0;
  s->sweep = sim_calloc(sw->n_params, sizeof *s->sweep);
  if (!s->sweep) return -1;
  for (size_t k = 0; k < sw->n_params; k++) {
    sim_sweep_axis *ax = &s->sweep[s->n_sweep_axes++];
    if (!(ax->path = sim_strdup(sw->params[k].path))) return -1;
    if (!(ax->values = sim_calloc(sw->n_points, sizeof *ax->values))) return -1;
    for (size_t p = 0; p < sw->n_points; p++) {
      const char *t = sw->points[p].values[k].text;
      bool seen = !t;
      for (size_t i = 0; i < ax->n_values && !seen; i++) seen = !strcmp(ax->values[i], t);
      if (seen) continue;
      if (!(ax->values[ax->n_values] = sim_strdup(t))) return -1;
      ax->n_values++;
    }
  }
  return 0;
}

void scenario_load_sweep(ctx *C, const sim_yaml_node *sw_node, sim_yaml_node *root) {
  if (!sw_node) return;
  sim_sweep *sw = NULL;
  if (sim_sweep_parse(&C->S, sw_node, &sw) < 0) return;
  bool paths_ok = true;
  for (size_t k = 0; k < sw->n_params && !C->S.oom; k++) {
    sim_yaml_node *parent;
    char last[NAME_MAX_LEN];
    const sim_yaml_node *target =
        scenario_find_path(C, root, sw->params[k].path, &parent, last, sizeof last, NULL);
    if (!parent || (!target && parent->kind != SIM_YAML_MAP)) {
      sim_yaml_node n = at(sw->params[k].line, sw->params[k].col);
      sim_schema_error(&C->S, &n, "sweep path '%s' names no key of the scenario", sw->params[k].path);
      paths_ok = false;
    }
  }
  /* points only when every path exists: a wrong path would fail each one;
   * a point is checked whole, since zipped values go together */
  sim_override *ovs = sim_malloc((sw->n_params + 1) * sizeof *ovs);
  if (!ovs) sim_schema_nomem(&C->S);
  for (size_t p = 0; ovs && paths_ok && p < sw->n_points && !C->S.oom; p++)
    if (C->sweep_checks++ < MAX_SWEEP_CHECKS && check_point(C, sw, p, ovs) < 0) sim_schema_nomem(&C->S);
  sim_free(ovs);
  if (!C->S.oom && keep_axes(C, sw) < 0) sim_schema_nomem(&C->S);
  sim_sweep_free(sw);
}
