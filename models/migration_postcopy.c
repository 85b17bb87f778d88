/* models/migration_postcopy.c: post-copy live migration.
 * Models the "pull" strategy of [LECT] (Strategies for Memory Migration) and
 * [CL05] sec. 2, as QEMU implements it ([QEMU] postcopy-ram): the guest is
 * stopped only to send its CPU state, resumes at the destination at once,
 * pulls each page it touches before the page arrived (a remote fault), while
 * the source pushes the remaining pages in the background.
 *
 * Fault model (expected values, fluid): the page groups of models/dirty.h
 * say which pages the guest touches and how often (a page of group g every
 * 1/r_g seconds).  Of group g, a_g pages are still absent.  The push sends
 * p pages/s in an order unrelated to the groups, so an absent page of group
 * g leaves by push at rate p / N (N: all absent pages) and by fault at r_g:
 *     da_g/dt = -(r_g + p/N) a_g,   faults_g = r_g / (r_g + p/N) x (a_g - a_g')
 * integrated exactly over a step with N held at its value at the step start.
 * Demand fetches go first (QEMU sends requested pages ahead of the
 * background stream): the push gets the stream's rate minus the faulted
 * pages.  Each fault stalls one vCPU for L: the fault handling time
 * (params.fault_ns), a round trip (2 x link latency) and a page at the
 * stream rate, so with F faults/s over V vCPUs the guest keeps the share
 *     s = 1 / (1 + F L / V)
 * of its service rate (the time to do a piece of work grows by the stalls);
 * a slowed guest touches pages s times as often, so F = s F_1 and s solves
 * s = 1 / (1 + s F_1 L / V).
 * Units: ns, bit/s, bytes, pages.  Invariants: absent pages only decrease;
 * the guest runs at the destination from the switch-over on. */
#include <math.h>

#include "models/migration_impl.h"
#include "sim/alloc.h"

/* Its steps besides the shared resume (migration.phase). */
enum {
  POSTCOPY_PH_SWITCH = MIG_PH_STRATEGY, /* CPU state in flight */
  POSTCOPY_PH_PUSH                      /* background push and faults */
};

/* What only post-copy keeps (mig_strategy_state). */
typedef struct postcopy_state {
  double *absent;         /* per dirty group: pages neither pushed nor faulted in */
  double absent_total;    /* all pages not yet at the destination */
  double pushed_pages;    /* background push so far */
  double faulted_pages;   /* pulled on fault so far */
  double push_pages_hz;   /* push rate of the step in flight, pages/s */
  sim_time push_start_ns; /* when the background push began, ns */
} postcopy_state;

static int postcopy_create(const migration *m, void **state) {
  (void)m;
  *state = sim_calloc(1, sizeof(postcopy_state));
  return *state ? 0 : -1;
}

static void postcopy_destroy(void *state) {
  postcopy_state *ps = state;
  sim_free(ps->absent);
  sim_free(ps);
}

/* Time one fault stalls a vCPU, seconds: handling, round trip, the page. */
static double fault_latency_s(const migration *m) {
  return sim_time_to_s(m->env.params.fault_ns + 2 * m->env.link_latency_ns) +
         mig_page_wire_bytes(m) * 8 / m->rate_bps;
}

static int postcopy_begin(migration *m, sim_time now) {
  mig_pause(m, now);
  mig_net_update(m, now, mig_max_rate_bps(m));
  m->round_start_ns = now;
  m->round_rate_bps = m->rate_bps;
  m->phase = POSTCOPY_PH_SWITCH;
  mig_after(m, now, m->env.params.cpu_state_bytes * 8 / m->rate_bps);
  return 0;
}

/* Faults per second over a step of dt at activity a and push rate p. */
static double fault_rate(const migration *m, const postcopy_state *ps, double a, double p, double dt) {
  double f = 0, n = ps->absent_total;
  for (size_t g = 0; g < m->n_groups; g++) {
    double r = a * m->groups[g].rate_hz, k = r + p / n;
    if (k > 0 && ps->absent[g] > 0) f += r / k * ps->absent[g] * -expm1(-k * dt) / dt;
  }
  return f;
}

/* Plans the next push step at the stream's rate: the guest's activity a (its
 * service share), the push rate, and the step length in seconds.  A stalled
 * guest touches fewer pages, so a solves a = 1 / (1 + F(a) L / V) with F
 * proportional to a; faults cannot outrun the stream, which keeps a small
 * share for the push. */
static double plan_step(migration *m, const postcopy_state *ps, double *push_pages_hz) {
  double page_hz = m->rate_bps / 8 / mig_page_wire_bytes(m); /* stream, pages/s */
  double dt = sim_time_to_s(m->env.sample_interval_ns);
  double latency = fault_latency_s(m), vcpus = m->env.view.vcpus ? m->env.view.vcpus : 1;
  double a = 1, p = page_hz;
  for (int it = 0; it < 40; it++) {
    double f1 = fault_rate(m, ps, 1, p, dt); /* faults at full activity, as a guide */
    double c = f1 * latency / vcpus;
    double next = c > 0 ? (sqrt(1 + 4 * c) - 1) / (2 * c) : 1; /* a = 1 / (1 + a c) */
    double f = fault_rate(m, ps, next, p, dt);
    if (f > 0.95 * page_hz) next *= 0.95 * page_hz / f; /* the stream's limit */
    a = 0.5 * (a + next);
    p = fmax(0.05 * page_hz, page_hz - fault_rate(m, ps, a, p, dt));
  }
  if (dt > ps->absent_total / p) dt = ps->absent_total / p; /* the push alone would finish sooner */
  m->fault_service = a;
  *push_pages_hz = p;
  return dt;
}

