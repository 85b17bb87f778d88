/* tests/test_sched_fluid.c: the fluid scheduler's shortcuts
 * (models/sched_fluid.c).  Its rates are the water-filling's, bit for bit,
 * whether the host has cores to spare (every vCPU at its demand, without
 * the passes) or not, capped guests included; a block or a wake that
 * leaves the rates unmarked re-plans exactly when recomputing them would. */
#include <stdbool.h>
#include <stdint.h>

#include "models/engine_internal.h"
#include "models/sched_common.h"
#include "models/scheduler.h"
#include "tests/cunit_main.h"

/* Weighted max-min fair rates of the runnable vCPUs (guest[i], weight[g],
 * cap[g] CPUs or 0, demand[i]) on `cores`, by water-filling passes in index
 * order: the reference models/sched_fluid.c follows, operation for
 * operation. */
static void water_fill(size_t n, const uint32_t *guest, const uint32_t *weight, const double *cap,
                       const double *demand, const bool *runnable, double cores, double *rate) {
  uint32_t per_guest[16] = {0};
  for (size_t i = 0; i < n; i++) per_guest[guest[i]] += runnable[i];
  double left = cores, wsum = 0, w[64], b[64];
  bool open[64];
  for (size_t i = 0; i < n; i++) {
    open[i] = runnable[i];
    rate[i] = 0;
    if (!runnable[i]) continue;
    uint32_t g = guest[i];
    w[i] = (double)weight[g] / per_guest[g];
    b[i] = demand[i];
    if (cap[g] > 0 && cap[g] / per_guest[g] < b[i]) b[i] = cap[g] / per_guest[g];
    wsum += w[i];
  }
  for (;;) {
    bool changed = false;
    for (size_t i = 0; i < n; i++)
      if (open[i] && left * w[i] / wsum >= b[i]) {
        rate[i] = b[i];
        left -= b[i];
        wsum -= w[i];
        open[i] = false;
        changed = true;
      }
    if (!changed || wsum <= 0) break;
  }
  for (size_t i = 0; i < n; i++)
    if (open[i]) rate[i] = wsum > 0 && left > 0 ? left * w[i] / wsum : 0;
}

/* The fluid level's rates are the water-filling's bit for bit, on hosts with
 * cores to spare (where it skips the passes), on hosts with none, and with
 * capped guests. */
