/* sim/loop_storage.c: what the event loop holds (sim/loop.c, "Records" and
 * "Capacities"): its creation and release, the growth of its record, key
 * and bucket arrays, all at once and only when an event is scheduled, the
 * read-only queries on pending handles and the next event's time, and the
 * rungs' upkeep off the hot paths (the finest rung's copy, an empty loop's
 * rungs forgotten, a far list's dead entries dropped).
 * Units: times in ns, capacities in entries.  Invariants: records >= 3 x
 * room + 2 (record 0 reserved), near keys >= 2 x room + 1 (so that cancel, reschedule and
 * dispatch never allocate), key 1 and every record cache-line aligned. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/loop.h"
#include "sim/loop_internal.h"

/* A key array of `cap` entries, key 1 cache-line aligned, after key -1, the
 * sentinel refill's sort stops at: the latest time. */
static int heap_realloc(sim_loop *loop, size_t cap) {
  if (cap > (SIZE_MAX - 3 * CACHE_LINE) / sizeof(heap_key)) return -1;
  char *mem = sim_malloc((cap + 1) * sizeof(heap_key) + CACHE_LINE);
  if (!mem) return -1;
  /* key 1 is two keys past key -1, which lies at or after mem */
  uintptr_t first = (uintptr_t)mem + 2 * sizeof(heap_key);
  uintptr_t aligned = (first + CACHE_LINE - 1) & ~(uintptr_t)(CACHE_LINE - 1);
  heap_key *key = (heap_key *)(mem + (aligned - first)) + 1;
  key[-1] = (heap_key){SIM_TIME_MAX, 0};
  if (loop->count) memcpy(key, loop->key, loop->count * sizeof(heap_key));
  sim_free(loop->key_mem);
  loop->key_mem = mem;
  loop->key = key;
  loop->key_front = 0;
  loop->heap_cap = cap;
  return 0;
}

/* A record array of `cap` records, cache-line aligned. */
static int rec_realloc(sim_loop *loop, size_t cap) {
  if (cap > (SIZE_MAX - CACHE_LINE) / sizeof(event_rec)) return -1;
  char *mem = sim_malloc(cap * sizeof(event_rec) + CACHE_LINE);
  if (!mem) return -1;
  uintptr_t aligned = ((uintptr_t)mem + CACHE_LINE - 1) & ~(uintptr_t)(CACHE_LINE - 1);
  event_rec *rec = (event_rec *)(mem + (aligned - (uintptr_t)mem));
  if (loop->rec)
    memcpy(rec, loop->rec, loop->recs * sizeof *rec);
  else
    memset(&rec[0], 0, sizeof rec[0]); /* record 0: in no role (see NO_REC) */
  sim_free(loop->rec_mem);
  loop->rec_mem = mem;
  loop->rec = rec;
  return 0;
}

static int grow_to(sim_loop *loop, size_t room);

/* Room for one more pending event, with the margins that let cancel,
 * reschedule and dispatch go without allocating: the room doubles, and every
 * array grows to it at once, so growth is rare and all in one call.  Nothing
 * observable changes on failure. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
int loop_grow_for_event(sim_loop *loop) {
  if (pending_events(loop) + 1 > MAX_RECS / 3) return -1;
  size_t room = loop->room ? 2 * loop->room : 8;
  if (room > MAX_RECS / 3) room = MAX_RECS / 3;
  return grow_to(loop, room);
}

/* Makes the room `room` (> the current one): every array grows to it at
 * once.  Nothing observable changes on failure. */
static int grow_to(sim_loop *loop, size_t room) {
  size_t recs = 3 * room + 2, keys = 2 * room + 1, buckets = buckets_for(room);
  if (recs > loop->rec_cap) {
    if (rec_realloc(loop, recs) < 0) return -1;
    uint32_t *next = sim_realloc(loop->far_next, recs * sizeof *next);
    if (!next) return -1; /* rec larger than needed: harmless, rec_cap unchanged */
    next[0] = NO_REC; /* record 0 ends every list (see NO_REC) */
    loop->far_next = next;
    loop->rec_cap = recs;
  }
  if (keys > loop->heap_cap && heap_realloc(loop, keys) < 0) return -1;
  if (buckets > loop->bucket_cap) {
    uint32_t *bucket = sim_realloc(loop->bucket, buckets * sizeof *bucket);
    if (!bucket) return -1;
    loop->bucket = bucket;
    loop->bucket_cap = buckets;
    loop_set_finest(loop);
  }
  loop->spare += room - loop->room;
  loop->room = room;
  return 0;
}

int sim_loop_reserve(sim_loop *loop, size_t pending) {
  if (pending > MAX_RECS / 3) return -1;
  if (pending <= loop->room) return 0;
  return grow_to(loop, pending);
}

