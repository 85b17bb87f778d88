/* models/contention_dram.c: the shared DRAM bandwidth.
 * What it models: the guests running on a host share its memory
 * controllers (one per socket of mem.socket.cores cores, each with
 * mem.socket.channels channels and a peak of mem.socket.bandwidth).  Each
 * guest's demand is the bytes its streams move to and from DRAM (what
 * misses its LLC share, models/contention_llc.c; a store twice) per second
 * of its run.  A channel serves one line in line / (peak / channels); at
 * the channels' utilisation u (all demand over all peak, spread evenly) a
 * line waits the M/D/1 mean u S / (2 (1 - u)) before service ([KLE75]
 * sec. 5.7, the deterministic case of Pollaczek-Khinchine; u capped at
 * CONTENTION_MAX_LOAD), which lengthens every DRAM access; demand beyond
 * the peak is served at the peak, each guest's bandwidth-bound transfers
 * slowed by demand / peak.  What the guest's own traffic causes is already
 * in the profile's single-core latency and bandwidth: a guest sees the
 * wait and the slow-down beyond those at its own demand alone.
 * Units: bytes, seconds, cycles at the host's clock.
 * Invariants: the added latency is >= 0 and finite; a guest that is the
 * only one with DRAM traffic sees exactly what it sees alone.
 * Quantities: mem.socket.cores, mem.socket.bandwidth, mem.socket.channels
 * (the model is off when one is missing). */
#include <math.h>

#include "models/contention.h"
#include "sim/alloc.h"

typedef struct dram_params {
  double peak_bytes_per_s; /* B/s: peak DRAM bandwidth of the host (all sockets) */
  double channels;         /* memory channels of the host, count */
} dram_params;

static int dram_load(const sim_profile *profile, const sim_host_type *type, void **params,
                     sim_diag *diag) {
  *params = NULL;
  double cores = 0, bits_per_s = 0, channels = 0;
  int a = contention_quantity(profile, "mem.socket.cores", &cores, diag);
  int b = contention_quantity(profile, "mem.socket.bandwidth", &bits_per_s, diag);
  int c = contention_quantity(profile, "mem.socket.channels", &channels, diag);
  if (a < 0 || b < 0 || c < 0) return -1;
  if (!a || !b || !c || !(cores >= 1) || !(bits_per_s > 0) || !(channels >= 1)) return 0;
  dram_params *p = sim_malloc(sizeof *p);
  if (!p) return -1;
  double domains = contention_domains(type ? type->cores : 1, cores);
  p->peak_bytes_per_s = bits_per_s / 8.0 * domains;
  p->channels = channels * domains;
  *params = p;
  return 0;
}

/* Bytes per second guest g moves to and from DRAM, with its LLC share (set
 * in m, the host's MMU parameters otherwise). */
static double demand(const contention_view *v, const contention_guest *g, mmu_params *m) {
  m->cache_bytes[MMU_CACHE_LEVELS - 1] = g->llc_bytes;
  double bytes = 0;
  for (size_t i = 0; i < g->phase->n_access; i++)
    bytes += g->phase->access[i].count * mmu_dram_bytes(m, &g->phase->access[i]);
  return bytes / g->unit_cycles * v->clock_hz * g->cpus;
}

/* Seconds a line waits for its channel at a demand of bytes_per_s. */
static double line_wait(const dram_params *p, double line_bytes, double bytes_per_s) {
  double u = bytes_per_s / p->peak_bytes_per_s;
  double service = line_bytes * p->channels / p->peak_bytes_per_s;
  return contention_queue_wait(u, u * service);
}

static void dram_share(const void *params, contention_view *v) {
  (void)params;
  mmu_params m = v->costs->mmu; /* each co-runner's demand sets its own LLC share in it */
  for (size_t i = 0; i < v->n; i++) v->g[i].dram_bytes_per_s = demand(v, &v->g[i], &m);
}

static void dram_apply(const void *params, contention_view *v) {
  const dram_params *p = params;
  double all = 0; /* summed in guest order, whoever self is */
  for (size_t i = 0; i < v->n; i++) all += v->g[i].dram_bytes_per_s;
  double own = v->g[v->self].dram_bytes_per_s;
  if (!(all > own)) return; /* no other guest's traffic */
  double line = v->costs->mmu.line_bytes;
  double wait_s = line_wait(p, line, all) - line_wait(p, line, own);
  if (wait_s > 0) v->mem.dram_cycles += wait_s * v->clock_hz;
  double over = fmax(1.0, all / p->peak_bytes_per_s) / fmax(1.0, own / p->peak_bytes_per_s);
  if (over > 1) v->mem.bandwidth_bytes_per_cycle /= over;
}

const contention_ops contention_dram_ops = {"dram", dram_load, sim_free, dram_share, dram_apply};
