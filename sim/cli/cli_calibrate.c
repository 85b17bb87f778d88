/* sim/cli/cli_calibrate.c: the 'calibrate' verb.
 * `vdcsim calibrate [--quick] [--name NAME] -o PROFILE.yaml` measures this
 * machine (sim/cli/calibrate/) and writes a calibration profile that
 * `vdcsim run --calibration PROFILE.yaml` or a scenario's `calibration:` key
 * can use.  The process is pinned to the CPU it starts on for the whole run
 * (so TSC readings and caches are one CPU's), and restored afterwards. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/cli/calibrate/calibrate.h"
#include "sim/cli/cli.h"
#include "sim/rng.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim calibrate [--quick] [--name NAME] -o PROFILE.yaml\n\n"
          "Measures this machine's costs (system call, page fault, fork, memory latency,\n"
          "page walks, bandwidth, context switch, container start; VM exits and 2D page\n"
          "walks through /dev/kvm where usable) and writes a calibration profile.\n\n"
          "  -o, --output FILE  the profile to write (atomically)\n"
          "  --quick            fewer repetitions and a smaller region: under 30 s\n"
          "  --name NAME        the profile's name (default: FILE without .yaml)\n\n"
          "One progress line per benchmark goes to stderr.  Quantities measured inside\n"
          "a virtual machine are marked representative: false; quantities that could\n"
          "not be measured are left to the fallback profile (generic-x86-2020).\n");
}

static void default_name(const char *path, char *name, size_t len) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 5 && !strcmp(base + n - 5, ".yaml")) n -= 5;
  snprintf(name, len, "%.*s", (int)n, base);
}

/* Pins to the current CPU; returns it, or -1 (left unpinned). */
static int pin(cpu_set_t *old) {
  int cpu = sched_getcpu();
  if (cpu < 0 || sched_getaffinity(0, sizeof *old, old) < 0) return -1;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return sched_setaffinity(0, sizeof one, &one) < 0 ? -1 : cpu;
}

int cli_calibrate(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  const char *out = NULL, *name_opt = NULL;
  bool quick = false;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--quick")) {
      quick = true;
    } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
      out = argv[++i];
    } else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
      name_opt = argv[++i];
    } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output") ||
               !strcmp(argv[i], "--name")) {
      fprintf(stderr, "vdcsim calibrate: error: %s needs a value\n\n", argv[i]);
      usage(stderr);
      return CLI_USAGE;
    } else {
      fprintf(stderr, "vdcsim calibrate: error: unexpected argument '%s'\n\n", argv[i]);
      usage(stderr);
      return CLI_USAGE;
    }
  }
  if (!out) {
    fprintf(stderr, "vdcsim calibrate: error: missing -o PROFILE.yaml\n\n");
    usage(stderr);
    return CLI_USAGE;
  }
  char name[256];
  if (name_opt)
    snprintf(name, sizeof name, "%s", name_opt);
  else
    default_name(out, name, sizeof name);
  if (!name[0]) {
    fprintf(stderr, "vdcsim calibrate: error: the profile needs a name (--name)\n");
    return CLI_USAGE;
  }

  /* Fail before minutes of measuring, not after. */
  char dir[4096];
  const char *slash = strrchr(out, '/');
  snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - out) + 1 : 1, slash ? out : ".");
  if (access(dir, W_OK) != 0) {
    fprintf(stderr, "vdcsim calibrate: error: cannot write %s: %s\n", out, strerror(errno));
    return CLI_FAILURE;
  }

  cal_env env;
  cal_env_probe(&env);
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(env.created, sizeof env.created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  cpu_set_t old;
  env.cpu = pin(&old);

  cal_ctx *ctx = sim_calloc(1, sizeof *ctx);
  gsl_rng *rng = sim_rng_new(1, 0, sim_rng_stream_id("calibrate", "chains"));
  if (!ctx || !rng) {
    fprintf(stderr, "vdcsim calibrate: error: out of memory\n");
    sim_free(ctx);
    if (rng) gsl_rng_free(rng);
    return CLI_FAILURE;
  }
  ctx->quick = quick;
  ctx->reps = quick ? 9 : 21;
  ctx->region_bytes = (size_t)(quick ? 128 : 512) << 20;
  ctx->progress = stderr;
  ctx->env = &env;
  ctx->rng = rng;
  for (int i = 0; i < CAL_COUNT; i++) {
    cal_quantity *q = &ctx->q[i];
    q->time_primary = !strcmp(cal_unit((cal_id)i), "ns");
    q->cycles = q->ns = q->value = NAN;
  }
  fprintf(stderr, "calibrate: %s run, %d repetitions per quantity, pinned to CPU %d%s\n",
          quick ? "quick" : "full", ctx->reps, env.cpu, env.cpu < 0 ? " (pinning failed)" : "");

  cal_stamp start = cal_now();
  cal_quantity *clk = &ctx->q[CAL_CPU_CLOCK];
  if (cal_measure_tsc(ctx->reps, quick ? 20000000 : 100000000, &clk->value, &clk->spread) < 0) {
    fprintf(stderr, "vdcsim calibrate: error: the TSC does not advance; nothing can be timed\n");
    gsl_rng_free(rng);
    sim_free(ctx);
    return CLI_FAILURE;
  }
  clk->measured = true;
  clk->reps = ctx->reps;
  cal_method(clk, "TSC frequency (not the core clock under turbo or power saving): TSC ticks over "
                  "%d ms of CLOCK_MONOTONIC_RAW; cycles in this profile are TSC cycles",
             quick ? 20 : 100);
  env.tsc_hz = ctx->tsc_hz = clk->value;
  cal_progress(ctx, CAL_CPU_CLOCK);

  cal_run_native(ctx);
  cal_run_kvm(ctx);
  cal_judge(ctx);
  cal_loadavg(env.load_after);
  env.duration_s = (double)(cal_now().ns - start.ns) * 1e-9;
  if (env.cpu >= 0) sched_setaffinity(0, sizeof old, &old);

  int measured = 0, unrep = 0;
  for (int i = 0; i < CAL_COUNT; i++) {
    measured += ctx->q[i].measured;
    unrep += ctx->q[i].measured && !ctx->q[i].representative;
  }
  int rc = CLI_OK;
  if (cal_profile_save(out, ctx, name) < 0) {
    fprintf(stderr, "vdcsim calibrate: error: cannot write %s: %s\n", out, strerror(errno));
    rc = CLI_FAILURE;
  } else {
    fprintf(stderr,
            "calibrate: wrote %s in %.1f s: %d of %d quantities measured, %d of them not "
            "representative%s\n",
            out, env.duration_s, measured, CAL_COUNT, unrep,
            cal_env_virtualized(&env) ? " (this machine is a virtual machine)" : "");
  }
  gsl_rng_free(rng);
  sim_free(ctx);
  return rc;
}
