/* sim/cli/calibrate/kvm.c: VM exits and 2D page walks, measured through /dev/kvm.
 * A minimal guest driven straight through the KVM ioctl API (no QEMU): one
 * vCPU in 64-bit long mode on its own identity-mapped page tables.  Three
 * measurements:
 *  - hvm.exit.user: KVM_RUN returning on each guest `out` (exit to user space
 *    and re-entry), TSC cycles per round trip;
 *  - hvm.exit.roundtrip: a guest loop of CPUID, which always exits and is
 *    emulated in the kernel (the 1st-generation trap cost of [AA06]);
 *  - hvm.ept.walk_penalty: the one-access-per-page chase of native.c run in
 *    the guest with 4 KiB and 2 MiB guest pages; with 4 KiB guest pages over
 *    a large region each access pays a two-dimensional walk [BH08], and the
 *    ratio to the native 4 KiB chase is the penalty.
 * Units: TSC cycles, ns, ratio.  The host's cycles bracket the ioctl, so the
 * in-guest loops are long (amortising one entry/exit over thousands of ops).
 * Invariant: every exit is decoded and checked; an unexpected one stops the
 * measurement with its description, never yields a number. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/cli/calibrate/calibrate.h"
#include "sim/cli/calibrate/kvm.h"

#define MIB2 ((uint64_t)2 << 20)
#define GIB1 ((uint64_t)1 << 30)
#define PAGE ((uint64_t)4096)

static uint64_t round_up(uint64_t x, uint64_t to) { return (x + to - 1) / to * to; }

uint64_t cal_pt_bytes(uint64_t map_bytes, unsigned page_shift) {
  uint64_t pds = round_up(map_bytes, GIB1) / GIB1;
  uint64_t pts = page_shift == 12 ? round_up(map_bytes, MIB2) / MIB2 : 0;
  return (2 + pds + pts) * PAGE; /* PML4, PDPT, PDs, PTs */
}

void cal_guest_layout_init(cal_guest_layout *l, uint64_t data_bytes) {
  l->data_bytes = round_up(data_bytes, MIB2);
  l->code_gpa = 0x1000;
  l->pt2m_gpa = 0x10000;
  /* Tables map all of memory, whose size depends on where the data starts:
   * size the tables for a generous bound (data + 64 MiB), then place data. */
  uint64_t bound = l->data_bytes + 64 * MIB2;
  l->pt4k_gpa = l->pt2m_gpa + cal_pt_bytes(bound, 21);
  l->data_gpa = round_up(l->pt4k_gpa + cal_pt_bytes(bound, 12), MIB2);
  l->mem_bytes = l->data_gpa + l->data_bytes;
}

int cal_pt_build(uint8_t *mem, uint64_t mem_bytes, uint64_t table_gpa, uint64_t map_bytes,
                 unsigned page_shift, uint64_t *cr3) {
  if ((page_shift != 12 && page_shift != 21) || map_bytes % MIB2 || map_bytes == 0 ||
      map_bytes > 512 * GIB1 || table_gpa % PAGE ||
      table_gpa + cal_pt_bytes(map_bytes, page_shift) > mem_bytes)
    return -1;
  uint64_t pds = round_up(map_bytes, GIB1) / GIB1;
  uint64_t pml4 = table_gpa, pdpt = pml4 + PAGE, pd0 = pdpt + PAGE, pt0 = pd0 + pds * PAGE;
  memset(mem + table_gpa, 0, cal_pt_bytes(map_bytes, page_shift));
  uint64_t *e = (uint64_t *)(mem + pml4);
  e[0] = pdpt | CAL_PTE_P | CAL_PTE_RW;
  e = (uint64_t *)(mem + pdpt);
  for (uint64_t i = 0; i < pds; i++) e[i] = (pd0 + i * PAGE) | CAL_PTE_P | CAL_PTE_RW;
  /* PD entries are contiguous across the PD pages: entry k maps [k*2M, (k+1)*2M). */
  uint64_t *pd = (uint64_t *)(mem + pd0);
  for (uint64_t k = 0; k < map_bytes / MIB2; k++) {
    if (page_shift == 21) {
      pd[k] = (k * MIB2) | CAL_PTE_P | CAL_PTE_RW | CAL_PTE_PS;
    } else {
      uint64_t pt = pt0 + k * PAGE;
      pd[k] = pt | CAL_PTE_P | CAL_PTE_RW;
      uint64_t *pte = (uint64_t *)(mem + pt);
      for (uint64_t j = 0; j < 512; j++) pte[j] = (k * MIB2 + j * PAGE) | CAL_PTE_P | CAL_PTE_RW;
    }
  }
  *cr3 = pml4;
  return 0;
}

