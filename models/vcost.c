/* models/vcost.c: reads cost tables from the calibration profile, the
 * native costs every technique shares, and the memory model of one guest.
 * Units: cycles unless a field's comment says otherwise; the profile's ns
 * are converted at the clock, its bit/s to bytes per cycle.
 * Invariants: a missing quantity is an error naming the key and the profile
 * (the profile's fallback chain has already been searched); a technique's
 * cost is always a field of its table times a count of the workload's
 * operation mix.
 * A table from vcost_table_load carries, just before it, what the states
 * over it share: the per-access costs of the memory streams any of them
 * charged (vcost_streams; every guest of a technique on hosts of a type
 * charges the same streams), each kept unchanged until the table is freed,
 * as states and prepared units point to them.  Every state's table is one
 * of vcost_table_load.
 * Sources: the profiles' own `source:` entries; models/profiles/README.md. */
#include "models/vcost.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "sim/alloc.h"

const char *vcost_profile_name(const sim_profile *profile) {
  return profile ? sim_profile_name(profile) : "(no profile)";
}

size_t vcost_read(const sim_profile *profile, double clock_hz, const vcost_key *keys, size_t n,
                  void *table, sim_diag *diag) {
  size_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    double v = 0;
    if (!profile || sim_profile_get(profile, keys[i].key, &v, NULL) < 0 || !isfinite(v) || v < 0) {
      sim_diag_error(diag, vcost_profile_name(profile), 0, 0,
                     "calibration profile lacks quantity '%s'", keys[i].key);
      bad++;
      continue;
    }
    char *field = (char *)table + keys[i].offset;
    switch (keys[i].how) {
      case VCOST_SAME: *(double *)field = v; break;
      case VCOST_NS: *(double *)field = v * clock_hz * 1e-9; break;
      case VCOST_BOOL: *(bool *)field = v != 0; break;
      case VCOST_BITRATE: *(double *)field = v / 8.0 / clock_hz; break;
    }
  }
  return bad;
}

/* The clock costs are converted at: the host type's clock when it has one,
 * else cpu.clock.  0, or -1 with an error in diag. */
static int vcost_clock(const sim_profile *profile, const sim_host_type *host_type,
                       double *clock_hz, sim_diag *diag) {
  double clock = 0;
  if (!profile || sim_profile_get(profile, "cpu.clock", &clock, NULL) < 0 || !(clock > 0)) {
    sim_diag_error(diag, vcost_profile_name(profile), 0, 0,
                   "calibration profile lacks quantity 'cpu.clock'");
    return -1;
  }
  if (host_type && host_type->clock_hz > 0) clock = host_type->clock_hz;
  *clock_hz = clock;
  return 0;
}

#define F(field) offsetof(native_costs, field)
static const vcost_key native_keys[] = {
    {"syscall.native", F(syscall), VCOST_SAME},
    {"page_fault.native", F(page_fault), VCOST_SAME},
    {"fork.native", F(fork), VCOST_SAME},
    {"fork.per_resident_page", F(fork_per_page), VCOST_SAME},
    {"fork.context_switches", F(fork_switches), VCOST_SAME},
    {"context_switch.native", F(context_switch), VCOST_SAME},
    {"rdtsc.native", F(rdtsc), VCOST_SAME},
    {"cli.native", F(cli), VCOST_SAME},
    {"cr8.native", F(cr8), VCOST_SAME},
    {"port_io.native", F(port_io), VCOST_SAME},
    {"callret.native", F(callret), VCOST_SAME},
    {"exception.native", F(exception), VCOST_SAME},
    {"pte_write.native", F(pte_write), VCOST_SAME},
    {"timer.hz", F(timer_hz), VCOST_SAME},
    {"tlb.tagged", F(tlb_tagged), VCOST_BOOL},
};
#undef F

int native_costs_load(const sim_profile *profile, const sim_host_type *host_type, native_costs *c,
                      sim_diag *diag) {
  memset(c, 0, sizeof *c);
  if (vcost_clock(profile, host_type, &c->clock_hz, diag) < 0) return -1;
  size_t bad = vcost_read(profile, c->clock_hz, native_keys,
                          sizeof native_keys / sizeof native_keys[0], c, diag);
  if (mmu_params_load(profile, host_type, c->clock_hz, &c->mmu, diag) < 0) bad++;
  if (bad) return -1;
  if (host_type && host_type->tlb_tagged >= 0) c->tlb_tagged = host_type->tlb_tagged != 0;
  return 0;
}

/* What the states over one table share, stored just before the table: the
 * costs of the streams any of them charged, in a hash table of open
 * addressing keyed by the streams' address (each a block of its own, so a
 * pointer to it stays valid as the hash table grows). */
typedef struct table_shared {
  vcost_streams **slots;          /* cap entries, NULL: empty */
  size_t cap;                     /* a power of 2, or 0 before the first */
  size_t used;                    /* entries filled, at most cap / 2 */
} table_shared;

