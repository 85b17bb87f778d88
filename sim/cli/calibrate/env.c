/* sim/cli/calibrate/env.c: where a calibration runs.
 * Records what a reader needs to judge the numbers: the CPU, the kernel,
 * the caches (which size the latency chains), and above all whether this
 * machine is itself a virtual machine and what backs /dev/kvm, since inside
 * a guest the kernel and MMU costs are the guest's, not the hardware's.
 * Sources: CPUID (Intel SDM vol. 2A, "CPUID"; AMD APM vol. 3, E.4), leaf
 * 0x40000000 hypervisor signature (the convention of KVM, Xen, Hyper-V and
 * VMware), /proc/cpuinfo flags, /sys/hypervisor, /sys/module/kvm_*.
 * Units: bytes for caches; load averages are run-queue lengths. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/cli/calibrate/calibrate.h"

/* First line of a small file, without its newline; "" when unreadable. */
static void read_line(const char *path, char *buf, size_t len) {
  buf[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  if (fgets(buf, (int)len, f)) buf[strcspn(buf, "\n")] = '\0';
  fclose(f);
}

static bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* Whether the space-separated flag list holds flag. */
static bool has_flag(const char *flags, const char *flag) {
  size_t n = strlen(flag);
  for (const char *p = flags; (p = strstr(p, flag)); p += n)
    if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0' || p[n] == '\n')) return true;
  return false;
}

static void copy_regs(char *dst, const unsigned *regs, int n) {
  memcpy(dst, regs, (size_t)n * 4);
  dst[n * 4] = '\0';
  /* Signatures are padded with spaces or NULs; trim both. */
  for (int i = n * 4 - 1; i >= 0 && (dst[i] == ' ' || dst[i] == '\0'); i--) dst[i] = '\0';
}

static void probe_cpuid(cal_env *env) {
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return;
  unsigned max_leaf = a;
  unsigned v[3] = {b, d, c};
  copy_regs(env->cpu_vendor, v, 3);
  __cpuid(1, a, b, c, d);
  env->vmx = (c >> 5) & 1;
  env->hypervisor = (c >> 31) & 1;
  unsigned maxext = __get_cpuid_max(0x80000000, NULL);
  if (maxext >= 0x80000001) {
    __cpuid(0x80000001, a, b, c, d);
    env->svm = (c >> 2) & 1;
  }
  if (maxext >= 0x80000004) {
    unsigned brand[12];
    for (unsigned i = 0; i < 3; i++)
      __cpuid(0x80000002 + i, brand[4 * i], brand[4 * i + 1], brand[4 * i + 2], brand[4 * i + 3]);
    char s[49];
    copy_regs(s, brand, 12);
    const char *t = s;
    while (*t == ' ') t++;
    snprintf(env->cpu_model, sizeof env->cpu_model, "%s", t);
  }
  if (env->hypervisor) {
    __cpuid(0x40000000, a, b, c, d);
    unsigned sig[3] = {b, c, d};
    copy_regs(env->hypervisor_sig, sig, 3);
  }
  /* Data caches: leaf 4 (Intel) or 0x8000001D (AMD with topology
   * extensions) enumerate every level; older AMD parts only 0x80000005/6. */
  unsigned leaf = 0;
  if (!strcmp(env->cpu_vendor, "GenuineIntel") && max_leaf >= 4) leaf = 4;
  if (!strcmp(env->cpu_vendor, "AuthenticAMD") && maxext >= 0x8000001D) leaf = 0x8000001D;
  for (unsigned i = 0; leaf && i < 8; i++) {
    __cpuid_count(leaf, i, a, b, c, d);
    unsigned type = a & 31, level = (a >> 5) & 7;
    if (type == 0) break;
    if (type == 2) continue; /* instruction cache */
    size_t bytes = (size_t)((b >> 22) + 1) * (((b >> 12) & 0x3ff) + 1) * ((b & 0xfff) + 1) * (c + 1);
    if (level == 1) env->l1d_bytes = bytes;
    if (level == 2) env->l2_bytes = bytes;
    if (level == 3) env->l3_bytes = bytes;
  }
  if (!env->l1d_bytes && maxext >= 0x80000006) {
    __cpuid(0x80000005, a, b, c, d);
    env->l1d_bytes = (size_t)(c >> 24) * 1024;
    __cpuid(0x80000006, a, b, c, d);
    env->l2_bytes = (size_t)(c >> 16) * 1024;
    env->l3_bytes = (size_t)(d >> 18) * 512 * 1024;
  }
}

static void probe_cpuinfo(cal_env *env) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (!f) return;
  char line[4096];
  bool got_flags = false;
  while (fgets(line, sizeof line, f)) {
    if (!env->cpu_model[0] && !strncmp(line, "model name", 10)) {
      const char *v = strchr(line, ':');
      if (v) {
        snprintf(env->cpu_model, sizeof env->cpu_model, "%s", v + 2);
        env->cpu_model[strcspn(env->cpu_model, "\n")] = '\0';
      }
    }
    if (!got_flags && !strncmp(line, "flags", 5)) {
      got_flags = true;
      env->constant_tsc = has_flag(line, "constant_tsc");
      env->nonstop_tsc = has_flag(line, "nonstop_tsc");
      env->hypervisor |= has_flag(line, "hypervisor");
      env->vmx |= has_flag(line, "vmx");
      env->svm |= has_flag(line, "svm");
    }
  }
  fclose(f);
}

