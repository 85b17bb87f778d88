/* sim/loop.c: the discrete-event loop (see loop.h); its near tier's long
 * runs are in sim/loop_long_run.c, its storage, creation and queries in
 * sim/loop_storage.c, its observers (trace, checkpoint) in
 * sim/loop_watch.c.
 * Models: a future-event list ordered by (time ns, priority, insertion
 * sequence).  Units: sim_time, int64 ns.
 *
 * Structure: two tiers split at a time, the horizon.  Entries before it lie
 * in the near tier, which orders them exactly; entries at or after it lie
 * unsorted in the far tier, a ladder queue [TANG05]: rungs of buckets of equal width 2^shift ns,
 * each rung below the first spanning the bucket the rung above moved last,
 * and an unsorted top list beyond the first rung.  Every near entry precedes
 * every far one in time, so the near tier's first entry is the earliest
 * event.  When the near tier runs dry, the finest rung's next bucket moves
 * into it and the horizon advances by one bucket; a crowded bucket (more than
 * SPLIT_ABOVE entries) is split into a finer rung instead; when the rungs
 * are used up, the top list is spread over a new first rung.  Events of
 * equal time are never split between the tiers (the horizon is a time), so
 * the near tier orders every tie by priority then sequence, whatever the
 * buckets: the dispatch order is that of one sorted list.
 *
 * The near tier is a sorted run (latest first, so that dispatch takes the
 * last entry).  A bucket of more than SORTED_MAX entries that no finer rung
 * can part (in practice many events at one instant, ordered by priority and
 * sequence alone: a data center's hosts all due at once) is sorted once,
 * O(n log n), and stays a run while the handlers schedule at that instant
 * either ahead of the crowd by at most SORTED_MAX entries (a lower priority)
 * or behind all of it (FIFO: the run then grows at its start, into free key
 * slots before it, and is moved to the middle of the key array when there
 * are none, O(n) per n / 4 such insertions).  Any other insertion makes it
 * a d-ary min-heap (SIM_HEAP_ARITY, 4 by default), which stays a heap until
 * it runs dry.  So such a crowd costs O(1) a dispatch when its successors
 * come in order, O(log n) when they do not, never O(n).
 * Near entries are 16-byte keys: the time and the index of the event's
 * record.  Records hold what an event runs, its full 64-bit insertion
 * sequence, time and priority; equal times, rare with times in ns, are
 * ordered by looking priority and sequence up in the two records (a
 * tie-breaking key between them would be looked up the same way, at no cost
 * to the common path), so a key is written without reading the priority and
 * compared with one test.  In a heap, the four
 * children of a node fill one cache line (the array is aligned for it); a
 * descent through a heap larger than the first-level cache prefetches the
 * next level's groups while it compares the current one.
 *
 * The far tier holds record indices only, in singly linked lists threaded
 * through far_next, an array parallel to the records (4 bytes an event, so
 * walking a bucket touches few lines); moving a bucket into the near tier
 * reads each record's time, loads that do not depend on each other and so
 * overlap, and leaves the records in cache for their dispatch.
 * An event thus moves at most a few times (top to a rung, to finer rungs, to
 * the near tier) at O(1) each, and is then ordered among the few entries of
 * its bucket, not among everything pending: at 10^5 and 10^6 pending a hold
 * step costs well under half the single heap's, instructions and time alike
 * (tests/bench/run measures both).  The common paths (scheduling into a rung
 * or the top list, dispatch from a run, moving a bucket of a few entries)
 * call nothing but the handler; their rare cases are functions of their
 * own, so that the common ones keep their values in registers.
 *
 * Lazy cancellation, as the timers of Redis (ae.c) mark deleted events and
 * reap them later: cancel marks the entry dead in O(1) and leaves it where
 * it is; a dead entry is discarded when it becomes the near tier's first or
 * when its bucket or the top list is moved, and when an entry dies (or a
 * dispatch off the common path ends) with dead entries outnumbering pending
 * ones, everything is compacted (dead entries dropped, a near heap rebuilt
 * bottom-up, Floyd, CACM 7(12), 1964): O(n) for more than n/2 dead entries,
 * so amortised O(1) per cancel.  Only the near tier's dead entries, counted
 * apart, keep dispatch off its common path, which so runs on while dead
 * ones wait in the far tier (to go as their bucket moves) and looks for no
 * compaction: dead entries may then outnumber pending events, never the
 * room (see Records), as they did not when the last of them died.
 * Reschedule is a cancel plus an insertion under a fresh record; the handle
 * keeps naming the record it was issued for (its "home"), whose `link`
 * names the record of the live entry.
 * So nothing points from the records into the queue: moving an entry moves a
 * 16-byte key or a 4-byte link and writes nowhere else.
 *
 * The hold operation (Jones, CACM 29(4), 1986), in a near heap: dispatch
 * leaves a placeholder at the root that precedes every key; the first event
 * the handler schedules before the horizon replaces it and sinks from the
 * root (one sift instead of a removal and an insertion), and if it schedules
 * none there the placeholder is removed after the handler, bottom-up
 * (Wegener, Theor. Comput. Sci. 118, 1993: the hole sinks to a leaf along
 * the earliest children and the last entry rises from there, one comparison
 * a level fewer than a plain sift).
 *
 * Records: recycled through a LIFO free list, so steady state allocates
 * nothing and a handler that schedules its successor reuses the record just
 * released, still in cache.  A record has two roles, each of which keeps it
 * from the free list: home of a pending handle (generation odd, `link` names
 * the record of its live entry, itself unless rescheduled) and holder of an
 * entry (`home` names the home, or is DEAD).  Capacities grow only in
 * sim_schedule (and sim_loop_reserve), all together, to a room of pending events (records >= 3 x
 * room + 2, record 0 reserved (see NO_REC), near keys >= 2 x room + 1,
 * buckets: see buckets_for): with pending and dead <= room, entries <= 2 x
 * room, records in use <= room + entries: cancel, reschedule and dispatch
 * never allocate and never fail.
 *
 * Complexity with n pending events and b entries a bucket: schedule and
 * reschedule O(1) into the far tier, O(min(b, SORTED_MAX)) into a sorted
 * run (amortised, for a long run's moves) or O(log b) into a heap; dispatch
 * O(1) from a run, O(log b) from a heap, plus amortised O(1) for the moves
 * and O(b log b) to sort a bucket;
 * cancel O(1), plus amortised O(1) for compaction and for discarding its
 * dead entry.  With b near n (see above), the heap's O(log n).
 *
 * Invariants (sim_loop_check): run or heap order; a heap at the key array's
 * start, a run moved only when long and with room after it, the sentinel
 * before the array and before key[0]; every near entry's time is
 * before the horizon, every bucket entry's time within its bucket, every top
 * entry's at or after the first rung's end, rungs nested; the near tier's
 * first entry, when there is one and no placeholder holds it, is live, and
 * the near tier is empty only with the far tier or while events scheduled
 * into an empty loop wait in the top list (so sim_loop_next_time is O(1));
 * entries = pending + dead (+ the placeholder); dead <= room, the near
 * tier's dead entries counted apart; every pending home's link names a
 * record whose entry names it back; every record is in use or free, never
 * both. */
