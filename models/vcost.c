/* models/vcost.c: reads the technique costs from the calibration profile and
 * holds the per-guest state the technique models share.
 * Units: every vcost field is in cycles unless its comment says otherwise;
 * the profile's ns are converted at cpu.clock, its bit/s to bytes per cycle.
 * Invariants: a missing quantity is an error naming the key (the profile's
 * fallback chain has already been searched); a technique's cost is always a
 * field here times a count of the workload's operation mix.
 * Sources: the profiles' own `source:` entries; models/profiles/README.md. */
#include "models/vcost.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "sim/alloc.h"

/* How a quantity is stored into its field. */
typedef enum conv {
  CONV_SAME,      /* cycles, counts, bytes, Hz, ratios: as read */
  CONV_NS,        /* ns -> cycles at cpu.clock */
  CONV_BOOL,      /* count: nonzero is true */
  CONV_BITRATE    /* bit/s -> bytes per cycle */
} conv;

typedef struct key_def {
  const char *key;  /* profile quantity */
  size_t offset;    /* of the double or bool in vcost */
  conv how;
} key_def;

#define F(field) offsetof(vcost, field)
static const key_def keys[] = {
    {"syscall.native", F(syscall), CONV_SAME},
    {"page_fault.native", F(page_fault), CONV_SAME},
    {"fork.native", F(fork), CONV_SAME},
    {"fork.per_resident_page", F(fork_per_page), CONV_SAME},
    {"fork.context_switches", F(fork_switches), CONV_SAME},
    {"context_switch.native", F(context_switch), CONV_SAME},
    {"rdtsc.native", F(rdtsc), CONV_SAME},
    {"cli.native", F(cli), CONV_SAME},
    {"cr8.native", F(cr8), CONV_SAME},
    {"port_io.native", F(port_io), CONV_SAME},
    {"callret.native", F(callret), CONV_SAME},
    {"exception.native", F(exception), CONV_SAME},
    {"pte_write.native", F(pte_write), CONV_SAME},
    {"timer.hz", F(timer_hz), CONV_SAME},
    {"tlb.tagged", F(tlb_tagged), CONV_BOOL},
    {"tlb.entries.4k", F(mmu.tlb_entries_4k), CONV_SAME},
    {"tlb.entries.2m", F(mmu.tlb_entries_2m), CONV_SAME},
    {"tlb.walk.levels", F(mmu.walk_levels), CONV_SAME},
    {"tlb.pte_bytes", F(mmu.pte_bytes), CONV_SAME},
    {"pwc.entries", F(mmu.pwc_entries), CONV_SAME},
    {"pwc.hit", F(mmu.pwc_hit_cycles), CONV_SAME},
    {"pwc.nested", F(mmu.pwc_nested), CONV_BOOL},
    {"ntlb.entries", F(mmu.ntlb_entries), CONV_SAME},
    {"ntlb.hit", F(mmu.ntlb_hit_cycles), CONV_SAME},
    {"mem.cache.l1", F(mmu.cache_bytes[0]), CONV_SAME},
    {"mem.cache.l2", F(mmu.cache_bytes[1]), CONV_SAME},
    {"mem.cache.llc", F(mmu.cache_bytes[2]), CONV_SAME},
    {"mem.latency.l1", F(mmu.cache_cycles[0]), CONV_NS},
    {"mem.latency.l2", F(mmu.cache_cycles[1]), CONV_NS},
    {"mem.latency.llc", F(mmu.cache_cycles[2]), CONV_NS},
    {"mem.latency.dram", F(mmu.dram_cycles), CONV_NS},
    {"mem.line", F(mmu.line_bytes), CONV_SAME},
    {"mem.bandwidth", F(mmu.bandwidth_bytes_per_cycle), CONV_BITRATE},
    {"container.namespace_create", F(ct_namespace_ns), CONV_SAME},
    {"container.cgroup_enter", F(ct_cgroup_ns), CONV_SAME},
    {"bt.translate_per_instr", F(bt_translate), CONV_SAME},
    {"bt.bytes_per_instr", F(bt_instr_bytes), CONV_SAME},
    {"bt.tc_bytes", F(bt_tc_bytes), CONV_SAME},
    {"bt.callout", F(bt_callout), CONV_SAME},
    {"bt.tc_emulate.rdtsc", F(bt_tc_rdtsc), CONV_SAME},
    {"bt.tc_emulate.cli", F(bt_tc_cli), CONV_SAME},
    {"bt.tc_emulate.cr8", F(bt_tc_cr8), CONV_SAME},
    {"bt.tc_emulate.in", F(bt_tc_in), CONV_SAME},
    {"bt.trap_emulate", F(bt_trap), CONV_SAME},
    {"bt.adapt_threshold", F(bt_adapt), CONV_SAME},
    {"bt.syscall_extra", F(bt_syscall), CONV_SAME},
    {"bt.callret", F(bt_callret), CONV_SAME},
    {"bt.page_fault", F(bt_page_fault), CONV_SAME},
    {"bt.exception", F(bt_exception), CONV_SAME},
    {"bt.pte_write", F(bt_pte_write), CONV_SAME},
    {"bt.shadow_fill", F(bt_shadow_fill), CONV_SAME},
    {"bt.cr3_switch", F(bt_cr3), CONV_SAME},
    {"shadow.tlb_miss_extra", F(shadow_miss), CONV_SAME},
    {"pv.hypercall", F(pv_hypercall), CONV_SAME},
    {"pv.pte_batch_size", F(pv_batch), CONV_SAME},
    {"pv.pte_validate", F(pv_validate), CONV_SAME},
    {"pv.syscall_extra", F(pv_syscall), CONV_SAME},
    {"pv.page_fault_extra", F(pv_page_fault), CONV_SAME},
    {"pv.cr3_switch", F(pv_cr3), CONV_SAME},
    {"pv.sensitive_op", F(pv_sensitive), CONV_SAME},
    {"hvm.exit.roundtrip", F(hvm_roundtrip), CONV_SAME},
    {"hvm.exit.user", F(hvm_user), CONV_SAME},
    {"hvm.exit.page_fault", F(hvm_pf), CONV_SAME},
    {"hvm.exit.pte_write", F(hvm_pte), CONV_SAME},
    {"hvm.exit.cr3", F(hvm_cr3), CONV_SAME},
    {"hvm.exit.cr8", F(hvm_cr8), CONV_SAME},
    {"hvm.exit.rdtsc", F(hvm_rdtsc), CONV_SAME},
    {"hvm.exit.interrupt", F(hvm_interrupt), CONV_SAME},
    {"hvm.interrupt_exits", F(hvm_irq_exits), CONV_SAME},
    {"hvm.tpr_shadow", F(hvm_tpr_shadow), CONV_BOOL},
    {"hvm.rdtsc_exiting", F(hvm_rdtsc_exiting), CONV_BOOL},
    {"hvm.exception_extra", F(hvm_exception), CONV_SAME},
    {"hvm.untuned.cpu_efficiency", F(hvm_cpu_eff), CONV_SAME},
};
#undef F

