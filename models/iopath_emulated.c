/* models/iopath_emulated.c: a fully emulated device ("emulated").
 * Models an IDE disk or e1000 NIC emulated in the VMM's device model (QEMU):
 * the guest's unmodified driver touches device registers, and every access
 * exits to the VMM and on to the device model in user space; the device
 * model then does the I/O on the host, one request at a time per guest, in
 * a QEMU thread the host schedules beside the vCPUs (models/backend.h).
 * Cost per request: the native driver's work, plus exits x (VM exit round
 * trip + exit to user space) on the guest's CPU, plus the device model's
 * time as backend; a completion interrupt is injected (one more exit).
 * Under a hosted (type II) hypervisor (hypervisor.hosted 1: VMware
 * Workstation, VirtualBox [SUG01]) the device model is the VMApp, a process
 * of the host OS that owns the devices: each register access that exits to
 * it is a world switch from the VMM to the host and back, and so is the
 * completion, which the host's driver takes and the VMApp hands back to the
 * VMM [SUG01] sec. 2: (exits + 1) x hypervisor.world_switch more on the
 * guest's CPU.  The device model's own work is the backend either way (a
 * host thread, type I or II).  Under KVM (type I) the exit to QEMU in user
 * space is a return to a host process too, but its cost is already in the
 * measured hvm.exit.user: no world switch is added there.
 * Units: cycles (guest), ns (backend).  Profile quantities:
 * io.emulated.exits_per_request (count, register accesses of one request),
 * io.emulated.device_model (ns), hvm.exit.roundtrip, hvm.exit.user,
 * hvm.exit.interrupt (cycles), hypervisor.hosted (flag),
 * hypervisor.world_switch (cycles), plus the native ones.
 * Sources: [LECT] (I/O virtualization: device emulation, an exit per
 * register access); [SUG01] (the hosted I/O path); models/profiles/README.md. */
#include "models/guest_ops.h"
#include "models/io.h"

/* Its quantities in iopath_table.q. */
enum { EXITS, ROUNDTRIP, USER, INTERRUPT, DEVICE_MODEL, WORLD };

static int emulated_load(const sim_profile *p, io_class cls, iopath_table *t, sim_diag *diag) {
  if (iopath_native_load(p, "emulated", cls, t, diag) < 0 ||
      iopath_quantity(p, "emulated", "io.emulated.exits_per_request", &t->q[EXITS], diag) < 0 ||
      iopath_quantity(p, "emulated", "hvm.exit.roundtrip", &t->q[ROUNDTRIP], diag) < 0 ||
      iopath_quantity(p, "emulated", "hvm.exit.user", &t->q[USER], diag) < 0 ||
      iopath_quantity(p, "emulated", "hvm.exit.interrupt", &t->q[INTERRUPT], diag) < 0 ||
      iopath_quantity(p, "emulated", "io.emulated.device_model", &t->q[DEVICE_MODEL], diag) < 0 ||
      hosted_io_exit_cycles(p, "emulated", &t->q[WORLD], diag) < 0)
    return -1;
  return 0;
}

static void emulated_price(const iopath_table *t, io_class cls, uint64_t bytes, iopath_cost *out) {
  const double *q = t->q;
  double n = cls == IO_CLASS_NET ? iopath_table_segments(t, bytes) : 1;
  *out = (iopath_cost){iopath_native_cycles(t, cls, bytes), 0, 0};
  out->guest_cycles += n * (q[EXITS] * (q[ROUNDTRIP] + q[USER]) + q[INTERRUPT]);
  /* type II: every exit to the device model and the completion leave for the host */
  out->guest_cycles += n * (q[EXITS] + 1) * q[WORLD];
  out->backend_ns = n * q[DEVICE_MODEL];
}

const iopath_ops iopath_emulated_ops = {"emulated", "emulated device: an exit per register access, device model in the VMM",
                                        emulated_load, emulated_price};