#include "sim/loop.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/loop_internal.h"

/* Index of the earliest among the `count` siblings starting at `first`. */
static inline size_t earliest_child(const event_rec *rec, const heap_key *h, size_t first,
                                    size_t count) {
  size_t best = first;
  if (count == SIM_HEAP_ARITY) {
    /* a full group: a fixed trip count the compiler unrolls */
    for (size_t k = 1; k < SIM_HEAP_ARITY; k++)
      best = before(rec, &h[first + k], &h[best]) ? first + k : best;
  } else {
    for (size_t k = 1; k < count; k++)
      best = before(rec, &h[first + k], &h[best]) ? first + k : best;
  }
  return best;
}

/* Asks for the sibling groups of the next level, from entry `at` on (the
 * children of all the current siblings: d groups, contiguous), while the
 * current level is compared, so that the loads of consecutive levels overlap
 * instead of following one another.  A prefetch never faults, so the last
 * groups may run past the array.  Heaps within PREFETCH_MIN_BYTES fit the
 * first-level cache and skip it. */
#define PREFETCH_MIN_BYTES (32 * 1024)
#define PREFETCH_STRIDE (CACHE_LINE / sizeof(heap_key))
#if defined(__GNUC__)
#define PREFETCH_GROUPS(h, at, below)                                                \
  do {                                                                               \
    if ((at) < (below))                                                              \
      for (size_t pf = 0; pf < SIM_HEAP_ARITY * SIM_HEAP_ARITY; pf += PREFETCH_STRIDE) \
        __builtin_prefetch(&(h)[(at) + pf]);                                         \
  } while (0)
#else
#define PREFETCH_GROUPS(h, at, below) ((void)0)
#endif

/* Moves k down from hole i: the earliest child moves up while it precedes k.
 * O(d log_d n). */
static void sift_down(sim_loop *loop, size_t i, heap_key k) {
  heap_key *h = loop->key;
  size_t n = loop->count;
  size_t prefetch_below = n * sizeof(heap_key) > PREFETCH_MIN_BYTES ? n : 0;
  for (;;) {
    size_t first = SIM_HEAP_ARITY * i + 1;
    if (first >= n) break;
    PREFETCH_GROUPS(h, SIM_HEAP_ARITY * first + 1, prefetch_below);
    size_t group = n - first < SIM_HEAP_ARITY ? n - first : SIM_HEAP_ARITY;
    size_t best = earliest_child(loop->rec, h, first, group);
    if (!before(loop->rec, &h[best], &k)) break;
    h[i] = h[best];
    i = best;
  }
  h[i] = k;
}

/* Removes the root.  The last entry, which fills the hole, is usually among
 * the latest, so the hole first sinks to a leaf along the earliest children
 * without comparing them with it, and the entry then rises from there,
 * usually little (Wegener 1993). */
static void pop_root(sim_loop *loop) {
  heap_key *h = loop->key;
  size_t n = --loop->count;
  if (n == 0) return;
  size_t prefetch_below = n * sizeof(heap_key) > PREFETCH_MIN_BYTES ? n : 0;
  size_t i = 0;
  for (;;) {
    size_t first = SIM_HEAP_ARITY * i + 1;
    if (first >= n) break;
    PREFETCH_GROUPS(h, SIM_HEAP_ARITY * first + 1, prefetch_below);
    size_t group = n - first < SIM_HEAP_ARITY ? n - first : SIM_HEAP_ARITY;
    size_t best = earliest_child(loop->rec, h, first, group);
    h[i] = h[best];
    i = best;
  }
  sift_up(loop, i, h[n]);
}

/* ---- the near tier: a sorted run or a heap ----
 * A bucket moved into the empty near tier is sorted into a run latest first:
 * dispatch then takes the last entry in O(1), and an event scheduled before
 * the horizon is inserted from the end, past the entries earlier than it,
 * few when it comes soon.  A long run (see sim/loop_long_run.c) that an
 * insertion would cost more than that makes a heap instead (and stays one
 * until the tier runs dry), so that many events at one instant cost O(log
 * n) each at worst, not O(n). */

