/* tests/test_calibrate.c: the parts of `vdcsim calibrate` that can be checked
 * without trusting a timing: statistics, pointer chains, the KVM guest's page
 * tables, code and exit decoding (no /dev/kvm needed), the environment probe,
 * the representativeness judgement, and the profile writer (valid YAML,
 * missing quantities left out, atomic save).  The timings themselves are
 * checked end to end by tests/e2e/calibrate_quick.py. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "sim/alloc.h"
#include "sim/cli/calibrate/calibrate.h"
#include "sim/cli/calibrate/kvm.h"
#include "sim/profile.h"
#include "sim/rng.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

static void test_median_mad_odd_and_even(void) {
  double odd[] = {5, 1, 3, 2, 4}, med, mad;
  cal_median_mad(odd, 5, &med, &mad);
  CU_ASSERT_DOUBLE_EQUAL(med, 3, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(mad, 1, 1e-12);
  double even[] = {10, 1, 3, 2};
  cal_median_mad(even, 4, &med, &mad);
  CU_ASSERT_DOUBLE_EQUAL(med, 2.5, 1e-12);
  /* deviations 7.5 1.5 0.5 0.5 -> median 1.0: the outlier does not count */
  CU_ASSERT_DOUBLE_EQUAL(mad, 1.0, 1e-12);
}

static void test_clock_stamps_advance(void) {
  cal_stamp a = cal_now();
  usleep(2000);
  cal_stamp b = cal_now();
  CU_ASSERT(b.tsc > a.tsc);
  CU_ASSERT(b.ns - a.ns >= 2000000);
  double hz, spread;
  CU_ASSERT_EQUAL(cal_measure_tsc(3, 2000000, &hz, &spread), 0);
  /* Any x86-64 TSC runs between 100 MHz and 10 GHz. */
  CU_ASSERT(hz > 1e8 && hz < 1e10);
  CU_ASSERT(spread >= 0);
}

static gsl_rng *test_rng(void) {
  return sim_rng_new(7, 0, sim_rng_stream_id("test_calibrate", "chains"));
}

/* Follows a chain from start through host memory: each element is visited
 * once and the walk returns to start after exactly n hops. */
static void check_single_cycle(uint8_t *host, size_t bytes, size_t stride, uint64_t start) {
  size_t n = bytes / stride;
  uint8_t *seen = calloc(n, 1);
  uint64_t at = start, base = (uint64_t)(uintptr_t)host;
  size_t hops = 0;
  do {
    CU_ASSERT_FATAL(at >= base && at < base + bytes);
    CU_ASSERT_EQUAL((at - base) % 64, 0); /* cache-line aligned */
    size_t slot = (at - base) / stride;
    CU_ASSERT_EQUAL(seen[slot], 0);
    seen[slot] = 1;
    memcpy(&at, (void *)(uintptr_t)at, sizeof at);
    hops++;
  } while (at != start && hops <= n);
  CU_ASSERT_EQUAL(hops, n);
  free(seen);
}

static void test_chain_is_one_cycle(void) {
  gsl_rng *rng = test_rng();
  size_t bytes = 256 * 1024;
  uint8_t *buf = aligned_alloc(4096, bytes);
  uint64_t start = cal_chain_build(buf, (uint64_t)(uintptr_t)buf, bytes, 64, rng);
  CU_ASSERT_NOT_EQUAL(start, 0);
  check_single_cycle(buf, bytes, 64, start);
  /* One element per page, at some line of it: lines must vary, or every
   * access would fall in the same cache sets. */
  start = cal_chain_build(buf, (uint64_t)(uintptr_t)buf, bytes, 4096, rng);
  check_single_cycle(buf, bytes, 4096, start);
  bool lines_vary = false;
  uint64_t base = (uint64_t)(uintptr_t)buf, at = start;
  for (size_t i = 0; i < bytes / 4096; i++) {
    uint64_t next;
    memcpy(&next, (void *)(uintptr_t)at, 8);
    if ((next - base) % 4096 != (start - base) % 4096) lines_vary = true;
    at = next;
  }
  CU_ASSERT(lines_vary);
  /* cal_chase lands where the chain says: a full lap is back at the start. */
  void *p = (void *)(uintptr_t)start;
  cal_chase(&p, bytes / 4096);
  CU_ASSERT_PTR_EQUAL(p, (void *)(uintptr_t)start);
  free(buf);
  gsl_rng_free(rng);
}

