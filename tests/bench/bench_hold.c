/* tests/bench/bench_hold.c: the hold model on the event loop.
 * The classic benchmark of future-event lists (Jones, "An empirical comparison
 * of priority-queue and event-set implementations", CACM 29(4), 1986): with N
 * events pending, each step pops the earliest and pushes one at now plus an
 * exponential increment, so N stays constant.  Here the step is a handler
 * run by sim_loop_run that schedules its successor through sim_schedule_in:
 * the figure includes dispatch, the handler call and one GSL exponential draw
 * (mt19937 through sim/rng.h), as a model's event would.
 * Usage: bench_hold [-n STEPS] [-w WARMUP] [-p] [N...]
 *   N: pending events (default 1000 100000 1000000); STEPS timed (default
 *   10^7); WARMUP steps before timing (default max(N, 10^6)); -p draws the
 *   increments beforehand into a ring of 4096 (32 KiB, small enough to stay
 *   in L1 and leave the rest of the cache to the queue), so the figure is
 *   the event core's alone (the same stream and distribution, recycled).
 * Prints one line per size:
 *   hold pending=N events_per_s=X ns_per_event=Y peak_rss_kb=Z
 * Each size runs in its own process, so peak_rss_kb (getrusage) is that
 * size's own peak.  Units: increments in ns (mean 1 s, so integer rounding
 * leaves ties rare, as in a model), rates per second of process CPU time. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>

#include "sim/loop.h"
#include "sim/rng.h"

#define MEAN_INCREMENT_NS 1e9

#define RING_SIZE ((size_t)1 << 12)

typedef struct hold {
  gsl_rng *rng;   /* increments */
  sim_time *ring; /* ns: increments drawn beforehand (-p), or NULL */
  size_t next;    /* next increment in ring */
  uint64_t left;  /* steps before the run stops */
} hold;

/* Schedules the step's successor d ns from now; stops the run after the
 * last step. */
static inline void hold_next(sim_loop *loop, hold *h, sim_handler step, sim_time d, uint64_t arg) {
  if (sim_schedule_in(loop, d, 0, step, h, arg) == SIM_EVENT_NONE) {
    fprintf(stderr, "bench_hold: out of memory\n");
    exit(1);
  }
  if (--h->left == 0) sim_loop_stop(loop);
}

/* A step drawing its increment (one handler per source, so that a step
 * does not test which). */
static void hold_step(sim_loop *loop, void *ctx, uint64_t arg) {
  hold *h = ctx;
  hold_next(loop, h, hold_step, (sim_time)gsl_ran_exponential(h->rng, MEAN_INCREMENT_NS), arg);
}

/* A step taking its increment from the ring (-p). */
static void hold_step_ring(sim_loop *loop, void *ctx, uint64_t arg) {
  hold *h = ctx;
  hold_next(loop, h, hold_step_ring, h->ring[h->next++ & (RING_SIZE - 1)], arg);
}

/* CPU time of this process: on a shared machine, time spent descheduled
 * while others run does not count against the loop (cache interference
 * from them still does). */
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Runs `steps` hold steps with `pending` events pending, after `warmup`
 * (0: the default); prints the line. */
static int run_size(size_t pending, uint64_t steps, uint64_t warmup, bool ring) {
  hold h = {sim_rng_new(1, 0, sim_rng_stream_id("bench", "hold")), NULL, 0, 0};
  sim_loop *loop = sim_loop_new();
  if (!h.rng || !loop) return 1;
  if (ring) {
    h.ring = malloc(RING_SIZE * sizeof *h.ring);
    if (!h.ring) return 1;
    for (size_t i = 0; i < RING_SIZE; i++)
      h.ring[i] = (sim_time)gsl_ran_exponential(h.rng, MEAN_INCREMENT_NS);
  }
  for (size_t i = 0; i < pending; i++) {
    sim_time t = (sim_time)gsl_ran_exponential(h.rng, MEAN_INCREMENT_NS);
    if (sim_schedule(loop, t, 0, ring ? hold_step_ring : hold_step, &h, i) == SIM_EVENT_NONE)
      return 1;
  }
  /* warm up: let the heap reach the hold model's steady shape and the caches
   * their working set */
  h.left = warmup ? warmup : pending < 1000000 ? 1000000 : pending;
  if (sim_loop_run(loop, SIM_TIME_MAX) != SIM_RUN_STOPPED) return 1;
  h.left = steps;
  double t0 = cpu_s();
  sim_run_status st = sim_loop_run(loop, SIM_TIME_MAX);
  double dt = cpu_s() - t0;
  if (st != SIM_RUN_STOPPED || sim_loop_pending(loop) != pending) return 1;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("hold pending=%zu events_per_s=%.0f ns_per_event=%.2f peak_rss_kb=%ld\n", pending,
         (double)steps / dt, dt * 1e9 / (double)steps, ru.ru_maxrss);
  fflush(stdout);
  sim_loop_free(loop);
  gsl_rng_free(h.rng);
  free(h.ring);
  return 0;
}

static int parse_u64(const char *s, uint64_t *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || !*s || *end || v == 0) return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  uint64_t steps = 10000000, warmup = 0;
  bool ring = false;
  size_t sizes[32];
  size_t nsizes = 0;
  for (int i = 1; i < argc; i++) {
    uint64_t v;
    if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
      if (parse_u64(argv[++i], &steps) < 0) goto usage;
    } else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
      if (parse_u64(argv[++i], &warmup) < 0) goto usage;
    } else if (strcmp(argv[i], "-p") == 0) {
      ring = true;
    } else if (parse_u64(argv[i], &v) == 0 && nsizes < sizeof sizes / sizeof sizes[0]) {
      sizes[nsizes++] = (size_t)v;
    } else {
      goto usage;
    }
  }
  if (nsizes == 0) {
    sizes[0] = 1000;
    sizes[1] = 100000;
    sizes[2] = 1000000;
    nsizes = 3;
  }
  for (size_t k = 0; k < nsizes; k++) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
      perror("bench_hold: fork");
      return 1;
    }
    if (pid == 0) _exit(run_size(sizes[k], steps, warmup, ring));
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "bench_hold: size %zu failed\n", sizes[k]);
      return 1;
    }
  }
  return 0;
usage:
  fprintf(stderr, "usage: bench_hold [-n STEPS] [-w WARMUP] [-p] [PENDING...]\n");
  return 2;
}
