/* sim/cli/calibrate/kvm.h: the pieces of the KVM benchmark that need no /dev/kvm.
 * A minimal 64-bit guest: identity-mapped page tables (4 KiB or 2 MiB leaves)
 * built in guest memory, a few bytes of hand-assembled code, and the decoding
 * of the exits the host sees.  Kept apart from kvm.c's ioctl driving so they
 * can be tested anywhere.  Units: guest physical addresses (GPA) and sizes in
 * bytes; guest virtual addresses equal GPAs (identity map).
 * Sources: Intel SDM vol. 3A 4.5 (4-level paging), AMD APM vol. 2 5.3;
 * Documentation/virt/kvm/api.rst (struct kvm_run, KVM_EXIT_*). */
#ifndef SIM_CALIBRATE_KVM_H
#define SIM_CALIBRATE_KVM_H
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#define CAL_PTE_P 0x1ull       /* present */
#define CAL_PTE_RW 0x2ull      /* writable */
#define CAL_PTE_PS 0x80ull     /* page size: a 2 MiB leaf in a PD entry */
#define CAL_PTE_ADDR 0x000ffffffffff000ull /* physical address bits of an entry */

/* Ports the guest writes to, one per benchmark, so a stray exit is caught. */
enum { CAL_PORT_EXIT = 0x10, CAL_PORT_CPUID_DONE = 0x11, CAL_PORT_CHASE_DONE = 0x12 };

/* Where things sit in guest physical memory. */
typedef struct cal_guest_layout {
  uint64_t code_gpa;   /* the guest code (one page) */
  uint64_t pt2m_gpa;   /* page tables mapping everything with 2 MiB pages */
  uint64_t pt4k_gpa;   /* page tables mapping everything with 4 KiB pages */
  uint64_t data_gpa;   /* the chase region, 2 MiB aligned */
  uint64_t data_bytes; /* its size, a multiple of 2 MiB */
  uint64_t mem_bytes;  /* all guest memory, identity-mapped, a multiple of 2 MiB */
} cal_guest_layout;

/* Guest code entry points, offsets from code_gpa. */
typedef struct cal_guest_code {
  uint64_t exit_loop; /* out CAL_PORT_EXIT (dx preset); jmp back: one user exit per KVM_RUN */
  uint64_t cpuid_loop;/* rdi x CPUID, then out CAL_PORT_CPUID_DONE */
  uint64_t chase;     /* rdi hops of rsi = [rsi] (multiple of 8), then out dx (preset) */
  size_t bytes;       /* code length */
} cal_guest_code;

/* Bytes of page tables for an identity map of map_bytes with 2^page_shift
 * leaves (12 or 21); map_bytes a multiple of 2 MiB, at most 512 GiB. */
uint64_t cal_pt_bytes(uint64_t map_bytes, unsigned page_shift);
/* Layout for a chase region of data_bytes (rounded up to 2 MiB). */
void cal_guest_layout_init(cal_guest_layout *l, uint64_t data_bytes);
/* Builds at table_gpa (4 KiB aligned, inside mem) an identity map of
 * [0, map_bytes); *cr3 gets the PML4's GPA.  0, or -1 when it does not fit. */
int cal_pt_build(uint8_t *mem, uint64_t mem_bytes, uint64_t table_gpa, uint64_t map_bytes,
                 unsigned page_shift, uint64_t *cr3);
/* Walks the tables as the MMU would: 0 with *gpa and *page_shift, or -1 when
 * gva is not mapped (or a table lies outside mem). */
int cal_pt_translate(const uint8_t *mem, uint64_t mem_bytes, uint64_t cr3, uint64_t gva,
                     uint64_t *gpa, unsigned *page_shift);
/* Writes the guest code into buf (at least 128 bytes); returns its entries. */
cal_guest_code cal_guest_code_write(uint8_t *buf, size_t len);
/* 0 when the exit is a one-byte OUT to want_port; otherwise -1 with what
 * happened instead in msg. */
int cal_kvm_decode_exit(const struct kvm_run *run, uint16_t want_port, char *msg, size_t len);

#endif
