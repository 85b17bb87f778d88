/* tests/bench/loop_indexed.c: the benchmark's baseline, the event loop as it
 * was before lazy cancellation (an indexed d-ary heap), implementing the same
 * sim/loop.h.  bench_hold_indexed links it in place of sim/loop.c so that
 * tests/bench/run can give the ratio of the two in one invocation; it is not
 * part of the library.
 * Models: a future-event list ordered by (time ns, priority, insertion
 * sequence).  Units: sim_time, int64 ns.
 * Structure: an indexed d-ary min-heap (SIM_HEAP_ARITY, 4 by default) whose
 * 16-byte keys are stored inline in the heap array: the time, and one 64-bit
 * tie-breaker holding the priority (high half) and a 32-bit rank (low half)
 * that orders the pending events as their insertion sequence does.  A sift
 * thus compares keys without leaving the array, and the four children of a
 * node fill exactly one cache line (the array is aligned for it).  A
 * parallel array names each entry's slot; each slot keeps its heap position
 * (the back-pointer that makes cancel and reschedule O(log n)).  Slots hold
 * the handler and the full 64-bit sequence, and are recycled through a LIFO
 * free list, so steady state allocates nothing and a handler that schedules
 * its successor reuses the slot just released, still in cache.
 * Dispatch leaves the dispatched entry at the root as a placeholder that
 * precedes every key; the first event its handler schedules replaces it and
 * sinks from the root (one sift instead of a removal and an insertion: the
 * "hold" operation of Jones 1986), and if it schedules none the placeholder
 * is removed after the handler.
 * Ranks: each schedule or reschedule takes the next rank.  When they run out
 * (after about 2^32 of them), the pending events are renumbered 0..n-1 in
 * rank order, in place and without allocating, which keeps every relative
 * order and so the dispatch order: amortised O(1) per event.
 * A 4-ary heap is half as deep as a binary one and its children share a
 * cache line; LaMarca and Ladner, "The influence of caches on the
 * performance of heaps" (J. Exp. Algorithmics 1, 1996), measured the gain on
 * the hold model.  tests/bench/run compares both arities.
 * Invariants: see sim_loop_check below. */
#include "sim/loop.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "sim/alloc.h"

#ifndef SIM_HEAP_ARITY
#define SIM_HEAP_ARITY 4
#endif
_Static_assert(SIM_HEAP_ARITY >= 2 && SIM_HEAP_ARITY <= 16, "heap arity out of range");

/* Ranks are renumbered when the next one reaches this (tests lower it to
 * exercise renumbering), or twice the pending count if that is more. */
#ifndef SIM_LOOP_RANK_LIMIT
#define SIM_LOOP_RANK_LIMIT UINT32_MAX
#endif

/* The ordering key of a pending event. */
typedef struct heap_key {
  sim_time time; /* ns: when the event fires */
  uint64_t tie;  /* (priority + 2^31) << 32 | rank: orders equal times */
} heap_key;

#define TIE_PRIO_MASK 0xffffffff00000000u
#define TIE_RANK_MASK 0x00000000ffffffffu

static inline uint64_t prio_bits(int32_t priority) {
  /* flipping the sign bit maps int32 order onto uint32 order */
  return (uint64_t)((uint32_t)priority ^ 0x80000000u) << 32;
}

static inline int32_t tie_prio(uint64_t tie) {
  uint32_t bits = (uint32_t)(tie >> 32) ^ 0x80000000u; /* the priority's two's complement */
  return bits > INT32_MAX ? (int32_t)(bits - INT32_MAX - 1) - INT32_MAX - 1 : (int32_t)bits;
}

/* The bookkeeping half of a slot, kept apart from the payload so that the
 * back-pointer updates of a sift touch a dense array (8 bytes a slot). */
typedef struct slot_link {
  uint32_t gen; /* generation: odd while pending, even while free */
  uint32_t pos; /* pending: heap index of its entry; free: next free slot */
} slot_link;

