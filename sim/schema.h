/* sim/schema.h: typed reading of a YAML tree against a schema, for every
 * file people write (scenarios, workload files, and in time calibration
 * profiles and validation cases).  A reader keeps one sim_schema: the file
 * being read, where errors go, and what is being read ("host type 'std'"),
 * which every message names.  Getters convert a key's value to its SI unit
 * (sim/units.h), check its range and leave the output untouched when the key
 * is absent (the caller sets the default first) or wrong (an error at
 * FILE:LINE:COL of the value).  Unknown keys get a "did you mean" from a
 * table of synonyms, then from edit distance (sim/suggest.h).
 * Errors are collected, never fatal to the walk, except running out of
 * memory, which sets `oom`: the reader should stop. */
#ifndef SIM_SCHEMA_H
#define SIM_SCHEMA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/time.h"
#include "sim/units.h"
#include "sim/yaml.h"

#define SIM_SCHEMA_WHAT_LEN 320       /* "phase 'p' of workload 'w'" */
#define SIM_SCHEMA_CAPPED_KINDS 5     /* kinds of error reported at most SIM_SCHEMA_MAX_SIMILAR times */
#define SIM_SCHEMA_MAX_SIMILAR 20
#define SIM_SCHEMA_HUGE 1e301         /* an upper bound meaning "no upper bound" */
/* The longest time a file may give, ns (1e9 s): sums of a few times stay far
 * from the end of sim_time, so no model's arithmetic on times overflows. */
#define SIM_SCHEMA_MAX_TIME ((sim_time)1000000000000000000LL)

typedef struct sim_schema {
  const char *file;                /* file being read, for messages about nodes without an origin */
  sim_diag *diag;
  bool oom;                        /* out of memory: stop reading */
  char what[SIM_SCHEMA_WHAT_LEN];  /* what is being read, for messages */
  const char *const (*synonyms)[2]; /* {word people write, key it means}; may be NULL */
  size_t n_synonyms;
  size_t similar_errors[SIM_SCHEMA_CAPPED_KINDS]; /* capped errors seen, per kind */
  size_t suppressed;               /* errors not printed because of the caps */
} sim_schema;

/* A list of accepted names (an enum), with what they name for messages. */
typedef struct sim_schema_names {
  const char *const *names;
  size_t n;
  const char *what;                /* "technique", "access pattern" ... */
} sim_schema_names;

void sim_schema_init(sim_schema *S, const char *file, sim_diag *diag);

/* ---- messages ---- */
/* An error at node n (FILE:LINE:COL; the file alone when n is NULL). */
void sim_schema_error(sim_schema *S, const sim_yaml_node *n, const char *fmt, ...) SIM_PRINTF(3, 4);
/* An error of a kind (< SIM_SCHEMA_CAPPED_KINDS) that may repeat per instance:
 * printed at most SIM_SCHEMA_MAX_SIMILAR times, counted always. */
void sim_schema_error_capped(sim_schema *S, int kind, const sim_yaml_node *n, const char *fmt, ...)
    SIM_PRINTF(4, 5);
void sim_schema_nomem(sim_schema *S);
void sim_schema_set_what(sim_schema *S, const char *fmt, ...) SIM_PRINTF(2, 3);
/* A copy of s (NULL stays NULL); NULL and oom set when out of memory. */
char *sim_schema_strdup(sim_schema *S, const char *s);

/* ---- structure ---- */
/* Reports every key of map not in keys[0..n-1]. */
void sim_schema_check_keys(sim_schema *S, const sim_yaml_node *map, const char *const *keys, size_t n);
#define SIM_SCHEMA_CHECK_KEYS(S, map, arr) sim_schema_check_keys(S, map, arr, sizeof arr / sizeof arr[0])
/* The value of key, NULL when absent or null. */
const sim_yaml_node *sim_schema_opt(const sim_yaml_node *map, const char *key);
/* The same, with an error when absent. */
const sim_yaml_node *sim_schema_need(sim_schema *S, const sim_yaml_node *map, const char *key);
/* Whether n is a mapping (sequence); an error naming `expected` when not. */
bool sim_schema_is_map(sim_schema *S, const sim_yaml_node *n, const char *expected);
bool sim_schema_is_seq(sim_schema *S, const sim_yaml_node *n, const char *expected);
/* The text of scalar n, the value of `key`; NULL with an error when not a scalar. */
const char *sim_schema_scalar(sim_schema *S, const sim_yaml_node *n, const char *key,
                              const char *expected);

/* ---- typed getters: the value of `key` in map, when present ---- */
void sim_schema_time(sim_schema *S, const sim_yaml_node *map, const char *key, sim_time *out,
                     sim_time min);
void sim_schema_size(sim_schema *S, const sim_yaml_node *map, const char *key, uint64_t *out,
                     uint64_t min);
/* A quantity of `kind` (rate, frequency, percent, or a plain count) in [lo, hi];
 * 0 < lo < 1e-6 means "strictly positive". */
void sim_schema_real(sim_schema *S, const sim_yaml_node *map, const char *key, double *out,
                     sim_unit_kind kind, double lo, double hi);
/* A count >= 0 (SI suffixes allowed). */
void sim_schema_count(sim_schema *S, const sim_yaml_node *map, const char *key, double *out);
/* A size ("4 KiB") or a plain number of bytes, as a double. */
void sim_schema_bytes(sim_schema *S, const sim_yaml_node *map, const char *key, double *out);
void sim_schema_uint(sim_schema *S, const sim_yaml_node *map, const char *key, uint64_t lo,
                     uint64_t hi, uint64_t *out);
void sim_schema_u32(sim_schema *S, const sim_yaml_node *map, const char *key, uint64_t lo,
                    uint64_t hi, uint32_t *out);
/* true/false (any case YAML 1.2 core allows, unquoted); false with an error otherwise. */
bool sim_schema_parse_bool(sim_schema *S, const sim_yaml_node *v, const char *key, bool *out);
void sim_schema_bool(sim_schema *S, const sim_yaml_node *map, const char *key, bool *out);
/* A string; *out (sim_malloc'd) replaced. */
void sim_schema_str(sim_schema *S, const sim_yaml_node *map, const char *key, char **out);
/* A name from a list: *out its index; false when absent or not in the list
 * (then an error with a suggestion and the known names). */
bool sim_schema_enum(sim_schema *S, const sim_yaml_node *map, const char *key,
                     const sim_schema_names *list, size_t *out);
/* The same; *out (sim_malloc'd) replaced by a copy of the name. */
void sim_schema_enum_str(sim_schema *S, const sim_yaml_node *map, const char *key,
                         const sim_schema_names *list, char **out);
/* A sequence of strings: *out (sim_malloc'd array of sim_malloc'd copies,
 * one slot per item) and *n; items that are not scalars are errors and left
 * out.  `expected` names the sequence, `item` one item, for messages. */
void sim_schema_strings(sim_schema *S, const sim_yaml_node *map, const char *key,
                        const char *expected, const char *item, char ***out, size_t *n);

#endif
