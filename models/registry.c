/* models/registry.c: the model catalog (see registry.h).  The rows'
 * order is the order names are listed in messages. */
#include "models/registry.h"

#include <string.h>

#include "models/autoscale.h"
#include "models/balancer.h"
#include "models/datacenter.h"
#include "models/dvfs.h"
#include "models/io.h"
#include "models/migration.h"
#include "models/scheduler.h"
#include "models/techniques.h"

static const model_entry catalog[] = {
    /* virtualization techniques (models/techniques.h), each with the I/O
     * path its guests use unless they name one (scenarios/SCHEMA.md "guests") */
    {MODEL_TECHNIQUE, &technique_native_ops, &iopath_native_ops, SIM_GUEST_NATIVE},
    {MODEL_TECHNIQUE, &technique_container_ops, &iopath_bridge_ops, SIM_GUEST_CONTAINER},
    {MODEL_TECHNIQUE, &technique_bt_ops, &iopath_emulated_ops, SIM_GUEST_VM},
    {MODEL_TECHNIQUE, &technique_pv_ops, &iopath_pv_ops, SIM_GUEST_VM},
    {MODEL_TECHNIQUE, &technique_hvm_ops, &iopath_emulated_ops, SIM_GUEST_VM},
    {MODEL_TECHNIQUE, &technique_hvm_ept_ops, &iopath_virtio_ops, SIM_GUEST_VM},
    /* CPU schedulers (models/scheduler.h) */
    {MODEL_SCHEDULER, &sched_rr_ops, NULL, SIM_GUEST_VM},
    {MODEL_SCHEDULER, &sched_credit_ops, NULL, SIM_GUEST_VM},
    {MODEL_SCHEDULER, &sched_credit2_ops, NULL, SIM_GUEST_VM},
    {MODEL_SCHEDULER, &sched_cfs_ops, NULL, SIM_GUEST_VM},
    /* I/O paths (models/io.h) */
    {MODEL_IO_PATH, &iopath_emulated_ops, NULL, SIM_GUEST_VM},
    {MODEL_IO_PATH, &iopath_pv_ops, NULL, SIM_GUEST_VM},
    {MODEL_IO_PATH, &iopath_virtio_ops, NULL, SIM_GUEST_VM},
    {MODEL_IO_PATH, &iopath_passthrough_ops, NULL, SIM_GUEST_VM},
    {MODEL_IO_PATH, &iopath_bridge_ops, NULL, SIM_GUEST_VM},
    {MODEL_IO_PATH, &iopath_nat_ops, NULL, SIM_GUEST_VM},
    {MODEL_IO_PATH, &iopath_native_ops, NULL, SIM_GUEST_VM},
    /* live migration strategies (models/migration.h); the first is the
     * default of a migration without `strategy` */
    {MODEL_MIGRATION, &migration_precopy_ops, NULL, SIM_GUEST_VM},
    {MODEL_MIGRATION, &migration_stopcopy_ops, NULL, SIM_GUEST_VM},
    {MODEL_MIGRATION, &migration_postcopy_ops, NULL, SIM_GUEST_VM},
    {MODEL_MIGRATION, &migration_container_ops, NULL, SIM_GUEST_VM},
    /* data-center placement ([BB12]; models/datacenter.h), initial and of
     * migrated VMs; the first is the default of a `datacenter` section */
    {MODEL_PLACEMENT, &placement_pabfd_ops, NULL, SIM_GUEST_VM},
    {MODEL_PLACEMENT, &placement_first_fit_ops, NULL, SIM_GUEST_VM},
    {MODEL_PLACEMENT, &placement_best_fit_ops, NULL, SIM_GUEST_VM},
    {MODEL_PLACEMENT, &placement_worst_fit_ops, NULL, SIM_GUEST_VM},
    {MODEL_PLACEMENT, &placement_random_ops, NULL, SIM_GUEST_VM},
    /* overload detection; the first is the default */
    {MODEL_OVERLOAD, &overload_thr_ops, NULL, SIM_GUEST_VM},
    {MODEL_OVERLOAD, &overload_iqr_ops, NULL, SIM_GUEST_VM},
    {MODEL_OVERLOAD, &overload_mad_ops, NULL, SIM_GUEST_VM},
    {MODEL_OVERLOAD, &overload_lr_ops, NULL, SIM_GUEST_VM},
    {MODEL_OVERLOAD, &overload_lrr_ops, NULL, SIM_GUEST_VM},
    /* underload detection */
    {MODEL_UNDERLOAD, &underload_least_utilized_ops, NULL, SIM_GUEST_VM},
    /* VM selection; the first is the default */
    {MODEL_VM_SELECTION, &vmselect_mmt_ops, NULL, SIM_GUEST_VM},
    {MODEL_VM_SELECTION, &vmselect_mc_ops, NULL, SIM_GUEST_VM},
    {MODEL_VM_SELECTION, &vmselect_mu_ops, NULL, SIM_GUEST_VM},
    {MODEL_VM_SELECTION, &vmselect_rs_ops, NULL, SIM_GUEST_VM},
    /* host power models */
    {MODEL_POWER, &power_linear_ops, NULL, SIM_GUEST_VM},
    {MODEL_POWER, &power_cubic_ops, NULL, SIM_GUEST_VM},
    {MODEL_POWER, &power_specpower_ops, NULL, SIM_GUEST_VM},
    {MODEL_POWER, &power_hp_ml110_g4_ops, NULL, SIM_GUEST_VM},
    {MODEL_POWER, &power_hp_ml110_g5_ops, NULL, SIM_GUEST_VM},
    /* DVFS governors (models/dvfs.h) */
    {MODEL_GOVERNOR, &dvfs_performance_ops, NULL, SIM_GUEST_VM},
    {MODEL_GOVERNOR, &dvfs_powersave_ops, NULL, SIM_GUEST_VM},
    {MODEL_GOVERNOR, &dvfs_ondemand_ops, NULL, SIM_GUEST_VM},
    {MODEL_GOVERNOR, &dvfs_conservative_ops, NULL, SIM_GUEST_VM},
};
#define CATALOG_ROWS (sizeof catalog / sizeof catalog[0])

