/* models/mmu.h: the MMU and TLB model.
 * What it models: how many TLB misses a stream of memory accesses causes
 * (from working set, access pattern, stride, page size and TLB entries), how
 * many memory references one page walk makes (1D natively or on shadow page
 * tables; 2D under EPT/NPT [BH08]), how many of them a page-walk cache and a
 * nested TLB absorb, and what the walk and the data accesses cost in cycles
 * given the cache hierarchy and memory latencies of the calibration profile.
 * Units: cycles, bytes, counts; every parameter's unit is in its comment.
 * Invariants: miss rates lie in [0,1] and never fall when the working set
 * grows; a 2D walk of n guest over m nested levels makes n*m+n+m references
 * [BH08] sec. 2; 2 MiB pages remove one level from each dimension they apply
 * to; caches only ever remove references from memory, never add them.
 * Sources: [BH08] (2D walk, page-walk cache, nested TLB), [LECT] (TLB reach,
 * tagged TLBs), Intel 64 and IA-32 Optimization Reference Manual (TLB sizes,
 * latencies) via the calibration profiles. */
#ifndef MODELS_MMU_H
#define MODELS_MMU_H
#include <stdbool.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/profile.h"
#include "sim/scenario.h"

/* Number of cache levels between the core and DRAM that the model knows. */
#define MMU_CACHE_LEVELS 3

typedef struct mmu_params {
  double tlb_entries_4k;     /* last-level TLB entries for 4 KiB pages, count */
  double tlb_entries_2m;     /* last-level TLB entries for 2 MiB pages, count */
  double walk_levels;        /* levels of a 1D walk with 4 KiB pages, count (4 on x86-64) */
  double pte_bytes;          /* bytes per page-table entry (8; 4 on 32-bit non-PAE) */
  double pwc_entries;        /* page-walk cache entries (upper-level entries), count */
  double pwc_hit_cycles;     /* cycles of one page-walk-cache hit */
  bool pwc_nested;           /* the page-walk cache also holds nested (host) entries */
  double ntlb_entries;       /* nested TLB entries (gPA->hPA of guest page-table pages), count */
  double ntlb_hit_cycles;    /* cycles of one nested-TLB hit */
  double cache_bytes[MMU_CACHE_LEVELS];  /* capacity of L1, L2, LLC, bytes (0: absent) */
  double cache_cycles[MMU_CACHE_LEVELS]; /* load-to-use latency of L1, L2, LLC, cycles */
  double dram_cycles;        /* load-to-use latency of DRAM, cycles */
  double line_bytes;         /* cache line, bytes */
  double bandwidth_bytes_per_cycle; /* sustained DRAM bandwidth of one core, bytes/cycle */
} mmu_params;

/* Reads the parameters from `profile` (tlb.*, pwc.*, ntlb.*, mem.*; latencies
 * converted to cycles at clock_hz, the bandwidth to bytes per cycle), then
 * applies the MMU figures host_type sets (NULL: none).  0, or negative with
 * one error per missing quantity, naming it and the profile. */
int mmu_params_load(const sim_profile *profile, const sim_host_type *host_type, double clock_hz,
                    mmu_params *p, sim_diag *diag);

/* Bytes of the pages a guest maps a stream of page_bytes with (0: 4 KiB):
 * a guest that backs its memory with huge pages maps every region with
 * 2 MiB pages; its nested (EPT/NPT) pages are as large as its own. */
uint64_t mmu_guest_page_bytes(uint64_t page_bytes, bool huge_pages);

/* Memory references of one 2D walk: n guest levels over m nested levels
 * ([BH08] sec. 2: n*m + n + m; 24 for 4 over 4). */
unsigned mmu_walk_refs_2d(unsigned n, unsigned m);

/* Levels of a walk for pages of page_bytes (2 MiB pages end one level early). */
unsigned mmu_levels(const mmu_params *p, uint64_t page_bytes);

/* TLB misses per access of the stream a, for pages of page_bytes (which may
 * differ from a->page_bytes: the host's page size in a nested TLB), in [0,1]. */
double mmu_tlb_miss_rate(const mmu_params *p, const sim_access_spec *a, uint64_t page_bytes);

/* Expected cycles of one load whose line belongs to a set of footprint_bytes
 * that is re-referenced uniformly: it hits cache level c with probability
 * min(1, capacity_c / footprint) (an LRU cache holding the part of the set
 * that fits), else DRAM. */
double mmu_load_cycles(const mmu_params *p, double footprint_bytes);

/* One page walk, by where its references go. */
typedef struct mmu_walk {
  double refs;          /* memory references of the walk without any caching, count */
  double refs_cached;   /* of which absorbed by the page-walk cache or nested TLB, count */
  double cycles;        /* expected cycles of the walk */
} mmu_walk;

/* A 1D walk (native, or the hardware walking shadow page tables) for the
 * stream a, whose TLB miss rate is miss_rate (walks happen only on misses;
 * page-table lines are re-referenced once per walk, data lines once per access). */
mmu_walk mmu_walk_1d(const mmu_params *p, const sim_access_spec *a, uint64_t page_bytes,
                     double miss_rate);

/* A 2D walk under EPT/NPT: guest pages of guest_page bytes over nested pages
 * of host_page bytes ([BH08] sec. 2-4: guest page-walk cache, nested entries in
 * the page-walk cache when p->pwc_nested, nested TLB for guest page-table pages). */
mmu_walk mmu_walk_2d(const mmu_params *p, const sim_access_spec *a, uint64_t guest_page,
                     uint64_t host_page, double miss_rate);

/* Cycles of the data accesses of stream a, per access, at native speed:
 * loads of random and large-stride streams are latency-bound; stores of
 * those streams drain through the store buffer and cost the bandwidth of
 * their line fetched and written back; sequential streams are
 * bandwidth-bound (with write-allocate: a store moves its bytes twice). */
double mmu_data_cycles(const mmu_params *p, const sim_access_spec *a);

/* Cache lines per access of stream a that the private caches (L1, L2)
 * do not hold and that therefore reach the shared last-level cache: one line
 * per access of a random or large-stride stream, step/line of a sweep,
 * times the share of the working set beyond the larger private cache. */
double mmu_llc_lines(const mmu_params *p, const sim_access_spec *a);

/* Bytes per access of stream a that move between the caches and DRAM when
 * the last-level cache holds p->cache_bytes[2] of the caches' capacity (the
 * largest level counts, as in mmu_data_cycles): the lines beyond it, a store
 * twice (read for ownership, then write-back). */
double mmu_dram_bytes(const mmu_params *p, const sim_access_spec *a);

/* Cycles to refill the TLB after a flush, for a guest touching pages_touched
 * distinct pages of page_bytes: one walk per entry that must be reloaded. */
double mmu_refill_cycles(const mmu_params *p, double pages_touched, uint64_t page_bytes,
                         double walk_cycles);

#endif