/* What a slot runs. */
typedef struct slot_payload {
  sim_handler fn; /* handler */
  void *ctx;      /* handler's context, not owned */
  uint64_t arg;   /* handler's argument */
  uint64_t seq;   /* insertion sequence, loop-wide, from 1 (what the trace reports) */
} slot_payload;

#define NO_SLOT UINT32_MAX
/* Pending events never exceed 2^31 - 1, so that after a renumbering at least
 * 2^31 ranks remain (and slot indices fit the low half of a handle). */
#define MAX_SLOTS ((size_t)INT32_MAX)
/* The key array is aligned so that key 1, and with it every group of
 * siblings, starts on a cache-line boundary (64 bytes on x86-64 and arm64). */
#define CACHE_LINE 64

struct sim_loop {
  heap_key *key;         /* pending events' keys, a d-ary min-heap; points into key_mem */
  uint32_t *key_slot;    /* slot of each heap entry, parallel to key */
  void *key_mem;         /* allocation behind key (for alignment) */
  size_t count;          /* entries in the heap: the pending events */
  size_t heap_cap;       /* entries key and key_slot can hold */
  slot_link *link;       /* per slot: generation and heap position / free link */
  slot_payload *payload; /* per slot: handler, context, argument, sequence */
  size_t slots;          /* slots ever handed out (pending + free) */
  size_t slot_cap;       /* slots link and payload can hold */
  uint32_t free_head;    /* first free slot, NO_SLOT when none */
  uint32_t next_rank;    /* rank of the next event scheduled or rescheduled */
  sim_time now;          /* ns: time of the event being or last dispatched */
  uint64_t next_seq;     /* sequence of the next event scheduled or rescheduled */
  uint64_t dispatched;   /* events dispatched since creation */
  bool stop;             /* sim_loop_stop was called during this run */
  bool root_free;        /* key[0] is the dispatched event's placeholder (in count) */
  bool running;          /* inside sim_loop_run */
  sim_trace_fn trace;    /* dispatch observer, NULL when none */
  void *trace_ctx;       /* its context */
};

#if defined(__GNUC__)
#define SIM_RARELY(x) __builtin_expect(!!(x), 0)
#else
#define SIM_RARELY(x) (x)
#endif

/* Strict order on keys; never equal for distinct entries (unique ranks).
 * Which of two heap entries comes first is close to a coin toss, so the time
 * comparison must not become a branch (mispredicted half the time): equal
 * times, rare, take the branch, and the common path is a flag the caller
 * turns into a conditional move. */
static inline bool before(const heap_key *a, const heap_key *b) {
  if (SIM_RARELY(a->time == b->time)) return a->tie < b->tie;
  return a->time < b->time;
}

static inline void place(sim_loop *loop, size_t i, heap_key k, uint32_t slot) {
  loop->key[i] = k;
  loop->key_slot[i] = slot;
  loop->link[slot].pos = (uint32_t)i;
}

/* Index of the earliest among the `count` siblings starting at `first`. */
static inline size_t earliest_child(const heap_key *h, size_t first, size_t count) {
  size_t best = first;
  if (count == SIM_HEAP_ARITY) {
    /* a full group: a fixed trip count the compiler unrolls into selects */
    for (size_t k = 1; k < SIM_HEAP_ARITY; k++)
      best = before(&h[first + k], &h[best]) ? first + k : best;
  } else {
    for (size_t k = 1; k < count; k++) best = before(&h[first + k], &h[best]) ? first + k : best;
  }
  return best;
}

/* Moves (k, slot) up from hole i: parents later than k move down.  O(log n). */
static inline void sift_up(sim_loop *loop, size_t i, heap_key k, uint32_t slot) {
  heap_key *h = loop->key;
  while (i > 0) {
    size_t parent = (i - 1) / SIM_HEAP_ARITY;
    if (!before(&k, &h[parent])) break;
    place(loop, i, h[parent], loop->key_slot[parent]);
    i = parent;
  }
  place(loop, i, k, slot);
}

