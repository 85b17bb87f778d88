/* sim/loop_long_run.c: the event loop's near tier when it holds a long
 * sorted run (sim/loop.c, "The near tier"): a bucket of more than
 * SORTED_MAX entries that no finer rung can part, in practice many events at
 * one instant, is sorted once and kept a run while the handlers schedule
 * ahead of the crowd (by priority) or behind all of it (FIFO); anything else
 * makes it a heap.  The rare paths of the near tier, apart from its hot ones
 * in sim/loop.c.  Units: times in ns.  Invariants: those of sim/loop.c,
 * checked by sim/loop_check.c (a moved run keeps room after it and the
 * sentinel before it). */
#include <assert.h>
#include <stdbool.h>
#include <string.h>

#include "sim/loop_internal.h"

/* Reverses keys [lo, hi). */
static void reverse_keys(heap_key *k, size_t lo, size_t hi) {
  while (lo + 1 < hi) {
    heap_key t = k[lo];
    k[lo++] = k[--hi];
    k[hi] = t;
  }
}

/* The end of the run (latest first) that starts at lo < n.  With `first`, a
 * stretch that is earliest first instead is reversed into one: a bucket's
 * list is last in, first out, and each move from list to list (to a rung,
 * to a finer one) reverses it, so a crowd of one time and priority comes
 * latest first or earliest first, as a few such stretches. */
static size_t run_end(const event_rec *rec, heap_key *k, size_t lo, size_t n, bool first) {
  size_t i = lo + 1;
  if (first && i < n && before(rec, &k[lo], &k[i])) {
    while (i + 1 < n && before(rec, &k[i], &k[i + 1])) i++;
    reverse_keys(k, lo, ++i);
    return i;
  }
  while (i < n && before(rec, &k[i], &k[i - 1])) i++;
  return i;
}

/* Merges the runs a = [lo, mid) and b = [mid, hi) of src into dst, latest
 * first.  Runs that do not interleave, the common case for a crowd (see
 * run_end), are copied whole. */
static void merge_runs(const event_rec *rec, const heap_key *src, heap_key *dst, size_t lo,
                       size_t mid, size_t hi) {
  if (mid == hi || before(rec, &src[mid], &src[mid - 1])) {
    memcpy(&dst[lo], &src[lo], (hi - lo) * sizeof *src); /* a, then b */
    return;
  }
  if (before(rec, &src[lo], &src[hi - 1])) {
    memcpy(&dst[lo], &src[mid], (hi - mid) * sizeof *src); /* b, then a */
    memcpy(&dst[lo + hi - mid], &src[lo], (mid - lo) * sizeof *src);
    return;
  }
  size_t a = lo, b = mid, o = lo;
  while (a < mid && b < hi) dst[o++] = before(rec, &src[a], &src[b]) ? src[b++] : src[a++];
  while (a < mid) dst[o++] = src[a++];
  while (b < hi) dst[o++] = src[b++];
}

/* Sorts the n near keys latest first into a run: merges the stretches that
 * are in order already (the first pass reverses those in the opposite
 * order, see run_end), two by two, between the keys and the n slots after
 * them, which the capacity margins leave free (n live entries are at most
 * the pending events, and the key array holds more than twice as many).
 * O(n log r) for r stretches: O(n) for a crowd, once for a crowded bucket
 * that no finer rung can part, where a heap would pay O(log n) at every
 * dispatch.  A run the last merge left in the slots after stays there
 * while it starts in the key array's first half (so that a bucket of live
 * entries, at most the pending events, refilled at its start fits, as
 * center_run keeps it): it then has n free slots before it, for the
 * entries scheduled behind the crowd (see long_run_push_front), and room
 * after it, without a copy back or a move to the middle. */