/* elastic services' load balancers (models/balancer.h); the first is the default */
static const balancer_ops *const balancer_catalog[] = {&lb_round_robin_ops, &lb_least_outstanding_ops};
/* autoscaling policies (models/autoscale.h) */
static const autoscale_ops *const autoscale_catalog[] = {&autoscale_target_tracking_ops, &autoscale_step_ops,
                                                         &autoscale_scheduled_ops};
#define BALANCERS (sizeof balancer_catalog / sizeof balancer_catalog[0])
#define AUTOSCALERS (sizeof autoscale_catalog / sizeof autoscale_catalog[0])

const balancer_ops *model_balancer(const char *name) {
  for (size_t i = 0; i < BALANCERS; i++)
    if (!strcmp(balancer_catalog[i]->name, name)) return balancer_catalog[i];
  return NULL;
}

const autoscale_ops *model_autoscale(const char *name) {
  for (size_t i = 0; i < AUTOSCALERS; i++)
    if (!strcmp(autoscale_catalog[i]->name, name)) return autoscale_catalog[i];
  return NULL;
}

const char *model_entry_name(const model_entry *e) {
  switch (e->kind) {
    case MODEL_TECHNIQUE: return ((const technique_ops *)e->ops)->name;
    case MODEL_SCHEDULER: return ((const scheduler_ops *)e->ops)->name;
    case MODEL_MIGRATION: return ((const migration_ops *)e->ops)->name;
    case MODEL_IO_PATH: return ((const iopath_ops *)e->ops)->name;
    case MODEL_PLACEMENT: return ((const dc_placement_ops *)e->ops)->name;
    case MODEL_OVERLOAD: return ((const dc_overload_ops *)e->ops)->name;
    case MODEL_UNDERLOAD: return ((const dc_underload_ops *)e->ops)->name;
    case MODEL_VM_SELECTION: return ((const dc_vmselect_ops *)e->ops)->name;
    case MODEL_POWER: return ((const dc_power_ops *)e->ops)->name;
    case MODEL_GOVERNOR: return ((const dvfs_governor_ops *)e->ops)->name;
  }
  return NULL;
}

