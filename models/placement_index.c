/* models/placement_index.c: the indexes a consolidation keeps over its
 * hosts' loads (models/datacenter.h), so that placing a VM or picking the
 * host to empty need not scan every host of a data center:
 *   dc_room   a max tree of the memory and CPU each host has free: the
 *             hosts a VM may fit on, in host order, without visiting the
 *             full ones (a placement visits O(k log n) nodes for k hosts
 *             with room, not n)
 *   dc_rank   a min tree of the underload policy's rank of each host: the
 *             host to try next in O(1), each change O(log n)
 * Both answer exactly what a scan would: dc_room only skips hosts that
 * cannot fit (its CPU bound errs on the side of visiting, and every host it
 * returns passes dc_fits itself), and dc_rank breaks ties to the lower index
 * as a scan keeping the first minimum does.
 * Units: bytes, Hz, the rank's own.  Invariants: a tree of `size` leaves (a
 * power of two >= n), node k's children 2k and 2k + 1, the root 1; leaves
 * past n hold nothing (no room, rank INFINITY). */
#include <assert.h>
#include <math.h>

#include "models/datacenter.h"
#include "sim/alloc.h"

/* relative slack of the CPU bound: capacity - used >= demand may round
 * differently from used + demand <= capacity, so the tree admits a host a
 * hair short of room and dc_fits decides */
#define ROOM_CPU_SLACK 1e-6

struct dc_room {
  size_t n, size;
  int64_t *mem; /* bytes free, max over the subtree; -1: excluded (no VM fits) */
  double *cpu;  /* Hz free plus slack, max over the subtree; -INFINITY: excluded */
};

static size_t leaves_for(size_t n) {
  size_t s = 1;
  while (s < n) s *= 2;
  return s;
}

dc_room *dc_room_new(size_t n) {
  dc_room *r = sim_calloc(1, sizeof *r);
  if (!r) return NULL;
  r->n = n;
  r->size = leaves_for(n);
  r->mem = sim_malloc(2 * r->size * sizeof *r->mem);
  r->cpu = sim_malloc(2 * r->size * sizeof *r->cpu);
  if (!r->mem || !r->cpu) {
    dc_room_free(r);
    return NULL;
  }
  for (size_t k = 0; k < 2 * r->size; k++) {
    r->mem[k] = -1;
    r->cpu[k] = -INFINITY;
  }
  return r;
}

void dc_room_free(dc_room *r) {
  if (!r) return;
  sim_free(r->mem);
  sim_free(r->cpu);
  sim_free(r);
}

static void room_leaf(dc_room *r, size_t i, const dc_host_load *h, bool excluded) {
  size_t k = r->size + i;
  if (excluded) {
    r->mem[k] = -1;
    r->cpu[k] = -INFINITY;
    return;
  }
  r->mem[k] = h->used_bytes >= h->memory_bytes ? 0 : (int64_t)(h->memory_bytes - h->used_bytes);
  r->cpu[k] = h->capacity_hz - h->used_hz + ROOM_CPU_SLACK * h->capacity_hz;
}

static void room_pull(dc_room *r, size_t k) {
  r->mem[k] = r->mem[2 * k] > r->mem[2 * k + 1] ? r->mem[2 * k] : r->mem[2 * k + 1];
  r->cpu[k] = fmax(r->cpu[2 * k], r->cpu[2 * k + 1]);
}

void dc_room_build(dc_room *r, const dc_host_load *hosts, const bool *excluded) {
  for (size_t i = 0; i < r->n; i++) room_leaf(r, i, &hosts[i], excluded && excluded[i]);
  for (size_t k = r->size - 1; k >= 1; k--) room_pull(r, k);
}

void dc_room_set(dc_room *r, size_t i, const dc_host_load *h, bool excluded) {
  assert(i < r->n);
  room_leaf(r, i, h, excluded);
  for (size_t k = (r->size + i) / 2; k >= 1; k /= 2) room_pull(r, k);
}

