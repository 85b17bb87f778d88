/* tests/test_migration.c: live migration strategies (models/migration*.c).
 * The guest is a stand-in that records what the migration asks of it; the
 * [CL05] web server comes from scenarios/migration-webserver.yaml.  Cases
 * named "migration ..." are the validation cases of issue 6: the [CL05]
 * web server, the closed form with a constant dirty rate, a write-heavy
 * guest that never converges, post-copy's short downtime and long tail. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/registry.h"
#include "models/migration.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/loop.h"
#include "sim/profile.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

static double rel(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-300); }

/* ---- a stand-in guest ---- */

typedef struct fake_guest {
  sim_dirty_group groups[4]; /* its dirty groups */
  size_t n_groups;
  double demand_bps;         /* network demand, bit/s */
  int pauses, resumes;       /* calls */
  uint32_t resumed_on;       /* host of the last resume */
  double throttle;           /* last throttle */
  double max_throttle;       /* largest throttle asked */
  double slow;               /* last service share */
  double min_slow;           /* lowest service share asked */
  int paused;                /* 1 while stopped */
  double utilisation;        /* its load now, (0, 1] */
} fake_guest;

static size_t fg_groups(void *ctx, const sim_dirty_group **out, double *utilisation) {
  fake_guest *g = ctx;
  *out = g->groups;
  *utilisation = g->utilisation;
  return g->n_groups;
}
static double fg_demand(void *ctx) { return ((fake_guest *)ctx)->demand_bps; }
static void fg_pause(void *ctx) {
  fake_guest *g = ctx;
  g->pauses++;
  g->paused = 1;
}
static void fg_resume(void *ctx, uint32_t host) {
  fake_guest *g = ctx;
  g->resumes++;
  g->resumed_on = host;
  g->paused = 0;
}
static void fg_throttle(void *ctx, double f) {
  fake_guest *g = ctx;
  g->throttle = f;
  if (f > g->max_throttle) g->max_throttle = f;
}
static void fg_slow(void *ctx, double s) {
  fake_guest *g = ctx;
  g->slow = s;
  if (s < g->min_slow) g->min_slow = s;
}

static void fake_init(fake_guest *g) {
  memset(g, 0, sizeof *g);
  g->slow = g->min_slow = 1;
  g->utilisation = 1;
}

/* The machinery's costs as the test profile gives them. */
static migration_params test_params(void) {
  return (migration_params){
      .page_bytes = 4096,
      .cpu_state_bytes = 16384,
      .resume_ns = 10 * SIM_MS,
      .arp_ns = 5 * SIM_MS,
      .zero_page_wire_bytes = 16,
      .compress_ratio = 0.5,
      .compress_Bps = 200e6,
      .fault_ns = 20 * SIM_US,
      .freeze_ns = 50 * SIM_MS,
      .dump_Bps = 500e6,
      .restore_Bps = 400e6,
  };
}

static sim_migration_spec default_spec(const char *strategy) {
  return (sim_migration_spec){.name = "m",
                              .at_ns = SIM_S,
                              .guest = 0,
                              .dest_host = 1,
                              .strategy = (char *)strategy,
                              .min_rate_bps = 100e6,
                              .max_rate_bps = 500e6,
                              .max_downtime_ns = 0,
                              .max_rounds = 30};
}

/* A network of three links (source tx, destination rx and tx) of capacity_bps. */
typedef struct test_net {
  net_share *ns;
  int src_tx, dst_rx, dst_tx;
} test_net;

static test_net make_net(double capacity_bps) {
  test_net n = {.ns = net_share_new()};
  CU_ASSERT_PTR_NOT_NULL_FATAL(n.ns);
  n.src_tx = net_share_link(n.ns, capacity_bps);
  n.dst_rx = net_share_link(n.ns, capacity_bps);
  n.dst_tx = net_share_link(n.ns, capacity_bps);
  return n;
}

static migration_env make_env(const sim_migration_spec *spec, fake_guest *g, uint64_t memory,
                              const test_net *net) {
  migration_env env = {
      .spec = spec,
      .guest_name = "guest",
      .source_name = "source",
      .dest_name = "destination",
      .source_host = 0,
      .dest_host = spec->dest_host,
      .view = {.ctx = g,
               .memory_bytes = memory,
               .resident_bytes = memory,
               .vcpus = 1,
               .entity = -1,
               .dirty_groups = fg_groups,
               .net_demand_bps = fg_demand,
               .pause = fg_pause,
               .resume = fg_resume,
               .throttle = fg_throttle,
               .slow = fg_slow},
      .params = test_params(),
      .net = net ? net->ns : NULL,
      .src_tx_link = net ? net->src_tx : -1,
      .dst_rx_link = net ? net->dst_rx : -1,
      .dst_tx_link = net ? net->dst_tx : -1,
      .link_latency_ns = 50 * SIM_US,
      .sample_interval_ns = 100 * SIM_MS,
  };
  return env;
}

/* Steps a migration to its end, as an engine without the loop would. */
static void run(migration *m) {
  sim_time t;
  int guard = 0;
  while ((t = migration_next_ns(m)) != SIM_TIME_MAX && guard++ < 10000000)
    CU_ASSERT_EQUAL(migration_step(m, t), 0);
  CU_ASSERT(migration_finished(m));
}

/* ---- the [CL05] web server, from its scenario ---- */

typedef struct cl05_case {
  sim_scenario *sc;
  fake_guest guest;
  test_net net;
  migration_env env;
} cl05_case;

/* Loads NAME (relative to the source tree) and sets up its migration number `which` on a
 * stand-in of its guest; the guest's network demand is demand_bps. */
static int load_scenario(cl05_case *c, const char *name, size_t which, double demand_bps) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", src ? src : ".", name);
  sim_diag d;
  sim_diag_init(&d);
  int rc = sim_scenario_load(path, test_vocabulary(), NULL, 0, &c->sc, &d);
  if (rc) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  if (rc) return rc;
  CU_ASSERT_FATAL(which < c->sc->n_migrations);
  const sim_migration_spec *spec = &c->sc->migrations[which];
  const sim_guest *guest = &c->sc->guests[spec->guest];
  const sim_phase *ph = &c->sc->workloads[guest->workload].phases[0];
  const sim_host_type *ht = &c->sc->host_types[c->sc->hosts[guest->host].type];
  fake_init(&c->guest);
  CU_ASSERT_FATAL(ph->n_dirty <= 4);
  memcpy(c->guest.groups, ph->dirty, ph->n_dirty * sizeof *ph->dirty);
  c->guest.n_groups = ph->n_dirty;
  c->guest.demand_bps = demand_bps;
  c->net = make_net(ht->nics[0].bandwidth_bps);
  c->env = make_env(spec, &c->guest, guest->memory_bytes, &c->net);
  c->env.link_latency_ns = ht->nics[0].latency_ns;
  c->env.view.vcpus = guest->vcpus;
  /* the machinery's costs from the scenario's shipped profile */
  sim_profile *prof = NULL;
  sim_diag_init(&d);
  rc = sim_profile_load(test_data_path(), c->sc->calibration, &prof, &d);
  if (!rc) rc = migration_params_from_profile(prof, spec, 1, &c->env.params, &d);
  if (rc) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  sim_profile_free(prof);
  if (rc) sim_scenario_free(c->sc);
  return rc;
}

/* The [CL05] web server: 100 clients fetching over gigabit Ethernet want
 * more than the link gives. */
static int load_cl05(cl05_case *c) {
  return load_scenario(c, "scenarios/migration-webserver.yaml", 0, 1e9);
}

static void free_cl05(cl05_case *c) {
  net_share_free(c->net.ns);
  sim_scenario_free(c->sc);
}