static void test_chain_targets_another_address_space(void) {
  /* For the guest, pointers are guest addresses: base 0x400000, not host. */
  gsl_rng *rng = test_rng();
  size_t bytes = 64 * 1024;
  uint8_t *buf = aligned_alloc(4096, bytes);
  memset(buf, 0, bytes);
  uint64_t start = cal_chain_build(buf, 0x400000, bytes, 4096, rng);
  CU_ASSERT(start >= 0x400000 && start < 0x400000 + bytes);
  size_t n = 0;
  for (size_t off = 0; off < bytes; off += 8) {
    uint64_t v;
    memcpy(&v, buf + off, 8);
    if (v) {
      CU_ASSERT(v >= 0x400000 && v < 0x400000 + bytes);
      n++;
    }
  }
  CU_ASSERT_EQUAL(n, bytes / 4096);
  free(buf);
  gsl_rng_free(rng);
}

static void test_region_map_small_pages(void) {
  char how[160];
  size_t bytes = 4 << 20;
  uint8_t *p = cal_region_map(bytes, false, how, sizeof how);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL((uintptr_t)p % (2 << 20), 0);
  CU_ASSERT_EQUAL(cal_anon_huge_bytes(p), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(how, "4 KiB"));
  p[bytes - 1] = 7; /* the whole region is mapped and writable */
  cal_region_unmap(p, bytes);
}

static void test_guest_layout_does_not_overlap(void) {
  cal_guest_layout l;
  cal_guest_layout_init(&l, 5 << 20); /* rounded up to 6 MiB */
  CU_ASSERT_EQUAL(l.data_bytes, 6u << 20);
  CU_ASSERT(l.code_gpa + 4096 <= l.pt2m_gpa);
  CU_ASSERT(l.pt2m_gpa + cal_pt_bytes(l.mem_bytes, 21) <= l.pt4k_gpa);
  CU_ASSERT(l.pt4k_gpa + cal_pt_bytes(l.mem_bytes, 12) <= l.data_gpa);
  CU_ASSERT_EQUAL(l.data_gpa % (2 << 20), 0);
  CU_ASSERT_EQUAL(l.mem_bytes, l.data_gpa + l.data_bytes);
  /* PML4 + PDPT + 1 PD (+ 3 PTs for 6 MiB of 4 KiB pages) */
  CU_ASSERT_EQUAL(cal_pt_bytes(6 << 20, 21), 3 * 4096);
  CU_ASSERT_EQUAL(cal_pt_bytes(6 << 20, 12), 6 * 4096);
}