void loop_heapify(sim_loop *loop) {
  heap_key *h = loop->key;
  size_t n = loop->count;
  if (n > 1)
    for (size_t i = (n - 2) / SIM_HEAP_ARITY + 1; i-- > 0;) sift_down(loop, i, h[i]);
}

/* Inserts k into the near tier (not through the placeholder); k has the
 * latest sequence (it is scheduled or rescheduled now: see before_new). */
static SIM_ALWAYS_INLINE void near_insert(sim_loop *loop, heap_key k) {
  if (loop->sorted) {
    int32_t prio = loop->rec[k.rec].prio;
    if (SIM_RARELY(loop->count >= SORTED_MAX)) {
      if (!long_run_push_front(loop, k, prio) && !long_run_push_back(loop, k, prio))
        loop_long_run_insert(loop, k);
      return;
    }
    /* a run of fewer than SORTED_MAX entries has room after it, even moved
     * (see center_run) */
    assert(loop->count + loop->key_front < loop->heap_cap);
    heap_key *h = loop->key;
    size_t j = loop->count++;
    for (; j > 0 && before_new(loop->rec, &h[j - 1], k.time, prio); j--) h[j] = h[j - 1];
    h[j] = k;
    return;
  }
  assert(loop->count < loop->heap_cap);
  sift_up(loop, loop->count++, k);
}

/* Removes the earliest near entry. */
static inline void near_pop(sim_loop *loop) {
  if (loop->sorted)
    loop->count--;
  else
    pop_root(loop);
}

/* ---- the far tier ---- */

/* Files record r's entry, at time u beyond every rung, in the top list. */
static inline void top_insert(sim_loop *loop, uint32_t r, uint64_t u) {
  loop->far_next[r] = loop->top;
  loop->top = r;
  loop->top_count++;
  if (u < loop->top_min) loop->top_min = u;
  if (u > loop->top_max) loop->top_max = u;
}

/* Files record r's entry, at time t >= horizon, in its bucket or the top
 * list. */
static void far_insert_coarse(sim_loop *loop, uint32_t r, uint64_t u);

static inline void far_insert(sim_loop *loop, uint32_t r, sim_time t) {
  uint64_t u = (uint64_t)t;
  if (u < loop->fine_end) {
    uint32_t *head = loop->fine_head + ((u - loop->fine_base) >> loop->fine_shift);
    loop->far_next[r] = *head;
    *head = r;
    return;
  }
  far_insert_coarse(loop, r, u);
}

/* far_insert beyond the finest rung: the finest rung above it that reaches
 * u (rungs are nested, each below the horizon's bucket of the one above),
 * or the top list. */
static void far_insert_coarse(sim_loop *loop, uint32_t r, uint64_t u) {
  /* u is at or after the finest rung's end, fine_end (0 with no rung) */
  assert(u >= loop->fine_end);
  for (unsigned k = loop->rungs ? loop->rungs - 1 : 0; k-- > 0;) {
    const rung *g = &loop->rung[k];
    if (u < g->end) {
      size_t b = g->first + (size_t)((u - g->base) >> g->shift);
      loop->far_next[r] = loop->bucket[b];
      loop->bucket[b] = r;
      return;
    }
  }
  top_insert(loop, r, u);
}

/* Makes rung `k` over [base, base + 2^(shift + log2 buckets)), its buckets
 * empty, from bucket `first` on; the horizon is its start. */
static void make_rung(sim_loop *loop, unsigned k, uint64_t base, unsigned shift, size_t buckets,
                      size_t first) {
  rung *g = &loop->rung[k];
  g->base = base;
  g->shift = shift;
  g->buckets = buckets;
  g->first = first;
  g->next = 0;
  /* at most the latest time + 2^shift <= 2^64 - 1, since times are < 2^63 */
  g->end = base + ((uint64_t)buckets << shift);
  memset(&loop->bucket[first], 0, buckets * sizeof *loop->bucket); /* NO_REC */
  loop->rungs = k + 1;
  loop->horizon = base;
  loop_set_finest(loop);
}

/* Files the entries of far list r anew (after a new rung was made), dropping
 * the dead. */
static void refile(sim_loop *loop, uint32_t r) {
  while (r != NO_REC) {
    uint32_t next = loop->far_next[r];
    if (loop->rec[r].home == DEAD)
      drop_dead(loop, r);
    else
      far_insert(loop, r, loop->rec[r].time);
    r = next;
  }
}

/* Spreads the top list over a new first rung starting at its earliest time,
 * SIM_FIRST_SPREAD buckets an entry (as the bucket array allows); dead
 * entries go.  Every rung must
 * be used up and the top list not empty. */
static void spread_top(sim_loop *loop) {
  assert(loop->rungs == 0 && loop->top != NO_REC);
  uint64_t span = loop->top_max - loop->top_min;
  size_t want = loop->top_count * SIM_FIRST_SPREAD;
  if (want > loop->bucket_cap / 2) want = loop->bucket_cap / 2; /* the rest for finer rungs */
  if (want < 1) want = 1;
  unsigned shift = 0;
  while ((span >> shift) >= want) shift++;
  make_rung(loop, 0, loop->top_min, shift, (size_t)(span >> shift) + 1, 0);
  uint32_t r = loop->top;
  loop->top = NO_REC;
  loop->top_count = 0;
  loop->top_min = UINT64_MAX;
  loop->top_max = 0;
  refile(loop, r);
}

/* The finest rung with a bucket left to move, once the finest one is used up
 * (the horizon is already its end) or there is none: coarser rungs, or a new
 * first rung over the top list.  The far tier must not be empty. */