static void test_migration_cl05_webserver(void) {
  cl05_case c;
  CU_ASSERT_EQUAL_FATAL(load_cl05(&c), 0);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&c.env, &m, &d), 0);
  run(m);
  const migration_summary *s = migration_get_summary(m);
  const migration_round *r;
  size_t n = migration_get_rounds(m, &r);
  printf("\n  [CL05] web server, per round:\n");
  printf("  round  start_s  duration_s      pages   bytes_MB  rate_Mbps  dirty_Mbps  skipped\n");
  for (size_t i = 0; i < n; i++)
    printf("  %5u %8.3f %11.3f %10.0f %10.2f %10.1f %11.1f %8.0f%s\n", r[i].round,
           sim_time_to_s(r[i].start_ns), sim_time_to_s(r[i].duration_ns), r[i].pages,
           r[i].bytes / 1e6, r[i].rate_bps / 1e6, r[i].dirty_rate_bps / 1e6, r[i].pages_skipped,
           r[i].stop_and_copy ? "  stop-and-copy" : "");
  printf("  total %.2f s, downtime %.1f ms, %.1f MB, stop: %s, guest %.0f Mbit/s\n",
         sim_time_to_s(s->total_ns), sim_time_to_s(s->downtime_ns) * 1e3, s->total_bytes / 1e6,
         s->stop_reason, s->guest_throughput_bps / 1e6);
  /* [CL05] 6.2, 15% each */
  CU_ASSERT(rel(r[0].bytes, 776e6) < 0.15);
  CU_ASSERT(rel(sim_time_to_s(s->first_round_ns), 62) < 0.15);
  CU_ASSERT(rel(sim_time_to_s(s->remaining_rounds_ns), 9.8) < 0.15);
  CU_ASSERT(rel(sim_time_to_s(s->downtime_ns), 0.165) < 0.15);
  /* 870 -> 765 Mbit/s while the stream takes its share of the NIC */
  CU_ASSERT(rel(s->guest_throughput_bps, 765e6) < 0.15);
  CU_ASSERT(s->guest_throughput_bps < 870e6);
  /* Xen's rules: round 0 at the minimum, no round above the maximum, the
   * final copy at the maximum with the guest stopped */
  CU_ASSERT_DOUBLE_EQUAL(r[0].rate_bps, 100e6, 1);
  for (size_t i = 0; i < n; i++) CU_ASSERT(r[i].rate_bps <= 500e6 * (1 + 1e-12));
  CU_ASSERT(r[n - 1].stop_and_copy);
  CU_ASSERT_DOUBLE_EQUAL(r[n - 1].rate_bps, 500e6, 1);
  CU_ASSERT(r[0].pages_skipped > 0);
  CU_ASSERT_EQUAL(c.guest.pauses, 1);
  CU_ASSERT_EQUAL(c.guest.resumes, 1);
  CU_ASSERT_EQUAL(c.guest.resumed_on, c.sc->migrations[0].dest_host);
  CU_ASSERT(c.guest.min_slow < 0.9);
  CU_ASSERT_DOUBLE_EQUAL(c.guest.slow, 1, 1e-12);
  migration_free(m);
  free_cl05(&c);
}

/* The same run on the event loop gives the same result as stepping. */
static void test_migration_on_event_loop(void) {
  cl05_case a, b;
  CU_ASSERT_EQUAL_FATAL(load_cl05(&a), 0);
  CU_ASSERT_EQUAL_FATAL(load_cl05(&b), 0);
  sim_diag d;
  sim_diag_init(&d);
  migration *ma, *mb;
  CU_ASSERT_EQUAL_FATAL(migration_create(&a.env, &ma, &d), 0);
  CU_ASSERT_EQUAL_FATAL(migration_create(&b.env, &mb, &d), 0);
  run(ma);
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  CU_ASSERT_EQUAL(migration_attach(mb, loop, 0), 0);
  sim_loop_run(loop, SIM_TIME_MAX);
  CU_ASSERT(migration_finished(mb));
  CU_ASSERT_EQUAL(migration_error(mb), 0);
  const migration_summary *sa = migration_get_summary(ma), *sb = migration_get_summary(mb);
  CU_ASSERT_EQUAL(sa->total_ns, sb->total_ns);
  CU_ASSERT_EQUAL(sa->downtime_ns, sb->downtime_ns);
  CU_ASSERT_EQUAL(sa->rounds, sb->rounds);
  CU_ASSERT_EQUAL(sa->total_bytes, sb->total_bytes);
  CU_ASSERT_EQUAL(sim_loop_pending(loop), 0);
  migration_free(ma);
  migration_free(mb);
  sim_loop_free(loop);
  free_cl05(&a);
  free_cl05(&b);
}

/* ---- the closed form: a constant dirty rate ---- */

/* Block migration of a guest writing disk blocks at a constant rate D and
 * not rewriting memory: every round k >= 1 sends what the last dirtied, so
 * with a constant rate R the rounds are V_k = V_0 (D/R)^k. */
static void test_migration_closed_form(void) {
  const uint64_t memory = 256ull << 20;
  const double R = 400e6, D = 120e6; /* bit/s */
  fake_guest g;
  fake_init(&g);
  sim_migration_spec spec = default_spec("precopy");
  spec.block_migration = true;
  spec.max_rate_bps = R;
  spec.max_downtime_ns = 1; /* QEMU style: every round at the limit R */
  spec.max_rounds = 9;
  migration_env env = make_env(&spec, &g, memory, NULL);
  env.view.disk_write_Bps = D / 8;
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_round *r;
  size_t n = migration_get_rounds(m, &r);
  CU_ASSERT_EQUAL_FATAL(n, 10);
  double v0 = (double)memory, sum = 0;
  for (size_t k = 0; k < 9; k++) {
    double vk = v0 * pow(D / R, (double)k);
    CU_ASSERT(rel(r[k].bytes, vk) < 1e-12);
    CU_ASSERT(llabs(r[k].duration_ns - (sim_time)ceil(vk * 8 / R * 1e9)) <= 1);
    CU_ASSERT(rel(r[k].dirty_rate_bps, D) < 1e-6);
    sum += vk;
  }
  CU_ASSERT(rel(sum, v0 * (1 - pow(D / R, 9)) / (1 - D / R)) < 1e-12);
  /* the stop-and-copy sends V_9 and the CPU state; downtime adds resume + ARP */
  double v9 = v0 * pow(D / R, 9), cpu = env.params.cpu_state_bytes;
  CU_ASSERT(rel(r[9].bytes, v9 + cpu) < 1e-12);
  const migration_summary *s = migration_get_summary(m);
  sim_time expect =
      (sim_time)ceil((v9 + cpu) * 8 / R * 1e9) + env.params.resume_ns + env.params.arp_ns;
  CU_ASSERT(llabs(s->downtime_ns - expect) <= 1);
  CU_ASSERT_STRING_EQUAL(s->stop_reason, "round limit");
  CU_ASSERT_FALSE(s->converged);
  migration_free(m);
}

/* The rounds of a guest at load u whose group follows its utilisation
 * (rate r at full load) are those of a group rewritten at u r; at full load
 * those of the plain group.  Returns the first round's bytes after round 0
 * and the round count. */
static double follow_rounds(double utilisation, bool follows, double rate_hz, size_t *n_rounds) {
  fake_guest g;
  fake_init(&g);
  g.utilisation = utilisation;
  g.groups[0] = (sim_dirty_group){.pages = 20000, .rate_hz = rate_hz, .follows_utilisation = follows};
  g.n_groups = 1;
  sim_migration_spec spec = default_spec("precopy");
  migration_env env = make_env(&spec, &g, 256ull << 20, NULL);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_round *r;
  *n_rounds = migration_get_rounds(m, &r);
  double bytes = *n_rounds > 1 ? r[1].bytes : 0;
  migration_free(m);
  return bytes;
}