static void test_page_tables_identity_map(void) {
  cal_guest_layout l;
  cal_guest_layout_init(&l, 4 << 20);
  uint8_t *mem = calloc(1, l.mem_bytes);
  CU_ASSERT_PTR_NOT_NULL_FATAL(mem);
  uint64_t cr3_2m, cr3_4k;
  CU_ASSERT_EQUAL(cal_pt_build(mem, l.mem_bytes, l.pt2m_gpa, l.mem_bytes, 21, &cr3_2m), 0);
  CU_ASSERT_EQUAL(cal_pt_build(mem, l.mem_bytes, l.pt4k_gpa, l.mem_bytes, 12, &cr3_4k), 0);
  CU_ASSERT_EQUAL(cr3_2m, l.pt2m_gpa);
  CU_ASSERT_EQUAL(cr3_4k, l.pt4k_gpa);
  gsl_rng *rng = test_rng();
  for (int i = 0; i < 2000; i++) {
    uint64_t gva = gsl_rng_uniform_int(rng, l.mem_bytes) & ~7ull, gpa;
    unsigned shift;
    CU_ASSERT_EQUAL_FATAL(cal_pt_translate(mem, l.mem_bytes, cr3_4k, gva, &gpa, &shift), 0);
    CU_ASSERT_EQUAL(gpa, gva);
    CU_ASSERT_EQUAL(shift, 12);
    CU_ASSERT_EQUAL_FATAL(cal_pt_translate(mem, l.mem_bytes, cr3_2m, gva, &gpa, &shift), 0);
    CU_ASSERT_EQUAL(gpa, gva);
    CU_ASSERT_EQUAL(shift, 21);
  }
  gsl_rng_free(rng);
  /* Beyond the map: not present. */
  uint64_t gpa;
  unsigned shift;
  CU_ASSERT_EQUAL(cal_pt_translate(mem, l.mem_bytes, cr3_2m, l.mem_bytes + 4096, &gpa, &shift), -1);
  CU_ASSERT_EQUAL(cal_pt_translate(mem, l.mem_bytes, cr3_4k, 1ull << 39, &gpa, &shift), -1);
  /* Leaf flags: present and writable; PS only on the 2 MiB leaves. */
  uint64_t pd_entry;
  memcpy(&pd_entry, mem + l.pt2m_gpa + 2 * 4096, 8);
  CU_ASSERT_EQUAL(pd_entry & (CAL_PTE_P | CAL_PTE_RW | CAL_PTE_PS), CAL_PTE_P | CAL_PTE_RW | CAL_PTE_PS);
  memcpy(&pd_entry, mem + l.pt4k_gpa + 2 * 4096, 8);
  CU_ASSERT_EQUAL(pd_entry & CAL_PTE_PS, 0);
  /* Bad requests are refused, not half-built. */
  CU_ASSERT_EQUAL(cal_pt_build(mem, l.mem_bytes, l.pt2m_gpa, l.mem_bytes, 13, &cr3_2m), -1);
  CU_ASSERT_EQUAL(cal_pt_build(mem, l.mem_bytes, l.pt2m_gpa, 4096, 21, &cr3_2m), -1);
  CU_ASSERT_EQUAL(cal_pt_build(mem, l.mem_bytes, l.mem_bytes - 4096, l.mem_bytes, 12, &cr3_4k), -1);
  CU_ASSERT_EQUAL(cal_pt_build(mem, l.mem_bytes, l.pt2m_gpa + 8, l.mem_bytes, 21, &cr3_2m), -1);
  free(mem);
}

/* Target of the rel8 jump whose opcode is at off. */
static uint64_t rel8_target(const uint8_t *code, uint64_t off) {
  return off + 2 + (uint64_t)(int64_t)(int8_t)code[off + 1];
}

static void test_guest_code_loops_back(void) {
  uint8_t code[4096];
  cal_guest_code c = cal_guest_code_write(code, sizeof code);
  CU_ASSERT(c.bytes > 0 && c.bytes <= 128);
  CU_ASSERT_EQUAL(code[c.exit_loop], 0xEE); /* out dx, al */
  CU_ASSERT_EQUAL(code[c.exit_loop + 1], 0xEB);
  CU_ASSERT_EQUAL(rel8_target(code, c.exit_loop + 1), c.exit_loop);
  CU_ASSERT_EQUAL(code[c.cpuid_loop + 2], 0x0F); /* cpuid */
  CU_ASSERT_EQUAL(code[c.cpuid_loop + 3], 0xA2);
  CU_ASSERT_EQUAL(code[c.cpuid_loop + 7], 0x75); /* jnz */
  CU_ASSERT_EQUAL(rel8_target(code, c.cpuid_loop + 7), c.cpuid_loop);
  CU_ASSERT_EQUAL(code[c.cpuid_loop + 11], CAL_PORT_CPUID_DONE);
  for (int i = 0; i < 8; i++) { /* 8 x mov rsi, [rsi] */
    CU_ASSERT_EQUAL(code[c.chase + 3 * i], 0x48);
    CU_ASSERT_EQUAL(code[c.chase + 3 * i + 1], 0x8B);
    CU_ASSERT_EQUAL(code[c.chase + 3 * i + 2], 0x36);
  }
  CU_ASSERT_EQUAL(code[c.chase + 27], 8); /* sub rdi, 8: matches the unroll */
  CU_ASSERT_EQUAL(code[c.chase + 28], 0x75);
  CU_ASSERT_EQUAL(rel8_target(code, c.chase + 28), c.chase);
  CU_ASSERT_EQUAL(code[c.chase + 30], 0xEE);
  /* Pieces do not overlap. */
  CU_ASSERT(c.exit_loop + 3 <= c.cpuid_loop && c.cpuid_loop + 15 <= c.chase);
  /* Too small a buffer: nothing. */
  cal_guest_code none = cal_guest_code_write(code, 16);
  CU_ASSERT_EQUAL(none.bytes, 0);
}

