/* sim/schema.c: typed reading of a YAML tree against a schema (sim/schema.h).
 * Every message has the form "'KEY' in WHAT: ..." or "unknown key 'K' in
 * WHAT", WHAT being the reader's current `what`, so the user sees which
 * entry of which section is wrong; the texts are part of the interface
 * (tests/bad/NAME.expected). */
#include "sim/schema.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/suggest.h"

void sim_schema_init(sim_schema *S, const char *file, sim_diag *diag) {
  memset(S, 0, sizeof *S);
  S->file = file;
  S->diag = diag;
}

/* ---- messages ---- */

static void verror(sim_schema *S, const sim_yaml_node *n, const char *fmt, va_list ap) {
  char buf[900];
  vsnprintf(buf, sizeof buf, fmt, ap);
  const char *file = n && n->origin ? n->origin : S->file;
  sim_diag_error(S->diag, file, n ? n->line : 0, n ? n->col : 0, "%s", buf);
  if (S->diag->oom) S->oom = true;
}

void sim_schema_error(sim_schema *S, const sim_yaml_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  verror(S, n, fmt, ap);
  va_end(ap);
}

void sim_schema_error_capped(sim_schema *S, int kind, const sim_yaml_node *n, const char *fmt, ...) {
  if (S->similar_errors[kind]++ >= SIM_SCHEMA_MAX_SIMILAR) {
    S->suppressed++;
    S->diag->errors++; /* still an error, just not printed */
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  verror(S, n, fmt, ap);
  va_end(ap);
}

void sim_schema_nomem(sim_schema *S) {
  if (!S->oom) sim_diag_error(S->diag, S->file, 0, 0, "out of memory while loading the scenario");
  S->oom = true;
}

void sim_schema_set_what(sim_schema *S, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(S->what, sizeof S->what, fmt, ap);
  va_end(ap);
}

char *sim_schema_strdup(sim_schema *S, const char *s) {
  if (!s) return NULL;
  char *d = sim_strdup(s);
  if (!d) sim_schema_nomem(S);
  return d;
}

static const char *found_desc(const sim_yaml_node *n, char *buf, size_t len) {
  if (n->kind == SIM_YAML_SCALAR)
    snprintf(buf, len, "\"%.200s\"", n->text);
  else
    snprintf(buf, len, "a %s", sim_yaml_kind_name(n->kind));
  return buf;
}

/* ---- structure ---- */

/* The key a synonym stands for, when it is among the allowed keys. */
static const char *synonym_of(const sim_schema *S, const char *word, const char *const *keys, size_t n) {
  for (size_t s = 0; s < S->n_synonyms; s++)
    if (!strcmp(word, S->synonyms[s][0]))
      for (size_t j = 0; j < n; j++)
        if (!strcmp(keys[j], S->synonyms[s][1])) return keys[j];
  return NULL;
}

void sim_schema_check_keys(sim_schema *S, const sim_yaml_node *map, const char *const *keys, size_t n) {
  for (size_t i = 0; i < map->n; i++) {
    const sim_yaml_node *k = map->pairs[i].key;
    size_t j;
    for (j = 0; j < n; j++)
      if (!strcmp(k->text, keys[j])) break;
    if (j < n) continue;
    const char *near = synonym_of(S, k->text, keys, n);
    if (!near) near = sim_suggest(k->text, keys, n);
    if (near)
      sim_schema_error(S, k, "unknown key '%s' in %s; did you mean '%s'?", k->text, S->what, near);
    else
      sim_schema_error(S, k, "unknown key '%s' in %s", k->text, S->what);
  }
}

const sim_yaml_node *sim_schema_opt(const sim_yaml_node *map, const char *key) {
  const sim_yaml_node *v = sim_yaml_get(map, key);
  return v && !sim_yaml_is_null(v) ? v : NULL;
}

const sim_yaml_node *sim_schema_need(sim_schema *S, const sim_yaml_node *map, const char *key) {
  const sim_yaml_node *v = sim_schema_opt(map, key);
  if (!v) sim_schema_error(S, map, "missing key '%s' in %s", key, S->what);
  return v;
}

bool sim_schema_is_map(sim_schema *S, const sim_yaml_node *n, const char *expected) {
  if (n->kind == SIM_YAML_MAP) return true;
  char f[256];
  sim_schema_error(S, n, "expected %s (a mapping), found %s", expected, found_desc(n, f, sizeof f));
  return false;
}

bool sim_schema_is_seq(sim_schema *S, const sim_yaml_node *n, const char *expected) {
  if (n->kind == SIM_YAML_SEQ) return true;
  char f[256];
  sim_schema_error(S, n, "expected %s (a sequence), found %s", expected, found_desc(n, f, sizeof f));
  return false;
}

const char *sim_schema_scalar(sim_schema *S, const sim_yaml_node *n, const char *key,
                              const char *expected) {
  if (n->kind == SIM_YAML_SCALAR) return n->text;
  sim_schema_error(S, n, "'%s' in %s: expected %s, found a %s", key, S->what, expected,
                   sim_yaml_kind_name(n->kind));
  return NULL;
}

/* ---- typed getters ---- */

/* The scalar text of key, NULL when absent (silently) or not a scalar (an error). */
static const char *text_of(sim_schema *S, const sim_yaml_node *map, const char *key,
                           const char *expected, const sim_yaml_node **v) {
  *v = sim_schema_opt(map, key);
  return *v ? sim_schema_scalar(S, *v, key, expected) : NULL;
}

void sim_schema_time(sim_schema *S, const sim_yaml_node *map, const char *key, sim_time *out,
                     sim_time min) {
  const sim_yaml_node *v;
  const char *t = text_of(S, map, key, "a time such as \"30 ms\"", &v);
  if (!t) return;
  char e[400];
  sim_time x;
  if (sim_parse_time(t, &x, e, sizeof e) < 0) {
    sim_schema_error(S, v, "'%s' in %s: %s", key, S->what, e);
    return;
  }
  if (x < min) {
    char m[48];
    sim_format_quantity(SIM_UNIT_TIME, (double)min, m, sizeof m);
    sim_schema_error(S, v, "'%s' in %s must be at least %s, found \"%s\"", key, S->what, m, t);
    return;
  }
  if (x > SIM_SCHEMA_MAX_TIME) {
    sim_schema_error(S, v, "'%s' in %s must be at most 1e9 s (about 31 years), found \"%s\"", key,
                     S->what, t);
    return;
  }
  *out = x;
}

void sim_schema_size(sim_schema *S, const sim_yaml_node *map, const char *key, uint64_t *out,
                     uint64_t min) {
  const sim_yaml_node *v;
  const char *t = text_of(S, map, key, "a size such as \"4 GiB\"", &v);
  if (!t) return;
  char e[400];
  uint64_t x;
  if (sim_parse_size(t, &x, e, sizeof e) < 0) {
    sim_schema_error(S, v, "'%s' in %s: %s", key, S->what, e);
    return;
  }
  if (x < min) {
    char m[48];
    sim_format_quantity(SIM_UNIT_SIZE, (double)min, m, sizeof m);
    sim_schema_error(S, v, "'%s' in %s must be at least %s, found \"%s\"", key, S->what, m, t);
    return;
  }
  *out = x;
}

static void range_error(sim_schema *S, const sim_yaml_node *v, const char *key, const char *t,
                        sim_unit_kind kind, double lo, double hi) {
  char a[48], b[48];
  sim_format_quantity(kind, lo, a, sizeof a);
  sim_format_quantity(kind, hi, b, sizeof b);
  if (lo > 0 && lo < 1e-6) /* "strictly positive" */
    sim_schema_error(S, v, "'%s' in %s must be greater than 0 and at most %s, found \"%s\"", key,
                     S->what, b, t);
  else if (hi >= 1e300)
    sim_schema_error(S, v, "'%s' in %s must be at least %s, found \"%s\"", key, S->what, a, t);
  else
    sim_schema_error(S, v, "'%s' in %s must be from %s to %s, found \"%s\"", key, S->what, a, b, t);
}

void sim_schema_real(sim_schema *S, const sim_yaml_node *map, const char *key, double *out,
                     sim_unit_kind kind, double lo, double hi) {
  const sim_yaml_node *v;
  const char *t = text_of(S, map, key, "a quantity", &v);
  if (!t) return;
  char e[400];
  double x = 0;
  int rc;
  switch (kind) {
    case SIM_UNIT_RATE: rc = sim_parse_rate(t, &x, e, sizeof e); break;
    case SIM_UNIT_FREQ: rc = sim_parse_freq(t, &x, e, sizeof e); break;
    case SIM_UNIT_PERCENT: rc = sim_parse_ratio(t, &x, e, sizeof e); break;
    default: rc = sim_parse_count(t, &x, e, sizeof e); break;
  }
  if (rc < 0) {
    sim_schema_error(S, v, "'%s' in %s: %s", key, S->what, e);
    return;
  }
  if (x < lo || x > hi) {
    range_error(S, v, key, t, kind, lo, hi);
    return;
  }
  *out = x;
}

void sim_schema_count(sim_schema *S, const sim_yaml_node *map, const char *key, double *out) {
  sim_schema_real(S, map, key, out, SIM_UNIT_NONE, 0, SIM_SCHEMA_HUGE);
}

void sim_schema_bytes(sim_schema *S, const sim_yaml_node *map, const char *key, double *out) {
  const sim_yaml_node *v;
  const char *t = text_of(S, map, key, "a size or a number of bytes", &v);
  if (!t) return;
  sim_quantity q;
  char e[400];
  if (sim_quantity_parse(t, &q, e, sizeof e) < 0)
    sim_schema_error(S, v, "'%s' in %s: expected a size such as \"4 KiB\" or a number of bytes, %s",
                     key, S->what, e);
  else if (q.kind != SIM_UNIT_SIZE && q.kind != SIM_UNIT_NONE)
    sim_schema_error(S, v,
                     "'%s' in %s: expected a size such as \"4 KiB\" or a number of bytes, found "
                     "\"%s\" (a %s)",
                     key, S->what, t, sim_unit_kind_name(q.kind));
  else
    *out = q.value;
}

void sim_schema_uint(sim_schema *S, const sim_yaml_node *map, const char *key, uint64_t lo,
                     uint64_t hi, uint64_t *out) {
  const sim_yaml_node *v;
  const char *t = text_of(S, map, key, "a whole number", &v);
  if (!t) return;
  char e[400];
  uint64_t x;
  if (sim_parse_uint(t, UINT64_MAX, &x, e, sizeof e) < 0) {
    sim_schema_error(S, v, "'%s' in %s: %s", key, S->what, e);
    return;
  }
  if (x < lo || x > hi) {
    sim_schema_error(S, v, "'%s' in %s must be from %llu to %llu, found %s", key, S->what,
                     (unsigned long long)lo, (unsigned long long)hi, t);
    return;
  }
  *out = x;
}

void sim_schema_u32(sim_schema *S, const sim_yaml_node *map, const char *key, uint64_t lo,
                    uint64_t hi, uint32_t *out) {
  uint64_t x = *out;
  sim_schema_uint(S, map, key, lo, hi, &x);
  *out = (uint32_t)x;
}

bool sim_schema_parse_bool(sim_schema *S, const sim_yaml_node *v, const char *key, bool *out) {
  if (v->kind == SIM_YAML_SCALAR && !v->quoted) {
    if (!strcmp(v->text, "true") || !strcmp(v->text, "True") || !strcmp(v->text, "TRUE")) {
      *out = true;
      return true;
    }
    if (!strcmp(v->text, "false") || !strcmp(v->text, "False") || !strcmp(v->text, "FALSE")) {
      *out = false;
      return true;
    }
  }
  char f[256];
  sim_schema_error(S, v, "'%s' in %s: expected true or false, found %s", key, S->what,
                   found_desc(v, f, sizeof f));
  return false;
}

void sim_schema_bool(sim_schema *S, const sim_yaml_node *map, const char *key, bool *out) {
  const sim_yaml_node *v = sim_schema_opt(map, key);
  if (v) sim_schema_parse_bool(S, v, key, out);
}

void sim_schema_str(sim_schema *S, const sim_yaml_node *map, const char *key, char **out) {
  const sim_yaml_node *v;
  const char *t = text_of(S, map, key, "a string", &v);
  if (!t) return;
  char *d = sim_schema_strdup(S, t);
  if (!d) return;
  sim_free(*out);
  *out = d;
}

bool sim_schema_enum(sim_schema *S, const sim_yaml_node *map, const char *key,
                     const sim_schema_names *list, size_t *out) {
  const sim_yaml_node *v;
  const char *t = text_of(S, map, key, "a name", &v);
  if (!t) return false;
  for (size_t i = 0; i < list->n; i++)
    if (!strcmp(t, list->names[i])) {
      *out = i;
      return true;
    }
  char known[300] = "";
  for (size_t i = 0; i < list->n; i++) {
    strncat(known, list->names[i], sizeof known - strlen(known) - 1);
    if (i + 1 < list->n) strncat(known, ", ", sizeof known - strlen(known) - 1);
  }
  const char *near = sim_suggest(t, list->names, list->n);
  if (near)
    sim_schema_error(S, v, "unknown %s '%s' in %s; did you mean '%s'? (known: %s)", list->what, t,
                     S->what, near, known);
  else
    sim_schema_error(S, v, "unknown %s '%s' in %s (known: %s)", list->what, t, S->what, known);
  return false;
}

void sim_schema_enum_str(sim_schema *S, const sim_yaml_node *map, const char *key,
                         const sim_schema_names *list, char **out) {
  size_t i;
  if (!sim_schema_enum(S, map, key, list, &i)) return;
  char *d = sim_schema_strdup(S, list->names[i]);
  if (!d) return;
  sim_free(*out);
  *out = d;
}

void sim_schema_strings(sim_schema *S, const sim_yaml_node *map, const char *key,
                        const char *expected, const char *item, char ***out, size_t *n) {
  const sim_yaml_node *seq = sim_schema_opt(map, key);
  if (!seq || !sim_schema_is_seq(S, seq, expected)) return;
  *out = sim_calloc(seq->n, sizeof **out);
  if (!*out) {
    sim_schema_nomem(S);
    return;
  }
  for (size_t i = 0; i < seq->n && !S->oom; i++) {
    const char *t = sim_schema_scalar(S, seq->items[i], key, item);
    if (!t) continue;
    (*out)[*n] = sim_schema_strdup(S, t);
    if ((*out)[*n]) (*n)++;
  }
}
