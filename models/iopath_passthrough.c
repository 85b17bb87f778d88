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

/* Its quantities in iopath_table.q. */
enum { EXITS, REMAP, INTERRUPT };

static int passthrough_load(const sim_profile *p, io_class cls, iopath_table *t, sim_diag *diag) {
  if (iopath_native_load(p, "passthrough", cls, t, diag) < 0 ||
      iopath_quantity(p, "passthrough", "io.passthrough.interrupt_exits", &t->q[EXITS], diag) < 0 ||
      iopath_quantity(p, "passthrough", "io.passthrough.interrupt_remap", &t->q[REMAP], diag) < 0 ||
      iopath_quantity(p, "passthrough", "hvm.exit.interrupt", &t->q[INTERRUPT], diag) < 0)
    return -1;
  return 0;
}

static void passthrough_price(const iopath_table *t, io_class cls, uint64_t bytes, iopath_cost *out) {
  const double *q = t->q;
  double n = cls == IO_CLASS_NET ? iopath_table_segments(t, bytes) : 1;
  *out = (iopath_cost){iopath_native_cycles(t, cls, bytes), 0, 0};
  out->guest_cycles += n * q[EXITS] * q[INTERRUPT];
  out->latency_ns = n * q[REMAP];
}

const iopath_ops iopath_passthrough_ops = {"passthrough", "assigned device: native I/O, IOMMU interrupt remapping",
                                           passthrough_load, passthrough_price};
