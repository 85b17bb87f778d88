/* models/migration_precopy.c: iterative pre-copy live migration.
 * Models [CL05] sec. 5.3 as implemented in Xen ([XEN] tools/libxc/
 * xc_domain_save.c, the loop of xc_domain_save and print_stats, under
 * ADAPTIVE_SAVE), and QEMU ([QEMU] migration/migration.c, migration/ram.c):
 *  - round 0 sends all memory; round k sends the pages dirtied during round
 *    k-1, skipping those dirtied again within round k (models/dirty.h);
 *  - Xen-style (spec max_downtime = 0): the rate limit (Xen's mbit_rate)
 *    starts at the minimum (START_MBIT_RATE); after a round whose dirty rate
 *    (stats->dirty_count pages over the round's wall time) exceeded it, it
 *    becomes that dirty rate + 50 Mbit/s, clamped to the maximum
 *    (MAX_MBIT_RATE); it never falls, so no round is limited below the
 *    minimum.  The limit is a cap (Xen's ratewrite sleeps to stay under it):
 *    a round gets less when the links it crosses are shared (net_share.h).
 *    Pre-copy stops after a round when, as in Xen's loop,
 *      the rate limit is at the maximum and the round sent more pages than
 *      the one before (sent_this_iter > sent_last_iter && RATE_IS_MAX()),
 *      or iter >= max_iters (max_rounds - 1 live rounds: Xen's 29 of 30),
 *      or fewer than 50 pages were sent or skipped (sent_this_iter +
 *      skip_this_iter < 50: the only "converged" exit),
 *      or more than max_factor = 3 times the memory was sent (total_sent >
 *      p2m_size * max_factor);
 *    then the stop-and-copy runs at the maximum rate.  A writable working
 *    set rewritten faster than the rounds shrink therefore stays dirty until
 *    one of the other exits and goes out with the guest stopped: the
 *    downtime grows with it ([CL05] sec. 6);
 *  - QEMU-style (max_downtime > 0): every round at the bandwidth limit (the
 *    spec's maximum rate, capped by the path); stop when the due pages fit in
 *    max_downtime at the bandwidth the last round actually achieved ([QEMU]
 *    migration.c migration_update_counters: bandwidth = transferred /
 *    time_spent of the iteration, threshold_size = bandwidth x
 *    downtime_limit; migration_iteration_run completes when the pending
 *    size is below threshold_size), or after max_rounds;
 *  - block migration: round 0 is the bulk phase, sending the whole local disk
 *    image besides all memory, and later rounds send the disk blocks written
 *    meanwhile (the view's disk_write_Bps) with the dirty pages, as QEMU's
 *    block migration does ([QEMU] migration/block.c: bulk stage, then dirty
 *    blocks, iterated alongside RAM); at a round-0 rate R it lasts about
 *    disk / R longer;
 *  - zero-page elision: round 0 sends a never-written page as its header
 *    only ([QEMU] ram.c save_zero_page: a flag, no page data);
 *  - auto-converge (either style): when a round dirties more than half the
 *    bytes it sent, twice, the guest's vCPUs are throttled, from 20% in 10%
 *    steps up to 99%, which slows its dirtying in proportion.
 * Units: ns, bit/s, bytes, pages.  Invariants: the stream's rate is fixed for
 * a round (Xen sets its rate limit per round); no round runs above max_rate;
 * the Xen-style rate limit is never below min_rate nor above max_rate. */
#include <math.h>

#include "models/migration_impl.h"
#include "sim/alloc.h"

/* [CL05] 5.3, [XEN] print_stats: "a constant increment of 50 Mbit/sec" over the dirty rate */
#define PRECOPY_RATE_INCREMENT_BPS 50e6
/* [XEN] xc_domain_save.c: last iteration when sent_this_iter + skip_this_iter < 50 */
#define PRECOPY_FEW_PAGES 50.0
/* [XEN] xc_domain_save.c: never send more than 3x the memory (DEF_MAX_FACTOR) */
#define PRECOPY_MAX_FACTOR 3.0
/* [QEMU] migration/options.c: throttle-trigger-threshold 50%, cpu-throttle-
 * initial 20, cpu-throttle-increment 10, max-cpu-throttle 99; ram.c throttles
 * after the threshold was exceeded in 2 sync periods */