SIM_NOINLINE static rung *next_rung(sim_loop *loop) {
  while (loop->rungs && loop->rung[loop->rungs - 1].next == loop->rung[loop->rungs - 1].buckets)
    loop->rungs--;
  loop_set_finest(loop);
  if (loop->rungs == 0) spread_top(loop);
  return &loop->rung[loop->rungs - 1];
}

/* A bucket of n > min(SORTED_MAX, SPLIT_ABOVE) live entries, moved into the
 * key array (the first SORTED_MAX sorted) from rung g: split into a finer
 * rung when it is crowded and the rung, the ladder and the bucket array
 * allow (true: the near tier stays empty), else sorted into a run (false). */
SIM_NOINLINE static bool split_or_keep(sim_loop *loop, rung *g, size_t n) {
  heap_key *h = loop->key;
  int one_instant = -1; /* whether every entry has one time; -1: not known yet */
  for (;;) {
    unsigned fine = loop->rungs - 1;
    if (n <= SPLIT_ABOVE || g->shift == 0 || fine + 1 >= MAX_RUNGS) break;
    /* about SIM_BUCKET_FILL entries a bucket */
    unsigned split = 1;
    while (split < g->shift && ((size_t)SIM_BUCKET_FILL << split) < n) split++;
    size_t first = g->first + g->buckets;
    if (first + ((size_t)1 << split) > loop->bucket_cap) break;
    uint64_t start = loop->horizon - ((uint64_t)1 << g->shift);
    make_rung(loop, fine + 1, start, g->shift - split, (size_t)1 << split, first);
    if (one_instant < 0) {
      one_instant = 1;
      for (size_t i = 1; i < n && one_instant; i++) one_instant = h[i].time == h[0].time;
    }
    if (!one_instant) {
      for (size_t i = 0; i < n; i++) far_insert(loop, (uint32_t)h[i].rec, h[i].time);
      return true;
    }
    /* a crowd at one instant, which every finer rung would file in one
     * bucket and refill_from move back here: that bucket is taken as moved
     * (the horizon follows), and the crowd stays, for the next split or to
     * be kept (the ladder as the round trips would leave it, without them) */
    g = &loop->rung[loop->rungs - 1];
    size_t b = (size_t)(((uint64_t)h[0].time - g->base) >> g->shift);
    g->next = b + 1;
    loop->horizon = g->base + ((uint64_t)(b + 1) << g->shift);
  }
  if (loop->key_front && loop->key_front + 2 * n >= loop->heap_cap) {
    /* moved by a long run before (see center_run, loop_sort_run) too far
     * for the room loop_sort_run needs after it: back to the start (the
     * caller keeps no copy of key) */
    heap_key *start = loop->key - loop->key_front;
    memmove(start, h, n * sizeof *start);
    loop->key = start;
    loop->key_front = 0;
  }
  loop->count = n;
  if (n > SORTED_MAX) loop_sort_run(loop, n); /* the first SORTED_MAX already are */
  set_sorted(loop, true);
  loop->ahead = g->next < g->buckets ? loop->bucket[g->first + g->next] : NO_REC;
  return false;
}

/* Moves far entries into the empty near tier, bucket by bucket, until it
 * holds one or the far tier is empty (it must not be at first); the horizon
 * follows.  A crowded bucket
 * is split into a finer rung instead ([TANG05]), as long as its width
 * and the bucket array allow: so the near tier stays small even where the
 * rung's width, set by the whole span, is too coarse for the events near
 * now (with exponential increments, the earliest buckets are the fullest).
 * `none_dead`: no entry is dead; `was_plain`: the loop was plain (see
 * set_sorted) when its run ran dry.  The common case, a bucket of a few
 * entries, calls nothing. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void refill_from(sim_loop *loop, bool none_dead, bool was_plain) {
  assert(loop->count == 0 && !loop->root_free);
  heap_key *h = loop->key;
  const event_rec *rec = loop->rec;
  const uint32_t *far_next = loop->far_next;
  assert(far_entries(loop) > 0);
  for (;;) {
    rung *g = &loop->rung[loop->rungs ? loop->rungs - 1 : 0];
    if (SIM_RARELY(loop->rungs == 0 || g->next == g->buckets)) g = next_rung(loop);
    /* the rung's next bucket with an entry, or its end; the horizon follows */
    uint32_t *bucket = loop->bucket + g->first;
    size_t b = g->next, end = g->buckets;
    uint32_t r;
    while ((r = bucket[b]) == NO_REC && b + 1 < end) b++;
    bucket[b] = NO_REC;
    g->next = ++b;
    loop->horizon = g->base + ((uint64_t)b << g->shift);
    /* the next bucket's list, for dispatch to prefetch (see leave_run_end),
     * named now so that no value of the bucket's lives across the walk */
    loop->ahead = b < end ? bucket[b] : NO_REC;
    /* the live entries into the key array, the first SORTED_MAX of them
     * sorted latest first as they come (insertion sort: quadratic, but on a
     * few), the dead ones out */
    heap_key *last = h; /* one past the last entry */
    const heap_key *sorted_end = h + SORTED_MAX;
    for (; r != NO_REC; r = far_next[r]) {
      if (!none_dead && SIM_RARELY(rec[r].home == DEAD)) {
        drop_dead(loop, r); /* leaves far_next[r] as it was */
        continue;
      }
      sim_time t = rec[r].time;
      if (SIM_RARELY(last >= sorted_end)) {
        *last++ = (heap_key){t, r};
        continue;
      }
      heap_key *p = last++;
      /* key -1, a sentinel at the latest time, ends the walk without a test
       * of the position (but for a tie with it, told apart by p == h) */
      for (;; p--) {
        sim_time u = p[-1].time;
        /* one test a step: a later or equal time ends the walk or (a tie
         * ordered after k, rare) continues it */
        if (u >= t && (u > t || p == h || !tie_before(rec, p[-1].rec, r))) break;
        p[0] = p[-1];
      }
      *p = (heap_key){t, r};
    }
    size_t n = (size_t)(last - h);
    if (n == 0) {
      /* nothing, or only dead entries, so far */
      if (far_entries(loop) == 0) return;
      continue;
    }
    if (SIM_RARELY(n > SORTED_MAX || n > SPLIT_ABOVE)) {
      if (split_or_keep(loop, g, n)) continue; /* its entries went back to the far tier */
      return;
    }
    loop->count = n;
    loop->sorted = true;
    /* a plain loop stays plain but for the limit (see set_sorted) */
    loop->plain = was_plain ? loop->horizon <= (uint64_t)loop->until + 1 : plain_state(loop, true);
    return;
  }
}

