/* models/iopath_emulated.c: a fully emulated device ("emulated").
 * Models an IDE disk or e1000 NIC emulated in the VMM's device model (QEMU):
 * the guest's unmodified driver touches device registers, and every access
 * exits to the VMM and on to the device model in user space; the device
 * model then does the I/O on the host, one request at a time per guest, in
 * a QEMU thread the host schedules beside the vCPUs (models/backend.h).
 * Cost per request: the native driver's work, plus exits x (VM exit round
 * trip + exit to user space) on the guest's CPU, plus the device model's
 * time as backend; a completion interrupt is injected (one more exit).
 * Units: cycles (guest), ns (backend).  Profile quantities:
 * io.emulated.exits_per_request (count, register accesses of one request),
 * io.emulated.device_model (ns), hvm.exit.roundtrip, hvm.exit.user,
 * hvm.exit.interrupt (cycles), plus the native ones.
 * Sources: [LECT] (I/O virtualization: device emulation, an exit per
 * register access); models/profiles/README.md. */
#include "models/io.h"

static int emulated_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  *out = (iopath_cost){0, 0, 0};
  double exits, rt, user, irq, dm;
  if (iopath_native_guest(p, "emulated", cls, bytes, &out->guest_cycles, diag) < 0 ||
      iopath_quantity(p, "emulated", "io.emulated.exits_per_request", &exits, diag) < 0 ||
      iopath_quantity(p, "emulated", "hvm.exit.roundtrip", &rt, diag) < 0 ||
      iopath_quantity(p, "emulated", "hvm.exit.user", &user, diag) < 0 ||
      iopath_quantity(p, "emulated", "hvm.exit.interrupt", &irq, diag) < 0 ||
      iopath_quantity(p, "emulated", "io.emulated.device_model", &dm, diag) < 0)
    return -1;
  double n = 1;
  if (cls == IO_CLASS_NET && iopath_segments(p, "emulated", bytes, &n, diag) < 0) return -1;
  out->guest_cycles += n * (exits * (rt + user) + irq);
  out->backend_ns = n * dm;
  return 0;
}

const iopath_ops iopath_emulated_ops = {"emulated", "emulated device: an exit per register access, device model in the VMM",
                                        emulated_cost};