#define QEMU_THROTTLE_THRESHOLD 0.5
#define QEMU_THROTTLE_PERIODS 2
#define QEMU_THROTTLE_INITIAL 0.20
#define QEMU_THROTTLE_INCREMENT 0.10
#define QEMU_THROTTLE_MAX 0.99

/* Its step besides the shared stop-and-copy's (migration.phase). */
enum { PRECOPY_PH_ROUND = MIG_PH_STRATEGY /* a round in flight */ };

/* What only pre-copy keeps (mig_strategy_state). */
typedef struct precopy_state {
  uint32_t round;             /* number of the round in flight */
  uint32_t dirty_high_count;  /* [QEMU] auto-converge: periods dirtying > 50% of sent */
  double last_dirty_rate_bps; /* dirty rate of the last round, bit/s */
  double rate_limit_bps;      /* Xen style: the rate limit of the next round ([XEN] mbit_rate), bit/s */
  double last_pages_sent;     /* Xen style: pages sent by the round before the last ([XEN]
                                 sent_last_iter; the memory's pages before round 1) */
} precopy_state;

static int precopy_create(const migration *m, void **state) {
  (void)m;
  *state = sim_calloc(1, sizeof(precopy_state));
  return *state ? 0 : -1;
}

static void precopy_destroy(void *state) { sim_free(state); }

static bool qemu_style(const migration *m) { return m->env.spec->max_downtime_ns > 0; }

static int start_round(migration *m, sim_time now) {
  int rc = mig_sync_groups(m);
  if (rc) return rc;
  const sim_migration_spec *s = m->env.spec;
  const precopy_state *ps = mig_strategy_state(m);
  /* [QEMU] max-bandwidth: every round at the limit; [XEN] mbit_rate */
  double target = qemu_style(m) ? s->max_rate_bps : ps->rate_limit_bps;
  mig_net_update(m, now, fmin(target, mig_compress_cap_bps(m)));
  dirty_plan_round(m->dirty, m->rate_bps / 8, mig_page_wire_bytes(m), mig_zero_wire_bytes(m),
                   &m->planned);
  m->round_start_ns = now;
  m->round_rate_bps = m->rate_bps;
  m->phase = PRECOPY_PH_ROUND;
  mig_after(m, now, m->planned.duration_s);
  return 0;
}

static int precopy_begin(migration *m, sim_time now) {
  precopy_state *ps = mig_strategy_state(m);
  ps->round = 0;
  /* [XEN] initialize_mbit_rate: START_MBIT_RATE; sent_last_iter = p2m_size */
  ps->rate_limit_bps = m->env.spec->min_rate_bps;
  ps->last_pages_sent = (double)m->env.view.memory_bytes / m->env.params.page_bytes;
  return start_round(m, now);
}

/* [QEMU] ram.c migration_trigger_throttle: a period dirtying more than the
 * threshold times the bytes it sent counts; the second such period throttles
 * the guest (again) and the count restarts. */
static void auto_converge(migration *m, double dirtied_bytes, double sent_bytes) {
  if (!m->env.spec->auto_converge) return;
  if (!(dirtied_bytes > sent_bytes * QEMU_THROTTLE_THRESHOLD)) return;
  precopy_state *ps = mig_strategy_state(m);
  if (++ps->dirty_high_count < QEMU_THROTTLE_PERIODS) return;
  ps->dirty_high_count = 0;
  double t = m->throttle == 0 ? QEMU_THROTTLE_INITIAL : m->throttle + QEMU_THROTTLE_INCREMENT;
  mig_set_throttle(m, fmin(t, QEMU_THROTTLE_MAX));
}