void loop_sort_run(sim_loop *loop, size_t n) {
  assert(loop->key_front + 2 * n < loop->heap_cap);
  const event_rec *rec = loop->rec;
  heap_key *src = loop->key, *dst = loop->key + n;
  for (bool first = true;; first = false) {
    size_t mid = run_end(rec, src, 0, n, first);
    if (mid == n) break; /* one run */
    size_t lo = 0, pairs = 0;
    for (;;) {
      size_t hi = mid < n ? run_end(rec, src, mid, n, first) : n;
      merge_runs(rec, src, dst, lo, mid, hi);
      pairs++;
      lo = hi;
      if (lo == n) break;
      mid = run_end(rec, src, lo, n, first);
    }
    heap_key *t = src;
    src = dst;
    dst = t;
    if (pairs == 1) break; /* the pair merged was the whole */
  }
  if (src == loop->key) return;
  if (loop->key_front + n > (loop->heap_cap - 1) / 2) {
    memcpy(loop->key, src, n * sizeof *src);
    return;
  }
  src[-1] = (heap_key){SIM_TIME_MAX, 0}; /* the sentinel */
  loop->key = src;
  loop->key_front += n;
}

/* Moves a long run (SORTED_MAX entries or more) to the middle of the key
 * array's room, so that it has free slots at both ends: true when that
 * leaves at least a quarter of its length before it, so that the O(n) move
 * is paid once for n / 4 insertions at its latest end or more; else false
 * (the room is taken by dead entries) and the run stays. */
static bool center_run(sim_loop *loop) {
  heap_key *start = loop->key - loop->key_front;
  size_t n = loop->count;
  assert(n < loop->heap_cap); /* entries <= 2 x pending < heap_cap */
  size_t front = (loop->heap_cap - n - 1) / 2;
  if (front < n / 4 + 1) return false;
  memmove(start + front, loop->key, n * sizeof *start);
  loop->key = start + front;
  loop->key_front = front;
  loop->key[-1] = start[-1]; /* the sentinel */
  return true;
}

/* Makes the near run a heap, back at the key array's start (where its
 * sibling groups fill cache lines), and inserts k into it. */
static void run_to_heap(sim_loop *loop, heap_key k) {
  if (loop->key_front) {
    heap_key *start = loop->key - loop->key_front;
    memmove(start, loop->key, loop->count * sizeof *start);
    loop->key = start;
    loop->key_front = 0;
  }
  set_sorted(loop, false);
  loop_heapify(loop);
  sift_up(loop, loop->count++, k);
}

/* near_insert (sim/loop.c) into a run of SORTED_MAX entries or more, a bucket that no
 * finer rung could part (in practice, many events at one instant).  An
 * event later than all of them (one the handler schedules at that instant,
 * behind the crowd: FIFO order) goes before the run's first slot, into the
 * free slots there (the run is centered when there are none); one earlier
 * than at most SORTED_MAX of them (ahead of the crowd, by priority) is
 * inserted from the end.  Anything else makes the run a heap. */
void loop_long_run_insert(sim_loop *loop, heap_key k) {
  const event_rec *rec = loop->rec;
  size_t n = loop->count;
  if (before(rec, &loop->key[0], &k)) {
    if (loop->key_front == 0 && !center_run(loop)) {
      run_to_heap(loop, k);
      return;
    }
    loop->key--;
    loop->key_front--;
    loop->key[0] = k;
    loop->key[-1] = (heap_key){SIM_TIME_MAX, 0}; /* the sentinel */
    loop->count++;
    return;
  }
  size_t j = n; /* stops at 1 or later: key[0] is not before k */
  while (n - j < SORTED_MAX && before(rec, &loop->key[j - 1], &k)) j--;
  if ((n - j == SORTED_MAX && before(rec, &loop->key[j - 1], &k)) ||
      (n + loop->key_front == loop->heap_cap && !center_run(loop))) {
    run_to_heap(loop, k);
    return;
  }
  heap_key *h = loop->key; /* centering may have moved it */
  memmove(&h[j + 1], &h[j], (n - j) * sizeof *h);
  h[j] = k;
  loop->count++;
}
