/* sim/loop_internal.h: the event loop's private layout, shared by the
 * loop itself (sim/loop.c, whose file comment gives the model: a near tier
 * kept as a sorted run or a heap, a ladder of bucketed rungs and a top list
 * [TANG05], records and handles; its long runs in sim/loop_long_run.c,
 * its storage in sim/loop_storage.c, its observers in sim/loop_watch.c) and
 * its invariant checker
 * (sim/loop_check.c).  Nothing outside these files includes it.
 * Units: times in ns.  The tuning macros may be set on the compiler's
 * command line (the unit tests build the loop with tiny values); all the
 * files must then be built with the same ones. */
#ifndef SIM_LOOP_INTERNAL_H
#define SIM_LOOP_INTERNAL_H
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/loop.h"

#ifndef SIM_HEAP_ARITY
#define SIM_HEAP_ARITY 4
#endif
_Static_assert(SIM_HEAP_ARITY >= 2 && SIM_HEAP_ARITY <= 16, "heap arity out of range");

/* Tuning, measured with tests/bench/run on the hold model (the unit tests
 * also build the loop with tiny values, to reach every path often).
 * SIM_FIRST_SPREAD: buckets a first rung gets per entry spread into it.  Its
 * width is the entries' span over that; with exponential increments the
 * events near now are some ln(n) times denser than the average, so one
 * bucket an entry left about 15 entries in the buckets moved first at 10^5
 * pending, and two leave about 11, for a few percent fewer instructions.
 * SPLIT_ABOVE: a bucket with more entries is split into a finer rung of about
 * SIM_BUCKET_FILL entries a bucket.  SORTED_MAX: the most entries of a near
 * run an insertion moves; a longer move makes the run a heap. */
#ifndef SIM_FIRST_SPREAD
#define SIM_FIRST_SPREAD 2
#endif
#ifndef SIM_BUCKET_FILL
#define SIM_BUCKET_FILL 8
#endif
#ifndef SPLIT_ABOVE
#define SPLIT_ABOVE (4 * SIM_BUCKET_FILL)
#endif
#ifndef SORTED_MAX
#define SORTED_MAX 32
#endif

/* The ordering key of a near entry (in a sorted run or a heap): its time,
 * and its record, which holds the priority and sequence that order equal
 * times.  Those are looked up only when times are equal, rare with times in
 * ns, so the key carries nothing else and moving a bucket into the near tier
 * writes two words an entry. */
typedef struct heap_key {
  sim_time time; /* ns: when the event fires */
  uint64_t rec;  /* index of the event's record (64 bits: no padding, so a
                    key moves as one 16-byte word) */
} heap_key;
_Static_assert(sizeof(heap_key) == 16, "four keys, a heap's sibling group, fill a cache line");

/* Values of event_rec.home besides a record index.  Record 0 is never
 * handed out: as NO_REC it ends every list, and its far_next is itself, so
 * that a walk one step a dispatch along a list (see leave_run_end) needs no
 * test for the end; and handles are record indices, never 0
 * (SIM_EVENT_NONE). */
#define NO_REC 0u               /* holds no entry; also the end of every list */
#define DEAD (UINT32_MAX - 1u)  /* holds a dead entry (cancelled or superseded) */

/* The key array is aligned so that key 1, and with it every group of
 * siblings, starts on a cache-line boundary, and each record fills one line
 * (64 bytes on x86-64 and arm64). */
#define CACHE_LINE 64

/* An event record.  Field roles: see the file comment.  One cache line
 * (aligned so, and 8 bytes larger than its fields need): a record is read
 * whole when its bucket moves and when it is dispatched, so one miss at
 * most, and its index scales by a shift. */
typedef struct event_rec {
  _Alignas(CACHE_LINE) sim_handler fn; /* handler */
  void *ctx;       /* handler's context, not owned */
  uint64_t arg;    /* handler's argument */
  uint64_t seq;    /* insertion sequence of the entry held, loop-wide, from 1 */
  sim_time time;   /* ns: time of the entry held */
  uint32_t gen;    /* handle generation: odd while home of a pending handle */
  int32_t prio;    /* priority of the entry held */
  uint32_t link;   /* pending home: record of the live entry; free: next free */
  /* gen, link and home, which scheduling and dispatch write together, lie
   * apart: side by side, the compiler merges their stores into vector moves
   * that take more instructions than the stores */
  _Alignas(8) uint32_t home; /* entry held: its handle's home record, DEAD, or NO_REC */
} event_rec;
_Static_assert(sizeof(event_rec) == CACHE_LINE, "a record fills one cache line");

