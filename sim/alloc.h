/* sim/alloc.h: allocation through one door, and fault injection.
 * All of vdcsim allocates through these wrappers so that tests can make the
 * Nth allocation (or the Nth HDF5 call) fail, for N = 1, 2, ..., and check that
 * every failure is reported and leaves no partial output (SQLite's technique).
 * The fault counters are the one piece of process-wide mutable state: a fault
 * plan is a property of the process under test, armed once by main() from the
 * environment (VDCSIM_FAULT_ALLOC=N, VDCSIM_FAULT_HDF5=N) or by a unit test. */
#ifndef SIM_ALLOC_H
#define SIM_ALLOC_H
#include <stdbool.h>
#include <stddef.h>

void *sim_malloc(size_t size);
void *sim_calloc(size_t count, size_t size);
void *sim_realloc(void *ptr, size_t size);
char *sim_strdup(const char *s);
char *sim_strndup(const char *s, size_t n);
/* Grows *array (of *capacity elements of elem_size) to hold at least `need`
 * elements, doubling; 0 on success, -1 when out of memory (array untouched). */
int sim_grow(void **array, size_t *capacity, size_t need, size_t elem_size);
void sim_free(void *ptr);

typedef enum sim_fault_kind {
  SIM_FAULT_ALLOC = 0, /* sim_malloc and friends */
  SIM_FAULT_HDF5 = 1,  /* every HDF5 call the recorder makes */
  SIM_FAULT_KINDS = 2
} sim_fault_kind;

/* The nth call of that kind from now on fails (n >= 1); 0 disarms. */
void sim_fault_arm(sim_fault_kind kind, long nth);
/* Counts one call; true when this call must fail. */
bool sim_fault_hit(sim_fault_kind kind);
/* Calls counted since the last arm. */
long sim_fault_calls(sim_fault_kind kind);
/* Arms from VDCSIM_FAULT_ALLOC / VDCSIM_FAULT_HDF5; -1 on a malformed value. */
int sim_fault_arm_from_env(void);

#endif
