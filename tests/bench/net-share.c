/* tests/bench/net-share.c: bandwidth sharing solves per second
 * (models/net_share.c) against the direct method it replaced
 * (tests/test_net_share_reference.c), on the same networks in the same run.
 * The network is the data center's: hosts of a 1 Gbit/s transmit and a
 * 1 Gbit/s receive link; FLOWS/2 migrations, each a stream from a random
 * host's transmit link to another's receive link (unlimited, or limited to
 * 100 Mbit/s, 500 Mbit/s or 1 Gbit/s) beside its guest's own traffic on the
 * source's transmit link (a demand uniform up to 1 Gbit/s); FLOWS/4 hosts, so
 * that about four flows share each transmit link.
 * Usage: bench_net_share [-t SECONDS] [FLOWS...]
 *   FLOWS: default 10 100 1000 10000; SECONDS: CPU time each solver is
 *   repeated for at least (default 0.5; at least one solve: one solve of the
 *   direct method at 10,000 flows takes minutes).
 * Prints one line per size:
 *   net-share flows=F links=L solves_per_s=X ref_solves_per_s=Y speedup=X/Y identical=yes|no
 * identical: every rate and load of the two solvers equal bit for bit.
 * Units: rates per second of process CPU time. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_rng.h>

#include "models/net_share.h"
#include "sim/rng.h"
#include "tests/test_net_share_reference.h"

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Builds the same network in both; 0 or -1 when out of memory. */
static int build(net_share *ns, ref_net *ref, size_t flows, size_t *n_links) {
  gsl_rng *r = sim_rng_new(16, 0, sim_rng_stream_id("bench", "net_share"));
  if (!r) return -1;
  size_t hosts = flows / 4 < 2 ? 2 : flows / 4;
  for (size_t k = 0; k < 2 * hosts; k++) /* host h: transmit 2h, receive 2h + 1 */
    if (net_share_link(ns, 1e9) < 0 || ref_net_link(ref, 1e9) < 0) return -1;
  static const double limits[] = {INFINITY, 100e6, 500e6, 1e9};
  for (size_t m = 0; m < flows / 2; m++) {
    size_t src = gsl_rng_uniform_int(r, hosts), dst = gsl_rng_uniform_int(r, hosts - 1);
    dst += dst >= src;
    int path[] = {(int)(2 * src), (int)(2 * dst + 1)};
    double limit = limits[gsl_rng_uniform_int(r, 4)], traffic = 1e9 * gsl_rng_uniform(r);
    if (net_share_flow(ns, limit, 1, path, 2) < 0 || ref_net_flow(ref, limit, 1, path, 2) < 0 ||
        net_share_flow(ns, traffic, 1, path, 1) < 0 || ref_net_flow(ref, traffic, 1, path, 1) < 0)
      return -1;
  }
  *n_links = 2 * hosts;
  gsl_rng_free(r);
  return 0;
}

static void solve_new(void *net) { net_share_solve(net); }
static void solve_ref(void *net) { ref_net_solve(net); }

/* Solves per second of CPU time, repeating for at least min_s. */
static double rate(void (*solve)(void *), void *net, double min_s) {
  size_t n = 0;
  double t0 = cpu_s(), dt;
  do {
    solve(net);
    n++;
    dt = cpu_s() - t0;
  } while (dt < min_s);
  return (double)n / dt;
}

static bool identical(const net_share *ns, const ref_net *ref, size_t flows, size_t links) {
  for (size_t f = 0; f < flows; f++) {
    double a = net_share_rate(ns, (int)f), b = ref_net_rate(ref, (int)f);
    if (memcmp(&a, &b, sizeof a)) return false;
  }
  for (size_t l = 0; l < links; l++) {
    double a = net_share_load(ns, (int)l), b = ref_net_load(ref, (int)l);
    if (memcmp(&a, &b, sizeof a)) return false;
  }
  return true;
}

static int run_size(size_t flows, double min_s) {
  net_share *ns = net_share_new();
  ref_net *ref = ref_net_new();
  size_t links = 0;
  if (!ns || !ref || build(ns, ref, flows, &links) < 0) {
    fprintf(stderr, "bench_net_share: out of memory\n");
    return 1;
  }
  size_t n_flows = flows / 2 * 2;
  double fast = rate(solve_new, ns, min_s), slow = rate(solve_ref, ref, min_s);
  printf("net-share flows=%zu links=%zu solves_per_s=%.6g ref_solves_per_s=%.6g speedup=%.4g identical=%s\n",
         n_flows, links, fast, slow, fast / slow, identical(ns, ref, n_flows, links) ? "yes" : "no");
  fflush(stdout);
  net_share_free(ns);
  ref_net_free(ref);
  return 0;
}

int main(int argc, char **argv) {
  double min_s = 0.5;
  size_t sizes[32], n_sizes = 0;
  for (int i = 1; i < argc; i++) {
    char *end = NULL;
    errno = 0;
    if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
      min_s = strtod(argv[++i], &end);
      if (errno || *end || !(min_s >= 0)) goto usage;
      continue;
    }
    unsigned long long v = strtoull(argv[i], &end, 10);
    if (errno || !*argv[i] || *end || v < 2 || n_sizes == sizeof sizes / sizeof sizes[0]) goto usage;
    sizes[n_sizes++] = (size_t)v;
  }
  if (n_sizes == 0) {
    static const size_t defaults[] = {10, 100, 1000, 10000};
    memcpy(sizes, defaults, sizeof defaults);
    n_sizes = 4;
  }
  for (size_t k = 0; k < n_sizes; k++)
    if (run_size(sizes[k], min_s)) return 1;
  return 0;
usage:
  fprintf(stderr, "usage: bench_net_share [-t SECONDS] [FLOWS...]\n");
  return 2;
}