/* The kernel's own word on its hypervisor ("Hypervisor detected: KVM"),
 * which can differ from the CPUID signature a hypervisor chooses to show. */
static void probe_kernel_log(cal_env *env) {
  int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
  if (size <= 0) return;
  char *buf = sim_malloc((size_t)size + 1);
  if (!buf) return;
  int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
  if (n > 0) {
    buf[n] = '\0';
    const char *p = strstr(buf, "Hypervisor detected: ");
    if (p) {
      p += strlen("Hypervisor detected: ");
      size_t len = strcspn(p, "\n");
      snprintf(env->hypervisor_kernel, sizeof env->hypervisor_kernel, "%.*s", (int)len, p);
    }
  }
  sim_free(buf);
}

static void probe_kvm(cal_env *env) {
  env->kvm_dev = exists("/dev/kvm");
  char param[16];
  if (exists("/sys/module/kvm_intel")) {
    read_line("/sys/module/kvm_intel/parameters/ept", param, sizeof param);
    env->kvm_hw = param[0] == 'Y' || param[0] == '1';
    snprintf(env->kvm_impl, sizeof env->kvm_impl, "kvm_intel (VT-x, EPT %s)",
             env->kvm_hw ? "on" : "off");
  } else if (exists("/sys/module/kvm_amd")) {
    read_line("/sys/module/kvm_amd/parameters/npt", param, sizeof param);
    env->kvm_hw = param[0] == 'Y' || param[0] == '1';
    snprintf(env->kvm_impl, sizeof env->kvm_impl, "kvm_amd (AMD-V, NPT %s)",
             env->kvm_hw ? "on" : "off");
  } else if (exists("/sys/module/kvm_pvm")) {
    snprintf(env->kvm_impl, sizeof env->kvm_impl,
             "kvm_pvm (page-table based, no VT-x/AMD-V, shadow paging)");
  } else if (exists("/sys/module/kvm")) {
    snprintf(env->kvm_impl, sizeof env->kvm_impl, "kvm without a known vendor module");
  }
  if (!env->kvm_dev) return;
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return;
  env->kvm_usable = ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION;
  close(fd);
}