static void test_exit_decoding(void) {
  struct kvm_run run;
  char msg[160];
  memset(&run, 0, sizeof run);
  run.exit_reason = KVM_EXIT_IO;
  run.io.direction = KVM_EXIT_IO_OUT;
  run.io.size = 1;
  run.io.port = CAL_PORT_EXIT;
  run.io.count = 1;
  CU_ASSERT_EQUAL(cal_kvm_decode_exit(&run, CAL_PORT_EXIT, msg, sizeof msg), 0);
  CU_ASSERT_EQUAL(cal_kvm_decode_exit(&run, CAL_PORT_CHASE_DONE, msg, sizeof msg), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "0x12"));
  run.io.direction = KVM_EXIT_IO_IN;
  CU_ASSERT_EQUAL(cal_kvm_decode_exit(&run, CAL_PORT_EXIT, msg, sizeof msg), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "port in"));
  memset(&run, 0, sizeof run);
  run.exit_reason = KVM_EXIT_SHUTDOWN;
  CU_ASSERT_EQUAL(cal_kvm_decode_exit(&run, CAL_PORT_EXIT, msg, sizeof msg), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "triple fault"));
  run.exit_reason = KVM_EXIT_FAIL_ENTRY;
  run.fail_entry.hardware_entry_failure_reason = 0x21;
  CU_ASSERT_EQUAL(cal_kvm_decode_exit(&run, CAL_PORT_EXIT, msg, sizeof msg), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "0x21"));
  memset(&run, 0, sizeof run);
  run.exit_reason = KVM_EXIT_MMIO;
  run.mmio.phys_addr = 0xfee00000;
  CU_ASSERT_EQUAL(cal_kvm_decode_exit(&run, CAL_PORT_EXIT, msg, sizeof msg), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "0xfee00000"));
  run.exit_reason = KVM_EXIT_HLT;
  CU_ASSERT_EQUAL(cal_kvm_decode_exit(&run, CAL_PORT_EXIT, msg, sizeof msg), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "halted"));
}

static void test_env_probe(void) {
  cal_env env;
  cal_env_probe(&env);
  CU_ASSERT(env.cpu_vendor[0] != '\0');
  CU_ASSERT(env.kernel[0] != '\0');
  CU_ASSERT(env.cpus >= 1);
  CU_ASSERT(env.load_before[0] >= 0);
  /* The probe agrees with the kernel about being a guest. */
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[4096];
  bool flag = false;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "flags", 5)) {
      flag = strstr(line, " hypervisor") != NULL;
      break;
    }
  if (f) fclose(f);
  if (flag) CU_ASSERT(cal_env_virtualized(&env));
  /* /dev/kvm usable implies present. */
  CU_ASSERT(!env.kvm_usable || env.kvm_dev);
}

/* A context with made-up results, for the judgement and the writer. */
static void fake_ctx(cal_ctx *ctx, cal_env *env, bool guest) {
  memset(env, 0, sizeof *env);
  snprintf(env->cpu_model, sizeof env->cpu_model, "Test \"CPU\" \\ 1");
  snprintf(env->cpu_vendor, sizeof env->cpu_vendor, "GenuineIntel");
  snprintf(env->created, sizeof env->created, "2026-01-02T03:04:05Z");
  env->hypervisor = guest;
  env->kvm_dev = env->kvm_usable = true;
  env->kvm_hw = true;
  env->tsc_hz = 2e9;
  memset(ctx, 0, sizeof *ctx);
  ctx->env = env;
  ctx->reps = 5;
  ctx->region_bytes = 128 << 20;
  for (int i = 0; i < CAL_COUNT; i++) {
    cal_quantity *q = &ctx->q[i];
    q->time_primary = !strcmp(cal_unit((cal_id)i), "ns");
    q->measured = true;
    q->reps = 5;
    q->cycles = 100 + i;
    q->cycles_spread = 1;
    q->ns = 50 + i;
    q->ns_spread = 0.5;
    q->value = 1e9 + i;
    q->spread = 1e6;
    snprintf(q->method, sizeof q->method, "method %d", i);
  }
  cal_set_missing(&ctx->q[CAL_HVM_EXIT_USER], "no \"kvm\" here");
}