/* Records never exceed this, so that indices stay below DEAD and fit the low
 * half of a handle; pending events are limited to a third of it (records
 * >= 3 x pending + 2: the margins, and record 0). */
#define MAX_RECS ((size_t)INT32_MAX)

/* Rungs below the first: each splits one crowded bucket of the rung above
 * ([TANG05] allows 8). */
#define MAX_RUNGS 8

/* A rung of equal buckets.  Times are compared with rungs and the horizon as
 * unsigned numbers: every event time is >= 0 (>= now), so a rung's end, at
 * most the latest time plus one bucket width <= 2^63, never overflows. */
typedef struct rung {
  uint64_t base;      /* ns: start of its first bucket */
  uint64_t end;       /* ns: end of its last bucket */
  unsigned shift;     /* log2 of the bucket width in ns */
  size_t first;       /* index of its first bucket in the loop's bucket array */
  size_t buckets;     /* buckets in the rung */
  size_t next;        /* the bucket that moves next; earlier ones are empty */
} rung;

struct sim_loop {
  sim_time now;        /* ns: time of the event being or last dispatched; first,
                          for sim_loop_now (sim/loop.h) */
  heap_key *key;       /* near tier, a sorted run or a heap; points into key_mem */
  size_t key_front;    /* key slots before key[0], after the sentinel at the
                          array's start; key[-1] is a copy of it.  A long run
                          grows at its latest end into them (see
                          long_run_insert); 0 for a heap */
  void *key_mem;       /* allocation behind key (for alignment) */
  size_t count;        /* near entries, live and dead (and the placeholder) */
  size_t dead;         /* dead entries, near and far */
  size_t near_dead;    /* of them, those in the near tier (the far ones are
                          dropped as their bucket moves, so only these keep
                          the loop from being plain) */
  size_t heap_cap;     /* entries the key array can hold, from its start,
                          key - key_front */
  event_rec *rec;      /* records; points into rec_mem */
  void *rec_mem;       /* allocation behind rec (for alignment) */
  uint32_t *far_next;  /* per record: next record in its bucket or top list */
  size_t recs;         /* records ever handed out (in use + free), record 0
                          included */
  size_t rec_cap;      /* records rec and far_next can hold */
  size_t spare;        /* pending events that fit the capacities beyond those
                          pending: room - pending (see pending_events) */
  uint32_t free_head;  /* first free record, NO_REC when none */
  /* the far tier */
  uint64_t horizon;    /* ns: near entries are before it, far ones at or after */
  rung rung[MAX_RUNGS]; /* the ladder: rung k + 1 spans the bucket rung k moved last */
  unsigned rungs;      /* rungs in use; the last is the finest */
  /* the finest rung, copied for far_insert's common case (see set_finest) */
  uint64_t fine_end;   /* ns: its end; 0 when there is no rung */
  uint64_t fine_base;  /* ns: its start */
  unsigned fine_shift; /* its log2 bucket width */
  uint32_t *fine_head; /* its first bucket in `bucket` */
  uint64_t top_from;   /* ns: the first rung's end, where the top list starts; 0
                          when there is no rung */
  uint32_t *bucket;    /* first record of each bucket, NO_REC when empty; rung
                          by rung, each after the one above */
  size_t bucket_cap;   /* buckets `bucket` can hold */
  size_t room;         /* pending events the capacities allow (see grow_for_event) */
  uint32_t ahead;      /* the next bucket's entry to prefetch, NO_REC if none
                          (see sim_loop_run; a hint, possibly stale) */
  uint32_t top;        /* first record of the top list, NO_REC when empty */
  size_t top_count;    /* entries in the top list, live and dead */
  uint64_t top_min;    /* ns: earliest time in the top list (UINT64_MAX if none) */
  uint64_t top_max;    /* ns: latest time in the top list (0 if none) */
  /* the run */
  uint64_t next_seq;   /* sequence of the next event scheduled or rescheduled */
  uint64_t withdrawn;  /* sequences that will never be dispatched: cancelled
                          events and rescheduled entries; the events
                          dispatched are the sequences issued less these and
                          the pending ones (see sim_loop_dispatched) */
  sim_time until;      /* ns: the current run's (or the last run's) time limit */
  bool stop;           /* sim_loop_stop was called during this run */
  bool running;        /* inside sim_loop_run */
  bool root_free;      /* key[0] is the dispatched event's placeholder (in count) */
  bool sorted;         /* the near tier is a sorted run, not a heap */
  bool plain;          /* sorted, not empty, nothing dead in the near tier, no
                          trace, not stopped, every near entry within `until`:
                          sim_loop_run's common path (see set_sorted) */
  sim_trace_fn trace;  /* dispatch observer, NULL when none */
  void *trace_ctx;     /* its context */
  /* the checkpoint (sim_loop_set_checkpoint) */
  uint64_t checkpoint_left;      /* dispatches before it is called, >= 1 between
                                    dispatches; UINT64_MAX when there is none
                                    (re-armed at 0, see loop_checkpoint) */
  sim_checkpoint_fn checkpoint;  /* NULL when none */
  void *checkpoint_ctx;          /* its context */
  bool in_checkpoint;            /* inside the checkpoint's call */
};

