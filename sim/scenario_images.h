/* sim/scenario_images.h: the loader's part for images (not part of the
 * public API; sim/image.h is what models read):
 *   scenario_images.c  the `registry` and `images` sections, a guest entry's
 *                      `image`, their resolved text
 * scenarios/SCHEMA.md "images" documents the keys. */
#ifndef SIM_SCENARIO_IMAGES_H
#define SIM_SCENARIO_IMAGES_H
#include "sim/image.h"
#include "sim/scenario_internal.h"

/* The `registry` and `images` sections (NULL: absent), after hosts and
 * workloads, before guests. */
void scenario_load_images(ctx *C, const sim_yaml_node *registry, const sim_yaml_node *images);
/* Entry m's `image`, an image of the scenario by name: its index in *k; false with an error. */
bool scenario_image_by_name(ctx *C, const sim_yaml_node *m, size_t *k);
/* Guest entry m's `image` (checked against its kind): g->image set; false on an error. */
bool scenario_guest_image(ctx *C, const sim_yaml_node *m, sim_guest *g);
/* Workload indices renumbered by the canonical order: new index = inverse[old]. */
void scenario_images_renumber_workloads(sim_scenario *s, const uint32_t *inverse);
/* `registry` and `images` for the resolved text (nothing without images). */
void scenario_write_images(sim_yaml_writer *w, const sim_scenario *s);
/* A guest entry's `image` for the resolved text (nothing without one). */
void scenario_write_guest_image(sim_yaml_writer *w, const sim_guest *g, const sim_scenario *s);
void scenario_free_images(sim_scenario *s);
#endif