/* The stop condition met after a round, or NULL to go on. */
static const char *stop_reason(migration *m, bool *converged) {
  const sim_migration_spec *s = m->env.spec;
  const precopy_state *ps = mig_strategy_state(m);
  double pb = m->env.params.page_bytes;
  const dirty_round *last = &m->planned;
  if (qemu_style(m)) {
    /* [QEMU] migration_update_counters / migration_iteration_run: complete
     * when the pending bytes take no longer than the downtime limit at the
     * bandwidth the last iteration achieved on its path */
    const migration_round *done = &m->rounds[m->n_rounds - 1];
    double achieved_bps =
        done->duration_ns > 0 ? done->bytes * 8 / sim_time_to_s(done->duration_ns) : 0;
    double wire = dirty_due_pages(m->dirty) * mig_page_wire_bytes(m);
    *converged = true;
    if (achieved_bps > 0 && wire * 8 / achieved_bps <= sim_time_to_s(s->max_downtime_ns))
      return "downtime target met";
    *converged = false;
    if (ps->round + 1 >= s->max_rounds) return "round limit";
    return NULL;
  }
  /* [XEN] xc_domain_save.c, the live branch of the loop's end */
  *converged = true;
  if (last->pages_sent + last->pages_skipped < PRECOPY_FEW_PAGES) return "under 50 pages sent or skipped";
  *converged = false;
  if (ps->rate_limit_bps >= s->max_rate_bps && last->pages_sent > ps->last_pages_sent)
    return "rate at maximum, not shrinking";
  /* iter >= max_iters: Xen's iter counts this round from 1; max_iters = 29
   * live rounds of a 30-round limit, the 30th being the stop-and-copy */
  if (ps->round + 1 >= (s->max_rounds > 1 ? s->max_rounds - 1 : 1)) return "round limit";
  /* total_sent > p2m_size * max_factor; a disk image copied by block
   * migration is sent once in round 0 and not held against it */
  double sent_bytes = 0;
  for (size_t i = 0; i < m->n_rounds; i++) sent_bytes += m->rounds[i].pages * pb;
  double disk = s->block_migration ? (double)m->env.view.disk_bytes : 0;
  if (sent_bytes > PRECOPY_MAX_FACTOR * (double)m->env.view.memory_bytes + disk)
    return "3x memory sent";
  return NULL;
}

/* [XEN] print_stats under ADAPTIVE_SAVE: when the round's dirty rate
 * exceeded the rate limit, the next limit is that rate + 50 Mbit/s, at most
 * MAX_MBIT_RATE; otherwise it stays. */
static void raise_rate_limit(migration *m) {
  precopy_state *ps = mig_strategy_state(m);
  if (ps->last_dirty_rate_bps > ps->rate_limit_bps)
    ps->rate_limit_bps =
        fmin(m->env.spec->max_rate_bps, ps->last_dirty_rate_bps + PRECOPY_RATE_INCREMENT_BPS);
}

static int end_round(migration *m, sim_time now) {
  precopy_state *ps = mig_strategy_state(m);
  const dirty_round *p = &m->planned;
  double pb = m->env.params.page_bytes;
  sim_time dur = now - m->round_start_ns;
  dirty_commit_round(m->dirty, p);
  /* [CL05] 5.3: the dirtying rate is the pages dirtied in the round over its
   * duration (the model's, before rounding to whole ns) */
  ps->last_dirty_rate_bps = p->duration_s > 0 ? p->pages_dirtied * pb * 8 / p->duration_s : 0;
  migration_round r = {
      .round = ps->round,
      .start_ns = m->round_start_ns,
      .duration_ns = dur,
      .pages = p->pages_sent,
      .bytes = p->wire_bytes,
      .rate_bps = m->round_rate_bps,
      .dirty_rate_bps = ps->last_dirty_rate_bps,
      .pages_skipped = p->pages_skipped,
      .stop_and_copy = false,
  };
  if (ps->round == 0) m->summary.first_round_ns = dur;
  int rc = mig_add_round(m, &r);
  if (rc) return rc;
  auto_converge(m, p->pages_dirtied * pb, p->pages_sent * pb);
  bool converged;
  const char *why = stop_reason(m, &converged);
  if (why) {
    m->summary.stop_reason = why;
    m->summary.converged = converged;
    return mig_stop_and_copy(m, now);
  }
  if (!qemu_style(m)) {
    raise_rate_limit(m);
    ps->last_pages_sent = p->pages_sent; /* [XEN] sent_last_iter = sent_this_iter */
  }
  ps->round++;
  return start_round(m, now);
}

static int precopy_act(migration *m, sim_time now) {
  if (m->phase == PRECOPY_PH_ROUND) return end_round(m, now);
  return mig_final_act(m, now);
}

const migration_ops migration_precopy_ops = {
    .name = "precopy",
    .summary = "iterative pre-copy, then stop-and-copy ([CL05] 5.3, Xen; QEMU parameters)",
    .create = precopy_create,
    .destroy = precopy_destroy,
    .begin = precopy_begin,
    .act = precopy_act,
};