static void test_migration_dirtying_follows_utilisation(void) {
  size_t n_half, n_plain, n_full, n_fixed;
  double half = follow_rounds(0.5, true, 0.02, &n_half);
  double plain = follow_rounds(1, false, 0.01, &n_plain);
  CU_ASSERT(half > 0);
  CU_ASSERT_EQUAL(half, plain); /* 0.02 Hz at half load is 0.01 Hz, bit for bit */
  CU_ASSERT_EQUAL(n_half, n_plain);
  double full = follow_rounds(1, true, 0.02, &n_full);
  double fixed = follow_rounds(0.5, false, 0.02, &n_fixed); /* a group that does not follow */
  CU_ASSERT_EQUAL(full, fixed);
  CU_ASSERT(full > half); /* the load halved the pages dirtied per round */
}

/* Xen style with a constant dirty rate below the minimum rate: the rate
 * limit never falls below the minimum ([XEN] mbit_rate only rises), so every
 * round runs at Rmin and the rounds are V_k = V_0 (D/Rmin)^k until fewer than
 * 50 pages are sent or skipped. */
static void test_migration_closed_form_xen_rates(void) {
  const uint64_t memory = 512ull << 20;
  const double D = 40e6, Rmin = 100e6;
  fake_guest g;
  fake_init(&g);
  sim_migration_spec spec = default_spec("precopy");
  spec.block_migration = true;
  migration_env env = make_env(&spec, &g, memory, NULL);
  env.view.disk_write_Bps = D / 8;
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_round *r;
  size_t n = migration_get_rounds(m, &r);
  CU_ASSERT_FATAL(n >= 3);
  for (size_t k = 0; k + 1 < n; k++) {
    CU_ASSERT(rel(r[k].rate_bps, Rmin) < 1e-12);
    CU_ASSERT(rel(r[k].bytes, (double)memory * pow(D / Rmin, (double)k)) < 1e-6);
  }
  const migration_summary *s = migration_get_summary(m);
  CU_ASSERT_STRING_EQUAL(s->stop_reason, "under 50 pages sent or skipped");
  CU_ASSERT(s->converged);
  CU_ASSERT(r[n - 2].pages + r[n - 2].pages_skipped < 50);
  CU_ASSERT(r[n - 3].pages + r[n - 3].pages_skipped >= 50);
  migration_free(m);
}

/* [XEN] print_stats: the rate limit rises to the dirty rate + 50 Mbit/s only
 * when a round dirtied faster than it; it never falls, and it stays within
 * [min_rate, max_rate] whatever the guest does. */
static void test_migration_xen_rate_limit(void) {
  fake_guest g;
  fake_init(&g);
  g.groups[0] = (sim_dirty_group){.pages = 3000, .rate_hz = 4}; /* 393 Mbit/s raw */
  g.groups[1] = (sim_dirty_group){.pages = 20000, .rate_hz = 0.01};
  g.n_groups = 2;
  sim_migration_spec spec = default_spec("precopy");
  migration_env env = make_env(&spec, &g, 1ull << 30, NULL);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_round *r;
  size_t n = migration_get_rounds(m, &r);
  CU_ASSERT_FATAL(n >= 3);
  for (size_t k = 0; k + 1 < n; k++) {
    CU_ASSERT(r[k].rate_bps >= spec.min_rate_bps * (1 - 1e-12));
    CU_ASSERT(r[k].rate_bps <= spec.max_rate_bps * (1 + 1e-12));
    if (k == 0) continue;
    double expect = r[k - 1].dirty_rate_bps > r[k - 1].rate_bps
                        ? fmin(spec.max_rate_bps, r[k - 1].dirty_rate_bps + 50e6)
                        : r[k - 1].rate_bps;
    CU_ASSERT(rel(r[k].rate_bps, expect) < 1e-9);
    CU_ASSERT(r[k].rate_bps >= r[k - 1].rate_bps * (1 - 1e-12));
  }
  migration_free(m);
}

/* A hot writable working set that rewrites itself faster than the rounds
 * can shrink it stays dirty until the round limit, and what it leaves goes
 * out with the guest stopped: the downtime grows with the working set
 * ([CL05] sec. 6), instead of pre-copy iterating to a tiny remainder. */
static void test_migration_downtime_grows_with_wws(void) {
  const double hot_pages[] = {2000, 4000, 8000};
  double last_downtime = 0;
  for (size_t i = 0; i < 3; i++) {
    fake_guest g;
    fake_init(&g);
    /* every hot page rewritten 10 times a second: dirty rates of 655 Mbit/s
     * to 2.6 Gbit/s, more than the 500 Mbit/s maximum */
    g.groups[0] = (sim_dirty_group){.pages = hot_pages[i], .rate_hz = 10};
    g.n_groups = 1;
    sim_migration_spec spec = default_spec("precopy");
    test_net net = make_net(1e9);
    migration_env env = make_env(&spec, &g, 1ull << 30, &net);
    sim_diag d;
    sim_diag_init(&d);
    migration *m;
    CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
    run(m);
    const migration_summary *s = migration_get_summary(m);
    double down = sim_time_to_s(s->downtime_ns);
    printf("\n  hot set %.0f pages: %s, downtime %.3f s", hot_pages[i], s->stop_reason, down);
    CU_ASSERT_FALSE(s->converged);
    /* more than resume + ARP + the CPU state: hot pages go in the final copy */
    CU_ASSERT(down > 2 * sim_time_to_s(env.params.resume_ns + env.params.arp_ns));
    CU_ASSERT(down > last_downtime * 1.5);
    last_downtime = down;
    migration_free(m);
    net_share_free(net.ns);
  }
  /* the largest working set: about half of it left for the stop-and-copy */
  CU_ASSERT(last_downtime > 0.25 * hot_pages[2] * 4096 * 8 / 500e6);
}

/* QEMU style over a path slower than the bandwidth limit: the stop test
 * uses the bandwidth the last round achieved ([QEMU] migration.c
 * migration_update_counters), so the downtime stays near the target. */
static void test_migration_qemu_achieved_bandwidth(void) {
  fake_guest g;
  fake_init(&g);
  g.groups[0] = (sim_dirty_group){.pages = 20000, .rate_hz = 1}; /* 655 Mbit/s raw */
  g.n_groups = 1;
  sim_migration_spec spec = default_spec("precopy");
  spec.max_downtime_ns = 300 * SIM_MS;
  spec.max_rate_bps = 10e9; /* ten times the NIC */
  test_net net = make_net(1e9);
  migration_env env = make_env(&spec, &g, 2ull << 30, &net);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_summary *s = migration_get_summary(m);
  const migration_round *r;
  size_t n = migration_get_rounds(m, &r);
  for (size_t k = 0; k < n; k++) CU_ASSERT(r[k].rate_bps <= 1e9 * (1 + 1e-12));
  if (s->converged) {
    /* met: the final copy fits the target at the NIC's rate */
    double copy_s = sim_time_to_s(r[n - 1].duration_ns);
    CU_ASSERT(copy_s <= 0.3 + env.params.cpu_state_bytes * 8 / 1e9 + 1e-6);
  } else {
    CU_ASSERT_STRING_EQUAL(s->stop_reason, "round limit");
  }
  CU_ASSERT(sim_time_to_s(s->downtime_ns) < 0.3 + 0.05);
  migration_free(m);
  net_share_free(net.ns);
}

/* ---- a write-heavy guest ---- */

static void write_heavy(fake_guest *g) {
  fake_init(g);
  /* 400 MB of a 1 GiB guest rewritten twice a second: 1.6 Gbit/s of dirtying */
  g->groups[0] = (sim_dirty_group){.pages = 97656, .rate_hz = 2};
  g->groups[1] = (sim_dirty_group){.pages = 2000, .rate_hz = 50};
  g->n_groups = 2;
}