/* Reads the entry at table + 8 * index, or fails when outside mem. */
static int read_entry(const uint8_t *mem, uint64_t mem_bytes, uint64_t table, uint64_t index,
                      uint64_t *entry) {
  uint64_t at = (table & CAL_PTE_ADDR) + 8 * index;
  if (at + 8 > mem_bytes) return -1;
  memcpy(entry, mem + at, 8);
  return (*entry & CAL_PTE_P) ? 0 : -1;
}

int cal_pt_translate(const uint8_t *mem, uint64_t mem_bytes, uint64_t cr3, uint64_t gva,
                     uint64_t *gpa, unsigned *page_shift) {
  uint64_t e4, e3, e2, e1;
  if (read_entry(mem, mem_bytes, cr3, (gva >> 39) & 511, &e4) < 0 ||
      read_entry(mem, mem_bytes, e4, (gva >> 30) & 511, &e3) < 0 ||
      read_entry(mem, mem_bytes, e3, (gva >> 21) & 511, &e2) < 0)
    return -1;
  if (e2 & CAL_PTE_PS) {
    *gpa = (e2 & CAL_PTE_ADDR & ~(MIB2 - 1)) | (gva & (MIB2 - 1));
    *page_shift = 21;
    return 0;
  }
  if (read_entry(mem, mem_bytes, e2, (gva >> 12) & 511, &e1) < 0) return -1;
  *gpa = (e1 & CAL_PTE_ADDR) | (gva & (PAGE - 1));
  *page_shift = 12;
  return 0;
}

cal_guest_code cal_guest_code_write(uint8_t *buf, size_t len) {
  /* Hand-assembled x86-64; offsets are fixed so the entries are constants. */
  static const uint8_t exit_loop[] = {
      0xEE,       /* 0: out dx, al      (dx = CAL_PORT_EXIT, set by the host) */
      0xEB, 0xFD, /* 1: jmp 0           (rel8 -3) */
  };
  static const uint8_t cpuid_loop[] = {
      0x31, 0xC0,             /*  0: xor eax, eax */
      0x0F, 0xA2,             /*  2: cpuid          (exits; emulated by KVM) */
      0x48, 0xFF, 0xCF,       /*  4: dec rdi */
      0x75, 0xF7,             /*  7: jnz 0          (rel8 -9) */
      0x66, 0xBA, CAL_PORT_CPUID_DONE, 0x00, /* 9: mov dx, port (cpuid clobbered edx) */
      0xEE,                   /* 13: out dx, al */
      0xF4,                   /* 14: hlt */
  };
  static const uint8_t chase[] = {
      0x48, 0x8B, 0x36, 0x48, 0x8B, 0x36, 0x48, 0x8B, 0x36, 0x48, 0x8B, 0x36, /* 4x mov rsi, [rsi] */
      0x48, 0x8B, 0x36, 0x48, 0x8B, 0x36, 0x48, 0x8B, 0x36, 0x48, 0x8B, 0x36, /* 4x mov rsi, [rsi] */
      0x48, 0x83, 0xEF, 0x08, /* 24: sub rdi, 8 */
      0x75, 0xE2,             /* 28: jnz 0          (rel8 -30) */
      0xEE,                   /* 30: out dx, al     (dx = CAL_PORT_CHASE_DONE) */
      0xF4,                   /* 31: hlt */
  };
  cal_guest_code c = {0, 16, 48, 48 + sizeof chase};
  memset(buf, 0xF4, len < c.bytes ? len : c.bytes); /* hlt between the pieces */
  if (len < c.bytes) return (cal_guest_code){0, 0, 0, 0};
  memcpy(buf + c.exit_loop, exit_loop, sizeof exit_loop);
  memcpy(buf + c.cpuid_loop, cpuid_loop, sizeof cpuid_loop);
  memcpy(buf + c.chase, chase, sizeof chase);
  return c;
}

