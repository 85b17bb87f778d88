/* tests/test_engine_replan.c: the fluid scheduler's answer on which the
 * engine lets a re-planned run go on without accounting it and picking it
 * again (models/engine.c run_end_handler, sched_fluid_running): true only
 * while the vCPU is picked and not yet accounted, and runnable, when an
 * account of it as runnable and a pick of its slot change nothing; the pick
 * the engine reads inline; and the engine's fmin by comparison (eng_fmin),
 * the library's bit for bit. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "models/engine_internal.h"
#include "models/scheduler.h"
#include "tests/cunit_main.h"

/* A fluid scheduler of one slot per vCPU holding two vCPUs, 0 and 1, both
 * blocked; NULL on a failure. */
static void *two_vcpu_fluid(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  sched_env env = {NULL, NULL, 1};
  void *st = NULL;
  sim_diag d;
  sim_diag_init(&d);
  int rc = o->create(&env, &st, &d);
  for (uint32_t i = 0; rc == 0 && i < 2; i++) {
    sched_vcpu_info in = {i, -1, 256, 0};
    rc = o->add_vcpu(st, &in);
  }
  sim_diag_clear(&d);
  if (rc != 0 && st) o->destroy(st);
  return rc == 0 ? st : NULL;
}

static void test_running_only_between_pick_and_account(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  void *st = two_vcpu_fluid();
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  CU_ASSERT_FALSE(sched_fluid_running(st, 0)); /* blocked */
  o->wake(st, 0, 0);
  CU_ASSERT_FALSE(sched_fluid_running(st, 0)); /* runnable, not picked */
  CU_ASSERT_EQUAL(o->pick_next(st, 0, 0).vcpu, 0);
  CU_ASSERT_TRUE(sched_fluid_running(st, 0));
  CU_ASSERT_FALSE(sched_fluid_running(st, 1));
  /* a re-plan: accounted runnable and picked again, the same answer */
  o->account(st, 0, 0, 10, true, 10);
  CU_ASSERT_FALSE(sched_fluid_running(st, 0));
  CU_ASSERT_EQUAL(o->pick_next(st, 0, 10).vcpu, 0);
  CU_ASSERT_TRUE(sched_fluid_running(st, 0));
  /* a block: no longer */
  o->account(st, 0, 0, 10, false, 20);
  CU_ASSERT_FALSE(sched_fluid_running(st, 0));
  CU_ASSERT_TRUE(o->pick_next(st, 0, 20).vcpu < 0);
  o->destroy(st);
}

/* The fluid pick the engine's dispatch reads inline on a fluid host
 * (models/sched_fluid.h sched_fluid_pick): a slot runs its own vCPU, without
 * a time limit, only when that is runnable and not running yet, and counts
 * it running (the re-plan signal reads the count); an idle slot asks for no
 * retry, so the dispatch of a vCPU's last run's end schedules nothing. */
static void test_fluid_pick_runs_a_slots_own_vcpu(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  void *st = two_vcpu_fluid();
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  const sched_fluid_signal *sig = st;
  sched_pick k = sched_fluid_pick(st, 0); /* blocked */
  CU_ASSERT(k.vcpu < 0 && k.retry_at_ns == 0);
  o->wake(st, 0, 0);
  CU_ASSERT(sched_fluid_pick(st, 1).vcpu < 0); /* another slot: its own vCPU is blocked */
  CU_ASSERT(sched_fluid_pick(st, 2).vcpu < 0); /* no such slot */
  CU_ASSERT(sched_fluid_pick(st, -1).vcpu < 0);
  CU_ASSERT_EQUAL(sig->n_running, 0);
  k = sched_fluid_pick(st, 0);
  CU_ASSERT_EQUAL(k.vcpu, 0);
  CU_ASSERT_EQUAL(k.slice_ns, SIM_TIME_MAX);
  CU_ASSERT_EQUAL(sig->n_running, 1);
  CU_ASSERT_TRUE(sched_fluid_running(st, 0));
  k = sched_fluid_pick(st, 0); /* running already */
  CU_ASSERT(k.vcpu < 0 && k.retry_at_ns == 0);
  CU_ASSERT_EQUAL(sig->n_running, 1);
  o->account(st, 0, 0, 10, false, 10); /* its last run ended */
  k = sched_fluid_pick(st, 0);
  CU_ASSERT(k.vcpu < 0 && k.retry_at_ns == 0);
  CU_ASSERT_EQUAL(sig->n_running, 0);
  o->destroy(st);
}

/* eng_fmin, which sizes a phase's first chunks in place of the library's
 * fmin: the same bits for equal and ordered values, zeros of one sign,
 * infinities and NaN on either side; of zeros of opposite signs, whose
 * minimum's sign C leaves open (a call answers one sign or the other as the
 * compiler orders fmin's operands), a zero, the second. */
static void test_eng_fmin_is_fmin_bit_for_bit(void) {
  const double x[] = {0.0, -0.0, 1.0, -1.0, 1e-3, 0.999, 5e-324, -INFINITY, INFINITY, NAN, 1.0};
  size_t n = sizeof x / sizeof x[0], zeros_apart = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      double want = fmin(x[i], x[j]), got = eng_fmin(x[i], x[j]);
      if (isnan(want)) {
        CU_ASSERT(isnan(got));
        continue;
      }
      if (x[i] == 0 && x[j] == 0 && signbit(x[i]) != signbit(x[j])) {
        CU_ASSERT(got == 0 && signbit(got) == signbit(x[j]));
        zeros_apart++;
        continue;
      }
      uint64_t a, b;
      memcpy(&a, &want, sizeof a);
      memcpy(&b, &got, sizeof b);
      CU_ASSERT_EQUAL(a, b);
    }
  CU_ASSERT_EQUAL(zeros_apart, 2); /* (+0, -0) and (-0, +0) were compared */
}

int register_tests(void) {
  static const test_case tests[] = {
      {"fluid: running only between pick and account", test_running_only_between_pick_and_account},
      {"fluid: a slot runs its own vCPU", test_fluid_pick_runs_a_slots_own_vcpu},
      {"eng_fmin is fmin bit for bit", test_eng_fmin_is_fmin_bit_for_bit},
      {NULL, NULL}};
  return add_suite("engine_replan", tests);
}