static void test_migration_write_heavy_never_converges(void) {
  fake_guest g;
  write_heavy(&g);
  sim_migration_spec spec = default_spec("precopy");
  test_net net = make_net(1e9);
  migration_env env = make_env(&spec, &g, 1ull << 30, &net);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_summary *s = migration_get_summary(m);
  CU_ASSERT_FALSE(s->converged);
  CU_ASSERT_STRING_EQUAL(s->stop_reason, "rate at maximum, not shrinking");
  /* most of the hot set goes in the stop-and-copy: seconds of downtime */
  CU_ASSERT(sim_time_to_s(s->downtime_ns) > 3);
  migration_free(m);

  /* QEMU style without auto-converge: the downtime target is never met */
  write_heavy(&g);
  spec.max_downtime_ns = 300 * SIM_MS;
  spec.max_rate_bps = 800e6;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  s = migration_get_summary(m);
  CU_ASSERT_STRING_EQUAL(s->stop_reason, "round limit");
  CU_ASSERT_EQUAL(s->rounds, 31);
  CU_ASSERT(sim_time_to_s(s->downtime_ns) > 1);
  CU_ASSERT_EQUAL(g.max_throttle, 0);
  migration_free(m);

  /* with auto-converge the vCPUs are throttled from 20% in 10% steps until
   * the dirty rate fits: it converges within the target */
  write_heavy(&g);
  spec.auto_converge = true;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  s = migration_get_summary(m);
  CU_ASSERT_STRING_EQUAL(s->stop_reason, "downtime target met");
  CU_ASSERT(s->converged);
  CU_ASSERT(g.max_throttle >= 0.2 - 1e-12 && g.max_throttle <= 0.99);
  double steps = (g.max_throttle - 0.2) / 0.1; /* whole steps, or the 99% cap */
  CU_ASSERT(fabs(steps - round(steps)) < 1e-9 || g.max_throttle == 0.99);
  CU_ASSERT_EQUAL(g.throttle, 0); /* released at the end */
  CU_ASSERT(s->downtime_ns <= spec.max_downtime_ns + env.params.resume_ns + env.params.arp_ns +
                                  (sim_time)(env.params.cpu_state_bytes * 8 / 800e6 * 1e9) + 2);
  migration_free(m);
  net_share_free(net.ns);
}

/* scenarios/migration-write-heavy.yaml: pre-copy stops without converging
 * and stops the guest for seconds; post-copy stops it for milliseconds and
 * slows it for longer. */
static void test_migration_write_heavy_scenario(void) {
  cl05_case pre, post;
  /* migrations are in order of start, then guest name: heavy-post's first */
  CU_ASSERT_EQUAL_FATAL(load_scenario(&pre, "scenarios/migration-write-heavy.yaml", 1, 0), 0);
  CU_ASSERT_EQUAL_FATAL(load_scenario(&post, "scenarios/migration-write-heavy.yaml", 0, 0), 0);
  CU_ASSERT_STRING_EQUAL(pre.env.spec->strategy, "precopy");
  CU_ASSERT_STRING_EQUAL(post.env.spec->strategy, "postcopy");
  sim_diag d;
  sim_diag_init(&d);
  migration *a, *b;
  CU_ASSERT_EQUAL_FATAL(migration_create(&pre.env, &a, &d), 0);
  CU_ASSERT_EQUAL_FATAL(migration_create(&post.env, &b, &d), 0);
  run(a);
  run(b);
  const migration_summary *sa = migration_get_summary(a), *sb = migration_get_summary(b);
  printf("\n  write-heavy: pre-copy %s, downtime %.2f s, degraded %.2f s; post-copy downtime "
         "%.1f ms, degraded %.2f s, min service %.2f\n",
         sa->stop_reason, sim_time_to_s(sa->downtime_ns), sim_time_to_s(sa->degraded_ns),
         sim_time_to_s(sb->downtime_ns) * 1e3, sim_time_to_s(sb->degraded_ns), sb->min_service);
  CU_ASSERT_FALSE(sa->converged);
  CU_ASSERT(sim_time_to_s(sa->downtime_ns) > 1);
  CU_ASSERT(sim_time_to_s(sb->downtime_ns) < 0.1);
  CU_ASSERT(sb->degraded_ns > sa->degraded_ns);
  migration_free(a);
  migration_free(b);
  free_cl05(&pre);
  free_cl05(&post);
}

/* ---- stop-and-copy, post-copy, container ---- */

static void test_migration_stop_and_copy(void) {
  /* [CL05] sec. 4: a 512 MB guest alone takes 32 s at 128 Mbit/s */
  fake_guest g;
  fake_init(&g);
  g.groups[0] = (sim_dirty_group){.pages = 1000, .rate_hz = 10};
  g.n_groups = 1;
  sim_migration_spec spec = default_spec("stop-and-copy");
  spec.max_rate_bps = 128e6;
  migration_env env = make_env(&spec, &g, 512000000, NULL);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_summary *s = migration_get_summary(m);
  CU_ASSERT(rel(sim_time_to_s(s->downtime_ns), 32) < 0.01);
  CU_ASSERT_EQUAL(s->downtime_ns, s->total_ns);
  CU_ASSERT_EQUAL(s->rounds, 1);
  CU_ASSERT(rel(s->total_bytes, 512000000 + env.params.cpu_state_bytes) < 1e-12);
  migration_free(m);
}

static void test_migration_postcopy_short_downtime_long_tail(void) {
  fake_guest g;
  fake_init(&g);
  g.groups[0] = (sim_dirty_group){.pages = 20000, .rate_hz = 2};
  g.groups[1] = (sim_dirty_group){.pages = 3000, .rate_hz = 50};
  g.n_groups = 2;
  g.demand_bps = 300e6;
  sim_migration_spec spec = default_spec("postcopy");
  test_net net = make_net(1e9);
  migration_env env = make_env(&spec, &g, 1ull << 30, &net);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_summary *s = migration_get_summary(m);
  /* downtime: CPU state, resume and ARP only: milliseconds */
  CU_ASSERT(s->downtime_ns < 50 * SIM_MS);
  CU_ASSERT(s->downtime_ns >= env.params.resume_ns + env.params.arp_ns);
  /* every page crosses once: the whole memory at (at most) the maximum rate */
  CU_ASSERT(rel(s->total_bytes, (double)(1ull << 30) + env.params.cpu_state_bytes) < 1e-6);
  printf("\n  post-copy: total %.3f s, downtime %.3f ms, degraded %.3f s, min service %.3f\n",
         sim_time_to_s(s->total_ns), sim_time_to_s(s->downtime_ns) * 1e3,
         sim_time_to_s(s->degraded_ns), g.min_slow);
  CU_ASSERT(sim_time_to_s(s->total_ns) >= (double)(1ull << 30) * 8 / 500e6);
  const migration_round *r;
  CU_ASSERT_EQUAL_FATAL(migration_get_rounds(m, &r), 2);
  CU_ASSERT(r[1].rate_bps <= 500e6 * (1 + 1e-9)); /* faults and push share the stream */
  /* the tail: faults slow the guest for seconds after it resumed */
  CU_ASSERT(sim_time_to_s(s->degraded_ns - s->downtime_ns) > 1);
  CU_ASSERT(g.min_slow < 0.9);
  CU_ASSERT_DOUBLE_EQUAL(g.slow, 1, 1e-12);
  CU_ASSERT_EQUAL(g.resumed_on, 1);
  /* pre-copy of the same guest: far longer downtime */
  fake_guest g2 = g;
  fake_init(&g2);
  memcpy(g2.groups, g.groups, sizeof g.groups);
  g2.n_groups = g.n_groups;
  sim_migration_spec pre = default_spec("precopy");
  migration_env env2 = make_env(&pre, &g2, 1ull << 30, &net);
  migration *m2;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env2, &m2, &d), 0);
  run(m2);
  CU_ASSERT(migration_get_summary(m2)->downtime_ns > 5 * s->downtime_ns);
  migration_free(m2);
  migration_free(m);
  net_share_free(net.ns);
}