/* Moves (k, slot) down from hole i: the earliest child moves up while it
 * precedes k.  O(d log_d n). */
static void sift_down(sim_loop *loop, size_t i, heap_key k, uint32_t slot) {
  heap_key *h = loop->key;
  size_t n = loop->count;
  for (;;) {
    size_t first = SIM_HEAP_ARITY * i + 1;
    if (first >= n) break;
    size_t best = earliest_child(h, first, n - first < SIM_HEAP_ARITY ? n - first : SIM_HEAP_ARITY);
    if (!before(&h[best], &k)) break;
    place(loop, i, h[best], loop->key_slot[best]);
    i = best;
  }
  place(loop, i, k, slot);
}

/* Removes the earliest entry.  The last entry, which fills the hole, is
 * usually among the latest, so the hole first sinks to a leaf along the
 * earliest children without comparing them with it, and the entry then
 * rises from there, usually little (Wegener, "Bottom-up heapsort", Theor.
 * Comput. Sci. 118, 1993): one comparison a level fewer than sift_down. */
static void pop_root(sim_loop *loop) {
  heap_key *h = loop->key;
  size_t n = --loop->count;
  if (n == 0) return;
  size_t i = 0;
  for (;;) {
    size_t first = SIM_HEAP_ARITY * i + 1;
    if (first >= n) break;
    size_t best = earliest_child(h, first, n - first < SIM_HEAP_ARITY ? n - first : SIM_HEAP_ARITY);
    place(loop, i, h[best], loop->key_slot[best]);
    i = best;
  }
  sift_up(loop, i, h[n], loop->key_slot[n]);
}

/* Re-establishes heap order after the key at index i changed. */
static void heap_fix(sim_loop *loop, size_t i) {
  heap_key k = loop->key[i];
  uint32_t slot = loop->key_slot[i];
  if (i > 0 && before(&k, &loop->key[(i - 1) / SIM_HEAP_ARITY]))
    sift_up(loop, i, k, slot);
  else
    sift_down(loop, i, k, slot);
}

/* Removes the entry at heap index i, filling the hole with the last entry. */
static void heap_remove(sim_loop *loop, size_t i) {
  size_t last = --loop->count;
  if (i == last) return;
  place(loop, i, loop->key[last], loop->key_slot[last]);
  heap_fix(loop, i);
}

/* ---- rank renumbering ---- */

static inline uint32_t rank_at(const sim_loop *loop, size_t i) {
  return (uint32_t)(loop->key[i].tie & TIE_RANK_MASK);
}

static inline void swap_entries(sim_loop *loop, size_t a, size_t b) {
  heap_key k = loop->key[a];
  loop->key[a] = loop->key[b];
  loop->key[b] = k;
  uint32_t s = loop->key_slot[a];
  loop->key_slot[a] = loop->key_slot[b];
  loop->key_slot[b] = s;
}

/* Max-heap sift on ranks, for the in-place heapsort below. */
static void rank_sift(sim_loop *loop, size_t i, size_t n) {
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n) return;
    if (c + 1 < n && rank_at(loop, c + 1) > rank_at(loop, c)) c++;
    if (rank_at(loop, c) < rank_at(loop, i)) return;
    swap_entries(loop, i, c);
    i = c;
  }
}

/* Gives the pending events ranks 0..n-1 in their rank order, then rebuilds
 * the heap: heapsort by rank, O(n log n), no memory (Williams 1964, Floyd
 * 1964 for the rebuild).  Relative orders are unchanged, so is dispatch. */