static void start_step(migration *m, sim_time now) {
  postcopy_state *ps = mig_strategy_state(m);
  mig_net_update(m, now, mig_max_rate_bps(m));
  double p;
  double dt = plan_step(m, ps, &p);
  ps->push_pages_hz = p;
  m->round_start_ns = now;
  mig_service_update(m, now);
  mig_after(m, now, dt);
}

static void end_step(migration *m, sim_time now) {
  postcopy_state *ps = mig_strategy_state(m);
  double dt = sim_time_to_s(now - m->round_start_ns), p = ps->push_pages_hz;
  double n = ps->absent_total, stream = m->rate_bps / 8 / mig_page_wire_bytes(m) * dt;
  /* expected faults per group, then bounded by the stream: a guest cannot
   * fault pages in faster than they arrive (it stalls instead), and the
   * push keeps its small share */
  double faults = 0;
  for (size_t g = 0; g < m->n_groups; g++) {
    double r = m->fault_service * m->groups[g].rate_hz, a = ps->absent[g], k = r + p / n;
    if (k > 0 && a > 0) faults += r / k * a * -expm1(-k * dt);
  }
  double scale = faults > 0.95 * stream ? 0.95 * stream / faults : 1;
  for (size_t g = 0; g < m->n_groups; g++) {
    double r = m->fault_service * m->groups[g].rate_hz, a = ps->absent[g], k = r + p / n;
    if (k <= 0 || a <= 0) continue;
    double gone = a * -expm1(-k * dt);
    ps->absent[g] = a - gone * (p / n + scale * r) / k;
  }
  faults *= scale;
  /* the push gets what the faults left of the stream, and the last step
   * only what is still absent */
  double pushed = fmax(0, fmin(fmin(p * dt, stream - faults), n - faults));
  ps->pushed_pages += pushed;
  ps->faulted_pages += faults;
  ps->absent_total = fmax(0, n - pushed - faults);
}

static int postcopy_act(migration *m, sim_time now) {
  postcopy_state *ps = mig_strategy_state(m);
  double pb = m->env.params.page_bytes;
  switch (m->phase) {
  case POSTCOPY_PH_SWITCH: {
    migration_round r = {
        .round = 0,
        .start_ns = m->round_start_ns,
        .duration_ns = now - m->round_start_ns,
        .pages = 0,
        .bytes = m->env.params.cpu_state_bytes,
        .rate_bps = m->round_rate_bps,
        .stop_and_copy = true,
    };
    m->summary.first_round_ns = r.duration_ns;
    int rc = mig_add_round(m, &r);
    mig_net_update(m, now, 0);
    m->phase = MIG_PH_RESUME;
    m->action_ns = now + m->env.params.resume_ns + m->env.params.arp_ns;
    if (m->action_ns == now) m->action_ns = now + 1;
    return rc;
  }
  case MIG_PH_RESUME: {
    mig_resume(m, now);
    /* Every page is absent (zero pages need no transfer when elided); the
     * groups' pages, those of the phase at the switch-over, are the ones the
     * guest touches. */
    double memory = (double)(m->env.spec->zero_page_elision && m->env.view.resident_bytes
                                 ? m->env.view.resident_bytes
                                 : m->env.view.memory_bytes) / pb;
    double disk = m->env.spec->block_migration ? (double)m->env.view.disk_bytes / pb : 0;
    ps->absent_total = memory + disk;
    if (m->n_groups) {
      ps->absent = sim_calloc(m->n_groups, sizeof *ps->absent);
      if (!ps->absent) return -1;
      for (size_t g = 0; g < m->n_groups; g++) ps->absent[g] = (double)m->groups[g].pages;
    }
    m->summary.stop_reason = "post-copy";
    m->summary.converged = true;
    m->phase = POSTCOPY_PH_PUSH;
    m->summary.remaining_rounds_ns = 0;
    ps->push_start_ns = now;
    start_step(m, now);
    return 0;
  }
  default: {
    end_step(m, now);
    if (ps->absent_total > 0.5) { /* less than a page left counts as done */
      start_step(m, now);
      return 0;
    }
    sim_time start = ps->push_start_ns;
    double pages = ps->pushed_pages + ps->faulted_pages;
    double dur_s = sim_time_to_s(now - start);
    migration_round r = {
        .round = 1,
        .start_ns = start,
        .duration_ns = now - start,
        .pages = pages,
        .bytes = pages * mig_page_wire_bytes(m),
        .rate_bps = dur_s > 0 ? pages * mig_page_wire_bytes(m) * 8 / dur_s : 0,
        .dirty_rate_bps = 0,
        .pages_skipped = 0,
        .stop_and_copy = false,
    };
    int rc = mig_add_round(m, &r);
    m->fault_service = 1;
    mig_net_update(m, now, 0);
    int rc2 = mig_finish(m, now);
    return rc ? rc : rc2;
  }
  }
}

const migration_ops migration_postcopy_ops = {
    .name = "postcopy",
    .summary = "resume at the destination at once, pull pages on fault, push the rest",
    .needs = MIGRATION_NEEDS_FAULT,
    .create = postcopy_create,
    .destroy = postcopy_destroy,
    .begin = postcopy_begin,
    .act = postcopy_act,
};