/* The first leaf >= from under node k (leaves lo..hi-1) with the room asked; -1: none. */
static long room_first(const dc_room *r, size_t k, size_t lo, size_t hi, size_t from, int64_t mem, double cpu) {
  if (hi <= from || r->mem[k] < mem || r->cpu[k] < cpu) return -1;
  if (hi - lo == 1) return (long)lo;
  size_t mid = lo + (hi - lo) / 2;
  long i = room_first(r, 2 * k, lo, mid, from, mem, cpu);
  return i >= 0 ? i : room_first(r, 2 * k + 1, mid, hi, from, mem, cpu);
}

long dc_next_fit(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                 const dc_vm_load *vm, size_t from) {
  if (!room) {
    for (size_t i = from; i < n; i++)
      if (!(excluded && excluded[i]) && dc_fits(&hosts[i], vm)) return (long)i;
    return -1;
  }
  assert(room->n == n);
  int64_t mem = vm->memory_bytes > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)vm->memory_bytes;
  for (size_t i = from; i < n; i++) {
    long k = room_first(room, 1, 0, room->size, i, mem, vm->demand_hz);
    if (k < 0 || (size_t)k >= n) return -1;
    i = (size_t)k;
    if (!(excluded && excluded[i]) && dc_fits(&hosts[i], vm)) return (long)i;
  }
  return -1;
}

struct dc_rank {
  size_t n, size;
  double *key; /* the lowest rank in the subtree; INFINITY: no candidate */
  size_t *arg; /* the host holding it, the lowest index among equals */
};

dc_rank *dc_rank_new(size_t n) {
  dc_rank *t = sim_calloc(1, sizeof *t);
  if (!t) return NULL;
  t->n = n;
  t->size = leaves_for(n);
  t->key = sim_malloc(2 * t->size * sizeof *t->key);
  t->arg = sim_malloc(2 * t->size * sizeof *t->arg);
  if (!t->key || !t->arg) {
    dc_rank_free(t);
    return NULL;
  }
  for (size_t k = 0; k < 2 * t->size; k++) {
    t->key[k] = INFINITY;
    t->arg[k] = k >= t->size ? k - t->size : 0;
  }
  return t;
}

void dc_rank_free(dc_rank *t) {
  if (!t) return;
  sim_free(t->key);
  sim_free(t->arg);
  sim_free(t);
}

static void rank_pull(dc_rank *t, size_t k) {
  /* the left child wins ties: its hosts come first */
  size_t c = t->key[2 * k + 1] < t->key[2 * k] ? 2 * k + 1 : 2 * k;
  t->key[k] = t->key[c];
  t->arg[k] = t->arg[c];
}

void dc_rank_build(dc_rank *t, const dc_underload_ops *ops, const dc_host_load *hosts, const bool *excluded) {
  for (size_t i = 0; i < t->n; i++)
    t->key[t->size + i] = excluded && excluded[i] ? INFINITY : ops->rank(&hosts[i]);
  for (size_t k = t->size - 1; k >= 1; k--) rank_pull(t, k);
}

void dc_rank_set(dc_rank *t, const dc_underload_ops *ops, size_t i, const dc_host_load *h, bool excluded) {
  assert(i < t->n);
  t->key[t->size + i] = excluded ? INFINITY : ops->rank(h);
  for (size_t k = (t->size + i) / 2; k >= 1; k /= 2) rank_pull(t, k);
}

long dc_rank_lowest(const dc_rank *t) { return t->key[1] < INFINITY ? (long)t->arg[1] : -1; }

long dc_underload_pick(const dc_underload_ops *ops, const dc_host_load *hosts, size_t n, const bool *excluded) {
  long chosen = -1;
  double least = INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (excluded && excluded[i]) continue;
    double r = ops->rank(&hosts[i]);
    if (r < least) {
      chosen = (long)i;
      least = r;
    }
  }
  return chosen;
}