static void renumber(sim_loop *loop) {
  if (loop->root_free) {
    loop->root_free = false;
    pop_root(loop);
  }
  size_t n = loop->count;
  for (size_t i = n / 2; i-- > 0;) rank_sift(loop, i, n);
  for (size_t end = n; end > 1;) {
    swap_entries(loop, 0, --end);
    rank_sift(loop, 0, end);
  }
  for (size_t i = 0; i < n; i++) loop->key[i].tie = (loop->key[i].tie & TIE_PRIO_MASK) | i;
  if (n > 1)
    for (size_t i = (n - 2) / SIM_HEAP_ARITY + 1; i-- > 0;)
      sift_down(loop, i, loop->key[i], loop->key_slot[i]);
  for (size_t i = 0; i < n; i++) loop->link[loop->key_slot[i]].pos = (uint32_t)i;
  loop->next_rank = (uint32_t)n;
}

/* The rank for an event being scheduled or rescheduled; may renumber (and so
 * move heap entries: read positions after calling it). */
static inline uint32_t take_rank(sim_loop *loop) {
  if (loop->next_rank >= SIM_LOOP_RANK_LIMIT && loop->next_rank >= 2 * loop->count) renumber(loop);
  assert(loop->next_rank < UINT32_MAX);
  return loop->next_rank++;
}

/* ---- storage ---- */

/* Key and slot arrays of `cap` entries, key 1 cache-line aligned. */
static int heap_realloc(sim_loop *loop, size_t cap) {
  if (cap > (SIZE_MAX - CACHE_LINE) / sizeof(heap_key)) return -1;
  uint32_t *key_slot = sim_malloc(cap * sizeof(uint32_t));
  if (!key_slot) return -1;
  char *mem = sim_malloc(cap * sizeof(heap_key) + CACHE_LINE);
  if (!mem) {
    sim_free(key_slot);
    return -1;
  }
  uintptr_t first = (uintptr_t)mem + sizeof(heap_key);
  uintptr_t aligned = (first + CACHE_LINE - 1) & ~(uintptr_t)(CACHE_LINE - 1);
  heap_key *key = (heap_key *)(mem + (aligned - first));
  if (loop->count) {
    memcpy(key, loop->key, loop->count * sizeof(heap_key));
    memcpy(key_slot, loop->key_slot, loop->count * sizeof(uint32_t));
  }
  sim_free(loop->key_mem);
  sim_free(loop->key_slot);
  loop->key_mem = mem;
  loop->key = key;
  loop->key_slot = key_slot;
  loop->heap_cap = cap;
  return 0;
}

/* Room for one more slot (and heap entry, since pending <= slots); nothing
 * observable changes when it fails. */
static int grow_for_slot(sim_loop *loop) {
  size_t need = loop->slots + 1;
  if (need > MAX_SLOTS) return -1;
  if (need > loop->slot_cap) {
    size_t link_cap = loop->slot_cap, payload_cap = loop->slot_cap;
    if (sim_grow((void **)&loop->link, &link_cap, need, sizeof(slot_link)) < 0) return -1;
    if (sim_grow((void **)&loop->payload, &payload_cap, need, sizeof(slot_payload)) < 0) return -1;
    /* both doubled from the same capacity to the same one */
    loop->slot_cap = link_cap < payload_cap ? link_cap : payload_cap;
  }
  if (need > loop->heap_cap && heap_realloc(loop, loop->slot_cap) < 0) return -1;
  return 0;
}

/* ---- handles ---- */

static inline sim_event_id make_id(uint32_t slot, uint32_t gen) {
  return ((uint64_t)gen << 32) | ((uint64_t)slot + 1);
}

/* The slot of a pending event, or NO_SLOT when the handle is not pending. */
static inline uint32_t pending_slot(const sim_loop *loop, sim_event_id id) {
  uint64_t low = id & 0xffffffffu;
  if (low == 0 || low > loop->slots) return NO_SLOT;
  uint32_t slot = (uint32_t)(low - 1);
  uint32_t gen = (uint32_t)(id >> 32);
  if (loop->link[slot].gen != gen || !(gen & 1u)) return NO_SLOT;
  return slot;
}