const model_entry *model_find(model_kind kind, const char *name) {
  for (size_t i = 0; i < CATALOG_ROWS; i++)
    if (catalog[i].kind == kind && !strcmp(model_entry_name(&catalog[i]), name)) return &catalog[i];
  return NULL;
}

const void *model_ops(model_kind kind, const char *name) {
  const model_entry *e = model_find(kind, name);
  return e ? e->ops : NULL;
}

size_t model_names(model_kind kind, const char **names, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < CATALOG_ROWS; i++)
    if (catalog[i].kind == kind) {
      if (n < max) names[n] = model_entry_name(&catalog[i]);
      n++;
    }
  return n;
}

const model_entry *model_catalog(size_t *n) {
  *n = CATALOG_ROWS;
  return catalog;
}

/* ---- the vocabulary ---- */

static const model_kind kind_of_vocab[SIM_VOCAB_KINDS] = {
    MODEL_TECHNIQUE, MODEL_IO_PATH,      MODEL_SCHEDULER, MODEL_MIGRATION, MODEL_PLACEMENT,
    MODEL_OVERLOAD,  MODEL_UNDERLOAD,    MODEL_VM_SELECTION, MODEL_POWER,  MODEL_POWER,
    MODEL_POWER,
    MODEL_GOVERNOR};

/* Whether row e is a word of vocabulary kind vk: power models are split by
 * the keys they take (scenarios/SCHEMA.md "power"). */
static bool in_vocab(const model_entry *e, sim_vocab_kind vk) {
  if (e->kind != kind_of_vocab[vk]) return false;
  if (e->kind != MODEL_POWER) return true;
  dc_power_form form = ((const dc_power_ops *)e->ops)->form;
  return (vk == SIM_VOCAB_POWER_IDLE_MAX && form == DC_POWER_IDLE_MAX) ||
         (vk == SIM_VOCAB_POWER_TABLE && form == DC_POWER_TABLE) ||
         (vk == SIM_VOCAB_POWER_SHIPPED && form == DC_POWER_SHIPPED);
}

/* The words of the services section's kinds (sim/scenario_services.h):
 * balancers, and autoscaling policies by the keys they take. */
static bool service_word(sim_vocab_kind vk, size_t i, sim_vocab_word *out) {
  const char *name = NULL;
  if (vk == SIM_VOCAB_BALANCER && i < BALANCERS) name = balancer_catalog[i]->name;
  for (size_t r = 0; vk != SIM_VOCAB_BALANCER && r < AUTOSCALERS && !name; r++)
    if ((int)autoscale_catalog[r]->keys == (int)(vk - SIM_VOCAB_AUTOSCALE_TARGET) && i-- == 0)
      name = autoscale_catalog[r]->name;
  if (!name) return false;
  *out = (sim_vocab_word){name, NULL, SIM_GUEST_VM};
  return true;
}

static bool catalog_word(sim_vocab_kind vk, size_t i, sim_vocab_word *out) {
  if (vk >= SIM_VOCAB_KINDS) return service_word(vk, i, out);
  for (size_t r = 0; r < CATALOG_ROWS; r++) {
    if (!in_vocab(&catalog[r], vk) || i-- > 0) continue;
    const model_entry *e = &catalog[r];
    *out = (sim_vocab_word){model_entry_name(e), NULL, e->guest_kind};
    if (e->default_io_path) out->default_io_path = e->default_io_path->name;
    return true;
  }
  return false;
}

sim_vocabulary model_vocabulary(const sim_data_path *data_path) {
  return (sim_vocabulary){catalog_word, data_path};
}
