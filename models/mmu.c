/* models/mmu.c: TLB miss rates, 1D and 2D page walks, data-access costs.
 * Model (see mmu.h for units and invariants):
 *  - TLB reach R = entries * page.  Random accesses over a working set W miss
 *    with probability max(0, 1 - R/W) [LECT] "TLB"; a cyclic sweep (sequential
 *    or strided) over P distinct pages misses on every new page when P exceeds
 *    the entries (LRU evicts each entry before its reuse) and never otherwise.
 *  - A walk of a region W with pages of size P reads, at level l (1 = leaf),
 *    one of E_l = ceil(W / (P * F^(l-1))) entries, F = 4096 / pte_bytes.
 *    Upper-level entries (l >= 2) hit the page-walk cache with probability
 *    min(1, pwc_entries / sum of upper entries) [BH08] sec. 4.1.
 *  - A reference that reaches memory costs mmu_load_cycles(D): D is the
 *    re-reference distance of its line, the bytes touched between two uses of
 *    it: the entries of its level plus the data lines fetched meanwhile
 *    (one per access, 1/miss_rate accesses per walk), capped by W.  Hot
 *    upper-level and nested entries therefore stay in L1; leaf entries of a
 *    large working set go to L2, the LLC or DRAM.
 *  - 2D walk [BH08] sec. 2: every guest level's entry is read (n refs) after
 *    its guest-physical table page is translated by a nested walk (m refs,
 *    or a nested-TLB hit), and the data's guest-physical address is finally
 *    translated by one more nested walk (m refs): n*m + n + m. */
#include "models/mmu.h"

#include <math.h>
#include <string.h>

#include "models/vcost.h"

#define F(field) offsetof(mmu_params, field)
static const vcost_key mmu_keys[] = {
    {"tlb.entries.4k", F(tlb_entries_4k), VCOST_SAME},
    {"tlb.entries.2m", F(tlb_entries_2m), VCOST_SAME},
    {"tlb.walk.levels", F(walk_levels), VCOST_SAME},
    {"tlb.pte_bytes", F(pte_bytes), VCOST_SAME},
    {"pwc.entries", F(pwc_entries), VCOST_SAME},
    {"pwc.hit", F(pwc_hit_cycles), VCOST_SAME},
    {"pwc.nested", F(pwc_nested), VCOST_BOOL},
    {"ntlb.entries", F(ntlb_entries), VCOST_SAME},
    {"ntlb.hit", F(ntlb_hit_cycles), VCOST_SAME},
    {"mem.cache.l1", F(cache_bytes[0]), VCOST_SAME},
    {"mem.cache.l2", F(cache_bytes[1]), VCOST_SAME},
    {"mem.cache.llc", F(cache_bytes[2]), VCOST_SAME},
    {"mem.latency.l1", F(cache_cycles[0]), VCOST_NS},
    {"mem.latency.l2", F(cache_cycles[1]), VCOST_NS},
    {"mem.latency.llc", F(cache_cycles[2]), VCOST_NS},
    {"mem.latency.dram", F(dram_cycles), VCOST_NS},
    {"mem.line", F(line_bytes), VCOST_SAME},
    {"mem.bandwidth", F(bandwidth_bytes_per_cycle), VCOST_BITRATE},
};
#undef F

int mmu_params_load(const sim_profile *profile, const sim_host_type *host_type, double clock_hz,
                    mmu_params *p, sim_diag *diag) {
  memset(p, 0, sizeof *p);
  if (vcost_read(profile, clock_hz, mmu_keys, sizeof mmu_keys / sizeof mmu_keys[0], p, diag))
    return -1;
  const sim_host_type *h = host_type;
  if (h) {
    if (h->tlb_entries_4k) p->tlb_entries_4k = h->tlb_entries_4k;
    if (h->tlb_entries_2m) p->tlb_entries_2m = h->tlb_entries_2m;
    if (h->page_walk_levels) p->walk_levels = h->page_walk_levels;
    if (h->pwc_entries) p->pwc_entries = h->pwc_entries;
  }
  return 0;
}

/* Page-table pages are 4 KiB on x86 at every level. */
static double fanout(const mmu_params *p) { return 4096.0 / p->pte_bytes; }

uint64_t mmu_guest_page_bytes(uint64_t page_bytes, bool huge_pages) {
  if (huge_pages) return 2097152u;
  return page_bytes ? page_bytes : 4096u;
}

unsigned mmu_walk_refs_2d(unsigned n, unsigned m) { return n * m + n + m; }

