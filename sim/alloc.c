/* sim/alloc.c: allocation wrappers with fault injection (see alloc.h). */
#include "sim/alloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Fault plan: counters per kind.  Deliberately process-wide (see alloc.h). */
static struct {
  long armed_at; /* the call number that fails; 0 = disarmed */
  long calls;    /* calls counted since arming */
} fault_plan[SIM_FAULT_KINDS];

void sim_fault_arm(sim_fault_kind kind, long nth) {
  fault_plan[kind].armed_at = nth > 0 ? nth : 0;
  fault_plan[kind].calls = 0;
}

bool sim_fault_hit(sim_fault_kind kind) {
  fault_plan[kind].calls++;
  return fault_plan[kind].armed_at > 0 && fault_plan[kind].calls == fault_plan[kind].armed_at;
}

long sim_fault_calls(sim_fault_kind kind) { return fault_plan[kind].calls; }

static int arm_one(sim_fault_kind kind, const char *var) {
  const char *v = getenv(var);
  if (!v || !*v) return 0;
  char *end = NULL;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno || *end || n < 0) return -1;
  sim_fault_arm(kind, n);
  return 0;
}

int sim_fault_arm_from_env(void) {
  if (arm_one(SIM_FAULT_ALLOC, "VDCSIM_FAULT_ALLOC") < 0) return -1;
  if (arm_one(SIM_FAULT_HDF5, "VDCSIM_FAULT_HDF5") < 0) return -1;
  return 0;
}

void *sim_malloc(size_t size) {
  if (sim_fault_hit(SIM_FAULT_ALLOC)) return NULL;
  return malloc(size ? size : 1);
}

void *sim_calloc(size_t count, size_t size) {
  if (sim_fault_hit(SIM_FAULT_ALLOC)) return NULL;
  if (count == 0 || size == 0) count = size = 1;
  return calloc(count, size);
}

void *sim_realloc(void *ptr, size_t size) {
  if (sim_fault_hit(SIM_FAULT_ALLOC)) return NULL;
  return realloc(ptr, size ? size : 1);
}

char *sim_strndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *copy = sim_malloc(len + 1);
  if (!copy) return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}

char *sim_strdup(const char *s) { return sim_strndup(s, SIZE_MAX); }

int sim_grow(void **array, size_t *capacity, size_t need, size_t elem_size) {
  if (need <= *capacity) return 0;
  size_t cap = *capacity ? *capacity : 8;
  while (cap < need) {
    if (cap > SIZE_MAX / 2) return -1;
    cap *= 2;
  }
  if (cap > SIZE_MAX / elem_size) return -1;
  void *grown = sim_realloc(*array, cap * elem_size);
  if (!grown) return -1;
  *array = grown;
  *capacity = cap;
  return 0;
}

void sim_free(void *ptr) { free(ptr); }