static void test_migration_container_sequence(void) {
  fake_guest g;
  fake_init(&g);
  sim_migration_spec spec = default_spec("container");
  const uint64_t mem = 256ull << 20, resident = 100ull << 20;
  migration_env env = make_env(&spec, &g, mem, NULL);
  env.view.resident_bytes = resident;
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  const migration_params *p = &env.params;
  double expect_s = sim_time_to_s(p->freeze_ns) + (double)resident / p->dump_Bps +
                    ((double)resident + p->cpu_state_bytes) * 8 / spec.max_rate_bps +
                    (double)resident / p->restore_Bps + sim_time_to_s(p->arp_ns);
  const migration_summary *s = migration_get_summary(m);
  CU_ASSERT(fabs(sim_time_to_s(s->downtime_ns) - expect_s) < 4e-9);
  CU_ASSERT_EQUAL(s->downtime_ns, s->total_ns);
  CU_ASSERT_EQUAL(g.pauses, 1);
  CU_ASSERT_EQUAL(g.resumes, 1);
  migration_free(m);
}

/* Every registered strategy: its private state comes and goes in pairs
 * (create with destroy), and two migrations of it stepped in turn keep apart:
 * each ends as it does alone. */
static void test_migration_strategies_keep_state_apart(void) {
  const char *names[16];
  size_t n = model_names(MODEL_MIGRATION, names, 16);
  CU_ASSERT_FATAL(n >= 4 && n <= 16);
  for (size_t i = 0; i < n; i++) {
    const migration_ops *ops = model_find(MODEL_MIGRATION, names[i])->ops;
    CU_ASSERT_EQUAL(ops->create == NULL, ops->destroy == NULL);
    sim_migration_spec spec = default_spec(names[i]);
    const uint64_t mem = 256ull << 20;
    fake_guest alone_g, g[2];
    fake_init(&alone_g);
    migration_env env = make_env(&spec, &alone_g, mem, NULL);
    sim_diag d;
    sim_diag_init(&d);
    migration *alone, *m[2];
    CU_ASSERT_EQUAL_FATAL(migration_create(&env, &alone, &d), 0);
    run(alone);
    for (int k = 0; k < 2; k++) {
      fake_init(&g[k]);
      env = make_env(&spec, &g[k], mem, NULL);
      CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m[k], &d), 0);
    }
    for (int guard = 0; guard < 10000000; guard++) {
      sim_time t0 = migration_next_ns(m[0]), t1 = migration_next_ns(m[1]);
      if (t0 == SIM_TIME_MAX && t1 == SIM_TIME_MAX) break;
      int k = t1 < t0;
      CU_ASSERT_EQUAL(migration_step(m[k], k ? t1 : t0), 0);
    }
    const migration_summary *a = migration_get_summary(alone);
    for (int k = 0; k < 2; k++) {
      const migration_summary *s = migration_get_summary(m[k]);
      CU_ASSERT(migration_finished(m[k]));
      CU_ASSERT_EQUAL(s->total_ns, a->total_ns);
      CU_ASSERT_EQUAL(s->downtime_ns, a->downtime_ns);
      CU_ASSERT_EQUAL(s->rounds, a->rounds);
      CU_ASSERT_DOUBLE_EQUAL(s->total_bytes, a->total_bytes, 0);
      migration_free(m[k]);
    }
    migration_free(alone);
    sim_diag_clear(&d);
  }
}

/* Compression halves the bytes; zero pages cost their header only. */
static void test_migration_options(void) {
  fake_guest g;
  fake_init(&g);
  sim_migration_spec spec = default_spec("stop-and-copy");
  const uint64_t mem = 400ull << 20, resident = 100ull << 20;
  migration_env env = make_env(&spec, &g, mem, NULL);
  env.view.resident_bytes = resident;
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  double plain = migration_get_summary(m)->total_bytes;
  migration_free(m);
  spec.zero_page_elision = true;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  double zero_pages = (double)(mem - resident) / 4096;
  CU_ASSERT(rel(migration_get_summary(m)->total_bytes,
                plain - zero_pages * (4096 - env.params.zero_page_wire_bytes)) < 1e-12);
  migration_free(m);
  spec.zero_page_elision = false;
  spec.compress = true;
  CU_ASSERT_EQUAL_FATAL(migration_create(&env, &m, &d), 0);
  run(m);
  CU_ASSERT(rel(migration_get_summary(m)->total_bytes - env.params.cpu_state_bytes,
                (plain - env.params.cpu_state_bytes) * env.params.compress_ratio) < 1e-12);
  migration_free(m);
}

/* Two migrations out of one host share its NIC with each other and the
 * guests' traffic; rates never exceed the link. */
static void test_migration_two_share_a_nic(void) {
  fake_guest a, b;
  fake_init(&a);
  fake_init(&b);
  a.demand_bps = b.demand_bps = 400e6;
  sim_migration_spec sa = default_spec("precopy"), sb = default_spec("precopy");
  sa.min_rate_bps = sb.min_rate_bps = 500e6;
  sa.name = "a";
  sb.name = "b";
  test_net net = make_net(1e9);
  migration_env ea = make_env(&sa, &a, 256ull << 20, &net);
  migration_env eb = make_env(&sb, &b, 256ull << 20, &net);
  sim_diag d;
  sim_diag_init(&d);
  migration *ma, *mb;
  CU_ASSERT_EQUAL_FATAL(migration_create(&ea, &ma, &d), 0);
  CU_ASSERT_EQUAL_FATAL(migration_create(&eb, &mb, &d), 0);
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(loop);
  CU_ASSERT_EQUAL(migration_attach(ma, loop, 0), 0);
  CU_ASSERT_EQUAL(migration_attach(mb, loop, 0), 0);
  sim_loop_run(loop, SIM_TIME_MAX);
  const migration_round *ra, *rb;
  migration_get_rounds(ma, &ra);
  migration_get_rounds(mb, &rb);
  /* a starts first and gets its 500; b then shares the rest with the guests */
  CU_ASSERT(rel(ra[0].rate_bps, 500e6) < 1e-9);
  CU_ASSERT(rb[0].rate_bps < 500e6);
  CU_ASSERT(ra[0].rate_bps + rb[0].rate_bps <= 1e9 * (1 + 1e-9));
  CU_ASSERT(migration_get_summary(mb)->guest_throughput_bps < 400e6);
  migration_free(ma);
  migration_free(mb);
  sim_loop_free(loop);
  net_share_free(net.ns);
}

/* ---- errors, allocation faults, recording ---- */

static void test_migration_errors(void) {
  fake_guest g;
  fake_init(&g);
  sim_migration_spec spec = default_spec("pre-copy");
  migration_env env = make_env(&spec, &g, 1 << 20, NULL);
  sim_diag d;
  sim_diag_init(&d);
  migration *m = (migration *)&g;
  CU_ASSERT(migration_create(&env, &m, &d) < 0);
  CU_ASSERT_PTR_NULL(m);
  CU_ASSERT_EQUAL(d.errors, 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.entries[0].message, "precopy"));
  sim_diag_clear(&d);
  spec = default_spec("precopy");
  g.groups[0] = (sim_dirty_group){.pages = 1000, .rate_hz = 1}; /* 4 MB in 1 MiB */
  g.n_groups = 1;
  CU_ASSERT(migration_create(&env, &m, &d) < 0);
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_diag_clear(&d);
}