/* refill_from for any state of the queue. */
static void refill(sim_loop *loop) { refill_from(loop, false, false); }

/* refill_from when no entry is dead, the loop not plain. */
static void refill_live(sim_loop *loop) { refill_from(loop, true, false); }

/* ---- keeping the invariants ---- */

/* Discards dead entries from the near root, refilling the near tier when it
 * runs dry, so that the root is live (under a placeholder, they wait until it
 * goes). */
static void reap_root(sim_loop *loop) {
  while (!loop->root_free) {
    if (loop->count == 0) {
      if (!far_entries(loop)) {
        loop_forget_rungs(loop); /* the loop is empty */
        return;
      }
      refill(loop);
      continue;
    }
    uint32_t r = (uint32_t)near_first(loop)->rec;
    if (loop->rec[r].home != DEAD) return;
    near_pop(loop);
    drop_near_dead(loop, r);
  }
}

/* Drops every dead entry, near (the heap then rebuilt bottom-up) and far:
 * O(entries). */
static void compact(sim_loop *loop) {
  if (loop->root_free) {
    loop->root_free = false;
    pop_root(loop);
  }
  heap_key *h = loop->key;
  size_t kept = 0;
  for (size_t i = 0; i < loop->count; i++) {
    uint32_t r = (uint32_t)h[i].rec;
    if (loop->rec[r].home == DEAD)
      drop_near_dead(loop, r);
    else
      h[kept++] = h[i];
  }
  loop->count = kept;
  set_sorted(loop, loop->sorted); /* plain reflects the new count */
  if (!loop->sorted) loop_heapify(loop); /* a run stays sorted */
  for (unsigned k = 0; k < loop->rungs; k++) {
    const rung *g = &loop->rung[k];
    for (size_t b = g->next; b < g->buckets; b++) loop_purge_list(loop, &loop->bucket[g->first + b]);
  }
  loop->top_count = loop_purge_list(loop, &loop->top);
  assert(loop->dead == 0);
}

/* Restores the invariants after an entry died or left, or the near tier ran
 * dry: live root, and dead entries no more numerous than pending events. */
static void tidy_slow(sim_loop *loop) {
  if (loop->dead > pending_events(loop)) compact(loop);
  reap_root(loop);
}

/* Whether the invariants hold already with some entry dead: no compaction
 * due, and a live near root (so when nothing near is dead) or the
 * placeholder over it: reap_root would do nothing.  Tested before the call,
 * so that dead entries far away cost a cancel or reschedule a few loads. */
static inline bool tidy_with_dead(const sim_loop *loop) {
  if (loop->count == 0 || loop->dead > pending_events(loop)) return false;
  return loop->near_dead == 0 || loop->root_free ||
         loop->rec[near_first(loop)->rec].home != DEAD;
}

static inline void tidy(sim_loop *loop) {
  /* the common case, and the hold model's: nothing dead, a near entry left */
  if (SIM_RARELY(loop->dead || loop->count == 0) && !tidy_with_dead(loop)) tidy_slow(loop);
}

/* ---- handles ---- */

static inline sim_event_id make_id(uint32_t r, uint32_t gen) {
  return ((uint64_t)gen << 32) | r; /* r > 0: never SIM_EVENT_NONE */
}

/* Ends pending handle h, whose live entry has left the queue or been marked
 * dead by the caller. */
static inline void end_handle(sim_loop *loop, uint32_t h) {
  loop->rec[h].gen++;
  loop->spare++;
  settle(loop, h);
}

/* ---- the API ---- */

static inline sim_event_id schedule_at(sim_loop *loop, sim_time at, int32_t priority,
                                       sim_handler fn, void *ctx, uint64_t arg);

/* Records never used that schedule_fresh puts on the free list at once: a
 * loop whose records wait dead in the far tier (runs' ends brought forward)
 * takes a new one for most events a crowd's handlers schedule, and so would
 * leave the common path for each. */
#define FRESH_BATCH 64

/* sim_schedule with no free record: growth, or records never used (those
 * sim_loop_reserve made room for are all such at first), up to FRESH_BATCH
 * of them, which go on the free list lowest first, so that the common path
 * takes them.  Each is the record take_rec would give when its turn comes
 * (the free list is last in, first out, and they lie under everything
 * released later): handles stay as they were. */
