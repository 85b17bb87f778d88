/* sim/yaml.c: YAML node tree over libyaml's event parser (see yaml.h).
 * Recursive descent over the event stream.  Anchors keep a pointer to their
 * node and its height; an alias is replaced by a deep copy, counted against
 * SIM_YAML_MAX_NODES and checked against SIM_YAML_MAX_DEPTH, so expansion is
 * bounded in memory, time and stack whatever the input.  Merge keys are
 * resolved when their mapping ends: keys written in the mapping win, then the
 * merged mappings in the order listed (YAML 1.1 merge-key type).
 * libyaml allocates its own buffers with malloc; the tree uses sim_malloc. */
#include "sim/yaml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "sim/alloc.h"

/* Fuzzing builds use smaller limits, so each input stays fast; the checks
 * exercised are the same. */
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define NODE_LIMIT 50000
#else
#define NODE_LIMIT SIM_YAML_MAX_NODES
#endif

const char *sim_yaml_kind_name(sim_yaml_kind kind) {
  switch (kind) {
    case SIM_YAML_SCALAR: return "scalar";
    case SIM_YAML_SEQ: return "sequence";
    case SIM_YAML_MAP: return "mapping";
  }
  return "node";
}

void sim_yaml_free(sim_yaml_node *n) {
  if (!n) return;
  sim_free(n->text);
  for (size_t i = 0; n->items && i < n->n; i++) sim_yaml_free(n->items[i]);
  for (size_t i = 0; n->pairs && i < n->n; i++) {
    sim_yaml_free(n->pairs[i].key);
    sim_yaml_free(n->pairs[i].value);
  }
  sim_free(n->items);
  sim_free(n->pairs);
  sim_free(n);
}

static sim_yaml_node *new_node(sim_yaml_kind kind, int line, int col) {
  sim_yaml_node *n = sim_calloc(1, sizeof *n);
  if (!n) return NULL;
  n->kind = kind;
  n->line = line;
  n->col = col;
  return n;
}

sim_yaml_node *sim_yaml_new_scalar(const char *text, int line, int col) {
  sim_yaml_node *n = new_node(SIM_YAML_SCALAR, line, col);
  if (!n) return NULL;
  n->text = sim_strdup(text);
  if (!n->text) {
    sim_free(n);
    return NULL;
  }
  return n;
}

static int seq_add(sim_yaml_node *seq, sim_yaml_node *item) {
  if (sim_grow((void **)&seq->items, &seq->cap, seq->n + 1, sizeof *seq->items) < 0) return -1;
  seq->items[seq->n++] = item;
  return 0;
}

int sim_yaml_map_add(sim_yaml_node *map, sim_yaml_node *key, sim_yaml_node *value) {
  if (sim_grow((void **)&map->pairs, &map->cap, map->n + 1, sizeof *map->pairs) < 0) return -1;
  map->pairs[map->n].key = key;
  map->pairs[map->n].value = value;
  map->n++;
  return 0;
}

/* Deep copy; *budget counts down the nodes still allowed. */
static sim_yaml_node *copy_node(const sim_yaml_node *n, size_t *budget) {
  if (*budget == 0) return NULL;
  (*budget)--;
  sim_yaml_node *c = new_node(n->kind, n->line, n->col);
  if (!c) return NULL;
  c->origin = n->origin;
  c->quoted = n->quoted;
  if (n->text && !(c->text = sim_strdup(n->text))) goto fail;
  if (n->kind == SIM_YAML_SEQ) {
    for (size_t i = 0; i < n->n; i++) {
      sim_yaml_node *item = copy_node(n->items[i], budget);
      if (!item || seq_add(c, item) < 0) {
        sim_yaml_free(item);
        goto fail;
      }
    }
  } else if (n->kind == SIM_YAML_MAP) {
    for (size_t i = 0; i < n->n; i++) {
      sim_yaml_node *k = copy_node(n->pairs[i].key, budget);
      sim_yaml_node *v = k ? copy_node(n->pairs[i].value, budget) : NULL;
      if (!v || sim_yaml_map_add(c, k, v) < 0) {
        sim_yaml_free(k);
        sim_yaml_free(v);
        goto fail;
      }
    }
  }
  return c;
fail:
  sim_yaml_free(c);
  return NULL;
}

