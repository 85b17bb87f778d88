/* sim/image.h: images and the registry (scenarios/SCHEMA.md
 * "images", "registry"): what a guest is provisioned from before it starts.
 * A VM image is one file (its size) and a boot: a workload whose phases
 * (firmware, kernel, init) run through the guest's technique before its own
 * workload.  A container image is an ordered list of layers, each a content
 * hash (digest) and a size; a layer's parent is the layer before it, so a
 * layer is the same content wherever its digest appears, and hosts share
 * it between images and containers (models/engine_provision.c).
 * The loader's part is sim/scenario_images.h.
 * Units: bytes, bit/s, ns.  Images are kept in name order. */
#ifndef SIM_IMAGE_H
#define SIM_IMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"

typedef enum sim_image_kind { SIM_IMAGE_VM, SIM_IMAGE_CONTAINER } sim_image_kind;

/* One layer: a compressed archive pulled from the registry and unpacked
 * into the host's layer store. */
typedef struct sim_image_layer {
  char *digest;               /* content hash, e.g. "sha256:4f2a..."; the cache's key */
  uint64_t size_bytes;        /* bytes pulled (compressed) */
  uint64_t unpacked_bytes;    /* bytes written to the host's disk when unpacked (>= 1) */
} sim_image_layer;

typedef struct sim_image {
  char *name;
  sim_image_kind kind;
  /* a VM image: one layer (digest "vm:<name>", its size, unpacked = size:
   * copied, not decompressed); a container image: its layers, base first */
  size_t n_layers;
  sim_image_layer *layers;
  uint32_t boot;              /* VM: 1 + index into sim_scenario.workloads, the boot's phases; 0: none */
  size_t n_prepull;
  uint32_t *prepull;          /* hosts (indices) whose layer cache holds every layer at the start */
  char *source;               /* where its sizes come from; NULL: not given */
} sim_image;

#endif