unsigned mmu_levels(const mmu_params *p, uint64_t page_bytes) {
  unsigned n = (unsigned)p->walk_levels;
  /* A 2 MiB page is mapped by the level above the 4 KiB leaf. */
  if (page_bytes > 4096 && n > 1) n--;
  return n;
}

static double tlb_entries(const mmu_params *p, uint64_t page_bytes) {
  return page_bytes > 4096 ? p->tlb_entries_2m : p->tlb_entries_4k;
}

/* Bytes between consecutive accesses of a sweep. */
static double step_bytes(const sim_access_spec *a) {
  if (a->pattern == SIM_ACCESS_RANDOM) return 0;
  return a->stride_bytes > 0 ? (double)a->stride_bytes : 8.0;
}

double mmu_tlb_miss_rate(const mmu_params *p, const sim_access_spec *a, uint64_t page_bytes) {
  double w = (double)a->working_set_bytes, page = (double)page_bytes;
  double reach = tlb_entries(p, page_bytes) * page;
  if (w <= 0) return 0;
  if (a->pattern == SIM_ACCESS_RANDOM) return w > reach ? 1.0 - reach / w : 0.0;
  double step = step_bytes(a);
  /* distinct pages one sweep visits */
  double pages = step >= page ? ceil(w / step) : ceil(w / page);
  if (pages <= tlb_entries(p, page_bytes)) return 0.0;
  return step >= page ? 1.0 : step / page;
}

double mmu_load_cycles(const mmu_params *p, double footprint_bytes) {
  double cycles = 0, covered = 0; /* covered: probability served at or above this level */
  if (footprint_bytes < p->line_bytes) footprint_bytes = p->line_bytes;
  for (int c = 0; c < MMU_CACHE_LEVELS; c++) {
    if (p->cache_bytes[c] <= 0) continue;
    double in = p->cache_bytes[c] / footprint_bytes;
    if (!(in < 1.0)) in = 1.0; /* fmin(1, in), a NaN included, without a call */
    if (in > covered) {
      cycles += (in - covered) * p->cache_cycles[c];
      covered = in;
    }
  }
  return cycles + (1.0 - covered) * p->dram_cycles;
}

/* The largest cache's bytes, at least 0: the LLC's.  Compared rather than
 * taken by fmax, which is a call: the result is fmax's, a NaN size
 * included (it is passed over); contention estimates ask at every event. */
static double largest_cache(const mmu_params *p) {
  double llc = 0;
  for (int c = 0; c < MMU_CACHE_LEVELS; c++)
    if (p->cache_bytes[c] > llc) llc = p->cache_bytes[c];
  return llc;
}

/* Data bytes one access brings into the caches. */
static double data_bytes_per_access(const mmu_params *p, const sim_access_spec *a) {
  double step = step_bytes(a);
  return a->pattern == SIM_ACCESS_RANDOM || step >= p->line_bytes ? p->line_bytes : step;
}

/* Expected cycles of one reference to a page-table line of a level whose
 * entries span entry_bytes, for a walk that happens every 1/miss_rate
 * accesses of stream a. */
static double pt_ref_cycles(const mmu_params *p, const sim_access_spec *a, double entry_bytes,
                            double miss_rate) {
  double f = fmax(entry_bytes, p->line_bytes);
  double lines = f / p->line_bytes;
  double q = fmax(miss_rate, 1e-9);
  double d = f + lines * data_bytes_per_access(p, a) / q;
  double cap = f + (double)a->working_set_bytes;
  return mmu_load_cycles(p, fmin(d, cap));
}

/* Entries of level l (1 = leaf) that a region of w bytes uses. */
static double level_entries(const mmu_params *p, double w, double page, unsigned l) {
  return fmax(1.0, ceil(w / (page * pow(fanout(p), (double)(l - 1)))));
}

/* Walk of one dimension over a region of w bytes: refs and expected cycles,
 * upper levels through the page-walk cache when use_pwc. */
static mmu_walk walk_dim(const mmu_params *p, const sim_access_spec *a, double w, double page,
                         unsigned n, bool use_pwc, double miss_rate) {
  mmu_walk r = {n, 0, 0};
  double upper = 0;
  for (unsigned l = 2; l <= n; l++) upper += level_entries(p, w, page, l);
  double pwc_hit = use_pwc && upper > 0 ? fmin(1.0, p->pwc_entries / upper) : 0.0;
  for (unsigned l = 1; l <= n; l++) {
    double mem = pt_ref_cycles(p, a, level_entries(p, w, page, l) * p->pte_bytes, miss_rate);
    if (l == 1) {
      r.cycles += mem;
    } else {
      r.refs_cached += pwc_hit;
      r.cycles += pwc_hit * p->pwc_hit_cycles + (1.0 - pwc_hit) * mem;
    }
  }
  return r;
}