static void test_migration_allocation_faults(void) {
  cl05_case c;
  CU_ASSERT_EQUAL_FATAL(load_cl05(&c), 0);
  int failures = 0;
  for (long nth = 1; nth < 200; nth++) {
    sim_diag d;
    sim_diag_init(&d);
    migration *m = NULL;
    sim_fault_arm(SIM_FAULT_ALLOC, nth);
    int rc = migration_create(&c.env, &m, &d);
    if (rc == 0) {
      sim_time t;
      while ((t = migration_next_ns(m)) != SIM_TIME_MAX)
        if (migration_step(m, t)) break;
    }
    bool hit = sim_fault_calls(SIM_FAULT_ALLOC) >= nth;
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
    if (rc) {
      CU_ASSERT_PTR_NULL(m);
      CU_ASSERT(d.errors >= 1);
      failures++;
    } else if (hit) {
      /* a failure during the run finishes the migration with the guest running */
      CU_ASSERT(migration_finished(m));
      CU_ASSERT(migration_error(m) < 0);
      CU_ASSERT_EQUAL(c.guest.paused, 0);
      failures++;
    }
    migration_free(m);
    sim_diag_clear(&d);
    if (!hit) break;
  }
  CU_ASSERT(failures > 0);
  free_cl05(&c);
}

static void test_migration_recorded(void) {
  char dir[] = "/tmp/vdcsim-test-migration-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char path[128];
  snprintf(path, sizeof path, "%s/run.h5", dir);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_MS, .events = 1, .series = 1,
                           .compression_level = 1};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  migration_recording *mr = migration_recording_new(rec);
  CU_ASSERT_PTR_NOT_NULL_FATAL(mr);
  cl05_case c;
  CU_ASSERT_EQUAL_FATAL(load_cl05(&c), 0);
  c.env.recording = mr;
  c.env.view.entity = sim_recorder_entity(rec, "guest", "web", -1);
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&c.env, &m, &d), 0);
  run(m);
  CU_ASSERT_EQUAL(sim_recorder_write(rec, path, &d), 0);
  sim_diag_print(&d, stderr);
  sim_result *res;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(path, &res, &d), 0);
  size_t rows = 0;
  CU_ASSERT_EQUAL(sim_result_table_rows(res, "migration/rounds", &rows), 0);
  CU_ASSERT_EQUAL(rows, migration_get_summary(m)->rounds);
  double *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_result_column_f64(res, "migration/summary", "downtime_s", &v, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT_DOUBLE_EQUAL(v[0], sim_time_to_s(migration_get_summary(m)->downtime_ns), 1e-12);
  sim_free(v);
  char **names = NULL;
  CU_ASSERT_EQUAL(sim_result_column_str(res, "migration/summary", "stop_reason", &names, &n), 0);
  if (n == 1) CU_ASSERT_STRING_EQUAL(names[0], "round limit");
  sim_result_free_strings(names, n);
  CU_ASSERT_STRING_EQUAL(sim_result_column_unit(res, "migration/rounds", "rate_bps"), "bit/s");
  double *t = NULL;
  CU_ASSERT_EQUAL(sim_result_series(res, "migration_guest_throughput_bps", c.env.view.entity, &t,
                                    &v, &n), 0);
  CU_ASSERT(n > 700); /* 100 ms samples over about 70 s */
  double lo = INFINITY;
  for (size_t i = 0; i < n; i++) lo = fmin(lo, v[i]);
  CU_ASSERT_EQUAL(lo, 0); /* stopped during the downtime */
  sim_free(t);
  sim_free(v);
  int32_t id;
  CU_ASSERT_EQUAL(sim_result_entity(res, "web-migration", &id), 0);
  CU_ASSERT_EQUAL(sim_result_series(res, "migration_rate_bps", id, &t, &v, &n), 0);
  CU_ASSERT(n > 700);
  sim_free(t);
  sim_free(v);
  sim_result_close(res);
  sim_diag_clear(&d);
  migration_free(m);
  migration_recording_free(mr);
  sim_recorder_free(rec);
  free_cl05(&c);
  unlink(path);
  rmdir(dir);
}

/* The profile quantities live migration reads, with the test values. */
static const char test_profile[] =
    "profile: {name: migration-test}\n"
    "quantities:\n"
    "  migration.page_size: {value: 4 KiB, source: test}\n"
    "  migration.cpu_state: {value: 16 KiB, source: test}\n"
    "  migration.resume: {value: 10 ms, source: test}\n"
    "  migration.arp: {value: 5 ms, source: test}\n"
    "  migration.zero_page_header: {value: 16 B, source: test}\n"
    "  migration.compress_ratio: {value: 0.5, source: test}\n"
    "  migration.compress_rate: {value: 1600 Mbit/s, source: test}\n"
    "  migration.fault: {value: 20 us, source: test}\n"
    "  container.freeze: {value: 50 ms, source: test}\n"
    "  container.dump_rate: {value: 4 Gbit/s, source: test}\n"
    "  container.restore_rate: {value: 3.2 Gbit/s, source: test}\n";

/* The run-level set, as the engine uses it: every migration of the scenario
 * on one loop, costs from the profile, results in HDF5, the same numbers as
 * the model stepped alone. */
static void test_migration_set_from_scenario(void) {
  char dir[] = "/tmp/vdcsim-test-migset-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char prof_path[128], h5[128];
  snprintf(prof_path, sizeof prof_path, "%s/migration-test.yaml", dir);
  snprintf(h5, sizeof h5, "%s/run.h5", dir);
  FILE *f = fopen(prof_path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(test_profile, f);
  fclose(f);
  sim_diag d;
  sim_diag_init(&d);
  sim_profile *prof = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), prof_path, &prof, &d), 0);
  migration_params p;
  sim_migration_spec all[4] = {default_spec("precopy"), default_spec("postcopy"),
                               default_spec("container"), default_spec("precopy")};
  all[3].compress = all[3].zero_page_elision = true;
  CU_ASSERT_EQUAL(migration_params_from_profile(prof, all, 4, &p, &d), 0);
  migration_params t = test_params();
  CU_ASSERT_EQUAL(memcmp(&p, &t, sizeof p), 0);
  /* pre-copy alone reads only the common keys */
  CU_ASSERT_EQUAL(migration_params_from_profile(prof, all, 1, &p, &d), 0);
  CU_ASSERT_EQUAL(p.fault_ns, 0);
  CU_ASSERT_EQUAL(p.dump_Bps, 0);
  CU_ASSERT_EQUAL(p.page_bytes, 4096);
  cl05_case c;
  CU_ASSERT_EQUAL_FATAL(load_cl05(&c), 0);
  sim_record_config cfg = {.sample_interval_ns = 100 * SIM_MS, .events = 1, .series = 1};
  sim_recorder *rec = sim_recorder_new(&cfg);
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_FATAL(rec && loop);
  migration_set *set;
  CU_ASSERT_EQUAL_FATAL(migration_set_start(c.sc, prof, loop, rec, NULL, 0, &set, &d), 0);
  sim_loop_run(loop, c.sc->duration_ns);
  CU_ASSERT_EQUAL(migration_set_error(set), 0);
  migration_set_free(set);
  sim_loop_free(loop);
  CU_ASSERT_EQUAL(sim_recorder_write(rec, h5, &d), 0);
  sim_recorder_free(rec);
  /* the model alone, with the same guest (network-bound on its NIC) */
  c.guest.demand_bps = c.sc->host_types[0].nics[0].bandwidth_bps;
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&c.env, &m, &d), 0);
  run(m);
  sim_result *res;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(h5, &res, &d), 0);
  double *v = NULL;
  size_t n = 0;
  CU_ASSERT_EQUAL(sim_result_column_f64(res, "migration/summary", "downtime_s", &v, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT_DOUBLE_EQUAL(v[0], sim_time_to_s(migration_get_summary(m)->downtime_ns), 1e-12);
  sim_free(v);
  CU_ASSERT_EQUAL(
      sim_result_column_f64(res, "migration/summary", "guest_throughput_bps", &v, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 1);
  CU_ASSERT(rel(v[0], 765e6) < 0.15);
  sim_free(v);
  sim_result_close(res);
  /* a profile without the keys is refused, naming them */
  sim_diag_clear(&d);
  f = fopen(prof_path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("profile: {name: empty}\nquantities:\n  cpu.clock: {value: 2 GHz, source: test}\n", f);
  fclose(f);
  sim_profile *empty = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), prof_path, &empty, &d), 0);
  loop = sim_loop_new();
  CU_ASSERT_NOT_EQUAL(migration_set_start(c.sc, empty, loop, NULL, NULL, 0, &set, &d), 0);
  CU_ASSERT_PTR_NULL(set);
  CU_ASSERT_EQUAL(d.errors, 4); /* the four keys pre-copy needs */
  sim_loop_free(loop);
  sim_profile_free(empty);
  migration_free(m);
  sim_profile_free(prof);
  free_cl05(&c);
  sim_diag_clear(&d);
  unlink(prof_path);
  unlink(h5);
  rmdir(dir);
}


