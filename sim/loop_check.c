/* sim/loop_check.c: sim_loop_check, the event loop's invariant checker
 * (sim/loop.h): every invariant the file comment of sim/loop.c states, checked
 * on the loop's private layout (sim/loop_internal.h), and those of its
 * checkpoint (sim/loop_watch.c); and sim_loop_near_heap_entries and
 * sim_loop_is_plain, the near tier's shape and the run's path.  The tests call it
 * between operations; the loop itself never does.  Units: times in ns. */
#include "sim/loop_internal.h"

/* Checks one queued entry of record r (near or far): 0, or the number of the
 * broken invariant; counts it when dead. */
static int check_entry(const sim_loop *loop, uint32_t r, sim_time t, size_t *dead) {
  const event_rec *rec = loop->rec;
  if (r == NO_REC || r >= loop->recs) return -4;
  const event_rec *e = &rec[r];
  if (e->time != t) return -4;
  if (e->home == NO_REC) return -4; /* an entry whose record says it holds none */
  if (e->home == DEAD) {
    ++*dead;
  } else {
    if (e->home >= loop->recs || !(rec[e->home].gen & 1u) || rec[e->home].link != r) return -6;
    if (t < loop->now) return -7; /* a pending event in the past */
  }
  if (e->seq == 0 || e->seq >= loop->next_seq) return -8;
  return 0;
}

/* Checks far list `r`: every entry's time in [lo, hi) and valid; counts its
 * entries into *n (and the dead ones into *dead). */
static int check_list(const sim_loop *loop, uint32_t r, uint64_t lo, uint64_t hi, size_t *n,
                      size_t *dead) {
  for (; r != NO_REC; r = loop->far_next[r]) {
    if (r >= loop->recs) return -13;
    if (++*n > loop->recs) return -13; /* a cycle */
    uint64_t u = (uint64_t)loop->rec[r].time;
    if (u < lo || u >= hi) return -13; /* in the wrong bucket */
    int err = check_entry(loop, r, loop->rec[r].time, dead);
    if (err) return err;
  }
  return 0;
}