static void test_judge_marks_guest_quantities(void) {
  cal_ctx *ctx = calloc(1, sizeof *ctx);
  cal_env env;
  fake_ctx(ctx, &env, true);
  cal_judge(ctx);
  CU_ASSERT_FALSE(ctx->q[CAL_SYSCALL].representative);
  CU_ASSERT_FALSE(ctx->q[CAL_TLB_WALK].representative);
  CU_ASSERT_FALSE(ctx->q[CAL_HVM_EXIT_KERNEL].representative);
  CU_ASSERT_PTR_NOT_NULL(strstr(ctx->q[CAL_HVM_EXIT_KERNEL].reason, "nested"));
  CU_ASSERT_TRUE(ctx->q[CAL_LAT_L1].representative);
  CU_ASSERT_TRUE(ctx->q[CAL_CPU_CLOCK].representative);
  CU_ASSERT_FALSE(ctx->q[CAL_HVM_EXIT_USER].measured);
  /* Bare metal with a /dev/kvm that is not VT-x/AMD-V: only KVM is flagged. */
  fake_ctx(ctx, &env, false);
  env.kvm_hw = false;
  snprintf(env.kvm_impl, sizeof env.kvm_impl, "kvm_pvm");
  cal_judge(ctx);
  CU_ASSERT_TRUE(ctx->q[CAL_SYSCALL].representative);
  CU_ASSERT_FALSE(ctx->q[CAL_HVM_EPT_PENALTY].representative);
  CU_ASSERT_PTR_NOT_NULL(strstr(ctx->q[CAL_HVM_EPT_PENALTY].reason, "kvm_pvm"));
  free(ctx);
}

/* Parses YAML text fully; returns the number of scalars, -1 on a syntax error. */
static int yaml_scalars(const char *text, size_t len, const char *want, int *found) {
  yaml_parser_t p;
  yaml_event_t ev;
  int n = 0;
  yaml_parser_initialize(&p);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  for (;;) {
    if (!yaml_parser_parse(&p, &ev)) {
      yaml_parser_delete(&p);
      return -1;
    }
    if (ev.type == YAML_SCALAR_EVENT) {
      n++;
      if (want && !strcmp((const char *)ev.data.scalar.value, want)) (*found)++;
    }
    bool end = ev.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&ev);
    if (end) break;
  }
  yaml_parser_delete(&p);
  return n;
}

