/* sim/scenario_images.c: the `registry` and `images` sections and a guest
 * entry's `image` (scenarios/SCHEMA.md "images"; sim/image.h).
 * A container image is its layers, base first, as an OCI image manifest
 * lists them [OCI-IMG]: each a content hash and a size, its parent the layer
 * before it.  A layer may name its `parent` (the digest before it): it must
 * be that one, so a file copied from a manifest with a layer missing is an
 * error, not a different image.  A digest names one content: the same digest
 * in two images must have the same sizes.  A VM image is one file and the
 * workload its boot runs (firmware, kernel, init phases).
 * Units: bytes, bit/s, ns.  Images are kept in name order. */
#include "sim/scenario_images.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"

static const char *const image_kinds[] = {"vm", "container"}; /* by sim_image_kind value */

/* The registry's defaults: a registry in the same data center behind a
 * 10 Gbit/s link, one round trip of 1 ms per layer request [HS16]. */
#define DEFAULT_REGISTRY_BPS 10e9
#define DEFAULT_REGISTRY_LATENCY_NS (1 * SIM_MS)

static void load_registry(ctx *C, const sim_yaml_node *r) {
  sim_scenario *s = C->s;
  s->registry_bandwidth_bps = DEFAULT_REGISTRY_BPS;
  s->registry_latency_ns = DEFAULT_REGISTRY_LATENCY_NS;
  if (!r) return;
  sim_schema_set_what(&C->S, "the registry");
  if (!sim_schema_is_map(&C->S, r, "a registry {bandwidth: 1 Gbit/s, latency: 1 ms}")) return;
  static const char *const keys[] = {"bandwidth", "latency"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, r, keys);
  sim_schema_real(&C->S, r, "bandwidth", &s->registry_bandwidth_bps, SIM_UNIT_RATE, 1e-9, 1e15);
  sim_schema_time(&C->S, r, "latency", &s->registry_latency_ns, 0);
}

/* The layer with `digest` among the layers of images 0 .. n-1 of s and the
 * first k of `cur`; NULL: none. */
static const sim_image_layer *known_layer(const sim_scenario *s, size_t n, const sim_image *cur,
                                          size_t k, const char *digest) {
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < s->images[i].n_layers; j++)
      if (!strcmp(s->images[i].layers[j].digest, digest)) return &s->images[i].layers[j];
  for (size_t j = 0; j < k; j++)
    if (!strcmp(cur->layers[j].digest, digest)) return &cur->layers[j];
  return NULL;
}

