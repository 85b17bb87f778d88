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
 * charged (a state's memo, below, holds one phase's; every guest of a
 * technique on hosts of a type charges the same streams).  Every state's
 * table is one of vcost_table_load.
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

/* The per-access costs of the streams of one phase: a function of the
 * streams, the table, the walk kind, the software-MMU extra and the guest's
 * page size only (access_costs), so states over the same table share them. */
typedef struct stream_costs {
  const sim_access_spec *access;  /* the streams; NULL: an empty entry */
  size_t n;                       /* how many, at most VCOST_MEMO_STREAMS */
  vcost_walk walk;                /* the walk they were computed for */
  double miss_extra;              /* cycles, the software-MMU extra they include */
  bool huge_pages;                /* for a guest with 2 MiB pages */
  double data[VCOST_MEMO_STREAMS];         /* cycles of one access's data, per stream */
  double walk_exposed[VCOST_MEMO_STREAMS]; /* cycles of one access's exposed walk, per stream */
  double pages, walk_cycles;      /* pages_touched and walk_cycles they give */
} stream_costs;

/* What the states over one table share, stored just before the table. */
#define TABLE_SHARED_COSTS 16 /* stream sets remembered; the oldest is replaced */
typedef struct table_shared {
  stream_costs costs[TABLE_SHARED_COSTS];
  size_t next;                    /* entry replaced next */
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
  if (table) sim_free((char *)table - TABLE_HEAD_BYTES);
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

void vcost_charge_timer(const native_costs *c, double cycles, double irq_cycles,
                        cycles_by_mech *out) {
  out->cycles[MECH_TRAP] += cycles / c->clock_hz * c->timer_hz * irq_cycles;
}

struct vstate_memo {
  const sim_access_spec *access;              /* the streams they belong to */
  size_t n;                                   /* how many */
  vcost_walk walk;                            /* the walk they were computed for */
  double miss_extra;                          /* cycles, the software-MMU extra they include */
  double data[VCOST_MEMO_STREAMS];            /* cycles of one access's data, per stream */
  double walk_exposed[VCOST_MEMO_STREAMS];    /* cycles of one access's exposed walk, per stream */
  double pages, walk_cycles;                  /* pages_touched and walk_cycles they give */
};

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

void vstate_clear(vstate *s) {
  sim_free(s->memo);
  s->memo = NULL;
}

void vstate_free(void *state) {
  if (state) vstate_clear(state);
  sim_free(state);
}

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

/* Fills memo m of s for ph's streams (at most VCOST_MEMO_STREAMS): from
 * what the states over its table share when one of them charged the same
 * streams the same way, else computed, and then shared. */
static void remember_streams(const vstate *s, vstate_memo *m, const sim_phase *ph, vcost_walk walk,
                             double miss_extra) {
  table_shared *shared = table_shared_of(s->c);
  const stream_costs *found = NULL;
  for (size_t k = 0; k < TABLE_SHARED_COSTS && !found; k++) {
    const stream_costs *c = &shared->costs[k];
    if (c->access == ph->access && c->n == ph->n_access && c->walk == walk &&
        c->miss_extra == miss_extra && c->huge_pages == s->huge_pages)
      found = c;
  }
  if (!found) {
    stream_costs *c = &shared->costs[shared->next];
    shared->next = (shared->next + 1) % TABLE_SHARED_COSTS;
    double pages = 0, walk_sum = 0;
    for (size_t i = 0; i < ph->n_access; i++)
      access_costs(s, ph->access[i], walk, miss_extra, &c->data[i], &c->walk_exposed[i], &pages,
                   &walk_sum);
    c->access = ph->access;
    c->n = ph->n_access;
    c->walk = walk;
    c->miss_extra = miss_extra;
    c->huge_pages = s->huge_pages;
    c->pages = pages;
    c->walk_cycles = walk_sum / (double)ph->n_access;
    found = c;
  }
  memcpy(m->data, found->data, sizeof m->data);
  memcpy(m->walk_exposed, found->walk_exposed, sizeof m->walk_exposed);
  m->access = ph->access;
  m->n = ph->n_access;
  m->walk = walk;
  m->miss_extra = miss_extra;
  m->pages = found->pages;
  m->walk_cycles = found->walk_cycles;
}

/* vcost_charge_memory without the memo's costs at hand: they are
 * remembered first (or, when no memo can hold them, computed). */
static void charge_memory_afresh(vstate *s, const sim_phase *ph, double units, vcost_walk walk,
                                 double miss_extra, cycles_by_mech *out) {
  if (ph->n_access <= VCOST_MEMO_STREAMS && !s->memo) s->memo = sim_calloc(1, sizeof *s->memo);
  vstate_memo *m = ph->n_access <= VCOST_MEMO_STREAMS ? s->memo : NULL;
  if (m) {
    remember_streams(s, m, ph, walk, miss_extra);
    for (size_t i = 0; i < ph->n_access; i++) {
      double n = ph->access[i].count * units;
      out->cycles[MECH_GUEST] += n * m->data[i];
      out->cycles[MECH_PAGEWALK] += n * m->walk_exposed[i];
    }
    s->pages_touched = m->pages;
    s->walk_cycles = m->walk_cycles;
    return;
  }
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

void vcost_charge_memory(vstate *s, const sim_phase *ph, double units, vcost_walk walk,
                         double miss_extra, cycles_by_mech *out) {
  size_t n_access = ph->n_access;
  if (n_access == 0) return;
  const vstate_memo *m = s->memo;
  if (!m || m->access != ph->access || m->n != n_access || m->walk != walk ||
      m->miss_extra != miss_extra) {
    charge_memory_afresh(s, ph, units, walk, miss_extra, out);
    return;
  }
  /* the phase's streams as last charged (at every event): the same sums,
   * held in registers until the end */
  double guest = out->cycles[MECH_GUEST], pagewalk = out->cycles[MECH_PAGEWALK];
  for (size_t i = 0; i < n_access; i++) {
    double n = ph->access[i].count * units;
    guest += n * m->data[i];
    pagewalk += n * m->walk_exposed[i];
  }
  out->cycles[MECH_GUEST] = guest;
  out->cycles[MECH_PAGEWALK] = pagewalk;
  s->pages_touched = m->pages;
  s->walk_cycles = m->walk_cycles;
}

double vcost_tlb_refill(const vstate *s) {
  return mmu_refill_cycles(&s->c->mmu, s->pages_touched, mmu_guest_page_bytes(0, s->huge_pages),
                           s->walk_cycles);
}