int cal_kvm_decode_exit(const struct kvm_run *run, uint16_t want_port, char *msg, size_t len) {
  switch (run->exit_reason) {
  case KVM_EXIT_IO:
    if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == want_port && run->io.size == 1 &&
        run->io.count == 1)
      return 0;
    snprintf(msg, len, "port %s of %u byte(s) at 0x%x, expected an out to 0x%x",
             run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.size, run->io.port,
             want_port);
    return -1;
  case KVM_EXIT_HLT:
    snprintf(msg, len, "the guest halted (ran past its code)");
    return -1;
  case KVM_EXIT_SHUTDOWN:
    snprintf(msg, len, "the guest shut down (triple fault: bad page tables or code)");
    return -1;
  case KVM_EXIT_FAIL_ENTRY:
    snprintf(msg, len, "VM entry failed, hardware reason 0x%llx",
             (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
    return -1;
  case KVM_EXIT_INTERNAL_ERROR:
    snprintf(msg, len, "KVM internal error, suberror %u", run->internal.suberror);
    return -1;
  case KVM_EXIT_MMIO:
    snprintf(msg, len, "guest access to unbacked guest physical 0x%llx",
             (unsigned long long)run->mmio.phys_addr);
    return -1;
  default:
    snprintf(msg, len, "unexpected exit reason %u", run->exit_reason);
    return -1;
  }
}

/* An open VM with one vCPU. */
typedef struct vm {
  int kvm, vm, vcpu;        /* file descriptors (-1 closed) */
  struct kvm_run *run;      /* the vCPU's shared run page */
  size_t run_bytes;         /* its mapping size */
  uint8_t *mem;             /* guest memory, host mapping */
  cal_guest_layout lay;     /* where things are in it */
  cal_guest_code code;      /* guest code entries */
  uint64_t cr3_4k, cr3_2m;  /* the two page-table roots */
  char backing[256];        /* how the host backs guest memory */
} vm;

static void vm_close(vm *v) {
  if (v->run) munmap(v->run, v->run_bytes);
  if (v->vcpu >= 0) close(v->vcpu);
  if (v->vm >= 0) close(v->vm);
  if (v->kvm >= 0) close(v->kvm);
  cal_region_unmap(v->mem, v->lay.mem_bytes);
}

static int set_cpuid(vm *v) {
  int n = 128;
  for (int tries = 0; tries < 4; tries++, n *= 2) {
    struct kvm_cpuid2 *c = sim_calloc(1, sizeof *c + (size_t)n * sizeof c->entries[0]);
    if (!c) return -1;
    c->nent = (uint32_t)n;
    if (ioctl(v->kvm, KVM_GET_SUPPORTED_CPUID, c) == 0) {
      int rc = ioctl(v->vcpu, KVM_SET_CPUID2, c);
      sim_free(c);
      return rc;
    }
    int e = errno;
    sim_free(c);
    if (e != E2BIG) return -1;
  }
  return -1;
}

/* Creates the VM; 0, or -1 with why. */
static int vm_open(vm *v, uint64_t data_bytes, char *why, size_t len) {
  memset(v, 0, sizeof *v);
  v->kvm = v->vm = v->vcpu = -1;
  cal_guest_layout_init(&v->lay, data_bytes);
  /* Host memory on 2 MiB pages where possible, so the second dimension of
   * the walk (EPT/NPT) is as short as the host allows. */
  v->mem = cal_region_map(v->lay.mem_bytes, true, v->backing, sizeof v->backing);
  if (!v->mem) {
    char huge_why[256];
    snprintf(huge_why, sizeof huge_why, "%s", v->backing);
    v->mem = cal_region_map(v->lay.mem_bytes, false, v->backing, sizeof v->backing);
    if (!v->mem) {
      snprintf(why, len, "guest memory: %.200s", v->backing);
      return -1;
    }
    snprintf(v->backing, sizeof v->backing, "host 4 KiB pages (%.200s)", huge_why);
  }
  memset(v->mem, 0, v->lay.data_gpa);
  v->code = cal_guest_code_write(v->mem + v->lay.code_gpa, PAGE);
  if (cal_pt_build(v->mem, v->lay.mem_bytes, v->lay.pt2m_gpa, v->lay.mem_bytes, 21, &v->cr3_2m) < 0 ||
      cal_pt_build(v->mem, v->lay.mem_bytes, v->lay.pt4k_gpa, v->lay.mem_bytes, 12, &v->cr3_4k) < 0) {
    snprintf(why, len, "guest page tables do not fit the layout");
    return -1;
  }
  /* Check both maps as the MMU will see them before trusting them. */
  uint64_t probe[3] = {v->lay.code_gpa, v->lay.data_gpa + 12345 * 8, v->lay.mem_bytes - 8};
  for (int i = 0; i < 3; i++) {
    uint64_t g4, g2;
    unsigned s4, s2;
    if (cal_pt_translate(v->mem, v->lay.mem_bytes, v->cr3_4k, probe[i], &g4, &s4) < 0 ||
        cal_pt_translate(v->mem, v->lay.mem_bytes, v->cr3_2m, probe[i], &g2, &s2) < 0 ||
        g4 != probe[i] || g2 != probe[i] || s4 != 12 || s2 != 21) {
      snprintf(why, len, "guest page tables do not map 0x%llx to itself",
               (unsigned long long)probe[i]);
      return -1;
    }
  }
  v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (v->kvm < 0) {
    snprintf(why, len, "open /dev/kvm: %s", strerror(errno));
    return -1;
  }
  if (ioctl(v->kvm, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
    snprintf(why, len, "/dev/kvm speaks another API version than %d", KVM_API_VERSION);
    return -1;
  }
  v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
  if (v->vm < 0) {
    snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
    return -1;
  }
  /* Intel needs a TSS region below 4 GiB for real-mode emulation, unused
   * here but required by some kernels before the first KVM_RUN. */
  ioctl(v->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul);
  struct kvm_userspace_memory_region region = {.slot = 0,
                                               .flags = 0,
                                               .guest_phys_addr = 0,
                                               .memory_size = v->lay.mem_bytes,
                                               .userspace_addr = (uint64_t)(uintptr_t)v->mem};
  if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
    snprintf(why, len, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
    return -1;
  }
  v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
  int mmap_bytes = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (v->vcpu < 0 || mmap_bytes < (int)sizeof *v->run) {
    snprintf(why, len, "KVM_CREATE_VCPU: %s", strerror(errno));
    return -1;
  }
  v->run_bytes = (size_t)mmap_bytes;
  void *run = mmap(NULL, v->run_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
  if (run == MAP_FAILED) {
    snprintf(why, len, "mmap of the vCPU run page: %s", strerror(errno));
    return -1;
  }
  v->run = run;
  /* Long mode needs the guest CPUID to offer it (KVM checks EFER.LME). */
  if (set_cpuid(v) < 0) {
    snprintf(why, len, "KVM_SET_CPUID2: %s", strerror(errno));
    return -1;
  }
  struct kvm_sregs sr;
  if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0) {
    snprintf(why, len, "KVM_GET_SREGS: %s", strerror(errno));
    return -1;
  }
  /* Flat 64-bit segments set through their hidden parts: no GDT needed. */
  struct kvm_segment cs = {.base = 0, .limit = 0xffffffff, .selector = 1 << 3, .present = 1,
                           .type = 11, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1};
  struct kvm_segment ds = cs;
  ds.type = 3;
  ds.selector = 2 << 3;
  ds.l = 0;
  ds.db = 1;
  sr.cs = cs;
  sr.ds = sr.es = sr.fs = sr.gs = sr.ss = ds;
  sr.cr3 = v->cr3_4k;
  sr.cr4 = 1u << 5;                                       /* PAE */
  sr.cr0 = 0x80000000u | 0x40000u | 0x10000u | 0x20u | 0x10u | 0x2u | 0x1u; /* PG AM WP NE ET MP PE */
  sr.efer = 0x100u | 0x400u;                              /* LME LMA */
  if (ioctl(v->vcpu, KVM_SET_SREGS, &sr) < 0) {
    snprintf(why, len, "KVM_SET_SREGS (long mode): %s", strerror(errno));
    return -1;
  }
  return 0;
}

static int vm_set_cr3(vm *v, uint64_t cr3) {
  struct kvm_sregs sr;
  if (ioctl(v->vcpu, KVM_GET_SREGS, &sr) < 0) return -1;
  sr.cr3 = cr3;
  return ioctl(v->vcpu, KVM_SET_SREGS, &sr);
}

static int vm_set_regs(vm *v, uint64_t entry, uint64_t rdi, uint64_t rsi, uint64_t rdx) {
  struct kvm_regs r;
  memset(&r, 0, sizeof r);
  r.rflags = 2; /* bit 1 is reserved as one */
  r.rip = v->lay.code_gpa + entry;
  r.rsp = v->lay.code_gpa + PAGE; /* no stack is used; a mapped value anyway */
  r.rdi = rdi;
  r.rsi = rsi;
  r.rdx = rdx;
  return ioctl(v->vcpu, KVM_SET_REGS, &r);
}

/* One KVM_RUN that must end in an out to port; 0, or -1 with why. */
static int vm_run(vm *v, uint16_t port, char *why, size_t len) {
  int rc;
  while ((rc = ioctl(v->vcpu, KVM_RUN, 0)) < 0 && errno == EINTR) continue;
  if (rc < 0) {
    snprintf(why, len, "KVM_RUN: %s", strerror(errno));
    return -1;
  }
  return cal_kvm_decode_exit(v->run, port, why, len);
}

static int bench_exit_user(cal_ctx *ctx, vm *v, char *why, size_t len) {
  int n = ctx->quick ? 2000 : 10000;
  cal_samples s;
  if (vm_set_regs(v, v->code.exit_loop, 0, 0, CAL_PORT_EXIT) < 0) {
    snprintf(why, len, "KVM_SET_REGS: %s", strerror(errno));
    return -1;
  }
  for (int i = 0; i < 100; i++)
    if (vm_run(v, CAL_PORT_EXIT, why, len) < 0) return -1;
  for (int r = 0; r < ctx->reps; r++) {
    cal_stamp a = cal_now();
    for (int i = 0; i < n; i++)
      if (vm_run(v, CAL_PORT_EXIT, why, len) < 0) return -1;
    cal_stamp b = cal_now();
    cal_sample(&s, r, a, b, n);
  }
  cal_quantity *q = &ctx->q[CAL_HVM_EXIT_USER];
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q, "guest `out` to port 0x%x in a loop; one KVM_RUN ioctl per exit (exit to user space, "
                "decode, re-entry), %d per repetition",
             CAL_PORT_EXIT, n);
  return 0;
}

static int bench_exit_kernel(cal_ctx *ctx, vm *v, char *why, size_t len) {
  uint64_t n = ctx->quick ? 20000 : 100000;
  cal_samples s;
  for (int r = -1; r < ctx->reps; r++) {
    if (vm_set_regs(v, v->code.cpuid_loop, n, 0, 0) < 0) {
      snprintf(why, len, "KVM_SET_REGS: %s", strerror(errno));
      return -1;
    }
    cal_stamp a = cal_now();
    if (vm_run(v, CAL_PORT_CPUID_DONE, why, len) < 0) return -1;
    cal_stamp b = cal_now();
    if (r < 0) continue; /* warm-up */
    cal_sample(&s, r, a, b, (double)n);
  }
  cal_quantity *q = &ctx->q[CAL_HVM_EXIT_KERNEL];
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q, "guest loop of %llu CPUID (leaf 0) inside one KVM_RUN: exit, emulation in the "
                "kernel, entry; the loop's own instructions and one user exit are included",
             (unsigned long long)n);
  return 0;
}