sim_loop *sim_loop_new(void) {
  sim_loop *loop = sim_calloc(1, sizeof *loop);
  if (!loop) return NULL;
  loop->free_head = NO_REC;
  loop->top = NO_REC;
  loop->top_min = UINT64_MAX;
  loop->ahead = NO_REC;
  loop->next_seq = 1;
  loop->recs = 1; /* record 0 is never handed out (see NO_REC) */
  loop->checkpoint_left = UINT64_MAX; /* no checkpoint (see loop_checkpoint) */
  return loop;
}

void sim_loop_free(sim_loop *loop) {
  if (!loop) return;
  assert(!loop->running);
  sim_free(loop->key_mem);
  sim_free(loop->rec_mem);
  sim_free(loop->far_next);
  sim_free(loop->bucket);
  sim_free(loop);
}

bool sim_event_is_pending(const sim_loop *loop, sim_event_id id) {
  return pending_home(loop, id) != NO_REC;
}

sim_time sim_event_time(const sim_loop *loop, sim_event_id id) {
  uint32_t h = pending_home(loop, id);
  return h == NO_REC ? SIM_TIME_MAX : loop->rec[loop->rec[h].link].time;
}

/* Earliest live time in the near subtree at i: heap order lets the search
 * stop at the first live entry of every path, so it visits only dead entries
 * and their children. */
static sim_time earliest_live(const sim_loop *loop, size_t i) {
  if (i >= loop->count) return SIM_TIME_MAX;
  if (loop->rec[loop->key[i].rec].home != DEAD) return loop->key[i].time;
  sim_time t = SIM_TIME_MAX;
  for (size_t c = SIM_HEAP_ARITY * i + 1; c <= SIM_HEAP_ARITY * i + SIM_HEAP_ARITY; c++) {
    sim_time u = earliest_live(loop, c);
    if (u < t) t = u;
  }
  return t;
}

sim_time sim_loop_next_time(const sim_loop *loop) {
  if (!loop->root_free) {
    if (loop->count) return near_first(loop)->time; /* live (see tidy) */
    /* all in the top list, none dead (see sim_schedule), or none at all */
    return far_entries(loop) ? (sim_time)loop->top_min : SIM_TIME_MAX;
  }
  /* under the placeholder, which dead entries may sit below */
  sim_time t = SIM_TIME_MAX;
  for (size_t c = 1; c <= SIM_HEAP_ARITY; c++) {
    sim_time u = earliest_live(loop, c);
    if (u < t) t = u;
  }
  if (t != SIM_TIME_MAX) return t;
  /* nothing live before the horizon: the first bucket with a live entry, or
   * the top list */
  for (unsigned k = loop->rungs; k-- > 0;) {
    const rung *g = &loop->rung[k];
    for (size_t b = g->next; b < g->buckets; b++) {
      t = earliest_live_in_list(loop, loop->bucket[g->first + b]);
      if (t != SIM_TIME_MAX) return t;
    }
  }
  return earliest_live_in_list(loop, loop->top);
}

size_t sim_loop_pending(const sim_loop *loop) { return pending_events(loop); }

void sim_loop_stop(sim_loop *loop) {
  loop->stop = true;
  loop->plain = false; /* see set_sorted */
}

/* ---- the rungs' upkeep, off sim/loop.c's hot paths ---- */

/* Copies the finest rung for far_insert, after the rungs or the bucket array
 * changed. */
void loop_set_finest(sim_loop *loop) {
  if (loop->rungs == 0) {
    loop->fine_end = 0; /* nothing is below it */
    loop->top_from = 0;
    return;
  }
  loop->top_from = loop->rung[0].end;
  const rung *g = &loop->rung[loop->rungs - 1];
  loop->fine_end = g->end;
  loop->fine_base = g->base;
  loop->fine_shift = g->shift;
  loop->fine_head = loop->bucket + g->first;
}

/* A loop that has just become empty (no placeholder either: it is counted)
 * forgets its rungs, so that the events scheduled next wait in the top list,
 * to be spread over a rung made for them all when the first is wanted.  It
 * does so when it empties, not when an event next comes, so that
 * scheduling's common path needs no test for an empty loop: with no rung,
 * every event at or after the horizon (now) goes to the top list. */
void loop_forget_rungs(sim_loop *loop) {
  assert(loop->count == 0 && far_entries(loop) == 0 && !loop->root_free);
  set_sorted(loop, loop->sorted); /* no longer plain: the near tier is empty */
  loop->rungs = 0;
  loop_set_finest(loop);
  loop->horizon = (uint64_t)loop->now;
  loop->top_min = UINT64_MAX; /* bounds that compaction may have left */
  loop->top_max = 0;
}

/* Drops the dead entries of list *head; returns how many stayed. */
size_t loop_purge_list(sim_loop *loop, uint32_t *head) {
  size_t kept = 0;
  uint32_t *link = head;
  while (*link != NO_REC) {
    uint32_t r = *link;
    if (loop->rec[r].home == DEAD) {
      *link = loop->far_next[r];
      drop_dead(loop, r);
    } else {
      link = &loop->far_next[r];
      kept++;
    }
  }
  return kept;
}