int sim_loop_check(const sim_loop *loop) {
  const event_rec *rec = loop->rec;
  /* record 0 counts from the start, before there is an array */
  if (loop->count + loop->key_front > loop->heap_cap ||
      loop->recs > (loop->rec_cap ? loop->rec_cap : 1))
    return -1;
  /* a run is moved only when long, and keeps room after it (see center_run) */
  if (loop->key_front && (!loop->sorted || loop->heap_cap - loop->key_front <= SORTED_MAX))
    return -1;
  /* and starts in the array's first half, so that a bucket refilled there
   * fits (see loop_sort_run) */
  if (loop->key_front > (loop->heap_cap - 1) / 2) return -1;
  /* the sentinels refill's sort stops at: before the array and before key[0] */
  if (loop->key) {
    const heap_key *array_start = loop->key - loop->key_front - 1, *run_start = loop->key - 1;
    if (array_start->time != SIM_TIME_MAX || array_start->rec != 0 ||
        run_start->time != SIM_TIME_MAX || run_start->rec != 0)
      return -2;
  }
  if (!loop->key_front && loop->count > 1 && ((uintptr_t)&loop->key[1] % CACHE_LINE) != 0)
    return -2;
  if (loop->plain != plain_state(loop, loop->sorted)) return -1;
  /* the checkpoint's countdown is re-armed as it reaches 0, and it is
   * called only inside a run (see sim/loop_watch.c) */
  if (loop->checkpoint_left == 0 || (loop->in_checkpoint && !loop->running)) return -14;
  if (loop->checkpoint == NULL && loop->checkpoint_ctx != NULL) return -14;
  if (loop->root_free && (!loop->running || loop->count == 0 || loop->sorted)) return -1;
  if (loop->root_free && (loop->key[0].time != INT64_MIN || loop->key[0].rec != 0)) return -1;
  size_t first = loop->root_free; /* real entries start after the placeholder */
  /* far entries are derived from the rest (far_entries): not negative */
  if (loop->count > first + pending_events(loop) + loop->dead) return -3;
  size_t far_count = far_entries(loop);
  /* dead entries no more than the room: the common path's dispatches may
   * leave more than pending events (see sim/loop.c, lazy cancellation) */
  if (loop->spare > loop->room || loop->dead > loop->room || loop->near_dead > loop->dead)
    return -3;
  /* the margins cancel, reschedule and dispatch rely on */
  size_t p = pending_events(loop);
  if (p && (3 * p + 2 > loop->rec_cap || 2 * p + 1 > loop->heap_cap ||
            buckets_for(p) > loop->bucket_cap))
    return -3;
  size_t dead = 0;
  for (size_t i = first; i < loop->count; i++) {
    const heap_key *k = &loop->key[i];
    uint32_t r = (uint32_t)k->rec;
    int err = check_entry(loop, r, k->time, &dead);
    if (err) return err;
    if (k == near_first(loop) && rec[r].home == DEAD) return -5; /* a dead root */
    if ((uint64_t)k->time >= loop->horizon) return -13; /* a near entry past the horizon */
    if (loop->sorted) {
      if (i > 0 && !before(rec, k, &loop->key[i - 1])) return -9; /* run order, latest first */
    } else if (i > 0 && before(rec, k, &loop->key[(i - 1) / SIM_HEAP_ARITY])) {
      return -9; /* heap order */
    }
  }
  if (dead != loop->near_dead) return -3; /* the near tier's dead, counted apart */
  /* the far tier: the rung's geometry, then every list */
  /* a dry near tier: only while events scheduled into an empty loop wait in
   * the top list, none dead, the earliest named */
  if (loop->count == 0 && far_count &&
      (loop->rungs || far_count != loop->top_count || loop->dead ||
       (sim_time)loop->top_min != earliest_live_in_list(loop, loop->top)))
    return -5;
  /* an empty loop keeps no rung (see loop_forget_rungs): scheduling relies on it */
  if (loop->count == 0 && far_count == 0 && loop->rungs) return -5;
  if (loop->rungs > MAX_RUNGS) return -13;
  size_t far = 0;
  for (unsigned k = 0; k < loop->rungs; k++) {
    const rung *g = &loop->rung[k];
    if (g->next > g->buckets || g->first + g->buckets > loop->bucket_cap) return -13;
    if (g->end != g->base + ((uint64_t)g->buckets << g->shift)) return -13;
    if (k > 0) {
      /* nested: rung k spans the bucket rung k - 1 moved last, after its buckets */
      const rung *up = &loop->rung[k - 1];
      if (up->next == 0 || g->first != up->first + up->buckets || g->shift >= up->shift ||
          g->base != up->base + ((uint64_t)(up->next - 1) << up->shift) ||
          g->end != up->base + ((uint64_t)up->next << up->shift))
        return -13;
    }
    for (size_t b = 0; b < g->buckets; b++) {
      uint32_t head = loop->bucket[g->first + b];
      if (b < g->next && head != NO_REC) return -13; /* a moved bucket */
      uint64_t lo = g->base + ((uint64_t)b << g->shift);
      int err = check_list(loop, head, lo, lo + ((uint64_t)1 << g->shift), &far, &dead);
      if (err) return err;
    }
  }
  if (loop->rungs) {
    const rung *g = &loop->rung[loop->rungs - 1];
    if (loop->horizon != g->base + ((uint64_t)g->next << g->shift)) return -13;
    if (loop->fine_end != g->end || loop->fine_base != g->base || loop->fine_shift != g->shift ||
        loop->fine_head != loop->bucket + g->first)
      return -13; /* a stale copy of the finest rung */
  } else if (loop->fine_end != 0) {
    return -13;
  }
  size_t in_buckets = far, top_min = loop->top_min, top_max = loop->top_max;
  if (loop->rungs && top_min < loop->rung[0].end) return -13;
  if (loop->horizon > top_min) return -13;
  int err = check_list(loop, loop->top, top_min, top_max + 1, &far, &dead);
  if (err) return err;
  if (far - in_buckets != loop->top_count || far != far_count) return -13;
  if (dead != loop->dead) return -3;
  /* record 0, never handed out, ends every list (see NO_REC) */
  if (loop->recs == 0 ||
      (loop->rec_cap && (rec[0].gen != 0 || rec[0].home != NO_REC || loop->far_next[0] != NO_REC)))
    return -11;
  size_t pending = 0, holders = 0, in_use = 0;
  for (size_t r = 1; r < loop->recs; r++) {
    const event_rec *e = &rec[r];
    if (e->home != NO_REC) holders++;
    if (e->gen & 1u) {
      pending++;
      uint32_t c = e->link;
      if (c == NO_REC || c >= loop->recs || rec[c].home != r) return -6; /* a home's live entry */
    }
    in_use += (e->gen & 1u) || e->home != NO_REC;
  }
  if (pending != pending_events(loop) || holders + first != loop->count + far_count) return -10;
  size_t free_recs = 0;
  for (uint32_t r = loop->free_head; r != NO_REC; r = rec[r].link) {
    if (r >= loop->recs || (rec[r].gen & 1u) || rec[r].home != NO_REC) return -11; /* free list */
    if (++free_recs > loop->recs) return -11;                                       /* a cycle */
  }
  if (free_recs + in_use + 1 != loop->recs) return -12; /* a record lost (or record 0 used) */
  return 0;
}

size_t sim_loop_near_heap_entries(const sim_loop *loop) { return loop->sorted ? 0 : loop->count; }

bool sim_loop_is_plain(const sim_loop *loop) { return loop->plain; }