static inline void release_slot(sim_loop *loop, uint32_t slot) {
  loop->link[slot].gen++;
  loop->link[slot].pos = loop->free_head;
  loop->free_head = slot;
}

/* ---- the API ---- */

sim_loop *sim_loop_new(void) {
  sim_loop *loop = sim_calloc(1, sizeof *loop);
  if (!loop) return NULL;
  loop->free_head = NO_SLOT;
  loop->next_seq = 1;
  return loop;
}

void sim_loop_free(sim_loop *loop) {
  if (!loop) return;
  assert(!loop->running);
  sim_free(loop->key_mem);
  sim_free(loop->key_slot);
  sim_free(loop->link);
  sim_free(loop->payload);
  sim_free(loop);
}

sim_time sim_loop_now(const sim_loop *loop) { return loop->now; }

sim_event_id sim_schedule(sim_loop *loop, sim_time at, int32_t priority, sim_handler fn, void *ctx,
                          uint64_t arg) {
  assert(fn);
  assert(at >= loop->now && "scheduling in the past");
  uint32_t slot = loop->free_head;
  if (slot != NO_SLOT) {
    loop->free_head = loop->link[slot].pos;
  } else {
    if (grow_for_slot(loop) < 0) return SIM_EVENT_NONE;
    slot = (uint32_t)loop->slots++;
    loop->link[slot].gen = 0;
  }
  uint32_t gen = ++loop->link[slot].gen;
  loop->payload[slot] = (slot_payload){fn, ctx, arg, loop->next_seq++};
  heap_key k = {at, prio_bits(priority) | take_rank(loop)};
  if (loop->root_free) {
    loop->root_free = false;
    sift_down(loop, 0, k, slot);
  } else {
    sift_up(loop, loop->count++, k, slot);
  }
  return make_id(slot, gen);
}

sim_event_id sim_schedule_in(sim_loop *loop, sim_time delay, int32_t priority, sim_handler fn,
                             void *ctx, uint64_t arg) {
  assert(delay >= 0 && delay <= SIM_TIME_MAX - loop->now);
  return sim_schedule(loop, loop->now + delay, priority, fn, ctx, arg);
}

bool sim_cancel(sim_loop *loop, sim_event_id id) {
  uint32_t slot = pending_slot(loop, id);
  if (slot == NO_SLOT) return false;
  heap_remove(loop, loop->link[slot].pos);
  release_slot(loop, slot);
  return true;
}

bool sim_reschedule(sim_loop *loop, sim_event_id id, sim_time at) {
  assert(at >= loop->now && "rescheduling into the past");
  uint32_t slot = pending_slot(loop, id);
  if (slot == NO_SLOT) return false;
  uint32_t rank = take_rank(loop);
  size_t i = loop->link[slot].pos;
  loop->key[i].time = at;
  loop->key[i].tie = (loop->key[i].tie & TIE_PRIO_MASK) | rank;
  loop->payload[slot].seq = loop->next_seq++;
  heap_fix(loop, i);
  return true;
}

bool sim_event_is_pending(const sim_loop *loop, sim_event_id id) {
  return pending_slot(loop, id) != NO_SLOT;
}

sim_time sim_event_time(const sim_loop *loop, sim_event_id id) {
  uint32_t slot = pending_slot(loop, id);
  return slot == NO_SLOT ? SIM_TIME_MAX : loop->key[loop->link[slot].pos].time;
}

sim_time sim_loop_next_time(const sim_loop *loop) {
  if (!loop->root_free) return loop->count ? loop->key[0].time : SIM_TIME_MAX;
  /* under the placeholder: the earliest of the root's children */
  if (loop->count <= 1) return SIM_TIME_MAX;
  size_t n = loop->count - 1;
  return loop->key[earliest_child(loop->key, 1, n < SIM_HEAP_ARITY ? n : SIM_HEAP_ARITY)].time;
}

