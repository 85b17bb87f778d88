/* tests/test_yaml.c: the YAML node tree (sim/yaml.c): positions, aliases,
 * merge keys, limits against hostile input, the writer, allocation faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/yaml.h"
#include "tests/cunit_main.h"

static sim_yaml_node *parse(const char *text, sim_diag *d) {
  sim_diag_init(d);
  sim_yaml_node *root = NULL;
  int rc = sim_yaml_parse("t.yaml", text, strlen(text), &root, d);
  CU_ASSERT_EQUAL(rc < 0, d->errors > 0);
  return root;
}

static bool has_message(const sim_diag *d, const char *part, int line) {
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->entries[i].message, part) && (line == 0 || d->entries[i].line == line)) return true;
  return false;
}

static void test_positions(void) {
  sim_diag d;
  sim_yaml_node *r = parse("a: 1\nb:\n  - x\n  - {c: \"q\"}\n", &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_EQUAL(r->kind, SIM_YAML_MAP);
  CU_ASSERT_EQUAL(r->n, 2);
  const sim_yaml_node *b = sim_yaml_get(r, "b");
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_EQUAL(b->kind, SIM_YAML_SEQ);
  CU_ASSERT_EQUAL(b->items[0]->line, 3);
  CU_ASSERT_EQUAL(b->items[0]->col, 5);
  const sim_yaml_node *c = sim_yaml_get(b->items[1], "c");
  CU_ASSERT_STRING_EQUAL(c->text, "q");
  CU_ASSERT_TRUE(c->quoted);
  CU_ASSERT_EQUAL(c->line, 4);
  CU_ASSERT_EQUAL(c->col, 9);
  CU_ASSERT_FALSE(sim_yaml_get(r, "a")->quoted);
  sim_yaml_free(r);
  sim_diag_clear(&d);
}

static void test_alias_and_merge(void) {
  sim_diag d;
  sim_yaml_node *r = parse("base: &b {x: 1, y: 2}\n"
                           "other: &o {y: 20, z: 30}\n"
                           "copy: *b\n"
                           "m: {<<: [*b, *o], x: 100}\n",
                           &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  const sim_yaml_node *copy = sim_yaml_get(r, "copy");
  CU_ASSERT_STRING_EQUAL(sim_yaml_get(copy, "y")->text, "2");
  CU_ASSERT_EQUAL(copy->line, 3); /* the alias's position */
  const sim_yaml_node *m = sim_yaml_get(r, "m");
  CU_ASSERT_EQUAL(m->n, 3);
  CU_ASSERT_STRING_EQUAL(sim_yaml_get(m, "x")->text, "100"); /* explicit key wins */
  CU_ASSERT_STRING_EQUAL(sim_yaml_get(m, "y")->text, "2");   /* first merged map wins */
  CU_ASSERT_STRING_EQUAL(sim_yaml_get(m, "z")->text, "30");
  CU_ASSERT_PTR_NULL(sim_yaml_get(m, "<<"));
  sim_yaml_free(r);
  sim_diag_clear(&d);
}