_Static_assert(offsetof(struct sim_loop, now) == 0, "sim_loop_now reads the loop's first member");

#if defined(__GNUC__)
#define SIM_RARELY(x) __builtin_expect(!!(x), 0)
/* for the rare paths of a hot function, so that its common path keeps its
 * registers (and saves none) */
#define SIM_NOINLINE __attribute__((noinline))
/* in a rare path: the loop's fields are read anew from memory there, so that
 * the common path need not keep the values it wrote in registers for it */
#define SIM_RELOAD() __asm__ volatile("" ::: "memory")
/* for a helper of a hot function that the compiler's size limits would
 * leave out of line */
#define SIM_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define SIM_ALWAYS_INLINE inline
#define SIM_RARELY(x) (x)
#define SIM_NOINLINE
#define SIM_RELOAD() ((void)0)
#endif

/* Pending events: live entries, pending handles.  Kept as the spare room
 * rather than as a count, so that scheduling's common path tests and takes
 * room with one counter. */
static inline size_t pending_events(const sim_loop *loop) { return loop->room - loop->spare; }

/* Far entries, live and dead.  Derived rather than counted, so that
 * scheduling into the far tier and moving a bucket count nothing: every
 * entry is near (the placeholder too) or far, and entries are the pending
 * events plus the dead ones and the placeholder. */
static inline size_t far_entries(const sim_loop *loop) {
  return pending_events(loop) + loop->dead + loop->root_free - loop->count;
}

/* Order of the entries of records a and b, at the same time: priority, then
 * sequence (looked up: records do not change while their entry is queued,
 * dead or not). */
static inline bool tie_before(const event_rec *rec, uint64_t a, uint64_t b) {
  if (rec[a].prio != rec[b].prio) return rec[a].prio < rec[b].prio;
  return rec[a].seq < rec[b].seq;
}

/* Strict order on entries; never equal for distinct entries (distinct
 * records, distinct sequences).  Equal times, rare, take a branch; the common
 * path is a flag. */
static inline bool before(const event_rec *rec, const heap_key *a, const heap_key *b) {
  if (SIM_RARELY(a->time == b->time)) return tie_before(rec, a->rec, b->rec);
  return a->time < b->time;
}

/* Whether queued entry a precedes an entry being inserted at time t with
 * priority prio.  The new entry took the latest sequence, so at equal times
 * and priorities the queued one comes first: only a's record is read, and
 * no sequence at all (a crowd at one instant compares nothing else). */
static inline bool before_new(const event_rec *rec, const heap_key *a, sim_time t, int32_t prio) {
  if (SIM_RARELY(a->time == t)) return rec[a->rec].prio <= prio;
  return a->time < t;
}

