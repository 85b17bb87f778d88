/* models/iopath_passthrough.c: device passthrough ("passthrough").
 * Models a device assigned to the guest (VT-d / SR-IOV): the guest's native
 * driver programs the device directly and DMA goes through the IOMMU, so
 * the I/O itself is native-like; what remains is the interrupt: remapped by
 * the IOMMU's interrupt-remapping table, and delivered through a VM exit
 * (or none with posted interrupts).
 * Cost per request: native driver work + interrupt exits on the guest's
 * CPU; interrupt remapping as added latency; no backend.
 * Units: cycles (guest), ns (latency).  Profile quantities:
 * io.passthrough.interrupt_exits (count), io.passthrough.interrupt_remap
 * (ns), hvm.exit.interrupt (cycles), plus the native ones.
 * Sources: [LECT] (device passthrough: native performance, the IOMMU);
 * models/profiles/README.md. */
#include "models/io.h"

static int passthrough_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out,
                            sim_diag *diag) {
  *out = (iopath_cost){0, 0, 0};
  double exits, remap, irq;
  if (iopath_native_guest(p, "passthrough", cls, bytes, &out->guest_cycles, diag) < 0 ||
      iopath_quantity(p, "passthrough", "io.passthrough.interrupt_exits", &exits, diag) < 0 ||
      iopath_quantity(p, "passthrough", "io.passthrough.interrupt_remap", &remap, diag) < 0 ||
      iopath_quantity(p, "passthrough", "hvm.exit.interrupt", &irq, diag) < 0)
    return -1;
  double n = 1;
  if (cls == IO_CLASS_NET && iopath_segments(p, "passthrough", bytes, &n, diag) < 0) return -1;
  out->guest_cycles += n * exits * irq;
  out->latency_ns = n * remap;
  return 0;
}

const iopath_ops iopath_passthrough_ops = {"passthrough", "assigned device: native I/O, IOMMU interrupt remapping",
                                           passthrough_cost};
