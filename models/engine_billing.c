/* models/engine_billing.c: what the run's instances cost (scenarios/SCHEMA.md
 * "instance_types"; DATASETS.md "summary/billing"): each guest with an
 * instance type runs from its arrival (its start) until it departs, or
 * until the run ends: an instance runs, and is paid for, until it is
 * terminated, whether its work is done or not, as EC2 bills a running
 * instance [LECT]; a guest that no host could take never ran and costs
 * nothing.  A member of an elastic service (engine_elastic.c) starts when
 * a scale-out activates it, so its provisioning is billed (a simplification:
 * EC2 bills from the running state, after the image is in place and before
 * the boot [AWS-BILL]), and departs when a scale-in has drained it; a
 * member never activated starts at the run's end and costs nothing.  Its
 * running time is billed by its type's granularity and price
 * (models/billing.c), plus the surplus credits of an unlimited burstable
 * instance (models/engine_instances.c), plus the fee for the bytes its
 * service's requests carried across zones (engine_elastic.c).  The costs are summed per tenant
 * (a guest's `tenant`, by default its own name).
 * Units: s, USD, credits.  Invariants: a tenant's cost is the sum of its
 * instances' rows; rows in guest (name) order, tenants in name order. */
#include <stdlib.h>
#include <string.h>

#include "models/billing.h"
#include "models/engine_internal.h"
#include "sim/alloc.h"

sim_time eng_billing_running_end(const eng_guest *g, sim_time end) {
  if (g->rejected) return g->spec->start_ns;
  if (g->departure_ns >= 0 && g->departure_ns < end) return g->departure_ns;
  return end;
}

/* A tenant's sums. */
typedef struct tenant_sum {
  const char *name;          /* the tenant, or its guest's name */
  int64_t instances;         /* count */
  double running_s;          /* s */
  double cost_usd;           /* USD */
  double transfer_gb;        /* GB (1e9 bytes) across zones */
  double transfer_cost_usd;  /* USD, part of cost_usd */
} tenant_sum;

static int by_name(const void *a, const void *b) {
  return strcmp(((const tenant_sum *)a)->name, ((const tenant_sum *)b)->name);
}

static const sim_column bill_cols[] = {
    {"name", SIM_COL_STR, "", "guest name"},
    {"tenant", SIM_COL_STR, "", "who pays: its tenant, or its own name"},
    {"instance_type", SIM_COL_STR, "", "its instance type"},
    {"host", SIM_COL_STR, "", "host it ran on last"},
    {"billing", SIM_COL_STR, "", "per-hour or per-second"},
    {"running_s", SIM_COL_F64, "s", "from its arrival to its departure or the run's end; 0 if rejected"},
    {"billed_s", SIM_COL_F64, "s", "running time as billed: started hours, or seconds with the minimum"},
    {"price_per_hour_usd", SIM_COL_F64, "USD/h", "its instance type's price"},
    {"instance_cost_usd", SIM_COL_F64, "USD", "billed_s / 3600 x price_per_hour_usd"},
    {"surplus_credits", SIM_COL_F64, "credits", "surplus CPU credits billed (unlimited burstable)"},
    {"surplus_cost_usd", SIM_COL_F64, "USD", "surplus_credits / 60 x the surplus price per vCPU-hour"},
    {"cost_usd", SIM_COL_F64, "USD", "instance_cost_usd + surplus_cost_usd + transfer_cost_usd"},
    {"transfer_gb", SIM_COL_F64, "GB", "its service's request and response bytes across zones, GB of 1e9 bytes"},
    {"transfer_cost_usd", SIM_COL_F64, "USD", "transfer_gb x its service's inter_zone_per_gb"},
};

static const sim_column tenant_cols[] = {
    {"tenant", SIM_COL_STR, "", "tenant (a guest's own name when it has none)"},
    {"instances", SIM_COL_I64, "1", "its instances"},
    {"running_s", SIM_COL_F64, "s", "their running times, summed"},
    {"cost_usd", SIM_COL_F64, "USD", "their costs, summed"},
    {"transfer_gb", SIM_COL_F64, "GB", "their bytes across zones, summed"},
    {"transfer_cost_usd", SIM_COL_F64, "USD", "their transfer costs, summed"},
};

int eng_billing_write(eng *e, sim_time end) {
  const sim_scenario *sc = e->sc;
  size_t n = 0;
  for (size_t gi = 0; gi < sc->n_guests; gi++) n += sc->guests[gi].instance_type != 0;
  if (!n) return 0;
  sim_table *t = sim_recorder_table(e->rec, "summary/billing", "per instance: running time and cost",
                                    sizeof bill_cols / sizeof bill_cols[0], bill_cols);
  sim_table *tt = sim_recorder_table(e->rec, "summary/tenants", "per tenant: instances and cost",
                                     sizeof tenant_cols / sizeof tenant_cols[0], tenant_cols);
  tenant_sum *sums = sim_calloc(n, sizeof *sums);
  if (!t || !tt || !sums) {
    sim_free(sums);
    return -1;
  }
  size_t n_sums = 0;
  int rc = 0;
  for (size_t gi = 0; gi < sc->n_guests && rc >= 0; gi++) {
    const eng_guest *g = &e->guests[gi];
    if (!g->spec->instance_type) continue;
    const sim_instance_type *type = &sc->instance_types[g->spec->instance_type - 1];
    sim_time stop = eng_billing_running_end(g, end);
    double running = stop > g->spec->start_ns ? sim_time_to_s(stop - g->spec->start_ns) : 0;
    double surplus = eng_instances_surplus(e, (uint32_t)gi);
    double cost = billing_instance_cost(type, running), surplus_cost = billing_surplus_cost(type, surplus);
    const char *tenant = g->spec->tenant ? sc->tenants[g->spec->tenant - 1] : g->spec->name;
    double transfer_cost = 0, transfer_bytes = eng_elastic_transfer(e, gi, &transfer_cost);
    double total = cost + surplus_cost + transfer_cost;
    sim_cell row[14];
    row[0].s = g->spec->name;
    row[1].s = tenant;
    row[2].s = type->name;
    row[3].s = g->rejected ? "" : g->host->spec->name;
    row[4].s = type->billing == SIM_BILL_PER_HOUR ? "per-hour" : "per-second";
    row[5].f = running;
    row[6].f = billing_billed_s(type->billing, sim_time_to_s(type->minimum_ns), running);
    row[7].f = type->price_per_hour;
    row[8].f = cost;
    row[9].f = surplus;
    row[10].f = surplus_cost;
    row[11].f = total;
    row[12].f = transfer_bytes * 1e-9;
    row[13].f = transfer_cost;
    rc = sim_table_append(t, row);
    size_t k = 0;
    while (k < n_sums && strcmp(sums[k].name, tenant)) k++;
    if (k == n_sums) sums[n_sums++].name = tenant;
    sums[k].instances++;
    sums[k].running_s += running;
    sums[k].cost_usd += total;
    sums[k].transfer_gb += transfer_bytes * 1e-9;
    sums[k].transfer_cost_usd += transfer_cost;
  }
  qsort(sums, n_sums, sizeof *sums, by_name);
  for (size_t k = 0; k < n_sums && rc >= 0; k++) {
    sim_cell row[6] = {{.s = sums[k].name},     {.i = sums[k].instances},   {.f = sums[k].running_s},
                       {.f = sums[k].cost_usd}, {.f = sums[k].transfer_gb}, {.f = sums[k].transfer_cost_usd}};
    rc = sim_table_append(tt, row);
  }
  sim_free(sums);
  return rc < 0 ? rc : 0;
}