static void test_writer_yaml(void) {
  cal_ctx *ctx = calloc(1, sizeof *ctx);
  cal_env env;
  fake_ctx(ctx, &env, true);
  cal_judge(ctx);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CU_ASSERT_EQUAL(cal_profile_write(f, ctx, "unit-test"), 0);
  fclose(f);
  int found = 0;
  CU_ASSERT(yaml_scalars(buf, len, "Test \"CPU\" \\ 1", &found) > 100);
  CU_ASSERT_EQUAL(found, 1); /* quotes and backslashes survive escaping */
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  fallback: generic-x86-2020\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  syscall.native:\n    value: \"101.00 cycles\"\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, " cycles\"\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  mem.latency.l1:\n    value: \"56.00 ns\"\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  mem.bandwidth:\n    value: \"1000000012 B/s\"\n"));
  /* The missing quantity is not among the quantities, but named with its reason. */
  CU_ASSERT_PTR_NULL(strstr(buf, "  hvm.exit.user:\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "  not_measured.hvm.exit.user: \"no \\\"kvm\\\" here\"\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "representative: false"));
  free(buf);
  free(ctx);
}

static void test_save_is_atomic(void) {
  cal_ctx *ctx = calloc(1, sizeof *ctx);
  cal_env env;
  fake_ctx(ctx, &env, false);
  env.kvm_hw = false;
  cal_judge(ctx);
  char dir[] = "/tmp/test_calibrate.XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  char path[256];
  snprintf(path, sizeof path, "%s/p.yaml", dir);
  CU_ASSERT_EQUAL(cal_profile_save(path, ctx, "p"), 0);
  /* It loads back as a profile: values in their canonical units, the
   * judgement kept, the missing quantity supplied by the fallback. */
  sim_profile *prof = NULL;
  sim_diag diag;
  sim_diag_init(&diag);
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), path, &prof, &diag), 0);
  double v;
  bool fb = true;
  CU_ASSERT_EQUAL(sim_profile_get(prof, "syscall.native", &v, &fb), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, ctx->q[CAL_SYSCALL].cycles, 0.01);
  CU_ASSERT_FALSE(fb);
  CU_ASSERT_EQUAL(sim_profile_get(prof, "mem.latency.dram", &v, &fb), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, ctx->q[CAL_LAT_DRAM].ns, 0.01);
  CU_ASSERT_EQUAL(sim_profile_get(prof, "cpu.clock", &v, &fb), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, ctx->q[CAL_CPU_CLOCK].value, 1);
  CU_ASSERT_EQUAL(sim_profile_get(prof, "hvm.ept.walk_penalty", &v, &fb), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, ctx->q[CAL_HVM_EPT_PENALTY].value, 1e-4);
  CU_ASSERT_FALSE(sim_profile_representative(prof, "hvm.ept.walk_penalty"));
  CU_ASSERT_TRUE(sim_profile_representative(prof, "syscall.native"));
  CU_ASSERT_EQUAL(sim_profile_get(prof, "hvm.exit.user", &v, &fb), 0);
  CU_ASSERT_TRUE(fb);
  sim_profile_free(prof);
  sim_diag_print(&diag, stderr);
  sim_diag_clear(&diag);
  struct stat st;
  CU_ASSERT_EQUAL(stat(path, &st), 0);
  CU_ASSERT(st.st_size > 1000);
  /* Nothing else was left in the directory: the temp file was renamed. */
  char cmd[320];
  snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
  /* An unwritable place: an error, and no file. */
  char bad[300];
  snprintf(bad, sizeof bad, "%s/no/such/dir/p.yaml", dir);
  CU_ASSERT_EQUAL(cal_profile_save(bad, ctx, "p"), -1);
  CU_ASSERT_EQUAL(errno, ENOENT);
  /* Out of memory on the first allocation: an error, not a crash. */
  sim_fault_arm(SIM_FAULT_ALLOC, 1);
  snprintf(bad, sizeof bad, "%s/q.yaml", dir);
  CU_ASSERT_EQUAL(cal_profile_save(bad, ctx, "q"), -1);
  sim_fault_arm(SIM_FAULT_ALLOC, 0);
  CU_ASSERT_NOT_EQUAL(stat(bad, &st), 0);
  unlink(path);
  rmdir(dir);
  free(ctx);
}

int register_tests(void) {
  static const test_case stats[] = {
      {"median and MAD, odd and even", test_median_mad_odd_and_even},
      {"clock stamps advance, TSC in range", test_clock_stamps_advance},
      {NULL, NULL}};
  static const test_case chains[] = {
      {"chain is one cycle", test_chain_is_one_cycle},
      {"chain targets another address space", test_chain_targets_another_address_space},
      {"region map with 4 KiB pages", test_region_map_small_pages},
      {NULL, NULL}};
  static const test_case kvm[] = {
      {"guest layout does not overlap", test_guest_layout_does_not_overlap},
      {"page tables identity-map", test_page_tables_identity_map},
      {"guest code loops back", test_guest_code_loops_back},
      {"exit decoding", test_exit_decoding},
      {NULL, NULL}};
  static const test_case env_tests[] = {
      {"environment probe", test_env_probe},
      {"judge marks guest quantities", test_judge_marks_guest_quantities},
      {NULL, NULL}};
  static const test_case writer[] = {
      {"profile is valid YAML", test_writer_yaml},
      {"save is atomic", test_save_is_atomic},
      {NULL, NULL}};
  return add_suite("calibrate stats", stats) || add_suite("calibrate chains", chains) ||
         add_suite("calibrate kvm guest", kvm) || add_suite("calibrate environment", env_tests) ||
         add_suite("calibrate profile writer", writer);
}