/* Bytes before a table: its shared part, rounded up so the table that
 * follows is aligned as an allocation is. */
#define TABLE_HEAD_BYTES                                                          \
  ((sizeof(table_shared) + _Alignof(max_align_t) - 1) / _Alignof(max_align_t) * \
   _Alignof(max_align_t))

static table_shared *table_shared_of(const native_costs *table) {
  return (table_shared *)((char *)(uintptr_t)table - TABLE_HEAD_BYTES);
}

int vcost_table_load(const sim_profile *profile, const sim_host_type *host_type, size_t size,
                     const vcost_key *keys, size_t n, void **table, sim_diag *diag) {
  *table = NULL;
  char *block = sim_calloc(1, TABLE_HEAD_BYTES + size);
  if (!block) {
    sim_diag_error(diag, NULL, 0, 0, "out of memory loading the technique costs");
    return -1;
  }
  native_costs *t = (native_costs *)(block + TABLE_HEAD_BYTES);
  int rc = native_costs_load(profile, host_type, t, diag);
  if (t->clock_hz > 0 && vcost_read(profile, t->clock_hz, keys, n, t, diag)) rc = -1;
  if (rc < 0) {
    sim_free(block);
    return -1;
  }
  *table = t;
  return 0;
}

void vcost_table_free(void *table) {
  if (!table) return;
  table_shared *shared = table_shared_of(table);
  for (size_t k = 0; k < shared->cap; k++) sim_free(shared->slots[k]);
  sim_free(shared->slots);
  sim_free((char *)table - TABLE_HEAD_BYTES);
}

double vcost_instr_cycles(const sim_phase *ph) {
  return ph->instructions * (ph->cycles_per_instruction > 0 ? ph->cycles_per_instruction : 1.0);
}

const void *vcost_code_id(const sim_phase *ph) {
  return ph->name ? (const void *)ph->name : (const void *)ph;
}

double vcost_resident_pages(const sim_phase *ph) {
  double pages = 0;
  for (size_t i = 0; i < ph->n_access; i++)
    pages += ceil((double)ph->access[i].working_set_bytes / 4096.0);
  return pages;
}

double vcost_native_cpu(const native_costs *c, const sim_phase *ph) {
  /* the resident pages matter to process creations only: without any, the
   * term is a zero of the same sign whatever they are, and the pages are
   * not counted */
  double resident = ph->process_creations != 0 ? vcost_resident_pages(ph) : 0;
  return vcost_instr_cycles(ph) + ph->syscalls * c->syscall + ph->rdtsc * c->rdtsc +
         ph->cli * c->cli + ph->cr8_writes * c->cr8 + ph->port_io * c->port_io +
         ph->pte_updates * c->pte_write + ph->page_faults * c->page_fault +
         ph->process_creations * (c->fork + c->fork_per_page * resident) +
         ph->call_ret * c->callret + ph->divide_faults * c->exception;
}

void vstate_init(vstate *s, const native_costs *c, const sim_guest *g) {
  memset(s, 0, sizeof *s);
  s->c = c;
  s->huge_pages = g && g->huge_pages;
}

int vstate_create(const void *params, const sim_guest *g, void **state, sim_diag *diag) {
  vstate *s = sim_malloc(sizeof *s);
  if (!s) {
    sim_diag_error(diag, NULL, 0, 0, "out of memory creating the technique state");
    return -1;
  }
  vstate_init(s, params, g);
  *state = s;
  return 0;
}

void vstate_free(void *state) { sim_free(state); }

/* One access of stream a: its data cycles and the walk cycles the data does
 * not hide; adds its pages and walk to *pages and *walk_sum. */
static void access_costs(const vstate *s, sim_access_spec a, vcost_walk walk, double miss_extra,
                         double *data, double *walk_exposed, double *pages, double *walk_sum) {
  const mmu_params *p = &s->c->mmu;
  uint64_t page = mmu_guest_page_bytes(a.page_bytes, s->huge_pages);
  a.page_bytes = page;
  double miss = mmu_tlb_miss_rate(p, &a, page);
  mmu_walk w = walk == VCOST_WALK_2D ? mmu_walk_2d(p, &a, page, page, miss) : mmu_walk_1d(p, &a, page, miss);
  /* a software MMU lengthens every TLB miss by its fitted overhead; it is
   * part of the miss, so it overlaps the data like the walk does and a TLB
   * refill after a flush pays it per entry (models/profiles/README.md,
   * "Software MMU") */
  if (miss_extra > 0) w.cycles += miss_extra;
  /* the page walker and the memory pipeline work side by side: an
   * out-of-order core walks for one access while the data of others is
   * in flight (streams are independent accesses, not pointer chases), so
   * an access costs the busier of the two; the walk cycles beyond the
   * data's are the exposed page-walk cost */
  *data = mmu_data_cycles(p, &a);
  *walk_exposed = fmax(0.0, miss * w.cycles - *data);
  *pages += ceil((double)a.working_set_bytes / (double)page);
  *walk_sum += w.cycles;
}