int vcost_load(const technique_env *env, vcost *c, sim_diag *diag) {
  memset(c, 0, sizeof *c);
  const char *pname = env->profile ? sim_profile_name(env->profile) : "(no profile)";
  int missing = 0;
  double clock = 0;
  if (!env->profile || sim_profile_get(env->profile, "cpu.clock", &clock, NULL) < 0 ||
      !(clock > 0)) {
    sim_diag_error(diag, pname, 0, 0, "calibration profile lacks quantity 'cpu.clock'");
    return -1;
  }
  if (env->host_type && env->host_type->clock_hz > 0) clock = env->host_type->clock_hz;
  c->clock_hz = clock;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    double v = 0;
    if (sim_profile_get(env->profile, keys[i].key, &v, NULL) < 0 || !isfinite(v) || v < 0) {
      sim_diag_error(diag, pname, 0, 0, "calibration profile lacks quantity '%s'", keys[i].key);
      missing++;
      continue;
    }
    char *field = (char *)c + keys[i].offset;
    switch (keys[i].how) {
      case CONV_SAME: *(double *)field = v; break;
      case CONV_NS: *(double *)field = v * clock * 1e-9; break;
      case CONV_BOOL: *(bool *)field = v != 0; break;
      case CONV_BITRATE: *(double *)field = v / 8.0 / clock; break;
    }
  }
  if (missing) return -1;
  const sim_host_type *h = env->host_type;
  if (h) {
    if (h->tlb_entries_4k) c->mmu.tlb_entries_4k = h->tlb_entries_4k;
    if (h->tlb_entries_2m) c->mmu.tlb_entries_2m = h->tlb_entries_2m;
    if (h->page_walk_levels) c->mmu.walk_levels = h->page_walk_levels;
    if (h->pwc_entries) c->mmu.pwc_entries = h->pwc_entries;
    if (h->tlb_tagged >= 0) c->tlb_tagged = h->tlb_tagged != 0;
  }
  return 0;
}

int vstate_new(const vcost *c, const sim_guest *g, void **state) {
  vstate *s = sim_calloc(1, sizeof *s);
  if (!s) return -1;
  s->c = *c;
  s->huge_pages = g && g->huge_pages;
  *state = s;
  return 0;
}

void vstate_free(void *state) {
  vstate *s = state;
  if (!s) return;
  sim_free(s->tc);
  sim_free(s);
}