/* ---- guest keys of migration: its disk image and zero pages ---- */

/* One pre-copy migration of a 1 GiB guest (a hot working set of 2000 pages
 * at 2 Hz) between two hosts of a 1 Gbit/s NIC, run through the set as the
 * engine runs it.  %s: more keys of the guest, then of the migration. */
static const char keys_fmt[] =
    "name: migration-keys\n"
    "simulation: {duration: 600 s}\n"
    "host_types:\n"
    "  t:\n"
    "    cores: 1\n"
    "    clock: 1 GHz\n"
    "    memory: 8 GiB\n"
    "    nics: [{name: eth0, bandwidth: 1 Gbit/s, latency: 50 us}]\n"
    "hosts:\n"
    "  - {name: src, type: t}\n"
    "  - {name: dst, type: t}\n"
    "workloads:\n"
    "  w:\n"
    "    phases:\n"
    "      - {name: main, duration: 600 s, ops: {instructions: 1000},\n"
    "         dirty: [{pages: 2000, rate: 2 Hz}]}\n"
    "guests:\n"
    "  - {name: vm, technique: native, memory: 1 GiB, host: src, workload: w%s}\n"
    "migrations:\n"
    "  - {name: m, at: 1 s, guest: vm, to: dst, min_rate: 1 Gbit/s, max_rate: 1 Gbit/s%s}\n";

typedef struct keys_out {
  double total_s;           /* migration/summary total_time_s */
  double total_bytes;       /* total_bytes */
  double first_round_bytes; /* first_round_bytes */
  double first_round_s;     /* first_round_s */
  double downtime_s;        /* downtime_s */
} keys_out;

static double summary_col(sim_result *res, const char *column) {
  double *v = NULL, x = NAN;
  size_t n = 0;
  if (sim_result_column_f64(res, "migration/summary", column, &v, &n) == 0 && n == 1) x = v[0];
  sim_free(v);
  return x;
}

/* Runs the single migration of a loaded scenario through the set, as the
 * engine does, and reads its summary row back from HDF5. */
static void run_set(const sim_scenario *sc, const sim_profile *prof, keys_out *out, sim_diag *d) {
  char dir[] = "/tmp/vdcsim-test-migkeys-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char h5[128];
  snprintf(h5, sizeof h5, "%s/run.h5", dir);
  sim_record_config cfg = {.sample_interval_ns = SIM_S, .events = 1, .series = 1};
  sim_recorder *rec = sim_recorder_new(&cfg);
  sim_loop *loop = sim_loop_new();
  CU_ASSERT_FATAL(rec && loop);
  migration_set *set = NULL;
  CU_ASSERT_EQUAL_FATAL(migration_set_start(sc, prof, loop, rec, NULL, 0, &set, d), 0);
  sim_loop_run(loop, sc->duration_ns);
  CU_ASSERT_EQUAL(migration_set_error(set), 0);
  migration_set_free(set);
  sim_loop_free(loop);
  CU_ASSERT_EQUAL_FATAL(sim_recorder_write(rec, h5, d), 0);
  sim_recorder_free(rec);
  sim_result *res;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(h5, &res, d), 0);
  out->total_s = summary_col(res, "total_time_s");
  out->total_bytes = summary_col(res, "total_bytes");
  out->first_round_bytes = summary_col(res, "first_round_bytes");
  out->first_round_s = summary_col(res, "first_round_s");
  out->downtime_s = summary_col(res, "downtime_s");
  sim_result_close(res);
  CU_ASSERT(out->total_s > 0 && out->total_bytes > 0); /* it ran to its end */
  unlink(h5);
  rmdir(dir);
}

/* Loads keys_fmt with the given keys and runs its migration to the end.
 * 0, or negative (the scenario refused: its messages go to diag). */
static int run_keys(const char *guest_keys, const char *mig_keys, keys_out *out, sim_diag *d) {
  char dir[] = "/tmp/vdcsim-test-migkeys-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char prof_path[128], text[4096];
  snprintf(prof_path, sizeof prof_path, "%s/migration-test.yaml", dir);
  snprintf(text, sizeof text, keys_fmt, guest_keys, mig_keys);
  FILE *f = fopen(prof_path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(test_profile, f);
  fclose(f);
  sim_profile *prof = NULL;
  sim_scenario *sc = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), prof_path, &prof, d), 0);
  int rc = sim_scenario_load_text("migration-keys.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &sc, d);
  if (rc == 0) run_set(sc, prof, out, d);
  else sim_diag_print(d, stderr);
  sim_scenario_free(sc);
  sim_profile_free(prof);
  unlink(prof_path);
  rmdir(dir);
  return rc;
}

/* Block migration of a guest with a 10 GiB disk at 1 Gbit/s: the bulk first
 * round sends the image too, so time and bytes grow by about disk / rate and
 * disk; with shared storage (no block_migration) the disk costs nothing. */
