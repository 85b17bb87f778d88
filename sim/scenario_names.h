/* sim/scenario_names.h: name patterns and a name index for the loader.
 * A name pattern stands for `count` instances numbered i = 0 .. count-1:
 * "{i}", "{i:03}" (zero-padded), "{i/40:02}", "{i%40+1}" (integer arithmetic
 * applied left to right), "{{" and "}}" for literal braces (scenarios/SCHEMA.md).
 * The index maps names to array positions in O(1) expected time (open
 * addressing, FNV-1a), so 10,000 hosts and their guests load in milliseconds. */
#ifndef SIM_SCENARIO_NAMES_H
#define SIM_SCENARIO_NAMES_H
#include <stddef.h>
#include <stdint.h>

/* Expands `pattern` for instance i into out (len bytes).  0, or -1 with a
 * message in err (malformed pattern, name too long). */
int sim_name_expand(const char *pattern, uint64_t i, char *out, size_t len, char *err,
                    size_t errlen);

typedef struct sim_name_index {
  uint32_t *slots;   /* position + 1 per slot; 0 empty */
  size_t mask;       /* slots - 1 (power of two) */
  size_t count;      /* names stored */
} sim_name_index;

/* Sizes the index for `expected` names; 0 or -1 out of memory. */
int sim_name_index_init(sim_name_index *ix, size_t expected);
void sim_name_index_free(sim_name_index *ix);
/* Position of `name` in `names`, or -1.  names[k] is the name at position k. */
long sim_name_index_find(const sim_name_index *ix, char *const *names, size_t stride,
                         const char *name);
/* Adds position pos (whose name is `name`); returns -1 out of memory, or the
 * earlier position holding the same name (not added), or -2 when added. */
long sim_name_index_add(sim_name_index *ix, char *const *names, size_t stride, const char *name,
                        uint32_t pos);

#endif