/* Whether the loop is plain (see the field), the near tier a run or not. */
static inline bool plain_state(const sim_loop *loop, bool sorted) {
  /* near entries are before the horizon, so all of them are within `until`
   * when the horizon is at most one past it (until < 2^63: no overflow) */
  return sorted && loop->trace == NULL && loop->count > 0 && loop->near_dead == 0 && !loop->stop &&
         loop->horizon <= (uint64_t)loop->until + 1;
}

/* Makes the near tier a sorted run or a heap, and keeps `plain` with it.
 * Called also when the trace changes, when a run starts, when the loop
 * empties and when the near tier's last dead entry goes (a near entry dying
 * and sim_loop_stop clear `plain` themselves); the near tier otherwise runs dry
 * only to be refilled at once (which calls it, after the horizon moved), so
 * the run loop's common path tests one flag for all six conditions. */
static inline void set_sorted(sim_loop *loop, bool sorted) {
  loop->sorted = sorted;
  loop->plain = plain_state(loop, sorted);
}

/* The earliest near entry; the near tier must not be empty. */
static inline const heap_key *near_first(const sim_loop *loop) {
  return loop->sorted ? &loop->key[loop->count - 1] : &loop->key[0];
}

/* Buckets the rungs may use with `pending` events pending: the first rung at
 * most half of them, SIM_FIRST_SPREAD an entry while the top list holds no
 * more than pending + 2 (that is, few dead), and the finer ones what is
 * left. */
static inline size_t buckets_for(size_t pending) { return 2 * SIM_FIRST_SPREAD * (pending + 2); }

/* Earliest live time in far list `r`; SIM_TIME_MAX when none. */
static inline sim_time earliest_live_in_list(const sim_loop *loop, uint32_t r) {
  sim_time t = SIM_TIME_MAX;
  for (; r != NO_REC; r = loop->far_next[r])
    if (loop->rec[r].home != DEAD && loop->rec[r].time < t) t = loop->rec[r].time;
  return t;
}

/* ---- shared by sim/loop.c, sim/loop_long_run.c and sim/loop_storage.c ---- */