SIM_NOINLINE static sim_event_id schedule_fresh(sim_loop *loop, sim_time at, int32_t priority,
                                                sim_handler fn, void *ctx, uint64_t arg) {
  if (SIM_RARELY(loop->spare == 0) && loop_grow_for_event(loop) < 0) return SIM_EVENT_NONE;
  assert(loop->free_head == NO_REC && loop->recs < loop->rec_cap);
  size_t end = loop->rec_cap - loop->recs > FRESH_BATCH ? loop->recs + FRESH_BATCH : loop->rec_cap;
  for (size_t r = end; r-- > loop->recs;) {
    loop->rec[r].gen = 0;
    loop->rec[r].home = NO_REC;
    loop->rec[r].link = loop->free_head;
    loop->free_head = (uint32_t)r;
  }
  loop->recs = end;
  return schedule_at(loop, at, priority, fn, ctx, arg);
}

/* sim_schedule beyond its common case, once the new event is filled into
 * record r, the free list's head, still free: growth (which copies the
 * records, r with them), or an entry before the horizon, queued in the near
 * tier through the dispatched event's placeholder when it is there (the hold
 * operation: one sift instead of two), else as an insertion.  Nothing
 * observable has changed if growth fails. */
SIM_NOINLINE static sim_event_id schedule_filled(sim_loop *loop, uint32_t r) {
  if (SIM_RARELY(loop->spare == 0) && loop_grow_for_event(loop) < 0) return SIM_EVENT_NONE;
  assert(loop->free_head == r);
  event_rec *e = &loop->rec[r];
  loop->free_head = e->link;
  uint32_t gen = ++e->gen;
  e->seq = loop->next_seq++;
  e->link = r;
  e->home = r;
  /* an empty loop has forgotten its rungs (see loop_forget_rungs) */
  assert(loop->count || far_entries(loop) || loop->rungs == 0);
  loop->spare--;
  heap_key k = {e->time, r};
  if ((uint64_t)k.time >= loop->horizon) {
    far_insert(loop, r, k.time);
  } else if (loop->root_free) {
    loop->root_free = false;
    sift_down(loop, 0, k);
  } else {
    near_insert(loop, k);
  }
  return make_id(r, gen);
}

/* Files record r's entry, at time u beyond the finest rung but before the
 * top list, in a coarser rung; returns its handle (generation gen).  Apart
 * from schedule_at, so that its common path calls nothing. */
SIM_NOINLINE static sim_event_id file_beyond(sim_loop *loop, uint32_t r, uint64_t u,
                                             uint32_t gen) {
  /* fine_end <= u < top_from, the ends of the finest rung and the first:
   * a rung between reaches u (far_insert_coarse, without a call or a test
   * for the top list) */
  assert(loop->rungs >= 2 && u >= loop->fine_end && u < loop->top_from);
  const rung *g = &loop->rung[loop->rungs - 2];
  while (u >= g->end) g--;
  uint32_t *head = &loop->bucket[g->first + (size_t)((u - g->base) >> g->shift)];
  loop->far_next[r] = *head;
  *head = r;
  return make_id(r, gen);
}

/* The common case, the hold model's: a free record, room, and a time at or
 * after the horizon, filed in the finest rung or the top list (an empty loop
 * has no rung, so such a time goes to the top list).  The event is written into the free
 * list's head before room and horizon are tested, so that those slow paths
 * need only the record (harmless if they fail: the record stays free); every
 * slow path is a tail call, so the common one keeps its values in the
 * argument registers and saves none. */
static inline sim_event_id schedule_at(sim_loop *loop, sim_time at, int32_t priority,
                                       sim_handler fn, void *ctx, uint64_t arg) {
  uint32_t r = loop->free_head;
  if (SIM_RARELY(r == NO_REC)) return schedule_fresh(loop, at, priority, fn, ctx, arg);
  event_rec *e = &loop->rec[r];
  e->fn = fn;
  e->ctx = ctx;
  e->arg = arg;
  e->time = at;
  e->prio = priority;
  uint64_t u = (uint64_t)at;
  if (SIM_RARELY(loop->spare == 0 || u < loop->horizon)) return schedule_filled(loop, r);
  loop->free_head = e->link;
  uint32_t gen = ++e->gen;
  e->seq = loop->next_seq++;
  e->link = r;
  e->home = r;
  loop->spare--;
  if (SIM_RARELY(u >= loop->fine_end)) {
    if (SIM_RARELY(u < loop->top_from)) return file_beyond(loop, r, u, gen);
    top_insert(loop, r, u);
    return make_id(r, gen);
  }
  uint32_t *head = loop->fine_head + ((u - loop->fine_base) >> loop->fine_shift);
  loop->far_next[r] = *head;
  *head = r;
  return make_id(r, gen);
}

sim_event_id sim_schedule(sim_loop *loop, sim_time at, int32_t priority, sim_handler fn, void *ctx,
                          uint64_t arg) {
  assert(fn);
  assert(at >= loop->now && "scheduling in the past");
  return schedule_at(loop, at, priority, fn, ctx, arg);
}

sim_event_id sim_schedule_in(sim_loop *loop, sim_time delay, int32_t priority, sim_handler fn,
                             void *ctx, uint64_t arg) {
  assert(fn);
  assert(delay >= 0 && delay <= SIM_TIME_MAX - loop->now);
  return schedule_at(loop, loop->now + delay, priority, fn, ctx, arg);
}

bool sim_cancel(sim_loop *loop, sim_event_id id) {
  uint32_t h = pending_home(loop, id);
  if (h == NO_REC) return false;
  kill_entry(loop, loop->rec[h].link);
  end_handle(loop, h);
  tidy(loop);
  return true;
}

/* Record n becomes the moved event of pending home h, at `at`: old's
 * handler and priority, the newest sequence (a move withdraws the old one),
 * the home's link to it. */