sim_yaml_pair *sim_yaml_get_pair(const sim_yaml_node *map, const char *key) {
  if (!map || map->kind != SIM_YAML_MAP) return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (!strcmp(map->pairs[i].key->text, key)) return &map->pairs[i];
  return NULL;
}

sim_yaml_node *sim_yaml_get(const sim_yaml_node *map, const char *key) {
  sim_yaml_pair *p = sim_yaml_get_pair(map, key);
  return p ? p->value : NULL;
}

bool sim_yaml_is_null(const sim_yaml_node *n) {
  if (!n || n->kind != SIM_YAML_SCALAR || n->quoted) return false;
  const char *t = n->text;
  return !*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL");
}

/* ---- parser ---- */

typedef struct anchor {
  char *name;          /* without the '&' */
  sim_yaml_node *node; /* in the tree (or the graveyard); never freed before the parse ends */
  size_t height;       /* levels of the node's subtree, 1 for a scalar */
} anchor;

typedef struct parser {
  yaml_parser_t yp;
  const char *file;
  sim_diag *diag;
  anchor *anchors;
  size_t n_anchors, cap_anchors;
  sim_yaml_node **graveyard; /* merge-key values: anchors may point into them */
  size_t n_graveyard, cap_graveyard;
  size_t budget;             /* nodes still allowed */
  const char *text;          /* the input, for the position of a bad byte */
  size_t len;
  /* anchors of the collections being read, by depth (NULL: none): an alias
   * to one of them would make a node include itself */
  const char *open_anchor[SIM_YAML_MAX_DEPTH + 2];
  bool fatal;                /* parsing cannot go on (syntax error, limit, out of memory) */
} parser;

#define ERR(P, line, col, ...) sim_diag_error((P)->diag, (P)->file, (line), (col), __VA_ARGS__)

static void oom(parser *P) {
  if (!P->fatal) ERR(P, 0, 0, "out of memory while reading YAML");
  P->fatal = true;
}