int vstate_create(const technique_env *env, void **state, sim_diag *diag) {
  vcost c;
  if (vcost_load(env, &c, diag) < 0) return -1;
  if (vstate_new(&c, env->guest, state) < 0) {
    sim_diag_error(diag, NULL, 0, 0, "out of memory creating the technique state");
    return -1;
  }
  return 0;
}

double vcost_resident_pages(const sim_phase *ph) {
  double pages = 0;
  for (size_t i = 0; i < ph->n_access; i++) pages += ceil((double)ph->access[i].working_set_bytes / 4096.0);
  return pages;
}

double vcost_instr_cycles(const sim_phase *ph) {
  return ph->instructions * (ph->cycles_per_instruction > 0 ? ph->cycles_per_instruction : 1.0);
}

void vcost_charge_memory(vstate *s, const sim_phase *ph, double units, vcost_walk walk,
                         cycles_by_mech *out) {
  const mmu_params *p = &s->c.mmu;
  double pages = 0, walk_sum = 0, walk_n = 0;
  for (size_t i = 0; i < ph->n_access; i++) {
    sim_access_spec a = ph->access[i];
    uint64_t page = mmu_guest_page_bytes(a.page_bytes, s->huge_pages);
    a.page_bytes = page;
    double n = a.count * units;
    double miss = mmu_tlb_miss_rate(p, &a, page);
    mmu_walk w = walk == VCOST_WALK_2D ? mmu_walk_2d(p, &a, page, page, miss)
                                       : mmu_walk_1d(p, &a, page, miss);
    /* a software MMU lengthens every TLB miss by its fitted overhead; it is
     * part of the miss, so it overlaps the data like the walk does and a TLB
     * refill after a flush pays it per entry (models/profiles/README.md,
     * "Software MMU") */
    if (walk == VCOST_WALK_SHADOW) w.cycles += s->c.shadow_miss;
    /* the page walker and the memory pipeline work side by side: an
     * out-of-order core walks for one access while the data of others is
     * in flight (streams are independent accesses, not pointer chases), so
     * an access costs the busier of the two; the walk cycles beyond the
     * data's are the exposed page-walk cost */
    double data = mmu_data_cycles(p, &a), walk_exposed = fmax(0.0, miss * w.cycles - data);
    out->cycles[MECH_GUEST] += n * data;
    out->cycles[MECH_PAGEWALK] += n * walk_exposed;
    pages += ceil((double)a.working_set_bytes / (double)page);
    walk_sum += w.cycles;
    walk_n += 1;
  }
  if (walk_n > 0) {
    s->pages_touched = pages;
    s->walk_cycles = walk_sum / walk_n;
  }
}

double vcost_total(const cycles_by_mech *c) {
  double t = 0;
  for (int m = 0; m < MECH_COUNT; m++) t += c->cycles[m];
  return t;
}

void vcost_charge_timer(const vcost *c, double cycles, double irq_cycles, cycles_by_mech *out) {
  out->cycles[MECH_TRAP] += cycles / c->clock_hz * c->timer_hz * irq_cycles;
}

double vcost_translate(vstate *s, const sim_phase *ph) {
  if (ph->new_code_bytes <= 0) return 0;
  for (size_t i = 0; i < s->tc_n; i++)
    if (s->tc[i].phase == ph) return 0;
  double bytes = ph->new_code_bytes;
  if (s->tc_used + bytes > s->c.bt_tc_bytes) {
    /* full: flush everything, as a translation cache does, and start over */
    s->tc_n = 0;
    s->tc_used = 0;
  }
  if (sim_grow((void **)&s->tc, &s->tc_cap, s->tc_n + 1, sizeof *s->tc) == 0) {
    s->tc[s->tc_n].phase = ph;
    s->tc[s->tc_n].bytes = bytes;
    s->tc_n++;
    s->tc_used += bytes;
  }
  return bytes / s->c.bt_instr_bytes * s->c.bt_translate;
}

double vcost_native_cpu(const vcost *c, const sim_phase *ph) {
  return vcost_instr_cycles(ph) + ph->syscalls * c->syscall + ph->rdtsc * c->rdtsc +
         ph->cli * c->cli + ph->cr8_writes * c->cr8 + ph->port_io * c->port_io +
         ph->pte_updates * c->pte_write + ph->page_faults * c->page_fault +
         ph->process_creations * (c->fork + c->fork_per_page * vcost_resident_pages(ph)) +
         ph->call_ret * c->callret + ph->divide_faults * c->exception;
}

double vcost_tlb_refill(const vstate *s) {
  return mmu_refill_cycles(&s->c.mmu, s->pages_touched, mmu_guest_page_bytes(0, s->huge_pages),
                           s->walk_cycles);
}