static int bench_guest_chase(cal_ctx *ctx, vm *v, cal_id id, uint64_t cr3, char *why, size_t len) {
  uint64_t start =
      cal_chain_build(v->mem + v->lay.data_gpa, v->lay.data_gpa, v->lay.data_bytes, PAGE, ctx->rng);
  if (!start) {
    snprintf(why, len, "out of memory building the chain");
    return -1;
  }
  if (vm_set_cr3(v, cr3) < 0) {
    snprintf(why, len, "KVM_SET_SREGS (cr3): %s", strerror(errno));
    return -1;
  }
  uint64_t hops = v->lay.data_bytes / PAGE; /* one lap: a multiple of 8 */
  cal_samples s;
  uint64_t at = start;
  for (int r = -1; r < ctx->reps; r++) {
    if (vm_set_regs(v, v->code.chase, hops, at, CAL_PORT_CHASE_DONE) < 0) {
      snprintf(why, len, "KVM_SET_REGS: %s", strerror(errno));
      return -1;
    }
    cal_stamp a = cal_now();
    if (vm_run(v, CAL_PORT_CHASE_DONE, why, len) < 0) return -1;
    cal_stamp b = cal_now();
    struct kvm_regs regs;
    if (ioctl(v->vcpu, KVM_GET_REGS, &regs) < 0) {
      snprintf(why, len, "KVM_GET_REGS: %s", strerror(errno));
      return -1;
    }
    /* One full lap of a single cycle ends where it started. */
    if (regs.rsi != at || regs.rdi != 0) {
      snprintf(why, len, "the guest chase ended at 0x%llx, not at its start 0x%llx",
               (unsigned long long)regs.rsi, (unsigned long long)at);
      return -1;
    }
    if (r < 0) continue; /* warm-up lap */
    cal_sample(&s, r, a, b, (double)hops);
  }
  cal_quantity *q = &ctx->q[id];
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q, "guest pointer chase, one access per 4 KiB page at a random line over %llu MiB, "
                "guest %s pages, guest memory on %s; %llu hops per KVM_RUN",
             (unsigned long long)(v->lay.data_bytes >> 20), id == CAL_HVM_CHASE_4K ? "4 KiB" : "2 MiB",
             v->backing, (unsigned long long)hops);
  return 0;
}

