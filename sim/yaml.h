/* sim/yaml.h: a YAML document as a tree of nodes, each with its position.
 * Built from libyaml's event API.  Aliases are expanded into copies and merge
 * keys (`<<: *a`, `<<: [*a, *b]`) are resolved while parsing, so readers see
 * plain scalars, sequences and mappings.  Limits protect against hostile
 * input ("billion laughs"): nesting depth SIM_YAML_MAX_DEPTH and at most
 * SIM_YAML_MAX_NODES nodes after alias expansion.  Nodes are allocated with
 * sim_malloc, so allocation faults reach the parser.
 * Invariants: mapping keys are scalars and unique within their mapping; a
 * scalar's text is NUL-terminated (a NUL inside it is refused). */
#ifndef SIM_YAML_H
#define SIM_YAML_H
#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"

#define SIM_YAML_MAX_DEPTH 64
#define SIM_YAML_MAX_NODES 1000000

typedef enum sim_yaml_kind { SIM_YAML_SCALAR, SIM_YAML_SEQ, SIM_YAML_MAP } sim_yaml_kind;

typedef struct sim_yaml_node sim_yaml_node;

typedef struct sim_yaml_pair {
  sim_yaml_node *key;   /* a scalar */
  sim_yaml_node *value;
} sim_yaml_pair;

struct sim_yaml_node {
  sim_yaml_kind kind;
  int line, col;          /* 1-based position in the source; 0 when made by a program */
  const char *origin;     /* NULL: the parsed file; else a label (an --set override) that outlives the tree */
  char *text;             /* SCALAR: the value, NUL-terminated */
  bool quoted;            /* SCALAR: written quoted or as a block (never null, bool or number by style) */
  size_t n;               /* SEQ: number of items; MAP: number of pairs */
  size_t cap;             /* allocated items or pairs */
  sim_yaml_node **items;  /* SEQ */
  sim_yaml_pair *pairs;   /* MAP, in document order */
};

/* Parses one document.  `file` names the source in messages.  *root is NULL
 * for an empty document.  0, or negative with every error in diag. */
int sim_yaml_parse(const char *file, const char *text, size_t len, sim_yaml_node **root,
                   sim_diag *diag);
void sim_yaml_free(sim_yaml_node *n);
/* A new scalar; NULL when out of memory. */
sim_yaml_node *sim_yaml_new_scalar(const char *text, int line, int col);

/* Value of `key` in a mapping, NULL when absent or when map is not a mapping. */
sim_yaml_node *sim_yaml_get(const sim_yaml_node *map, const char *key);
/* The pair holding `key`, NULL when absent. */
sim_yaml_pair *sim_yaml_get_pair(const sim_yaml_node *map, const char *key);
/* Appends a pair (takes ownership of key and value); 0 or -1 out of memory. */
int sim_yaml_map_add(sim_yaml_node *map, sim_yaml_node *key, sim_yaml_node *value);
/* A plain scalar `~`, `null`, `Null`, `NULL` or empty. */
bool sim_yaml_is_null(const sim_yaml_node *n);
/* "scalar", "sequence", "mapping" for messages. */
const char *sim_yaml_kind_name(sim_yaml_kind kind);

/* Writes YAML text through libyaml's emitter.  Calls after a failure are
 * no-ops; finish() reports it. */
typedef struct sim_yaml_writer sim_yaml_writer;
sim_yaml_writer *sim_yaml_writer_new(void);
void sim_yaml_writer_free(sim_yaml_writer *w);
void sim_yaml_write_map_start(sim_yaml_writer *w, bool flow);
void sim_yaml_write_map_end(sim_yaml_writer *w);
void sim_yaml_write_seq_start(sim_yaml_writer *w, bool flow);
void sim_yaml_write_seq_end(sim_yaml_writer *w);
/* A scalar; plain style where YAML reads it back as the same string. */
void sim_yaml_write_scalar(sim_yaml_writer *w, const char *text);
/* A key and a scalar value. */
void sim_yaml_write_kv(sim_yaml_writer *w, const char *key, const char *value);
/* A node tree. */
void sim_yaml_write_node(sim_yaml_writer *w, const sim_yaml_node *n);
/* Ends the document; *text (sim_malloc'd) holds the YAML.  0 or -1. */
int sim_yaml_writer_finish(sim_yaml_writer *w, char **text);

#endif