/* Layer k of container image im from item m. */
static bool read_layer(ctx *C, const sim_yaml_node *m, sim_image *im, size_t k) {
  if (!sim_schema_is_map(&C->S, m, "a layer {digest: sha256:..., size: 30 MB}")) return false;
  static const char *const keys[] = {"digest", "size", "unpacked", "parent"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  sim_image_layer *l = &im->layers[k];
  const sim_yaml_node *dn = sim_schema_need(&C->S, m, "digest");
  const char *digest = dn ? sim_schema_scalar(&C->S, dn, "digest", "a content hash") : NULL;
  sim_schema_need(&C->S, m, "size");
  sim_schema_size(&C->S, m, "size", &l->size_bytes, 1);
  l->unpacked_bytes = l->size_bytes;
  sim_schema_size(&C->S, m, "unpacked", &l->unpacked_bytes, 1);
  if (!digest) return false;
  if (!digest[0]) {
    sim_schema_error(&C->S, dn, "a layer's digest in %s must not be empty", C->S.what);
    return false;
  }
  const sim_yaml_node *pn = sim_schema_opt(m, "parent");
  if (pn) {
    const char *parent = sim_schema_scalar(&C->S, pn, "parent", "the digest of the layer before it");
    const char *before = k ? im->layers[k - 1].digest : NULL;
    if (parent && (!before || strcmp(parent, before))) {
      sim_schema_error(&C->S, pn, "layer '%s' of %s names parent '%s', which is not the layer before it "
                       "(%s%s%s): its layers must be listed base first, none missing",
                       digest, C->S.what, parent, before ? "'" : "", before ? before : "it is the base layer",
                       before ? "'" : "");
      return false;
    }
  }
  const sim_image_layer *seen = known_layer(C->s, C->s->n_images, im, k, digest);
  if (seen && (seen->size_bytes != l->size_bytes || seen->unpacked_bytes != l->unpacked_bytes)) {
    sim_schema_error(&C->S, dn, "layer '%s' of %s has other sizes than the layer of that digest "
                     "before it: a digest names one content", digest, C->S.what);
    return false;
  }
  bool within = false;
  for (size_t j = 0; j < k; j++) within |= !strcmp(im->layers[j].digest, digest);
  if (within) {
    sim_schema_error(&C->S, dn, "layer '%s' appears twice in %s", digest, C->S.what);
    return false;
  }
  return (l->digest = sim_schema_strdup(&C->S, digest)) != NULL;
}

static void read_prepull(ctx *C, const sim_yaml_node *m, sim_image *im) {
  const sim_yaml_node *p = sim_schema_opt(m, "prepull");
  if (!p || !sim_schema_is_seq(&C->S, p, "a list of host names")) return;
  if (!(im->prepull = sim_calloc(p->n ? p->n : 1, sizeof *im->prepull))) {
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t i = 0; i < p->n; i++) {
    const char *h = sim_schema_scalar(&C->S, p->items[i], "prepull", "a host name");
    if (!h) continue;
    long hi = scenario_find_host(C, h);
    if (hi < 0) {
      sim_schema_error(&C->S, p->items[i], "%s is pre-pulled on host '%s', which the scenario lacks",
                       C->S.what, h);
      continue;
    }
    im->prepull[im->n_prepull++] = (uint32_t)hi;
  }
}

static void read_image(ctx *C, const sim_yaml_node *m, sim_image *im) {
  static const char *const keys[] = {"kind", "size", "boot", "layers", "prepull", "source"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  size_t kind = 0;
  sim_schema_need(&C->S, m, "kind");
  if (!sim_schema_enum(&C->S, m, "kind", &(sim_schema_names){image_kinds, 2, "image kind"}, &kind)) return;
  im->kind = (sim_image_kind)kind;
  sim_schema_str(&C->S, m, "source", &im->source);
  read_prepull(C, m, im);
  if (im->kind == SIM_IMAGE_VM) {
    const sim_yaml_node *ln = sim_schema_opt(m, "layers");
    if (ln) sim_schema_error(&C->S, ln, "%s is a VM image: one file ('size'), no 'layers'", C->S.what);
    sim_schema_need(&C->S, m, "size");
    if (!(im->layers = sim_calloc(1, sizeof *im->layers))) {
      sim_schema_nomem(&C->S);
      return;
    }
    sim_image_layer *l = &im->layers[0];
    sim_schema_size(&C->S, m, "size", &l->size_bytes, 1);
    l->unpacked_bytes = l->size_bytes;
    char digest[NAME_MAX_LEN + 8];
    snprintf(digest, sizeof digest, "vm:%s", im->name);
    if (!(l->digest = sim_schema_strdup(&C->S, digest))) return;
    im->n_layers = 1;
    const sim_yaml_node *bn = sim_schema_need(&C->S, m, "boot");
    long wl = bn ? scenario_resolve_workload(C, bn) : -1;
    if (wl >= 0) {
      const sim_workload *w = &C->s->workloads[wl];
      if (w->repeat || w->trace_path || w->requests)
        sim_schema_error(&C->S, bn, "the boot of %s, workload '%s', %s: a boot must end", C->S.what, w->name,
                         w->repeat ? "repeats" : w->trace_path ? "plays a trace" : "serves requests");
      else
        im->boot = (uint32_t)wl + 1;
    }
    return;
  }
  const sim_yaml_node *sz = sim_schema_opt(m, "size");
  if (sz) sim_schema_error(&C->S, sz, "%s is a container image: its size is its layers'", C->S.what);
  const sim_yaml_node *bt = sim_schema_opt(m, "boot");
  if (bt) sim_schema_error(&C->S, bt, "%s is a container image: a container boots no kernel", C->S.what);
  const sim_yaml_node *ls = sim_schema_need(&C->S, m, "layers");
  if (!ls || !sim_schema_is_seq(&C->S, ls, "a list of layers, base first")) return;
  if (!ls->n) {
    sim_schema_error(&C->S, ls, "%s has no layers", C->S.what);
    return;
  }
  if (!(im->layers = sim_calloc(ls->n, sizeof *im->layers))) {
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t k = 0; k < ls->n && !C->S.oom; k++) {
    if (!read_layer(C, ls->items[k], im, im->n_layers)) return;
    im->n_layers++;
  }
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const sim_image *)a)->name, ((const sim_image *)b)->name);
}

void scenario_load_images(ctx *C, const sim_yaml_node *registry, const sim_yaml_node *images) {
  sim_scenario *s = C->s;
  load_registry(C, registry);
  if (!images || !sim_schema_is_map(&C->S, images, "a mapping from image names to images")) return;
  if (!(s->images = sim_calloc(images->n ? images->n : 1, sizeof *s->images))) {
    sim_schema_nomem(&C->S);
    return;
  }
  for (size_t i = 0; i < images->n && !C->S.oom; i++) {
    const sim_yaml_node *k = images->pairs[i].key, *v = images->pairs[i].value;
    sim_schema_set_what(&C->S, "image '%.200s'", k->text);
    if (!k->text[0]) {
      sim_schema_error(&C->S, k, "an image name must not be empty");
      continue;
    }
    if (!sim_schema_is_map(&C->S, v, "an image {kind: container, layers: [...]}")) continue;
    sim_image *im = &s->images[s->n_images++];
    if (!(im->name = sim_schema_strdup(&C->S, k->text))) return;
    read_image(C, v, im);
  }
  if (s->n_images > 1) qsort(s->images, s->n_images, sizeof *s->images, by_name);
}