static void test_fluid_rates_are_the_water_fillings(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  uint64_t seed = 12345;
  size_t compared = 0, spare = 0;
  for (int trial = 0; trial < 400; trial++) {
    uint32_t cores = 1 + (uint32_t)(trial % 24), n_guests = 1 + (uint32_t)(trial % 7);
    size_t n = 2 + (size_t)(trial % 31);
    uint32_t guest[64], weight[16];
    double cap[16], demand[64], rate[64];
    bool runnable[64];
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    for (uint32_t g = 0; g < n_guests; g++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      weight[g] = 1 + (uint32_t)((seed >> 33) % 65535);
      cap[g] = (seed >> 20) % 4 == 0 ? 0.1 + (double)((seed >> 40) % 300) / 100.0 : 0;
    }
    sched_env env = {NULL, NULL, cores};
    sim_diag d = {0};
    void *st = NULL;
    CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
    for (size_t i = 0; i < n; i++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      guest[i] = i < n_guests ? (uint32_t)i : (uint32_t)((seed >> 33) % n_guests);
    }
    /* vCPUs are added guest by guest, as the engine adds them */
    size_t order = 0;
    uint32_t guest_sorted[64];
    for (uint32_t g = 0; g < n_guests; g++)
      for (size_t i = 0; i < n; i++)
        if (guest[i] == g) guest_sorted[order++] = g;
    for (size_t i = 0; i < n; i++) {
      guest[i] = guest_sorted[i];
      sched_vcpu_info in = {guest[i], -1, weight[guest[i]], cap[guest[i]]};
      CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &in), 0);
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      runnable[i] = (seed >> 30) % 3 != 0;
      demand[i] = (seed >> 45) % 2 ? 1.0 : (double)(1 + (seed >> 50) % 1000) / 1000.0;
      if (runnable[i]) o->wake(st, (int32_t)i, 0);
      o->set_demand(st, (int32_t)i, demand[i]);
    }
    water_fill(n, guest, weight, cap, demand, runnable, cores, rate);
    size_t n_runnable = 0;
    for (size_t i = 0; i < n; i++) n_runnable += runnable[i];
    spare += n_runnable < cores;
    for (size_t i = 0; i < n; i++) {
      CU_ASSERT_EQUAL(o->rate(st, (int32_t)i), rate[i]);
      compared++;
    }
    o->destroy(st);
  }
  CU_ASSERT(compared > 4000);
  CU_ASSERT(spare > 100 && spare < 380); /* both kinds of host, often */
  /* as many vCPUs as cores, each wanting one: the passes' rounding leaves
   * two of them a hair below one CPU, which no shortcut may round up */
  static const uint32_t guest[5] = {0, 0, 0, 1, 1}, weight[2] = {58693, 47284};
  static const double cap[2] = {0, 0}, demand[5] = {1, 1, 1, 1, 1};
  static const bool runnable[5] = {true, true, true, true, true};
  double rate[5];
  water_fill(5, guest, weight, cap, demand, runnable, 5, rate);
  CU_ASSERT(rate[1] < 1.0);
  sched_env env = {NULL, NULL, 5};
  sim_diag d = {0};
  void *st = NULL;
  CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
  for (int32_t i = 0; i < 5; i++) {
    sched_vcpu_info in = {guest[i], -1, weight[guest[i]], 0};
    CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &in), 0);
    o->wake(st, i, 0);
  }
  for (int32_t i = 0; i < 5; i++) CU_ASSERT_EQUAL(o->rate(st, i), rate[i]);
  o->destroy(st);
}

/* A block on a host with cores to spare re-plans exactly when recomputing
 * the rates would: when a running vCPU still runs at another rate than it
 * was reported (its run not yet re-planned), and not once every run is at
 * its rate. */
static void test_fluid_block_replans_as_recomputing_would(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  sched_env env = {NULL, NULL, 4};
  sim_diag d = {0};
  void *st = NULL;
  uint64_t seen = 0;
  CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
  for (uint32_t i = 0; i < 3; i++) {
    sched_vcpu_info in = {i, -1, 256, 0};
    CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &in), 0);
    o->wake(st, (int32_t)i, 0);
  }
  for (int32_t i = 0; i < 2; i++) {
    CU_ASSERT_EQUAL(o->pick_next(st, i, 0).vcpu, i);
    CU_ASSERT_EQUAL(o->rate(st, i), 1.0);
  }
  sched_fluid_replan_due(st, &seen); /* the first rates, planned */
  CU_ASSERT_FALSE(sched_fluid_replan_due(st, &seen));
  o->account(st, 2, 2, 0, false, 0); /* a block: every run at its rate */
  CU_ASSERT_FALSE(sched_fluid_replan_due(st, &seen));
  o->set_demand(st, 0, 0.5);                          /* vCPU 0's run is now off its rate */
  CU_ASSERT_TRUE(sched_fluid_replan_due(st, &seen));
  o->account(st, 1, 1, 0, false, 0); /* a block before vCPU 0 is re-planned */
  CU_ASSERT_TRUE(sched_fluid_replan_due(st, &seen));
  o->account(st, 0, 0, 0, true, 0); /* vCPU 0 re-planned at its rate */
  CU_ASSERT_EQUAL(o->pick_next(st, 0, 0).vcpu, 0);
  CU_ASSERT_EQUAL(o->rate(st, 0), 0.5);
  o->wake(st, 1, 0);
  CU_ASSERT_EQUAL(o->pick_next(st, 1, 0).vcpu, 1);
  CU_ASSERT_EQUAL(o->rate(st, 1), 1.0);
  CU_ASSERT_FALSE(sched_fluid_replan_due(st, &seen));
  o->account(st, 1, 1, 0, false, 0); /* settled again */
  CU_ASSERT_FALSE(sched_fluid_replan_due(st, &seen));
  CU_ASSERT_EQUAL(o->rate(st, 0), 0.5);
  CU_ASSERT_EQUAL(o->rate(st, 1), 0.0);
  o->destroy(st);
}