static SIM_ALWAYS_INLINE void moved_rec(sim_loop *loop, event_rec *rec, const event_rec *old,
                                        uint32_t n, uint32_t h, sim_time at) {
  event_rec *e = &rec[n];
  e->fn = old->fn;
  e->ctx = old->ctx;
  e->arg = old->arg;
  e->seq = loop->next_seq++;
  e->time = at;
  e->prio = old->prio;
  e->home = h;
  rec[h].link = n;
}

/* Moves the event of pending home h to `at`; c: its live entry's record. */
static SIM_ALWAYS_INLINE void move_event(sim_loop *loop, uint32_t h, uint32_t c, sim_time at) {
  /* the new entry needs its own record: the old one stays, dead, queued */
  uint32_t n = take_rec(loop);
  event_rec *old = &loop->rec[c];
  moved_rec(loop, loop->rec, old, n, h, at);
  /* the common case, a run's end brought forward: the old entry lies in the
   * far tier, so the near tier's first entry stays as it was (live, or
   * under the placeholder) and only a compaction may be due after; else
   * tidy decides */
  bool old_far = (uint64_t)old->time >= loop->horizon && loop->count > 0;
  kill_entry(loop, c); /* the old entry, its sequence withdrawn */
  if ((uint64_t)at < loop->horizon) {
    near_insert(loop, (heap_key){at, n});
  } else {
    far_insert(loop, n, at);
  }
  if (!old_far)
    tidy(loop);
  else if (SIM_RARELY(loop->dead > pending_events(loop)))
    tidy_slow(loop);
}

bool sim_reschedule(sim_loop *loop, sim_event_id id, sim_time at) {
  assert(at >= loop->now && "rescheduling into the past");
  uint32_t h = pending_home(loop, id);
  if (h == NO_REC) return false;
  move_event(loop, h, loop->rec[h].link, at);
  return true;
}

/* The compaction due after a move (see tidy_slow); true, what
 * sim_reschedule_earlier returns, so that its common path makes this a tail
 * call. */
SIM_NOINLINE static bool compact_after_move(sim_loop *loop) {
  tidy_slow(loop);
  return true;
}

/* sim_reschedule_earlier beyond its common case (see there). */
SIM_NOINLINE static bool move_earlier(sim_loop *loop, uint32_t h, uint32_t c, sim_time at) {
  move_event(loop, h, c, at);
  return true;
}

/* The common case, a run's end brought forward to now while a crowd is
 * dispatched at that instant: the old entry is far, and the new one goes
 * behind every entry of a long near run (the crowd ahead of it in priority
 * or sequence), into the free slot before it.  That is what move_event
 * does then (near_insert through long_run_push_front, no tidy but for a
 * compaction), with none of its tests for the other cases; those, and the
 * compaction, are tail calls, so that this path keeps few values in
 * registers. */
bool sim_reschedule_earlier(sim_loop *loop, sim_event_id id, sim_time at) {
  assert(at >= loop->now && "rescheduling into the past");
  uint32_t h = pending_home(loop, id);
  if (h == NO_REC) return false;
  event_rec *rec = loop->rec;
  uint32_t c = rec[h].link;
  event_rec *old = &rec[c];
  if (old->time <= at) return false;
  heap_key *key = loop->key;
  uint64_t horizon = loop->horizon;
  if (SIM_RARELY((uint64_t)at >= horizon || (uint64_t)old->time < horizon ||
                 !loop->sorted || loop->count < SORTED_MAX || loop->key_front == 0 ||
                 !before_new(rec, &key[0], at, old->prio)))
    return move_earlier(loop, h, c, at);
  SIM_RELOAD(); /* the fields tested are updated in memory, not kept */
  uint32_t n = take_rec(loop);
  moved_rec(loop, rec, old, n, h, at);
  /* kill_entry of a far entry: the near tier stays as plain as it was */
  old->home = DEAD;
  loop->dead++;
  loop->withdrawn++;
  key[-1] = (heap_key){at, n};
  key[-2] = (heap_key){SIM_TIME_MAX, 0}; /* the sentinel */
  loop->key = key - 1;
  loop->key_front--;
  loop->count++;
  if (SIM_RARELY(loop->dead > pending_events(loop))) return compact_after_move(loop);
  return true;
}

/* Takes the dispatched event, the root, out of a near heap. */
static void leave_heap_root(sim_loop *loop) {
#if defined(__GNUC__)
  /* A large heap (of events the buckets could not part): the next event
   * dispatched is one of the root's children or one the handler schedules
   * (whose record, just released, is in cache); asking for the children's
   * records now lets their loads overlap the handler and the sift, where the
   * next dispatch would otherwise wait for one. */
  if (loop->count * sizeof(heap_key) > PREFETCH_MIN_BYTES)
    for (size_t c = 1; c <= SIM_HEAP_ARITY && c < loop->count; c++)
      __builtin_prefetch(&loop->rec[loop->key[c].rec]);
#endif
  if (SIM_RARELY(loop->dead > pending_events(loop))) {
    /* compaction due: no placeholder then */
    pop_root(loop);
    tidy(loop);
  } else {
    /* the placeholder: time INT64_MIN precedes every entry (times are >= 0),
     * and the first event the handler schedules before the horizon replaces
     * it */
    loop->key[0] = (heap_key){INT64_MIN, 0};
    loop->root_free = true;
  }
}

/* Releases record r, whose entry is being dispatched, before its handler
 * runs: its own handle is stale by then, and the first event the handler
 * schedules reuses the record. */