bool scenario_image_by_name(ctx *C, const sim_yaml_node *m, size_t *k) {
  const sim_scenario *s = C->s;
  const char **names = sim_malloc((s->n_images ? s->n_images : 1) * sizeof *names);
  if (!names) {
    sim_schema_nomem(&C->S);
    return false;
  }
  for (size_t i = 0; i < s->n_images; i++) names[i] = s->images[i].name;
  bool found = sim_schema_enum(&C->S, m, "image", &(sim_schema_names){names, s->n_images, "image"}, k);
  sim_free(names);
  return found;
}

bool scenario_guest_image(ctx *C, const sim_yaml_node *m, sim_guest *g) {
  const sim_scenario *s = C->s;
  const sim_yaml_node *v = sim_schema_opt(m, "image");
  if (!v) return true;
  if (!s->n_images) {
    sim_schema_error(&C->S, v, "%s names image '%s', but the scenario has no images section", C->S.what,
                     v->kind == SIM_YAML_SCALAR ? v->text : "?");
    return false;
  }
  size_t k = 0;
  if (!scenario_image_by_name(C, m, &k)) return false;
  const sim_image *im = &s->images[k];
  bool container = g->kind == SIM_GUEST_CONTAINER;
  if (g->kind == SIM_GUEST_NATIVE || container != (im->kind == SIM_IMAGE_CONTAINER)) {
    sim_schema_error(&C->S, v, "%s is a %s guest, but image '%s' is a %s image", C->S.what,
                     g->kind == SIM_GUEST_VM ? "VM" : container ? "container" : "native", im->name,
                     image_kinds[im->kind]);
    return false;
  }
  g->image = (uint32_t)k + 1;
  return true;
}

void scenario_images_renumber_workloads(sim_scenario *s, const uint32_t *inverse) {
  for (size_t i = 0; i < s->n_images; i++)
    if (s->images[i].boot) s->images[i].boot = inverse[s->images[i].boot - 1] + 1;
}

static void write_quantity(sim_yaml_writer *w, const char *key, sim_unit_kind kind, double v) {
  char buf[64];
  sim_format_quantity(kind, v, buf, sizeof buf);
  sim_yaml_write_kv(w, key, buf);
}

void scenario_write_images(sim_yaml_writer *w, const sim_scenario *s) {
  if (!s->n_images) return;
  sim_yaml_write_scalar(w, "registry");
  sim_yaml_write_map_start(w, true);
  write_quantity(w, "bandwidth", SIM_UNIT_RATE, s->registry_bandwidth_bps);
  write_quantity(w, "latency", SIM_UNIT_TIME, (double)s->registry_latency_ns);
  sim_yaml_write_map_end(w);
  sim_yaml_write_scalar(w, "images");
  sim_yaml_write_map_start(w, false);
  for (size_t i = 0; i < s->n_images; i++) {
    const sim_image *im = &s->images[i];
    sim_yaml_write_scalar(w, im->name);
    sim_yaml_write_map_start(w, false);
    sim_yaml_write_kv(w, "kind", image_kinds[im->kind]);
    if (im->kind == SIM_IMAGE_VM) {
      write_quantity(w, "size", SIM_UNIT_SIZE, (double)im->layers[0].size_bytes);
      if (im->boot) sim_yaml_write_kv(w, "boot", s->workloads[im->boot - 1].name);
    } else {
      sim_yaml_write_scalar(w, "layers");
      sim_yaml_write_seq_start(w, false);
      for (size_t k = 0; k < im->n_layers; k++) {
        sim_yaml_write_map_start(w, true);
        sim_yaml_write_kv(w, "digest", im->layers[k].digest);
        write_quantity(w, "size", SIM_UNIT_SIZE, (double)im->layers[k].size_bytes);
        write_quantity(w, "unpacked", SIM_UNIT_SIZE, (double)im->layers[k].unpacked_bytes);
        sim_yaml_write_map_end(w);
      }
      sim_yaml_write_seq_end(w);
    }
    if (im->n_prepull) {
      sim_yaml_write_scalar(w, "prepull");
      sim_yaml_write_seq_start(w, true);
      for (size_t k = 0; k < im->n_prepull; k++) sim_yaml_write_scalar(w, s->hosts[im->prepull[k]].name);
      sim_yaml_write_seq_end(w);
    }
    if (im->source) sim_yaml_write_kv(w, "source", im->source);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
}

void scenario_write_guest_image(sim_yaml_writer *w, const sim_guest *g, const sim_scenario *s) {
  if (g->image) sim_yaml_write_kv(w, "image", s->images[g->image - 1].name);
}

void scenario_free_images(sim_scenario *s) {
  for (size_t i = 0; i < s->n_images; i++) {
    sim_image *im = &s->images[i];
    for (size_t k = 0; k < im->n_layers; k++) sim_free(im->layers[k].digest);
    sim_free(im->layers);
    sim_free(im->prepull);
    sim_free(im->name);
    sim_free(im->source);
  }
  sim_free(s->images);
}
