/* models/vmselect_rs.c: random selection (RS) [BB12, Section 7.2]: the VM
 * to migrate is drawn uniformly among the candidates, from the selection's
 * own random stream (sim/rng.h), so a run stays reproducible and other
 * streams are not disturbed. */
#include <gsl/gsl_rng.h>

#include "models/datacenter.h"

static size_t rs_select(const dc_vm_candidate *c, size_t n, gsl_rng *rng) {
  (void)c;
  return (size_t)gsl_rng_uniform_int(rng, n);
}

const dc_vmselect_ops vmselect_rs_ops = {"rs", false, rs_select};