static void test_migration_block_disk(void) {
  sim_diag d;
  sim_diag_init(&d);
  keys_out shared, blk_nodisk, blk;
  CU_ASSERT_EQUAL_FATAL(run_keys(", disk: 10 GiB", "", &shared, &d), 0);
  CU_ASSERT_EQUAL_FATAL(run_keys("", ", block_migration: true", &blk_nodisk, &d), 0);
  CU_ASSERT_EQUAL_FATAL(run_keys(", disk: 10 GiB", ", block_migration: true", &blk, &d), 0);
  const double disk = 10.0 * (1ull << 30), rate = 1e9;
  printf("\n  block migration, 10 GiB disk at 1 Gbit/s: total %.2f s -> %.2f s (+%.2f s, "
         "disk/rate %.2f s), %.3f GB -> %.3f GB (+%.3f GB)\n",
         blk_nodisk.total_s, blk.total_s, blk.total_s - blk_nodisk.total_s, disk * 8 / rate,
         blk_nodisk.total_bytes / 1e9, blk.total_bytes / 1e9,
         (blk.total_bytes - blk_nodisk.total_bytes) / 1e9);
  /* shared storage: the disk changes nothing */
  CU_ASSERT_DOUBLE_EQUAL(shared.total_s, blk_nodisk.total_s, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(shared.total_bytes, blk_nodisk.total_bytes, 1e-3);
  /* the image goes out in round 0 (its bulk phase), once */
  CU_ASSERT(rel(blk.first_round_bytes - blk_nodisk.first_round_bytes, disk) < 0.01);
  CU_ASSERT(rel(blk.first_round_s - blk_nodisk.first_round_s, disk * 8 / rate) < 0.01);
  CU_ASSERT(rel(blk.total_bytes - blk_nodisk.total_bytes, disk) < 0.03);
  CU_ASSERT(rel(blk.total_s - blk_nodisk.total_s, disk * 8 / rate) < 0.03);
  /* the guest is stopped only for what is dirty at the end, not the disk */
  CU_ASSERT(blk.downtime_s < 1.0);
  sim_diag_clear(&d);
}

/* Zero-page elision with half the memory zero pages: round 0 sends about
 * half the bytes (a header per zero page); without elision, or without zero
 * pages, the bytes are those of every page written. */
static void test_migration_zero_fraction(void) {
  sim_diag d;
  sim_diag_init(&d);
  keys_out plain, half_sent, half_elided, none_elided;
  CU_ASSERT_EQUAL_FATAL(run_keys("", "", &plain, &d), 0);
  CU_ASSERT_EQUAL_FATAL(run_keys(", zero_fraction: 50%", "", &half_sent, &d), 0);
  CU_ASSERT_EQUAL_FATAL(
      run_keys(", zero_fraction: 50%", ", zero_page_elision: true", &half_elided, &d), 0);
  CU_ASSERT_EQUAL_FATAL(run_keys("", ", zero_page_elision: true", &none_elided, &d), 0);
  printf("\n  zero pages 50%%: round 0 %.1f MB -> %.1f MB with elision (%.1f s -> %.1f s)\n",
         plain.first_round_bytes / 1e6, half_elided.first_round_bytes / 1e6,
         plain.first_round_s, half_elided.first_round_s);
  const double pages = (double)(1ull << 30) / 4096, header = 16;
  /* half the pages cost 4096 bytes, half their 16-byte header (the hot
   * group is written memory either way) */
  CU_ASSERT(rel(half_elided.first_round_bytes,
                plain.first_round_bytes / 2 + pages / 2 * header) < 0.01);
  CU_ASSERT(half_elided.first_round_bytes < 0.52 * plain.first_round_bytes);
  CU_ASSERT(rel(half_elided.first_round_s, plain.first_round_s / 2) < 0.02);
  CU_ASSERT(half_elided.total_bytes < 0.55 * plain.total_bytes);
  /* zero pages cost a full page without elision, and elision without zero
   * pages changes nothing */
  CU_ASSERT(rel(half_sent.first_round_bytes, plain.first_round_bytes) < 1e-9);
  CU_ASSERT(rel(none_elided.first_round_bytes, plain.first_round_bytes) < 1e-9);
  CU_ASSERT(rel(none_elided.total_s, plain.total_s) < 1e-9);
  sim_diag_clear(&d);
}

/* The loader refuses values out of range, at their place. */
static void test_migration_guest_keys_checked(void) {
  sim_diag d;
  sim_diag_init(&d);
  keys_out o;
  CU_ASSERT_NOT_EQUAL(run_keys(", zero_fraction: 1.5", "", &o, &d), 0);
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_diag_clear(&d);
  CU_ASSERT_NOT_EQUAL(run_keys(", disk: lots", "", &o, &d), 0);
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_diag_clear(&d);
  CU_ASSERT_NOT_EQUAL(run_keys(", zero_fraction: -10%", "", &o, &d), 0);
  CU_ASSERT_EQUAL(d.errors, 1);
  sim_diag_clear(&d);
}

/* The [CL05] web server keeps its numbers: its defaults (no disk, no zero
 * pages) give through the set what the model alone gives with every page
 * written, and a disk without block migration or zero pages without
 * elision change nothing. */
static void test_migration_cl05_defaults_unchanged(void) {
  cl05_case c;
  CU_ASSERT_EQUAL_FATAL(load_cl05(&c), 0);
  CU_ASSERT_EQUAL(c.sc->guests[0].disk_bytes, 0);
  CU_ASSERT_EQUAL(c.sc->guests[0].zero_fraction, 0);
  CU_ASSERT_FALSE(c.sc->migrations[0].block_migration);
  CU_ASSERT_FALSE(c.sc->migrations[0].zero_page_elision);
  /* the model alone, the guest network-bound on its NIC as the set takes it */
  c.guest.demand_bps = c.sc->host_types[0].nics[0].bandwidth_bps;
  sim_diag d;
  sim_diag_init(&d);
  migration *m;
  CU_ASSERT_EQUAL_FATAL(migration_create(&c.env, &m, &d), 0);
  run(m);
  const migration_summary *want = migration_get_summary(m);
  sim_profile *prof = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), c.sc->calibration, &prof, &d), 0);
  keys_out got;
  run_set(c.sc, prof, &got, &d);
  CU_ASSERT_DOUBLE_EQUAL(got.total_s, sim_time_to_s(want->total_ns), 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(got.downtime_s, sim_time_to_s(want->downtime_ns), 1e-9);
  CU_ASSERT(rel(got.total_bytes, want->total_bytes) < 1e-12);
  CU_ASSERT(rel(got.first_round_bytes, want->first_round_bytes) < 1e-12);
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/migration-webserver.yaml", src ? src : ".");
  static const sim_override keys[2] = {{"guests.0.disk", "20 GiB"},
                                       {"guests.0.zero_fraction", "40%"}};
  sim_scenario *sc = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load(path, test_vocabulary(), keys, 2, &sc, &d), 0);
  CU_ASSERT_EQUAL(sc->guests[0].disk_bytes, 20ull << 30);
  CU_ASSERT_DOUBLE_EQUAL(sc->guests[0].zero_fraction, 0.4, 1e-12);
  keys_out same;
  run_set(sc, prof, &same, &d);
  CU_ASSERT_DOUBLE_EQUAL(same.total_s, got.total_s, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(same.downtime_s, got.downtime_s, 1e-12);
  CU_ASSERT(rel(same.total_bytes, got.total_bytes) < 1e-12);
  CU_ASSERT(rel(same.first_round_bytes, got.first_round_bytes) < 1e-12);
  sim_scenario_free(sc);
  migration_free(m);
  sim_profile_free(prof);
  free_cl05(&c);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case cases[] = {
      {"migration [CL05] web server", test_migration_cl05_webserver},
      {"migration closed form, constant dirty rate", test_migration_closed_form},
      {"dirtying follows the guest's utilisation", test_migration_dirtying_follows_utilisation},
      {"migration closed form with Xen's rates", test_migration_closed_form_xen_rates},
      {"migration Xen rate limit: rises only, within [min, max]", test_migration_xen_rate_limit},
      {"migration QEMU downtime target at the achieved bandwidth",
       test_migration_qemu_achieved_bandwidth},
      {"migration downtime grows with the writable working set",
       test_migration_downtime_grows_with_wws},
      {"migration write-heavy guest never converges", test_migration_write_heavy_never_converges},
      {"migration post-copy: short downtime, long tail",
       test_migration_postcopy_short_downtime_long_tail},
      {"migration write-heavy scenario, pre-copy and post-copy",
       test_migration_write_heavy_scenario},
      {"migration block: a 10 GiB disk at 1 Gbit/s", test_migration_block_disk},
      {"migration zero-page elision, half the memory zero", test_migration_zero_fraction},
      {"migration [CL05] defaults unchanged by the new keys",
       test_migration_cl05_defaults_unchanged},
      {NULL, NULL}};
  static const test_case strategies[] = {
      {"migration stop-and-copy ([CL05] sec. 4)", test_migration_stop_and_copy},
      {"migration container checkpoint/restore", test_migration_container_sequence},
      {"migration strategies keep their state apart", test_migration_strategies_keep_state_apart},
      {"migration compression and zero pages", test_migration_options},
      {"migration two streams share a NIC", test_migration_two_share_a_nic},
      {"migration on the event loop", test_migration_on_event_loop},
      {NULL, NULL}};
  static const test_case machinery[] = {
      {"migration errors", test_migration_errors},
      {"migration allocation faults", test_migration_allocation_faults},
      {"migration recorded to HDF5", test_migration_recorded},
      {"migration set from a scenario and a profile", test_migration_set_from_scenario},
      {"migration guest keys checked", test_migration_guest_keys_checked},
      {NULL, NULL}};
  return add_suite("migration cases", cases) || add_suite("migration strategies", strategies) ||
         add_suite("migration machinery", machinery);
}