void cal_loadavg(double load[3]) {
  load[0] = load[1] = load[2] = -1;
  FILE *f = fopen("/proc/loadavg", "r");
  if (!f) return;
  if (fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = load[1] = load[2] = -1;
  fclose(f);
}

void cal_env_probe(cal_env *env) {
  memset(env, 0, sizeof *env);
  env->cpu = -1;
  probe_cpuid(env);
  probe_cpuinfo(env);
  struct utsname u;
  if (uname(&u) == 0)
    snprintf(env->kernel, sizeof env->kernel, "%s %s %s %s", u.sysname, u.release, u.version,
             u.machine);
  read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", env->clocksource,
            sizeof env->clocksource);
  char thp[64];
  read_line("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof thp);
  const char *lb = strchr(thp, '['), *rb = lb ? strchr(lb, ']') : NULL;
  if (lb && rb) snprintf(env->thp, sizeof env->thp, "%.*s", (int)(rb - lb - 1), lb + 1);
  read_line("/sys/hypervisor/type", env->hypervisor_type, sizeof env->hypervisor_type);
  probe_kernel_log(env);
  probe_kvm(env);
  env->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
  cal_loadavg(env->load_before);
}

bool cal_env_virtualized(const cal_env *e) {
  return e->hypervisor || e->hypervisor_type[0] || e->hypervisor_kernel[0];
}

void cal_judge(cal_ctx *ctx) {
  const cal_env *e = ctx->env;
  char hv[64];
  snprintf(hv, sizeof hv, "%s", e->hypervisor_kernel[0] ? e->hypervisor_kernel
                                : e->hypervisor_sig[0]  ? e->hypervisor_sig
                                                        : "unknown hypervisor");
  /* Inside a guest, whatever enters the kernel or misses the TLB runs under
   * the hypervisor's control (traps, shadow or nested paging); cache
   * latencies, streaming bandwidth and the TSC rate are the hardware's. */
  static const cal_id guest_affected[] = {
      CAL_SYSCALL,  CAL_PAGE_FAULT, CAL_FORK,  CAL_FORK_LARGE, CAL_FORK_PER_PAGE, CAL_LAT_DRAM,
      CAL_CHASE_4K, CAL_CHASE_2M,   CAL_TLB_WALK, CAL_CTXSW,   CAL_NS_TOTAL,      CAL_NS_UTS,
      CAL_NS_IPC,   CAL_NS_NET,     CAL_NS_PID, CAL_NS_MNT,     CAL_NS_USER,       CAL_NS_CGROUP,
      CAL_CGROUP_ENTER};
  static const cal_id hvm[] = {CAL_HVM_EXIT_KERNEL, CAL_HVM_EXIT_USER, CAL_HVM_CHASE_4K,
                               CAL_HVM_CHASE_2M, CAL_HVM_EPT_PENALTY};
  for (int i = 0; i < CAL_COUNT; i++) ctx->q[i].representative = ctx->q[i].measured;
  if (cal_env_virtualized(e))
    for (size_t i = 0; i < sizeof guest_affected / sizeof guest_affected[0]; i++) {
      cal_quantity *q = &ctx->q[guest_affected[i]];
      if (!q->measured) continue;
      q->representative = false;
      snprintf(q->reason, sizeof q->reason,
               "measured inside a virtual machine (%s): kernel entries, page faults and page "
               "walks pass through its hypervisor",
               hv);
    }
  for (size_t i = 0; i < sizeof hvm / sizeof hvm[0]; i++) {
    cal_quantity *q = &ctx->q[hvm[i]];
    if (!q->measured) continue;
    if (cal_env_virtualized(e)) {
      q->representative = false;
      snprintf(q->reason, sizeof q->reason,
               "nested: /dev/kvm of a machine that is itself a guest (%s)", hv);
    } else if (!e->kvm_hw) {
      q->representative = false;
      snprintf(q->reason, sizeof q->reason,
               "/dev/kvm is backed by %s, not VT-x/AMD-V with EPT/NPT",
               e->kvm_impl[0] ? e->kvm_impl : "an unknown implementation");
    }
  }
}
