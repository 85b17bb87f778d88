/* sim/cli/calibrate/chase.c: pointer chains and large regions for latency and
 * page-walk measurements.
 * A pointer chase (lmbench's lat_mem_rd) makes each load depend on the one
 * before, so the time per hop is the load-to-use latency of wherever the chain
 * lives.  The chain is one random cycle (Sattolo's shuffle), which defeats the
 * prefetchers; with one element per 4 KiB page at a random line of its page,
 * every hop needs a different TLB entry, so over a region far larger than the
 * TLB's reach each hop pays a page walk with 4 KiB pages and (almost) none
 * with 2 MiB pages: the difference is the walk [BH08].
 * Units: bytes, hops.  Invariant: a chain built over n elements returns to
 * its start after exactly n hops. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/cli/calibrate/calibrate.h"

#define HUGE_2M ((size_t)2 << 20)

uint64_t cal_chain_build(void *host, uint64_t target_base, size_t bytes, size_t stride,
                         gsl_rng *rng) {
  size_t n = bytes / stride;
  uint32_t *order = sim_malloc(n * sizeof *order);
  uint32_t *line = sim_malloc(n * sizeof *line);
  if (!order || !line || n < 2) {
    sim_free(order);
    sim_free(line);
    return 0;
  }
  /* Sattolo: a uniformly random permutation that is a single cycle. */
  for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  for (size_t i = n - 1; i > 0; i--) {
    size_t j = gsl_rng_uniform_int(rng, i);
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  /* Within an element's slot, a random cache line when the slot spans more
   * than one, so page-strided chains do not all fall in the same cache sets. */
  size_t lines = stride / 64;
  for (size_t i = 0; i < n; i++)
    line[i] = lines > 1 ? (uint32_t)gsl_rng_uniform_int(rng, lines) : 0;
  uint8_t *h = host;
  for (size_t i = 0; i < n; i++) {
    size_t from = order[i], to = order[(i + 1) % n];
    uint64_t off_from = from * stride + (uint64_t)line[from] * 64;
    uint64_t off_to = to * stride + (uint64_t)line[to] * 64;
    uint64_t target = target_base + off_to;
    memcpy(h + off_from, &target, sizeof target);
  }
  uint64_t start = target_base + (uint64_t)order[0] * stride + (uint64_t)line[order[0]] * 64;
  sim_free(order);
  sim_free(line);
  return start;
}

CAL_UNINSTRUMENTED void cal_chase(void **p, uint64_t hops) {
  void **q = *p;
  for (uint64_t i = 0; i < hops; i += 8) {
    q = *q;
    q = *q;
    q = *q;
    q = *q;
    q = *q;
    q = *q;
    q = *q;
    q = *q;
  }
  /* Storing the end point keeps the chain's loads from being optimised out. */
  *p = q;
}

size_t cal_anon_huge_bytes(const void *p) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return 0;
  char line[512];
  bool inside = false;
  size_t kb = 0;
  uintptr_t a = (uintptr_t)p;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo, hi;
    /* A VMA header ("lo-hi perms ..."); field lines ("Size: ...") fail the match. */
    if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
      inside = a >= lo && a < hi;
      continue;
    }
    if (inside && sscanf(line, "AnonHugePages: %zu kB", &kb) == 1) break;
  }
  fclose(f);
  return inside ? kb * 1024 : 0;
}

static void touch(uint8_t *p, size_t bytes) {
  long page = sysconf(_SC_PAGESIZE);
  for (size_t off = 0; off < bytes; off += (size_t)page) p[off] = 1;
}

void *cal_region_map(size_t bytes, bool huge, char *how, size_t howlen) {
  /* Over-allocate by 2 MiB and trim, so the region is 2 MiB aligned and
   * a VMA of its own (its smaps entry then describes exactly it). */
  size_t len = bytes + HUGE_2M;
  uint8_t *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) {
    snprintf(how, howlen, "mmap of %zu bytes failed: %s", bytes, strerror(errno));
    return NULL;
  }
  uintptr_t base = ((uintptr_t)raw + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1);
  uint8_t *p = (uint8_t *)base;
  if (p > raw) munmap(raw, (size_t)(p - raw));
  if (raw + len > p + bytes) munmap(p + bytes, (size_t)(raw + len - (p + bytes)));
  if (!huge) {
    /* Refuse THP even under "always", so every page is 4 KiB. */
    madvise(p, bytes, MADV_NOHUGEPAGE);
    touch(p, bytes);
    size_t hb = cal_anon_huge_bytes(p);
    if (hb > 0) {
      snprintf(how, howlen, "4 KiB pages were asked for but %zu bytes are huge pages", hb);
      munmap(p, bytes);
      return NULL;
    }
    snprintf(how, howlen, "4 KiB pages (MADV_NOHUGEPAGE)");
    return p;
  }
  int adv = madvise(p, bytes, MADV_HUGEPAGE);
  int adv_errno = errno;
  touch(p, bytes);
  size_t hb = adv == 0 ? cal_anon_huge_bytes(p) : 0;
  if (hb >= bytes - bytes / 10) {
    snprintf(how, howlen, "2 MiB transparent huge pages (MADV_HUGEPAGE, %.0f%% of the region)",
             100.0 * (double)hb / (double)bytes);
    return p;
  }
  munmap(p, bytes);
  char thp_why[96];
  if (adv)
    snprintf(thp_why, sizeof thp_why, "MADV_HUGEPAGE: %s", strerror(adv_errno));
  else
    snprintf(thp_why, sizeof thp_why, "THP backed only %.0f%% of the region",
             100.0 * (double)hb / (double)bytes);
  void *h = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
  if (h != MAP_FAILED) {
    /* A private hugetlb mapping reserves its pages at mmap, so touching
     * them cannot fail with SIGBUS. */
    touch(h, bytes);
    snprintf(how, howlen, "2 MiB hugetlbfs pages (MAP_HUGETLB; %s)", thp_why);
    return h;
  }
  snprintf(how, howlen, "no 2 MiB pages: %s; MAP_HUGETLB: %s", thp_why, strerror(errno));
  return NULL;
}

void cal_region_unmap(void *p, size_t bytes) {
  if (p) munmap(p, bytes);
}