/* A wake on a settled host gives the woken vCPU its demand while a core
 * stays free, and leaves the rates to the water-filling once none would:
 * there, as many vCPUs as cores leave two a hair below one CPU. */
static void test_fluid_wake_keeps_rates_while_a_core_is_free(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  static const uint32_t guest[5] = {0, 0, 0, 1, 1}, weight[2] = {58693, 47284};
  static const double cap[2] = {0, 0}, demand[5] = {1, 1, 1, 1, 1};
  static const bool runnable[5] = {true, true, true, true, true};
  double rate[5];
  water_fill(5, guest, weight, cap, demand, runnable, 5, rate);
  sched_env env = {NULL, NULL, 5};
  sim_diag d = {0};
  void *st = NULL;
  uint64_t seen = 0;
  CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
  for (int32_t i = 0; i < 5; i++) {
    sched_vcpu_info in = {guest[i], -1, weight[guest[i]], 0};
    CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &in), 0);
  }
  for (int32_t i = 0; i < 3; i++) {
    o->wake(st, i, 0);
    CU_ASSERT_EQUAL(o->pick_next(st, i, 0).vcpu, i);
    CU_ASSERT_EQUAL(o->rate(st, i), 1.0);
  }
  sched_fluid_replan_due(st, &seen);
  o->account(st, 2, 2, 0, false, 0); /* a block: the rates settle */
  CU_ASSERT_FALSE(sched_fluid_replan_due(st, &seen));
  o->wake(st, 3, 0); /* never ran: its demand, with a core still free */
  CU_ASSERT_FALSE(sched_fluid_replan_due(st, &seen));
  CU_ASSERT_EQUAL(o->rate(st, 3), 1.0);
  o->wake(st, 2, 0);
  CU_ASSERT_FALSE(sched_fluid_replan_due(st, &seen));
  CU_ASSERT_EQUAL(o->rate(st, 2), 1.0);
  o->wake(st, 4, 0); /* no core free: the water-filling's rates */
  CU_ASSERT_TRUE(sched_fluid_replan_due(st, &seen));
  for (int32_t i = 0; i < 5; i++) CU_ASSERT_EQUAL(o->rate(st, i), rate[i]);
  CU_ASSERT(rate[1] < 1.0);
  o->destroy(st);
}

/* sched_fluid_plan is set_demand then rate: on two schedulers fed the same
 * wakes and picks, one planning each run in one call and the other through
 * the table, every rate is the same bit for bit, and so are the re-plans due,
 * as demands change on a host without cores to spare (the water-filling's
 * passes) and with them. */
static void test_fluid_plan_is_set_demand_then_rate(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  const uint32_t cores[2] = {3, 16};
  const double demands[4] = {0.35, 1.0, 0.8, 0.35};
  size_t differed = 0; /* plans whose rate differs from the one before */
  for (size_t c = 0; c < 2; c++) {
    sched_env env = {NULL, NULL, cores[c]};
    sim_diag d;
    sim_diag_init(&d);
    void *one = NULL, *two = NULL;
    CU_ASSERT_EQUAL_FATAL(o->create(&env, &one, &d), 0);
    CU_ASSERT_EQUAL_FATAL(o->create(&env, &two, &d), 0);
    for (uint32_t i = 0; i < 6; i++) {
      sched_vcpu_info in = {i % 3, -1, 256 * (1 + i % 3), 0};
      CU_ASSERT_EQUAL_FATAL(o->add_vcpu(one, &in), 0);
      CU_ASSERT_EQUAL_FATAL(o->add_vcpu(two, &in), 0);
    }
    uint64_t seen_one = 0, seen_two = 0;
    for (int32_t i = 0; i < 6; i++) {
      o->wake(one, i, 0);
      o->wake(two, i, 0);
      CU_ASSERT_EQUAL(o->pick_next(one, i, 0).vcpu, i);
      CU_ASSERT_EQUAL(o->pick_next(two, i, 0).vcpu, i);
    }
    double last = -1;
    for (int round = 0; round < 8; round++)
      for (int32_t i = 0; i < 6; i++) {
        double want = demands[(size_t)(round + i) % 4];
        double planned = sched_fluid_plan(one, i, want);
        o->set_demand(two, i, want);
        double told = o->rate(two, i);
        CU_ASSERT_EQUAL(planned, told);
        CU_ASSERT(planned > 0 && planned <= want);
        differed += planned != last;
        last = planned;
        CU_ASSERT_EQUAL(sched_fluid_replan_due(one, &seen_one), sched_fluid_replan_due(two, &seen_two));
      }
    o->destroy(one);
    o->destroy(two);
    sim_diag_clear(&d);
  }
  CU_ASSERT(differed > 10); /* the demands moved the rates */
}