/* Moves k up from hole i: parents later than k move down.  O(log n). */
static inline void sift_up(sim_loop *loop, size_t i, heap_key k) {
  heap_key *h = loop->key;
  while (i > 0) {
    size_t parent = (i - 1) / SIM_HEAP_ARITY;
    if (!before(loop->rec, &k, &h[parent])) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = k;
}

/* The common insertion into a long near run (a crowd at one instant, see
 * sim/loop_long_run.c): k (newly sequenced, of priority prio) later than
 * all of it (FIFO behind the crowd), with
 * a free slot before the run's first entry.  False, with nothing changed,
 * otherwise (loop_long_run_insert then decides).  Inline, so that the
 * crowd's successors cost no call. */
static inline bool long_run_push_front(sim_loop *loop, heap_key k, int32_t prio) {
  heap_key *h = loop->key;
  if (loop->key_front == 0 || !before_new(loop->rec, &h[0], k.time, prio)) return false;
  h[-1] = k;
  h[-2] = (heap_key){SIM_TIME_MAX, 0}; /* the sentinel */
  loop->key = h - 1;
  loop->key_front--;
  loop->count++;
  return true;
}

/* The other common insertion into a long near run: k (newly sequenced, of
 * priority prio) ahead of fewer than
 * SORTED_MAX of its last entries (at the crowd's instant, a lower priority
 * than the crowd's: a scheduler's kick ahead of the hosts' wake-ups), with
 * a free slot after the run, inserted from the end as into a short run.
 * False, with nothing changed, otherwise (loop_long_run_insert then
 * decides).  Inline, so that such a kick costs no call. */
static inline bool long_run_push_back(sim_loop *loop, heap_key k, int32_t prio) {
  heap_key *h = loop->key;
  size_t n = loop->count;
  if (n + loop->key_front == loop->heap_cap) return false;
  /* the entries earlier than k move up one as they are passed (a loop the
   * compiler cannot make a call); n >= SORTED_MAX: the walk reads
   * h[n - SORTED_MAX] at the earliest */
  size_t j = n;
  for (; n - j < SORTED_MAX && before_new(loop->rec, &h[j - 1], k.time, prio); j--) h[j] = h[j - 1];
  if (SIM_RARELY(n - j == SORTED_MAX) &&
      (j == 0 || before_new(loop->rec, &h[j - 1], k.time, prio))) {
    memmove(&h[j], &h[j + 1], SORTED_MAX * sizeof *h); /* undone: too far in */
    return false;
  }
  h[j] = k;
  loop->count = n + 1;
  return true;
}

/* The home record of a pending event, or NO_REC when the handle is not
 * pending. */
static inline uint32_t pending_home(const sim_loop *loop, sim_event_id id) {
  uint64_t low = id & 0xffffffffu;
  /* one test for both NO_REC and records never handed out: NO_REC wraps
   * (recs >= 1, record 0 counted) */
  if (low - 1 >= loop->recs - 1) return NO_REC;
  uint32_t r = (uint32_t)low;
  uint32_t gen = (uint32_t)(id >> 32);
  if (loop->rec[r].gen != gen || !(gen & 1u)) return NO_REC;
  return r;
}

/* ---- records (see sim/loop.c, "Records") ---- */

/* Puts record r on the free list once neither role keeps it. */
static inline void settle(sim_loop *loop, uint32_t r) {
  event_rec *e = &loop->rec[r];
  if ((e->gen & 1u) || e->home != NO_REC) return;
  e->link = loop->free_head;
  loop->free_head = r;
}

/* Frees the dead entry of record r, which has left the far tier. */
static inline void drop_dead(sim_loop *loop, uint32_t r) {
  loop->dead--;
  loop->rec[r].home = NO_REC;
  settle(loop, r);
}

/* Frees the dead entry of record r, which has left the near tier. */
static inline void drop_near_dead(sim_loop *loop, uint32_t r) {
  if (--loop->near_dead == 0) set_sorted(loop, loop->sorted); /* may be plain again */
  drop_dead(loop, r);
}

/* Marks the entry of record c dead (cancelled or superseded).  Near entries
 * lie before the horizon: one there keeps the loop from being plain until
 * it goes; a far one goes when its bucket or the top list moves. */
static inline void kill_entry(sim_loop *loop, uint32_t c) {
  loop->rec[c].home = DEAD;
  loop->dead++;
  if ((uint64_t)loop->rec[c].time < loop->horizon) {
    loop->near_dead++;
    loop->plain = false; /* see set_sorted */
  }
  loop->withdrawn++;
}

/* A record in neither role: the free list's head, or one never used.  The
 * capacity rules guarantee one (asserted). */
static inline uint32_t take_rec(sim_loop *loop) {
  uint32_t r = loop->free_head;
  if (r != NO_REC) {
    loop->free_head = loop->rec[r].link;
    return r;
  }
  assert(loop->recs < loop->rec_cap);
  r = (uint32_t)loop->recs++;
  loop->rec[r].gen = 0;
  loop->rec[r].home = NO_REC;
  return r;
}


/* Rebuilds the near heap's order bottom-up (Floyd 1964): O(count). */
void loop_heapify(sim_loop *loop);
/* Copies the finest rung for far_insert, after the rungs or the bucket
 * array changed. */
void loop_set_finest(sim_loop *loop);
/* Forgets the rungs of a loop that has just become empty (sim/loop_storage.c). */
void loop_forget_rungs(sim_loop *loop);
/* Drops the dead entries of far list *head; returns how many stayed
 * (sim/loop_storage.c). */
size_t loop_purge_list(sim_loop *loop, uint32_t *head);
/* Sorts the n near keys latest first into a run, which may end in the n
 * slots after them (sim/loop_long_run.c). */
void loop_sort_run(sim_loop *loop, size_t n);
/* Inserts k into a near run of SORTED_MAX entries or more (sim/loop_long_run.c). */
void loop_long_run_insert(sim_loop *loop, heap_key k);
/* Room for one more pending event; 0, or -1 with nothing changed
 * (sim/loop_storage.c). */
int loop_grow_for_event(sim_loop *loop);
/* The countdown ran out: calls the checkpoint, if any, and re-arms the
 * countdown as it asks (sim/loop_watch.c). */
void loop_checkpoint(sim_loop *loop);

#endif