static const cal_id hvm_ids[] = {CAL_HVM_EXIT_KERNEL, CAL_HVM_EXIT_USER, CAL_HVM_CHASE_4K,
                                 CAL_HVM_CHASE_2M, CAL_HVM_EPT_PENALTY};
#define HVM_IDS (sizeof hvm_ids / sizeof hvm_ids[0])

static void all_missing(cal_ctx *ctx, const char *why) {
  for (size_t i = 0; i < HVM_IDS; i++)
    if (!ctx->q[hvm_ids[i]].measured && !ctx->q[hvm_ids[i]].reason[0])
      cal_set_missing(&ctx->q[hvm_ids[i]], "%s", why);
}

void cal_run_kvm(cal_ctx *ctx) {
  const cal_env *env = ctx->env;
  if (!env->kvm_dev || !env->kvm_usable) {
    char why[160];
    snprintf(why, sizeof why, "%s", !env->kvm_dev ? "/dev/kvm is absent on this machine"
                                                  : "/dev/kvm cannot be opened or speaks another API");
    all_missing(ctx, why);
    if (ctx->progress) fprintf(ctx->progress, "calibrate: KVM skipped: %s\n", why);
    return;
  }
  vm v;
  char why[256] = "";
  if (vm_open(&v, ctx->region_bytes, why, sizeof why) < 0) {
    all_missing(ctx, why);
    vm_close(&v);
    if (ctx->progress) fprintf(ctx->progress, "calibrate: KVM skipped: %s\n", why);
    return;
  }
  if (bench_exit_kernel(ctx, &v, why, sizeof why) < 0) cal_set_missing(&ctx->q[CAL_HVM_EXIT_KERNEL], "%s", why);
  cal_progress(ctx, CAL_HVM_EXIT_KERNEL);
  if (bench_exit_user(ctx, &v, why, sizeof why) < 0) cal_set_missing(&ctx->q[CAL_HVM_EXIT_USER], "%s", why);
  cal_progress(ctx, CAL_HVM_EXIT_USER);
  if (bench_guest_chase(ctx, &v, CAL_HVM_CHASE_4K, v.cr3_4k, why, sizeof why) < 0)
    cal_set_missing(&ctx->q[CAL_HVM_CHASE_4K], "%s", why);
  cal_progress(ctx, CAL_HVM_CHASE_4K);
  if (bench_guest_chase(ctx, &v, CAL_HVM_CHASE_2M, v.cr3_2m, why, sizeof why) < 0)
    cal_set_missing(&ctx->q[CAL_HVM_CHASE_2M], "%s", why);
  cal_progress(ctx, CAL_HVM_CHASE_2M);
  vm_close(&v);
  cal_quantity *g4 = &ctx->q[CAL_HVM_CHASE_4K], *n4 = &ctx->q[CAL_CHASE_4K], *p = &ctx->q[CAL_HVM_EPT_PENALTY];
  if (g4->measured && n4->measured) {
    p->measured = true;
    p->reps = ctx->reps;
    p->value = g4->cycles / n4->cycles;
    /* First-order propagation of the two relative spreads. */
    p->spread = p->value * hypot(g4->cycles_spread / g4->cycles, n4->cycles_spread / n4->cycles);
    cal_method(p, "%s / %s: the same one-access-per-page chase over %zu MiB in the guest and natively",
               cal_key(CAL_HVM_CHASE_4K), cal_key(CAL_CHASE_4K), ctx->region_bytes >> 20);
  } else {
    cal_set_missing(p, "needs %s and %s", cal_key(CAL_HVM_CHASE_4K), cal_key(CAL_CHASE_4K));
  }
  cal_progress(ctx, CAL_HVM_EPT_PENALTY);
}