sim_run_status sim_loop_run(sim_loop *loop, sim_time until) {
  assert(!loop->running && "sim_loop_run is not re-entrant");
  assert(until >= loop->now);
  loop->running = true;
  loop->stop = false;
  sim_run_status status;
  for (;;) {
    if (loop->count == 0) {
      status = SIM_RUN_EMPTY;
      break;
    }
    heap_key top = loop->key[0];
    if (top.time > until) {
      loop->now = until;
      status = SIM_RUN_TIME_LIMIT;
      break;
    }
    uint32_t slot = loop->key_slot[0];
    /* the placeholder: time INT64_MIN precedes every event (times are >= 0) */
    loop->key[0] = (heap_key){INT64_MIN, 0};
    loop->root_free = true;
    slot_payload p = loop->payload[slot];
    /* released before the handler runs: its own handle is stale by then, and
     * the first event it schedules reuses this slot */
    release_slot(loop, slot);
    loop->now = top.time;
    loop->dispatched++;
    if (loop->trace) loop->trace(loop->trace_ctx, top.time, tie_prio(top.tie), p.seq, p.fn, p.arg);
    p.fn(loop, p.ctx, p.arg);
    if (loop->root_free) {
      loop->root_free = false;
      pop_root(loop);
    }
    if (loop->stop) {
      status = SIM_RUN_STOPPED;
      break;
    }
  }
  loop->running = false;
  return status;
}

void sim_loop_stop(sim_loop *loop) { loop->stop = true; }

size_t sim_loop_pending(const sim_loop *loop) { return loop->count - loop->root_free; }

uint64_t sim_loop_dispatched(const sim_loop *loop) { return loop->dispatched; }

void sim_loop_set_trace(sim_loop *loop, sim_trace_fn fn, void *ctx) {
  loop->trace = fn;
  loop->trace_ctx = ctx;
}

int sim_loop_check(const sim_loop *loop) {
  if (loop->count > loop->heap_cap || loop->slots > loop->slot_cap) return -1;
  if (loop->root_free && (!loop->running || loop->count == 0)) return -1;
  if (loop->count > 1 && ((uintptr_t)&loop->key[1] % CACHE_LINE) != 0) return -2;
  /* during a dispatch, entry 0 may be the placeholder: real entries start after it */
  size_t first = loop->root_free;
  if (first && (loop->key[0].time != INT64_MIN || loop->key[0].tie != 0)) return -11;
  size_t pending = 0;
  for (size_t s = 0; s < loop->slots; s++) {
    if (!(loop->link[s].gen & 1u)) continue;
    pending++;
    size_t pos = loop->link[s].pos;
    if (pos < first || pos >= loop->count || loop->key_slot[pos] != s) return -3; /* back-pointer */
  }
  if (pending != loop->count - first) return -4; /* a heap entry names a free slot */
  for (size_t i = first; i < loop->count; i++) {
    const heap_key *k = &loop->key[i];
    if (k->time < loop->now) return -5; /* an event in the past */
    if (rank_at(loop, i) >= loop->next_rank) return -6;
    if (loop->payload[loop->key_slot[i]].seq >= loop->next_seq) return -6;
    if (i == 0) continue;
    size_t parent = (i - 1) / SIM_HEAP_ARITY;
    if (before(k, &loop->key[parent])) return -7; /* heap order */
    if (parent < first) continue;
    /* ranks order events as their sequences do */
    bool rank_lt = rank_at(loop, i) < rank_at(loop, parent);
    bool seq_lt = loop->payload[loop->key_slot[i]].seq < loop->payload[loop->key_slot[parent]].seq;
    if (rank_lt != seq_lt) return -10;
  }
  size_t free_slots = 0;
  for (uint32_t s = loop->free_head; s != NO_SLOT; s = loop->link[s].pos) {
    if (s >= loop->slots || (loop->link[s].gen & 1u)) return -8; /* free list */
    if (++free_slots > loop->slots) return -8;                  /* a cycle */
  }
  if (free_slots + pending != loop->slots) return -9; /* a slot lost */
  return 0;
}