mmu_walk mmu_walk_1d(const mmu_params *p, const sim_access_spec *a, uint64_t page_bytes,
                     double miss_rate) {
  return walk_dim(p, a, (double)a->working_set_bytes, (double)page_bytes, mmu_levels(p, page_bytes),
                  true, miss_rate);
}

mmu_walk mmu_walk_2d(const mmu_params *p, const sim_access_spec *a, uint64_t guest_page,
                     uint64_t host_page, double miss_rate) {
  double w = (double)a->working_set_bytes;
  unsigned n = mmu_levels(p, guest_page), m = mmu_levels(p, host_page);
  /* guest dimension: the guest's entries, through the guest part of the PWC */
  mmu_walk g = walk_dim(p, a, w, (double)guest_page, n, true, miss_rate);
  /* guest page-table pages the walks touch: each needs its gPA translated */
  double gpt_pages = 0;
  for (unsigned l = 1; l <= n; l++)
    gpt_pages += fmax(1.0, ceil(level_entries(p, w, (double)guest_page, l) / fanout(p)));
  double ntlb_hit = gpt_pages > 0 ? fmin(1.0, p->ntlb_entries / gpt_pages) : 0.0;
  /* a nested walk of a guest page-table page: the table pages are few, so
   * their nested entries span gpt_pages entries (scattered: one line each) */
  sim_access_spec tables = *a;
  tables.working_set_bytes = (uint64_t)(gpt_pages * (double)host_page);
  mmu_walk nt = walk_dim(p, &tables, gpt_pages * (double)host_page, (double)host_page, m,
                         p->pwc_nested, miss_rate);
  /* final nested walk of the data's guest-physical address over W */
  mmu_walk nd = walk_dim(p, a, w, (double)host_page, m, p->pwc_nested, miss_rate);
  mmu_walk r;
  r.refs = (double)mmu_walk_refs_2d(n, m);
  r.refs_cached = g.refs_cached + n * (ntlb_hit * m + (1.0 - ntlb_hit) * nt.refs_cached) +
                  nd.refs_cached;
  r.cycles = g.cycles + n * (ntlb_hit * p->ntlb_hit_cycles + (1.0 - ntlb_hit) * nt.cycles) +
             nd.cycles;
  return r;
}

double mmu_data_cycles(const mmu_params *p, const sim_access_spec *a) {
  double w = (double)a->working_set_bytes;
  double step = step_bytes(a);
  double llc = largest_cache(p);
  double beyond = w > llc ? 1.0 - llc / w : 0.0; /* share of lines beyond the LLC */
  if (a->pattern == SIM_ACCESS_RANDOM || step >= p->line_bytes) {
    /* loads wait for their line; a store retires into the store buffer and
     * its line is fetched and written back behind it: it costs the
     * bandwidth of two lines, not the latency */
    double wf = a->write_fraction;
    return (1.0 - wf) * mmu_load_cycles(p, w) +
           wf * beyond * 2.0 * p->line_bytes / p->bandwidth_bytes_per_cycle;
  }
  /* streaming: prefetchers hide latency; lines beyond the LLC cost bandwidth,
   * a store twice (read for ownership, then write-back) */
  double traffic = step * (1.0 + a->write_fraction);
  return beyond * traffic / p->bandwidth_bytes_per_cycle;
}

double mmu_llc_lines(const mmu_params *p, const sim_access_spec *a) {
  double w = (double)a->working_set_bytes;
  double private_bytes = fmax(p->cache_bytes[0], p->cache_bytes[1]);
  double beyond = w > private_bytes ? 1.0 - private_bytes / w : 0.0;
  return beyond * data_bytes_per_access(p, a) / p->line_bytes;
}

double mmu_dram_bytes(const mmu_params *p, const sim_access_spec *a) {
  double w = (double)a->working_set_bytes;
  double llc = largest_cache(p);
  double beyond = w > llc ? 1.0 - llc / w : 0.0;
  return beyond * data_bytes_per_access(p, a) * (1.0 + a->write_fraction);
}

double mmu_refill_cycles(const mmu_params *p, double pages_touched, uint64_t page_bytes,
                         double walk_cycles) {
  return fmin(pages_touched, tlb_entries(p, page_bytes)) * walk_cycles;
}