static int next_event(parser *P, yaml_event_t *ev) {
  if (yaml_parser_parse(&P->yp, ev)) return 0;
  const yaml_mark_t *m = &P->yp.problem_mark;
  if (P->yp.error == YAML_MEMORY_ERROR) {
    oom(P);
  } else if (P->yp.error == YAML_READER_ERROR) {
    /* a bad byte (invalid UTF-8, a control character): the reader knows
     * only its offset; lines and columns are counted here, in bytes */
    size_t off = P->yp.problem_offset < P->len ? P->yp.problem_offset : P->len;
    int line = 1, col = 1;
    for (size_t i = 0; i < off; i++) {
      if (P->text[i] == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    if (P->yp.problem_value >= 0 && P->yp.problem_value <= 0xff)
      ERR(P, line, col, "invalid YAML: %s (byte 0x%02x)", P->yp.problem, P->yp.problem_value);
    else
      ERR(P, line, col, "invalid YAML: %s", P->yp.problem ? P->yp.problem : "bad character");
  } else if (P->yp.context)
    ERR(P, (int)m->line + 1, (int)m->column + 1, "invalid YAML: %s %s", P->yp.problem,
        P->yp.context);
  else
    ERR(P, (int)m->line + 1, (int)m->column + 1, "invalid YAML: %s",
        P->yp.problem ? P->yp.problem : "syntax error");
  P->fatal = true;
  return -1;
}

static size_t height(const sim_yaml_node *n) {
  size_t h = 0;
  if (n->kind == SIM_YAML_SEQ)
    for (size_t i = 0; i < n->n; i++) {
      size_t c = height(n->items[i]);
      if (c > h) h = c;
    }
  else if (n->kind == SIM_YAML_MAP)
    for (size_t i = 0; i < n->n; i++) {
      size_t c = height(n->pairs[i].value);
      if (c > h) h = c;
    }
  return h + 1;
}

static void add_anchor(parser *P, const yaml_char_t *name, sim_yaml_node *node) {
  if (!name || !node) return;
  if (sim_grow((void **)&P->anchors, &P->cap_anchors, P->n_anchors + 1, sizeof *P->anchors) < 0) {
    oom(P);
    return;
  }
  char *copy = sim_strdup((const char *)name);
  if (!copy) {
    oom(P);
    return;
  }
  P->anchors[P->n_anchors].name = copy;
  P->anchors[P->n_anchors].node = node;
  P->anchors[P->n_anchors].height = height(node);
  P->n_anchors++;
}

static int take_budget(parser *P, int line, int col) {
  if (P->budget == 0) {
    if (!P->fatal)
      ERR(P, line, col, "document too large: more than %d nodes after expanding aliases",
          NODE_LIMIT);
    P->fatal = true;
    return -1;
  }
  P->budget--;
  return 0;
}

static sim_yaml_node *parse_node(parser *P, yaml_event_t *ev, size_t depth);

static void bury(parser *P, sim_yaml_node *n) {
  if (sim_grow((void **)&P->graveyard, &P->cap_graveyard, P->n_graveyard + 1,
               sizeof *P->graveyard) < 0) {
    sim_yaml_free(n); /* anchors into it are dropped with it: parsing stops */
    oom(P);
    return;
  }
  P->graveyard[P->n_graveyard++] = n;
}

static bool is_merge_key(const sim_yaml_node *k) { return !k->quoted && !strcmp(k->text, "<<"); }

static int cmp_pair_keys(const void *a, const void *b) {
  const sim_yaml_pair *const *x = a, *const *y = b;
  int c = strcmp((*x)->key->text, (*y)->key->text);
  if (c) return c;
  /* equal keys: document order, so the later one is reported */
  return (*x < *y) ? -1 : (*x > *y);
}

static void check_duplicates(parser *P, sim_yaml_node *map) {
  if (map->n < 2) return;
  sim_yaml_pair **order = sim_malloc(map->n * sizeof *order);
  if (!order) {
    oom(P);
    return;
  }
  for (size_t i = 0; i < map->n; i++) order[i] = &map->pairs[i];
  qsort(order, map->n, sizeof *order, cmp_pair_keys);
  for (size_t i = 1; i < map->n; i++) {
    if (!strcmp(order[i]->key->text, order[i - 1]->key->text)) {
      const sim_yaml_node *k = order[i]->key, *first = order[i - 1]->key;
      ERR(P, k->line, k->col, "duplicate key '%s' (first at line %d)", k->text, first->line);
    }
  }
  sim_free(order);
}

/* Resolves `<<` pairs of a finished mapping. */
static void resolve_merges(parser *P, sim_yaml_node *map) {
  size_t explicit_n = 0;
  bool any = false;
  for (size_t i = 0; i < map->n; i++) any |= is_merge_key(map->pairs[i].key);
  if (!any) return;
  /* Keep explicit pairs first, in order; set the merge pairs aside. */
  sim_yaml_pair *merges = sim_malloc(map->n * sizeof *merges);
  if (!merges) {
    oom(P);
    return;
  }
  size_t n_merges = 0;
  for (size_t i = 0; i < map->n; i++) {
    if (is_merge_key(map->pairs[i].key))
      merges[n_merges++] = map->pairs[i];
    else
      map->pairs[explicit_n++] = map->pairs[i];
  }
  map->n = explicit_n;
  for (size_t m = 0; m < n_merges; m++) {
    sim_yaml_node *v = merges[m].value;
    size_t n_src = v->kind == SIM_YAML_SEQ ? v->n : 1;
    for (size_t s = 0; s < n_src && !P->fatal; s++) {
      const sim_yaml_node *src = v->kind == SIM_YAML_SEQ ? v->items[s] : v;
      if (sim_yaml_is_null(src)) continue; /* nothing to merge (or an undefined alias, reported) */
      if (src->kind != SIM_YAML_MAP) {
        ERR(P, src->line, src->col, "merge key '<<' expects a mapping or a list of mappings, found a %s",
            sim_yaml_kind_name(src->kind));
        continue;
      }
      for (size_t i = 0; i < src->n && !P->fatal; i++) {
        if (sim_yaml_get(map, src->pairs[i].key->text)) continue;
        sim_yaml_node *k = copy_node(src->pairs[i].key, &P->budget);
        sim_yaml_node *val = k ? copy_node(src->pairs[i].value, &P->budget) : NULL;
        if (!val || sim_yaml_map_add(map, k, val) < 0) {
          sim_yaml_free(k);
          sim_yaml_free(val);
          if (P->budget == 0)
            take_budget(P, src->line, src->col);
          else
            oom(P);
        }
      }
    }
    bury(P, merges[m].key); /* an anchor may name the key too */
    bury(P, v);
  }
  sim_free(merges);
}

static sim_yaml_node *parse_alias(parser *P, yaml_event_t *ev, size_t depth) {
  int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
  const char *name = (const char *)ev->data.alias.anchor;
  for (size_t i = P->n_anchors; i-- > 0;) {
    if (strcmp(P->anchors[i].name, name)) continue;
    if (depth + P->anchors[i].height > SIM_YAML_MAX_DEPTH) {
      ERR(P, line, col, "alias '*%s' nests deeper than %d levels", name, SIM_YAML_MAX_DEPTH);
      P->fatal = true;
      return NULL;
    }
    sim_yaml_node *c = copy_node(P->anchors[i].node, &P->budget);
    if (!c) {
      if (P->budget == 0)
        take_budget(P, line, col);
      else
        oom(P);
      return NULL;
    }
    c->line = line; /* errors in the copy point at the alias */
    c->col = col;
    return c;
  }
  for (size_t d = 1; d < depth && d < sizeof P->open_anchor / sizeof *P->open_anchor; d++)
    if (P->open_anchor[d] && !strcmp(P->open_anchor[d], name)) {
      ERR(P, line, col, "alias '*%s' refers to the node that holds it: a node cannot include itself", name);
      sim_yaml_node *n = sim_yaml_new_scalar("", line, col);
      if (!n) oom(P);
      return n;
    }
  ERR(P, line, col, "alias '*%s' refers to no anchor defined before it", name);
  sim_yaml_node *n = sim_yaml_new_scalar("", line, col);
  if (!n) oom(P);
  return n;
}

static sim_yaml_node *parse_node(parser *P, yaml_event_t *ev, size_t depth) {
  int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
  sim_yaml_node *n = NULL;
  if (depth > SIM_YAML_MAX_DEPTH) {
    ERR(P, line, col, "nesting deeper than %d levels", SIM_YAML_MAX_DEPTH);
    P->fatal = true;
    yaml_event_delete(ev);
    return NULL;
  }
  if (ev->type != YAML_ALIAS_EVENT && take_budget(P, line, col) < 0) {
    yaml_event_delete(ev);
    return NULL;
  }
  switch (ev->type) {
    case YAML_ALIAS_EVENT:
      n = parse_alias(P, ev, depth);
      yaml_event_delete(ev);
      return n;
    case YAML_SCALAR_EVENT: {
      const char *v = (const char *)ev->data.scalar.value;
      size_t len = ev->data.scalar.length;
      if (strlen(v) != len) ERR(P, line, col, "a NUL character inside a value");
      n = new_node(SIM_YAML_SCALAR, line, col);
      if (!n || !(n->text = sim_strndup(v, len))) {
        sim_free(n);
        n = NULL;
        oom(P);
        break;
      }
      n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
      add_anchor(P, ev->data.scalar.anchor, n);
      break;
    }
    case YAML_SEQUENCE_START_EVENT: {
      n = new_node(SIM_YAML_SEQ, line, col);
      if (!n) {
        oom(P);
        break;
      }
      P->open_anchor[depth] = (const char *)ev->data.sequence_start.anchor;
      for (;;) {
        yaml_event_t item;
        if (next_event(P, &item) < 0) break;
        if (item.type == YAML_SEQUENCE_END_EVENT) {
          yaml_event_delete(&item);
          break;
        }
        sim_yaml_node *c = parse_node(P, &item, depth + 1);
        if (!c) break;
        if (seq_add(n, c) < 0) {
          sim_yaml_free(c);
          oom(P);
          break;
        }
      }
      P->open_anchor[depth] = NULL;
      if (!P->fatal) add_anchor(P, ev->data.sequence_start.anchor, n);
      break;
    }
    case YAML_MAPPING_START_EVENT: {
      n = new_node(SIM_YAML_MAP, line, col);
      if (!n) {
        oom(P);
        break;
      }
      P->open_anchor[depth] = (const char *)ev->data.mapping_start.anchor;
      for (;;) {
        yaml_event_t kev;
        if (next_event(P, &kev) < 0) break;
        if (kev.type == YAML_MAPPING_END_EVENT) {
          yaml_event_delete(&kev);
          break;
        }
        int kl = (int)kev.start_mark.line + 1, kc = (int)kev.start_mark.column + 1;
        sim_yaml_node *k = parse_node(P, &kev, depth + 1);
        if (!k) break;
        yaml_event_t vev;
        if (next_event(P, &vev) < 0) {
          sim_yaml_free(k);
          break;
        }
        sim_yaml_node *v = parse_node(P, &vev, depth + 1);
        if (!v) {
          sim_yaml_free(k);
          break;
        }
        if (k->kind != SIM_YAML_SCALAR) {
          ERR(P, kl, kc, "a mapping key must be a plain value, found a %s", sim_yaml_kind_name(k->kind));
          bury(P, k); /* anchors may point into the pair: it outlives the parse */
          bury(P, v);
          continue;
        }
        if (sim_yaml_map_add(n, k, v) < 0) {
          sim_yaml_free(k);
          sim_yaml_free(v);
          oom(P);
          break;
        }
      }
      if (!P->fatal) resolve_merges(P, n);
      if (!P->fatal) check_duplicates(P, n);
      P->open_anchor[depth] = NULL;
      if (!P->fatal) add_anchor(P, ev->data.mapping_start.anchor, n);
      break;
    }
    default:
      ERR(P, line, col, "invalid YAML: unexpected event");
      P->fatal = true;
      break;
  }
  yaml_event_delete(ev);
  if (P->fatal) {
    sim_yaml_free(n);
    return NULL;
  }
  return n;
}

int sim_yaml_parse(const char *file, const char *text, size_t len, sim_yaml_node **root,
                   sim_diag *diag) {
  *root = NULL;
  parser P;
  memset(&P, 0, sizeof P);
  P.file = file;
  P.diag = diag;
  P.budget = NODE_LIMIT;
  P.text = text;
  P.len = len;
  size_t errors_before = diag->errors;
  if (!yaml_parser_initialize(&P.yp)) {
    sim_diag_error(diag, file, 0, 0, "out of memory while reading YAML");
    return -1;
  }
  yaml_parser_set_input_string(&P.yp, (const unsigned char *)text, len);
  sim_yaml_node *doc = NULL;
  yaml_event_t ev;
  /* stream start, then a document or the stream end */
  if (next_event(&P, &ev) == 0) {
    yaml_event_delete(&ev);
    if (next_event(&P, &ev) == 0) {
      if (ev.type == YAML_DOCUMENT_START_EVENT) {
        yaml_event_delete(&ev);
        if (next_event(&P, &ev) == 0) {
          doc = parse_node(&P, &ev, 1);
          if (!P.fatal && next_event(&P, &ev) == 0) { /* document end */
            yaml_event_delete(&ev);
            if (next_event(&P, &ev) == 0) {
              if (ev.type == YAML_DOCUMENT_START_EVENT)
                ERR(&P, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
                    "a second YAML document; a file holds one");
              yaml_event_delete(&ev);
            }
          }
        }
      } else {
        yaml_event_delete(&ev);
      }
    }
  }
  for (size_t i = 0; i < P.n_anchors; i++) sim_free(P.anchors[i].name);
  sim_free(P.anchors);
  for (size_t i = 0; i < P.n_graveyard; i++) sim_yaml_free(P.graveyard[i]);
  sim_free(P.graveyard);
  yaml_parser_delete(&P.yp);
  if (P.fatal || diag->errors > errors_before) {
    sim_yaml_free(doc);
    if (diag->errors == errors_before) sim_diag_error(diag, file, 0, 0, "cannot read YAML");
    return -1;
  }
  *root = doc;
  return 0;
}

/* ---- writer ---- */

struct sim_yaml_writer {
  yaml_emitter_t em;
  char *buf;        /* text written so far */
  size_t len, cap;  /* bytes used, allocated */
  bool failed;
};

static int write_handler(void *data, unsigned char *bytes, size_t size) {
  sim_yaml_writer *w = data;
  if (sim_grow((void **)&w->buf, &w->cap, w->len + size + 1, 1) < 0) {
    w->failed = true;
    return 0;
  }
  memcpy(w->buf + w->len, bytes, size);
  w->len += size;
  w->buf[w->len] = '\0';
  return 1;
}

static void emit(sim_yaml_writer *w, yaml_event_t *ev, int ok) {
  if (!ok) {
    w->failed = true;
    return;
  }
  if (!yaml_emitter_emit(&w->em, ev)) w->failed = true;
}

sim_yaml_writer *sim_yaml_writer_new(void) {
  sim_yaml_writer *w = sim_calloc(1, sizeof *w);
  if (!w) return NULL;
  if (!yaml_emitter_initialize(&w->em)) {
    sim_free(w);
    return NULL;
  }
  yaml_emitter_set_output(&w->em, write_handler, w);
  yaml_emitter_set_unicode(&w->em, 1);
  yaml_emitter_set_width(&w->em, -1); /* never fold a line */
  yaml_event_t ev;
  emit(w, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
  if (!w->failed) emit(w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
  return w;
}

void sim_yaml_writer_free(sim_yaml_writer *w) {
  if (!w) return;
  yaml_emitter_delete(&w->em);
  sim_free(w->buf);
  sim_free(w);
}

void sim_yaml_write_map_start(sim_yaml_writer *w, bool flow) {
  if (w->failed) return;
  yaml_event_t ev;
  emit(w, &ev, yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                   flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

void sim_yaml_write_map_end(sim_yaml_writer *w) {
  if (w->failed) return;
  yaml_event_t ev;
  emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

void sim_yaml_write_seq_start(sim_yaml_writer *w, bool flow) {
  if (w->failed) return;
  yaml_event_t ev;
  emit(w, &ev, yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                    flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE));
}

void sim_yaml_write_seq_end(sim_yaml_writer *w) {
  if (w->failed) return;
  yaml_event_t ev;
  emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void write_scalar_style(sim_yaml_writer *w, const char *text, bool quoted) {
  if (w->failed) return;
  yaml_event_t ev;
  emit(w, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
                                            !quoted, 1,
                                            quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE));
}

void sim_yaml_write_scalar(sim_yaml_writer *w, const char *text) {
  write_scalar_style(w, text, false);
}

void sim_yaml_write_kv(sim_yaml_writer *w, const char *key, const char *value) {
  sim_yaml_write_scalar(w, key);
  sim_yaml_write_scalar(w, value);
}

void sim_yaml_write_node(sim_yaml_writer *w, const sim_yaml_node *n) {
  switch (n->kind) {
    case SIM_YAML_SCALAR: write_scalar_style(w, n->text, n->quoted); break;
    case SIM_YAML_SEQ:
      sim_yaml_write_seq_start(w, false);
      for (size_t i = 0; i < n->n; i++) sim_yaml_write_node(w, n->items[i]);
      sim_yaml_write_seq_end(w);
      break;
    case SIM_YAML_MAP:
      sim_yaml_write_map_start(w, false);
      for (size_t i = 0; i < n->n; i++) {
        sim_yaml_write_node(w, n->pairs[i].key);
        sim_yaml_write_node(w, n->pairs[i].value);
      }
      sim_yaml_write_map_end(w);
      break;
  }
}

int sim_yaml_writer_finish(sim_yaml_writer *w, char **text) {
  *text = NULL;
  yaml_event_t ev;
  if (!w->failed) emit(w, &ev, yaml_document_end_event_initialize(&ev, 1));
  if (!w->failed) emit(w, &ev, yaml_stream_end_event_initialize(&ev));
  if (!w->failed && !yaml_emitter_flush(&w->em)) w->failed = true;
  if (w->failed || !w->buf) return -1;
  *text = w->buf;
  w->buf = NULL;
  w->len = w->cap = 0;
  return 0;
}
