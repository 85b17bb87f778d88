/* models/iopath_container.c: container I/O ("bridge" and "nat").
 * Models a container's I/O as [FE14] describes it: disk I/O goes through
 * the host kernel as for a native process (no measurable overhead, [FE14]
 * sec. IV.D); network traffic crosses a veth pair and the Linux bridge
 * ("bridge": a per-segment cost), and with Docker's default NAT ("nat")
 * also iptables connection tracking and address translation, per segment.
 * That work is the host kernel's packet processing (NET_RX/NET_TX softirq),
 * not a thread of the container's: it runs on whichever core the packet's
 * flow is steered to.  Receive Side Scaling (the NIC hashing each flow to
 * one of several queues, each with its own core's interrupt) and Receive
 * Packet Steering (the kernel doing the same hash in software) spread the
 * flows of many connections over the host's cores (Linux
 * Documentation/networking/scaling.txt, "RSS", "RPS"); the model assumes
 * enough connections that every core takes packets, so a message's
 * segments go to the core whose softirq frees first, ahead of the threads
 * running there (models/backend.h), and a message's segments, one flow,
 * stay on one core.
 * Units: cycles (guest CPU), ns (host softirq).  Profile quantities:
 * io.bridge.per_segment, io.nat.per_segment (ns), plus the native ones.
 * Invariant: disk requests cost no backend work.
 * Sources: [FE14] sec. IV.C (NAT roughly doubles the TCP round trip);
 * models/profiles/README.md. */
#include "models/io.h"

static int container_cost(const char *path, bool nat, const sim_profile *p, io_class cls, uint64_t bytes,
                          iopath_cost *out, sim_diag *diag) {
  *out = (iopath_cost){0, 0, 0};
  if (iopath_native_guest(p, path, cls, bytes, &out->guest_cycles, diag) < 0) return -1;
  if (cls == IO_CLASS_DISK) return 0;
  double seg, br, nt = 0;
  if (iopath_segments(p, path, bytes, &seg, diag) < 0) return -1;
  if (iopath_quantity(p, path, "io.bridge.per_segment", &br, diag) < 0) return -1;
  if (nat && iopath_quantity(p, path, "io.nat.per_segment", &nt, diag) < 0) return -1;
  out->backend_ns = seg * (br + nt);
  return 0;
}

static int bridge_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  return container_cost("bridge", false, p, cls, bytes, out, diag);
}
static int nat_cost(const sim_profile *p, io_class cls, uint64_t bytes, iopath_cost *out, sim_diag *diag) {
  return container_cost("nat", true, p, cls, bytes, out, diag);
}

const iopath_ops iopath_bridge_ops = {"bridge", "container: veth pair and Linux bridge", bridge_cost};
const iopath_ops iopath_nat_ops = {"nat", "container: bridge plus iptables NAT (Docker default)", nat_cost};

bool iopath_in_softirq(const iopath_ops *path) { return path == &iopath_bridge_ops || path == &iopath_nat_ops; }