/* sched_fluid_replan_none, which the engine reads at every event instead
 * of calling sched_fluid_replan_due: wherever it holds, the call says false
 * and leaves the count seen as it was; over wakes, picks, blocks, demands
 * and tiny rates (a capped guest's share of 1e-10 CPUs) it also fails to
 * hold where a re-plan is due. */
static void test_fluid_replan_none_as_the_call_says(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  sched_env env = {NULL, NULL, 2};
  sim_diag d;
  sim_diag_init(&d);
  void *st = NULL;
  CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
  for (uint32_t i = 0; i < 6; i++) {
    sched_vcpu_info in = {i % 3, -1, 256, i % 3 == 2 ? 1e-10 : 0};
    CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &in), 0);
  }
  uint64_t seen = 0, rng = 99;
  bool running[6] = {false}, runnable[6] = {false};
  size_t none = 0, due = 0, asked_false = 0;
  for (int step = 0; step < 3000; step++) {
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    int32_t i = (int32_t)((rng >> 33) % 6);
    switch ((rng >> 40) % 4) {
    case 0: /* wake, and run on its slot */
      if (!runnable[i]) o->wake(st, i, 0);
      runnable[i] = true;
      if (!running[i] && o->pick_next(st, i, 0).vcpu == i) running[i] = true;
      break;
    case 1: /* a block */
      if (running[i]) o->account(st, i, i, 1, false, 0);
      running[i] = runnable[i] = false;
      break;
    case 2: /* a run planned at a new demand */
      if (running[i]) sched_fluid_plan(st, i, (double)(1 + (rng >> 50) % 4) / 4);
      break;
    default: /* a re-plan's account and pick */
      if (running[i]) {
        o->account(st, i, i, 1, true, 0);
        CU_ASSERT_EQUAL(o->pick_next(st, i, 0).vcpu, i);
      }
      break;
    }
    uint64_t before = seen;
    bool held = sched_fluid_replan_none(st, seen);
    bool asked = sched_fluid_replan_due(st, &seen);
    if (held) {
      CU_ASSERT_FALSE(asked);
      CU_ASSERT_EQUAL(seen, before);
      none++;
    } else if (asked) {
      due++;
    } else {
      asked_false++;
    }
  }
  CU_ASSERT(none > 100);
  CU_ASSERT(due > 100);
  CU_ASSERT(asked_false > 10);
  o->destroy(st);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"fluid rates are the water-filling's", test_fluid_rates_are_the_water_fillings},
      {"a block re-plans as recomputing would", test_fluid_block_replans_as_recomputing_would},
      {"a wake keeps rates while a core is free", test_fluid_wake_keeps_rates_while_a_core_is_free},
      {"a plan is set_demand then rate", test_fluid_plan_is_set_demand_then_rate},
      {"no re-plan due as the call says", test_fluid_replan_none_as_the_call_says},
      {NULL, NULL}};
  return add_suite("sched_fluid", tests);
}