static inline void release_dispatched(sim_loop *loop, uint32_t r) {
  event_rec *e = &loop->rec[r];
  uint32_t h = e->home;
  e->home = NO_REC;
  loop->spare++;
  if (SIM_RARELY(h != r)) {
    /* rescheduled: the handle lives in its home record */
    loop->rec[h].gen++;
    settle(loop, h);
    settle(loop, r);
  } else {
    /* the handle's home is this record: in neither role now */
    e->gen++;
    e->link = loop->free_head;
    loop->free_head = r;
  }
}

/* Takes the dispatched entry off the end of the near run; `plain`: the loop
 * was plain (nothing dead in the near tier), so the run's new end is live. */
static SIM_ALWAYS_INLINE void leave_run_end(sim_loop *loop, bool plain) {
#if defined(__GNUC__)
  /* One step along the next bucket's list a dispatch, asking for its
   * records: the list is a chain of dependent loads, which by the time the
   * run is used up have come in while the handlers ran, instead of one after
   * the other when the bucket moves (at 10^6 pending, a miss beyond the
   * second-level cache each).  Links of a list changed since are still
   * record indices or NO_REC, so a stale hint only wastes a prefetch; at a
   * list's end the walk stays on record 0 (see NO_REC). */
  uint32_t a = loop->ahead;
  __builtin_prefetch(&loop->rec[a]);
  loop->ahead = loop->far_next[a];
#endif
  /* the tier refilled now if that was the last entry, so that
   * sim_loop_next_time stays O(1) in the handler */
  if (plain) {
    if (SIM_RARELY(--loop->count == 0)) {
      SIM_RELOAD(); /* so that the common path adds to spare in memory */
      if (SIM_RARELY(loop->dead))
        reap_root(loop); /* far entries dead: the buckets may hold nothing else */
      else if (far_entries(loop))
        refill_from(loop, true, true); /* inline: the common path's only call */
      else
        loop_forget_rungs(loop); /* the loop is empty */
    }
  } else if (SIM_RARELY(--loop->count == 0) && loop->dead == 0) {
    /* nothing dead anywhere: the entry a refill brings is live */
    if (far_entries(loop))
      refill_live(loop);
    else
      loop_forget_rungs(loop); /* the loop is empty */
  } else {
    tidy(loop);
  }
}

/* One dispatch beyond the common path: from a near heap, or with a trace
 * observer.  False when the earliest event lies beyond `until` (the clock
 * then advanced to it). */
SIM_NOINLINE static bool dispatch_general(sim_loop *loop, sim_time until) {
  bool from_run = loop->sorted;
  heap_key top = *near_first(loop);
  if (top.time > until) {
    loop->now = until;
    return false;
  }
  loop->now = top.time; /* before a refill or loop_forget_rungs, which read it */
  uint32_t r = (uint32_t)top.rec;
  const event_rec *e = &loop->rec[r];
  sim_handler fn = e->fn;
  void *ctx = e->ctx;
  uint64_t arg = e->arg;
  release_dispatched(loop, r);
  if (from_run)
    leave_run_end(loop, false);
  else
    leave_heap_root(loop);
  /* the record is released, but its priority and sequence stay until the
   * handler reuses it */
  if (loop->trace != NULL) loop->trace(loop->trace_ctx, top.time, e->prio, e->seq, fn, arg);
  fn(loop, ctx, arg);
  if (!from_run) {
    /* the placeholder goes if the handler scheduled nothing before the
     * horizon, and whatever took the root may be dead */
    if (loop->root_free) {
      loop->root_free = false;
      pop_root(loop);
    }
    tidy(loop);
  }
  return true;
}

sim_run_status sim_loop_run(sim_loop *loop, sim_time until) {
  assert(!loop->running && "sim_loop_run is not re-entrant");
  assert(until >= loop->now);
  loop->running = true;
  loop->stop = false;
  loop->until = until;
  set_sorted(loop, loop->sorted); /* plain for this run's limit */
  sim_run_status status;
  for (;;) {
    if (SIM_RARELY(!loop->plain)) {
      /* plain implies a near entry, within `until`, and no stop (see
       * set_sorted): an empty near tier, a stop and the entries near the
       * limit come this way */
      if (loop->stop) {
        status = SIM_RUN_STOPPED;
        break;
      }
      if (loop->count == 0) {
        if (far_entries(loop) == 0) {
          status = SIM_RUN_EMPTY;
          break;
        }
        refill(loop); /* events scheduled into an empty loop */
        continue;
      }
      if (!dispatch_general(loop, until)) {
        status = SIM_RUN_TIME_LIMIT;
        break;
      }
    } else {
      /* the common path: the earliest entry ends a sorted run, within the
       * limit, nothing near is dead and no trace observes (a checkpoint waits
       * for its countdown, below).  After the handler, a run needs nothing:
       * the handler only added to it (schedule, which may make it a heap,
       * whose root is then live), kept it tidy (cancel, reschedule) or
       * stopped the run (which clears plain). */
      heap_key top = loop->key[loop->count - 1];
      loop->now = top.time; /* before a refill or loop_forget_rungs, which read it */
      uint32_t r = (uint32_t)top.rec;
      const event_rec *e = &loop->rec[r];
      release_dispatched(loop, r);
      leave_run_end(loop, true);
      /* read after the upkeep, which neither writes them nor moves the
       * records (only growth in sim_schedule does), so that only the
       * record's address lives across its calls */
      e->fn(loop, e->ctx, e->arg);
    }
    /* a dispatch ended: the checkpoint's countdown, all a checkpoint costs
     * the common path (with none, it runs out after 2^64 - 1 dispatches) */
    if (SIM_RARELY(--loop->checkpoint_left == 0)) loop_checkpoint(loop);
  }
  loop->running = false;
  return status;
}
