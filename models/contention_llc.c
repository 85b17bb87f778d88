/* models/contention_llc.c: the shared last-level cache.
 * What it models: the guests running on a host share its LLCs (one per
 * socket of mem.socket.cores cores, mem.cache.llc each).  A guest's
 * occupancy follows its rate of insertions into the cache, the lines per
 * cycle its streams fetch past the private caches: the occupancy model of
 * co-scheduled threads under LRU in which each thread holds a share
 * proportional to its access frequency into the shared cache ([CHA05]
 * sec. 3, the "frequency-based" approximation of its inductive model),
 * bounded by what the guest can use (its footprint, the sum of its
 * streams' working sets) and by one socket's cache; what a bounded guest
 * leaves is shared by the others in the same proportion.  Accesses of a
 * stream whose working set exceeds the guest's share hit with probability
 * share / working set (random re-reference, models/mmu.c
 * mmu_load_cycles), the rest go to DRAM.
 * Units: bytes; rates in lines per cycle.
 * Invariants: shares are >= 0 and sum to at most the host's LLC capacity;
 * a guest that is the only one with traffic into the LLC keeps min(its
 * footprint, mem.cache.llc): exactly what it sees alone.
 * Quantities: mem.socket.cores (the model is off without it, or on a
 * profile without an LLC level, mem.cache.llc 0). */
#include <math.h>

#include "models/contention.h"
#include "sim/alloc.h"

typedef struct llc_params {
  double socket_cores; /* cores sharing one LLC, count */
  double domains;      /* LLCs of a host of the type, count */
} llc_params;

static int llc_load(const sim_profile *profile, const sim_host_type *type, void **params,
                    sim_diag *diag) {
  *params = NULL;
  double cores = 0, llc = 0;
  int rc = contention_quantity(profile, "mem.socket.cores", &cores, diag);
  if (rc <= 0) return rc;
  if (contention_quantity(profile, "mem.cache.llc", &llc, diag) <= 0 || !(llc > 0) ||
      !(cores >= 1))
    return 0; /* no LLC level, or no socket: nothing shared */
  llc_params *p = sim_malloc(sizeof *p);
  if (!p) return -1;
  p->socket_cores = cores;
  p->domains = contention_domains(type ? type->cores : 1, cores);
  *params = p;
  return 0;
}

/* Lines per cycle guest g fetches into the LLC. */
static double insertion_rate(const contention_guest *g) {
  return g->llc_lines / g->unit_cycles * g->cpus;
}

static void llc_share(const void *params, contention_view *v) {
  const llc_params *p = params;
  const mmu_params *m = &v->costs->mmu;
  double socket = m->cache_bytes[MMU_CACHE_LEVELS - 1];
  double left = socket * p->domains;
  /* share proportionally to the insertion rates among the guests not yet
   * bounded; a guest whose offer reaches its bound takes its bound, and what
   * is left is shared again (each round bounds a guest or ends) */
  size_t open = 0;
  for (size_t i = 0; i < v->n; i++) {
    v->g[i].llc_rate = insertion_rate(&v->g[i]);
    v->g[i].llc_bytes = v->g[i].llc_rate > 0 ? -1.0 : 0.0; /* -1: open */
    if (v->g[i].llc_rate > 0) open++;
  }
  while (open > 0) {
    double rates = 0;
    for (size_t i = 0; i < v->n; i++)
      if (v->g[i].llc_bytes < 0) rates += v->g[i].llc_rate;
    double offered = left; /* this round's offers are shares of what was left at its start */
    size_t bounded = 0;
    for (size_t i = 0; i < v->n; i++) {
      if (v->g[i].llc_bytes >= 0) continue;
      double bound = fmin(socket, v->g[i].footprint_bytes);
      if (offered * v->g[i].llc_rate / rates >= bound) {
        v->g[i].llc_bytes = bound;
        left -= bound;
        bounded++;
      }
    }
    if (bounded == 0) {
      for (size_t i = 0; i < v->n; i++)
        if (v->g[i].llc_bytes < 0) v->g[i].llc_bytes = offered * v->g[i].llc_rate / rates;
    }
    open = bounded == 0 ? 0 : open - bounded;
  }
}

static void llc_apply(const void *params, contention_view *v) {
  (void)params;
  double socket = v->costs->mmu.cache_bytes[MMU_CACHE_LEVELS - 1];
  /* what self's accesses see; a bound share gives the hit ratios alone */
  const contention_guest *self = &v->g[v->self];
  if (self->llc_bytes < fmin(socket, self->footprint_bytes))
    v->mem.cache_bytes[MMU_CACHE_LEVELS - 1] = self->llc_bytes;
}

const contention_ops contention_llc_ops = {"llc", llc_load, sim_free, llc_share, llc_apply};