static bool streams_are(const vcost_streams *m, const sim_phase *ph, vcost_walk walk,
                        double miss_extra, bool huge_pages) {
  return m->access == ph->access && m->n == ph->n_access && m->walk == walk &&
         m->miss_extra == miss_extra && m->huge_pages == huge_pages;
}

/* The first slot to probe for the streams at `access`. */
static size_t streams_slot(const table_shared *shared, const sim_access_spec *access) {
  uint64_t h = (uint64_t)(uintptr_t)access * UINT64_C(0x9E3779B97F4A7C15);
  return (size_t)(h >> 32) & (shared->cap - 1);
}

/* Makes room for one more entry in shared: false when out of memory. */
static bool shared_room(table_shared *shared) {
  if (2 * (shared->used + 1) <= shared->cap) return true;
  size_t cap = shared->cap ? 2 * shared->cap : 16;
  vcost_streams **old = shared->slots;
  size_t old_cap = shared->cap;
  shared->slots = sim_calloc(cap, sizeof *shared->slots);
  if (!shared->slots) {
    shared->slots = old;
    return false;
  }
  shared->cap = cap;
  for (size_t k = 0; k < old_cap; k++) {
    if (!old[k]) continue;
    size_t j = streams_slot(shared, old[k]->access);
    while (shared->slots[j]) j = (j + 1) & (cap - 1);
    shared->slots[j] = old[k];
  }
  sim_free(old);
  return true;
}

/* The costs of ph's streams computed for s (ph has streams). */
static vcost_streams *streams_new(const vstate *s, const sim_phase *ph, vcost_walk walk,
                                  double miss_extra) {
  vcost_streams *m = sim_malloc(sizeof *m + ph->n_access * sizeof m->stream[0]);
  if (!m) return NULL;
  double pages = 0, walk_sum = 0;
  for (size_t i = 0; i < ph->n_access; i++) {
    m->stream[i].count = ph->access[i].count;
    access_costs(s, ph->access[i], walk, miss_extra, &m->stream[i].data,
                 &m->stream[i].walk_exposed, &pages, &walk_sum);
  }
  m->access = ph->access;
  m->n = ph->n_access;
  m->walk = walk;
  m->miss_extra = miss_extra;
  m->huge_pages = s->huge_pages;
  m->pages = pages;
  m->walk_cycles = walk_sum / (double)ph->n_access;
  return m;
}

/* vcost_streams_of past the state's memo: from the table, or computed and
 * kept there.  Apart (and not inlined) so that the memo's hit, at most
 * charges, saves no registers for it. */
__attribute__((noinline)) static const vcost_streams *shared_streams(const vstate *s,
                                                                    const sim_phase *ph,
                                                                    vcost_walk walk,
                                                                    double miss_extra) {
  table_shared *shared = table_shared_of(s->c);
  if (shared->cap) {
    for (size_t j = streams_slot(shared, ph->access); shared->slots[j];
         j = (j + 1) & (shared->cap - 1))
      if (streams_are(shared->slots[j], ph, walk, miss_extra, s->huge_pages))
        return shared->slots[j];
  }
  if (!shared_room(shared)) return NULL;
  vcost_streams *m = streams_new(s, ph, walk, miss_extra);
  if (!m) return NULL;
  size_t j = streams_slot(shared, ph->access);
  while (shared->slots[j]) j = (j + 1) & (shared->cap - 1);
  shared->slots[j] = m;
  shared->used++;
  return m;
}

const vcost_streams *vcost_streams_of(const vstate *s, const sim_phase *ph, vcost_walk walk,
                                      double miss_extra) {
  if (ph->n_access == 0) return NULL;
  if (s->memo && streams_are(s->memo, ph, walk, miss_extra, s->huge_pages)) return s->memo;
  return shared_streams(s, ph, walk, miss_extra);
}

void vcost_charge_memory(vstate *s, const sim_phase *ph, double units, vcost_walk walk,
                         double miss_extra, cycles_by_mech *out) {
  if (ph->n_access == 0) return;
  const vcost_streams *m = vcost_streams_of(s, ph, walk, miss_extra);
  if (m) {
    vcost_charge_streams(s, m, units, out);
    return;
  }
  /* no room to keep them: the same costs, computed at this charge */
  double pages = 0, walk_sum = 0;
  for (size_t i = 0; i < ph->n_access; i++) {
    double data, walk_exposed, n = ph->access[i].count * units;
    access_costs(s, ph->access[i], walk, miss_extra, &data, &walk_exposed, &pages, &walk_sum);
    out->cycles[MECH_GUEST] += n * data;
    out->cycles[MECH_PAGEWALK] += n * walk_exposed;
  }
  s->pages_touched = pages;
  s->walk_cycles = walk_sum / (double)ph->n_access;
}

double vcost_tlb_refill(const vstate *s) {
  return mmu_refill_cycles(&s->c->mmu, s->pages_touched, mmu_guest_page_bytes(0, s->huge_pages),
                           s->walk_cycles);
}