static void test_merge_of_anchored_inline_map(void) {
  /* the merged value carries an anchor used later: it must stay valid */
  sim_diag d;
  sim_yaml_node *r = parse("a: {<<: &m {k: v}, j: 1}\nb: *m\n", &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  CU_ASSERT_STRING_EQUAL(sim_yaml_get(sim_yaml_get(r, "b"), "k")->text, "v");
  CU_ASSERT_STRING_EQUAL(sim_yaml_get(sim_yaml_get(r, "a"), "k")->text, "v");
  sim_yaml_free(r);
  sim_diag_clear(&d);
}

static void test_errors(void) {
  sim_diag d;
  CU_ASSERT_PTR_NULL(parse("a: 1\nb: 2\na: 3\n", &d));
  CU_ASSERT_TRUE(has_message(&d, "duplicate key 'a' (first at line 1)", 3));
  sim_diag_clear(&d);
  CU_ASSERT_PTR_NULL(parse("a: *nope\n", &d));
  CU_ASSERT_TRUE(has_message(&d, "'*nope'", 1));
  sim_diag_clear(&d);
  CU_ASSERT_PTR_NULL(parse("a: [1, 2\nb: 3\n", &d));
  CU_ASSERT_TRUE(has_message(&d, "invalid YAML", 0));
  sim_diag_clear(&d);
  CU_ASSERT_PTR_NULL(parse("a: 1\n---\nb: 2\n", &d));
  CU_ASSERT_TRUE(has_message(&d, "second YAML document", 2));
  sim_diag_clear(&d);
  CU_ASSERT_PTR_NULL(parse("{[1]: 2}\n", &d));
  CU_ASSERT_TRUE(has_message(&d, "mapping key must be a plain value", 1));
  sim_diag_clear(&d);
  /* several errors of one file are all reported */
  CU_ASSERT_PTR_NULL(parse("a: 1\na: 2\nb: {c: 1, c: 2}\n", &d));
  CU_ASSERT_EQUAL(d.errors, 2);
  sim_diag_clear(&d);
  /* empty document: no root, no error */
  CU_ASSERT_PTR_NULL(parse("# nothing\n", &d));
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_diag_clear(&d);
}

static void test_limits(void) {
  sim_diag d;
  /* depth */
  char deep[400];
  size_t n = 0;
  for (int i = 0; i < 100; i++) deep[n++] = '[';
  for (int i = 0; i < 100; i++) deep[n++] = ']';
  deep[n] = '\0';
  CU_ASSERT_PTR_NULL(parse(deep, &d));
  CU_ASSERT_TRUE(has_message(&d, "nesting deeper than", 1));
  sim_diag_clear(&d);
  /* billion laughs */
  char text[2000] = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'i'; c++) {
    char line[200];
    snprintf(line, sizeof line, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c,
             c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    strcat(text, line);
  }
  CU_ASSERT_PTR_NULL(parse(text, &d));
  CU_ASSERT_TRUE(has_message(&d, "more than 1000000 nodes", 0));
  sim_diag_clear(&d);
  /* aliases that nest deeper than the limit when expanded */
  char chain[4000] = "";
  strcat(chain, "a0: &a0 [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n");
  strcat(chain, "a1: &a1 [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a0]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n");
  CU_ASSERT_PTR_NULL(parse(chain, &d));
  CU_ASSERT_TRUE(has_message(&d, "nests deeper than", 2));
  sim_diag_clear(&d);
  /* a NUL inside a value */
  sim_yaml_node *r = NULL;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(sim_yaml_parse("t.yaml", "a: \"x\\0y\"\n", 10, &r, &d), -1);
  CU_ASSERT_TRUE(has_message(&d, "NUL", 1));
  sim_diag_clear(&d);
}

static void test_writer_round_trip(void) {
  sim_diag d;
  const char *text = "name: x\nlist: [1, 'two', \"3\"]\nmap:\n  k: v w\n  e: ''\n  s: 'true'\n";
  sim_yaml_node *r = parse(text, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  sim_yaml_writer *w = sim_yaml_writer_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  sim_yaml_write_node(w, r);
  char *out = NULL;
  CU_ASSERT_EQUAL(sim_yaml_writer_finish(w, &out), 0);
  sim_yaml_writer_free(w);
  CU_ASSERT_PTR_NOT_NULL_FATAL(out);
  sim_diag d2;
  sim_yaml_node *r2 = parse(out, &d2);
  CU_ASSERT_PTR_NOT_NULL_FATAL(r2);
  const sim_yaml_node *list = sim_yaml_get(r2, "list");
  CU_ASSERT_EQUAL(list->n, 3);
  CU_ASSERT_STRING_EQUAL(list->items[1]->text, "two");
  CU_ASSERT_TRUE(sim_yaml_get(sim_yaml_get(r2, "map"), "s")->quoted);
  CU_ASSERT_STRING_EQUAL(sim_yaml_get(sim_yaml_get(r2, "map"), "k")->text, "v w");
  sim_free(out);
  sim_yaml_free(r);
  sim_yaml_free(r2);
  sim_diag_clear(&d);
  sim_diag_clear(&d2);
}

/* Every allocation of the parser may fail: an error, no leak, no crash. */
static void test_allocation_faults(void) {
  const char *text = "a: &a {x: [1, 2, 3], y: z}\nb: {<<: *a, w: 1}\nc: [*a, *a]\n";
  long n;
  for (n = 1; n < 10000; n++) {
    sim_diag d;
    sim_diag_init(&d);
    sim_yaml_node *r = NULL;
    sim_fault_arm(SIM_FAULT_ALLOC, n);
    int rc = sim_yaml_parse("t.yaml", text, strlen(text), &r, &d);
    long calls = sim_fault_calls(SIM_FAULT_ALLOC);
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
    if (rc == 0) {
      CU_ASSERT_PTR_NOT_NULL(r);
      CU_ASSERT_TRUE(calls < n); /* succeeded only once no allocation failed */
      sim_yaml_free(r);
      sim_diag_clear(&d);
      break;
    }
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_TRUE(d.errors > 0);
    sim_diag_clear(&d);
  }
  CU_ASSERT_TRUE(n > 10 && n < 10000);
}

/* A byte the reader refuses is reported where it is; an alias inside the
 * node it names says so. */
static void test_bad_bytes_and_self_alias(void) {
  sim_diag d;
  static const char utf8[] = "a: 1\nb: x\xff\n";
  sim_diag_init(&d);
  sim_yaml_node *root = NULL;
  CU_ASSERT(sim_yaml_parse("t.yaml", utf8, sizeof utf8 - 1, &root, &d) < 0);
  CU_ASSERT(d.count == 1 && d.entries[0].line == 2 && d.entries[0].col == 5);
  sim_yaml_free(root);
  sim_diag_clear(&d);
  static const char nul[] = "a: 1\nbb: c\0d\n";
  root = NULL;
  CU_ASSERT(sim_yaml_parse("t.yaml", nul, sizeof nul - 1, &root, &d) < 0);
  CU_ASSERT(d.count == 1 && d.entries[0].line == 2 && d.entries[0].col == 6);
  sim_yaml_free(root);
  sim_diag_clear(&d);
  root = parse("a: &a {b: 1, <<: *a}\n", &d);
  CU_ASSERT_TRUE(has_message(&d, "refers to the node that holds it", 1));
  sim_yaml_free(root);
  sim_diag_clear(&d);
  root = parse("a: &a [1, [*a]]\n", &d);
  CU_ASSERT_TRUE(has_message(&d, "refers to the node that holds it", 1));
  sim_yaml_free(root);
  sim_diag_clear(&d);
  /* after its node ends, the anchor is an ordinary one */
  root = parse("a: &a [1]\nb: [*a, *a]\n", &d);
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_yaml_free(root);
  sim_diag_clear(&d);
}

/* A pair the parser drops (a key that is not a plain value, a merge key)
 * may hold an anchor: a later alias copies it, never freed memory (the
 * sanitizer build checks the "never"). */
static void test_anchor_in_dropped_pair(void) {
  sim_diag d;
  sim_yaml_node *root = parse("a: {[1]: &v {x: 1}}\nb: *v\n", &d);
  CU_ASSERT_TRUE(has_message(&d, "a mapping key must be a plain value", 1));
  CU_ASSERT_EQUAL(d.errors, 1); /* the alias found its anchor */
  sim_yaml_free(root);
  sim_diag_clear(&d);
  root = parse("a: {&k <<: {x: 1}}\nb: [*k]\n", &d);
  CU_ASSERT_EQUAL(d.errors, 0);
  const sim_yaml_node *b = root ? sim_yaml_get(root, "b") : NULL;
  CU_ASSERT(b && b->kind == SIM_YAML_SEQ && b->n == 1 && !strcmp(b->items[0]->text, "<<"));
  sim_yaml_free(root);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {{"positions", test_positions},
                                    {"aliases and merge keys", test_alias_and_merge},
                                    {"merge of an anchored inline map", test_merge_of_anchored_inline_map},
                                    {"errors", test_errors},
                                    {"bad bytes, self-referencing alias", test_bad_bytes_and_self_alias},
                                    {"anchor in a dropped pair", test_anchor_in_dropped_pair},
                                    {"limits", test_limits},
                                    {"writer round trip", test_writer_round_trip},
                                    {"allocation faults", test_allocation_faults},
                                    {NULL, NULL}};
  return add_suite("yaml", tests);
}
