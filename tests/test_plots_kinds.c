/* tests/test_plots_kinds.c: the plot kinds latency, heatmap, energy and
 * timeline, the cdf's pooling of replications, and, for every kind, that no
 * legend covers data: each rendered from small HDF5 results written here
 * with the recorder (a consolidation run, a sweep summary, replications of
 * a request-driven run), checked for output format, counts of what was
 * drawn, colours of known values, and refusals (exit status 2) naming what
 * is missing; the power heatmap on scenarios/google-day.yaml, its cells
 * against time-weighted means computed from the HDF5 rows. */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/run.h"
#include "plots/canvas.h"
#include "plots/plot.h"
#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/cli/cli_plot.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"
#include "tests/test_data.h"

static char tmpdir[64];

static void path_in_tmp(char *buf, size_t size, const char *name) {
  snprintf(buf, size, "%s/%s", tmpdir, name);
}

#define SHIPPED_ORDER "native,container,bt,pv,hvm,hvm-ept"
#define INTERVAL_S 300.0 /* the consolidation run's sample interval */
#define SAMPLES 48       /* its samples: four hours */

static sim_recorder *new_recorder(const char *scenario, int run, const char *resolved) {
  sim_record_config cfg = {(sim_time)(INTERVAL_S * 1e9), 1, 1, NULL, 0, 1};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_recorder_attr_str(rec, "scenario_name", scenario);
  sim_recorder_attr_i64(rec, "run_index", run);
  sim_recorder_attr_str(rec, "techniques", SHIPPED_ORDER);
  sim_recorder_attr_str(rec, "calibration_name", "test-profile");
  sim_recorder_attr_i64(rec, "sample_interval_ns", (int64_t)(INTERVAL_S * 1e9));
  if (resolved) sim_recorder_attr_str(rec, "scenario_resolved", resolved);
  return rec;
}

static void write_rec(sim_recorder *rec, const char *path) {
  sim_diag d;
  sim_diag_init(&d);
  int rc = sim_recorder_write(rec, path, &d);
  if (rc) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
}

static sim_table *table(sim_recorder *rec, const char *path, size_t n, const sim_column *cols) {
  sim_table *t = sim_recorder_table(rec, path, path, n, cols);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  return t;
}

/* ---- a consolidation run ----
 * Hosts h0..h3 of 4 cores; guests v0..v5.  v0 takes 2 CPUs on h0 (50%); v5
 * takes 1 CPU on h3 (25%) until it moves to h0 halfway (h0 then 75%).  It
 * also holds what the older kinds read (summary/guests, io/requests, a
 * scripted migration's summary and rounds, the cpu_share series), so one
 * file serves every kind of the legend test. */
static const char *const host_names[4] = {"h0", "h1", "h2", "h3"};
static const char *const guest_names[6] = {"v0", "v1", "v2", "v3", "v4", "v5"};
static const char *const guest_tech[6] = {"pv", "hvm-ept", "container", "pv", "hvm-ept", "container"};
static const int guest_host[6] = {0, 1, 1, 2, 2, 3};
static const double guest_share[6] = {2.0, 0.4, 0.4, 0.8, 0.8, 1.0};

static void write_dc(const char *path, int run, const char *selection, double threshold,
                     double energy) {
  char resolved[256];
  snprintf(resolved, sizeof resolved,
           "name: dc\nseed: %d\nrun_index: %d\ndatacenter: {threshold: %g, vm_selection: %s}\n",
           run + 1, run, threshold, selection);
  sim_recorder *rec = new_recorder("dc", run, resolved);
  int32_t hid[4], gid[6];
  for (int h = 0; h < 4; h++) hid[h] = sim_recorder_entity(rec, "host", host_names[h], -1);
  for (int g = 0; g < 6; g++) gid[g] = sim_recorder_entity(rec, "guest", guest_names[g], hid[guest_host[g]]);
  sim_recorder_entity(rec, "migration", "m0", gid[0]);
  sim_column hc[2] = {{"name", SIM_COL_STR, "", "host"}, {"cores", SIM_COL_I64, "1", "cores"}};
  sim_table *hosts = table(rec, "summary/hosts", 2, hc);
  for (int h = 0; h < 4; h++) sim_table_append(hosts, (sim_cell[]){{.s = host_names[h]}, {.i = 4}});
  static const char *const mech[7] = {"cycles_guest",     "cycles_trap",      "cycles_translate",
                                      "cycles_pagewalk",  "cycles_hypercall", "cycles_hypervisor",
                                      "cycles_io"};
  sim_column gc[12] = {{"name", SIM_COL_STR, "", ""},
                       {"technique", SIM_COL_STR, "", ""},
                       {"workload", SIM_COL_STR, "", ""},
                       {"relative_to_native", SIM_COL_F64, "1", ""},
                       {"cycles_total", SIM_COL_F64, "cycles", ""}};
  for (int m = 0; m < 7; m++) gc[5 + m] = (sim_column){mech[m], SIM_COL_F64, "cycles", ""};
  sim_table *guests = table(rec, "summary/guests", 12, gc);
  for (int g = 0; g < 6; g++) {
    sim_cell row[12] = {{.s = guest_names[g]}, {.s = guest_tech[g]}, {.s = g % 2 ? "web" : "batch"},
                        {.f = 0.8 + 0.02 * g}, {.f = 1.6e9}};
    for (int m = 0; m < 7; m++) row[5 + m].f = m ? 1e8 : 1e9;
    sim_table_append(guests, row);
  }
  int share = sim_recorder_signal(rec, "cpu_share", "1", "CPUs obtained");
  for (int k = 1; k <= SAMPLES; k++)
    for (int g = 0; g < 6; g++)
      sim_emit(rec, share, gid[g], (sim_time)(k * INTERVAL_S * 1e9), guest_share[g]);
  sim_column pc[3] = {{"time_s", SIM_COL_F64, "s", ""}, {"guest", SIM_COL_STR, "", ""},
                      {"host", SIM_COL_STR, "", ""}};
  sim_table *place = table(rec, "datacenter/placement", 3, pc);
  for (int g = 0; g < 6; g++)
    sim_table_append(place, (sim_cell[]){{.f = 0}, {.s = guest_names[g]}, {.s = host_names[guest_host[g]]}});
  sim_table_append(place, (sim_cell[]){{.f = SAMPLES / 2 * INTERVAL_S}, {.s = "v5"}, {.s = "h0"}});
  sim_column dc[9] = {{"energy_kwh", SIM_COL_F64, "kWh", ""}, {"slatah", SIM_COL_F64, "1", ""},
                      {"pdm", SIM_COL_F64, "1", ""},         {"slav", SIM_COL_F64, "1", ""},
                      {"placement", SIM_COL_STR, "", ""},    {"overload", SIM_COL_STR, "", ""},
                      {"threshold", SIM_COL_F64, "1", ""},   {"safety", SIM_COL_F64, "1", ""},
                      {"vm_selection", SIM_COL_STR, "", ""}};
  sim_table *sum = table(rec, "summary/datacenter", 9, dc);
  sim_table_append(sum, (sim_cell[]){{.f = energy}, {.f = 0.02}, {.f = 0.001}, {.f = 2e-5},
                                     {.s = "pabfd"}, {.s = "thr"}, {.f = threshold}, {.f = 0},
                                     {.s = selection}});
  sim_column mc[8] = {{"start_s", SIM_COL_F64, "s", ""},     {"guest", SIM_COL_STR, "", ""},
                      {"reason", SIM_COL_STR, "", ""},       {"source", SIM_COL_STR, "", ""},
                      {"destination", SIM_COL_STR, "", ""},  {"bytes", SIM_COL_F64, "bytes", ""},
                      {"duration_s", SIM_COL_F64, "s", ""},  {"downtime_s", SIM_COL_F64, "s", ""}};
  sim_table *migs = table(rec, "datacenter/migrations", 8, mc);
  sim_table_append(migs, (sim_cell[]){{.f = 3600}, {.s = "v1"}, {.s = "overload"}, {.s = "h1"},
                                      {.s = "h0"}, {.f = 1e9}, {.f = 600}, {.f = 60}});
  sim_table_append(migs, (sim_cell[]){{.f = 7200}, {.s = "v5"}, {.s = "underload"}, {.s = "h3"},
                                      {.s = "h0"}, {.f = 1e9}, {.f = 900}, {.f = 30}});
  sim_table_append(migs, (sim_cell[]){{.f = 9000}, {.s = "v1"}, {.s = "overload"}, {.s = "h0"},
                                      {.s = "h2"}, {.f = 1e9}, {.f = 300}, {.f = 20}});
  /* request latencies (cdf) */
  sim_column qc[2] = {{"guest", SIM_COL_STR, "", ""}, {"latency_s", SIM_COL_F64, "s", ""}};
  sim_table *req = table(rec, "io/requests", 2, qc);
  for (int i = 0; i < 300; i++)
    sim_table_append(req, (sim_cell[]){{.s = guest_names[i % 3]}, {.f = 1e-3 * (1 + i % 29)}});
  /* a scripted migration: what the migration kind reads */
  sim_column rc[7] = {{"migration", SIM_COL_STR, "", ""}, {"round", SIM_COL_I64, "1", ""},
                      {"start_s", SIM_COL_F64, "s", ""},  {"duration_s", SIM_COL_F64, "s", ""},
                      {"bytes", SIM_COL_F64, "bytes", ""}, {"rate_bps", SIM_COL_F64, "bit/s", ""},
                      {"dirty_rate_bps", SIM_COL_F64, "bit/s", ""}};
  sim_table *rounds = table(rec, "migration/rounds", 7, rc);
  for (int i = 0; i < 3; i++)
    sim_table_append(rounds, (sim_cell[]){{.s = "m0"}, {.i = i}, {.f = 100 + 30.0 * i},
                                          {.f = i == 2 ? 0.2 : 30}, {.f = 1e8}, {.f = 1e8},
                                          {.f = 5e7}});
  sim_column sc[8] = {{"migration", SIM_COL_STR, "", ""},   {"guest", SIM_COL_STR, "", ""},
                      {"strategy", SIM_COL_STR, "", ""},    {"source", SIM_COL_STR, "", ""},
                      {"destination", SIM_COL_STR, "", ""}, {"total_time_s", SIM_COL_F64, "s", ""},
                      {"downtime_s", SIM_COL_F64, "s", ""}, {"status", SIM_COL_STR, "", ""}};
  sim_table *ms = table(rec, "migration/summary", 8, sc);
  sim_table_append(ms, (sim_cell[]){{.s = "m0"}, {.s = "v0"}, {.s = "precopy"}, {.s = "h0"},
                                    {.s = "h1"}, {.f = 60.2}, {.f = 0.2}, {.s = "complete"}});
  write_rec(rec, path);
}

/* ---- a sweep summary over an arrival rate ----
 * Three techniques at four loads, p99 rising steeply near saturation. */
static const char *const techs3[3] = {"container", "pv", "hvm-ept"};
#define RATE_PATH "workloads.web.requests.arrivals.rate"

static void write_sweep_summary(const char *path, int with_requests) {
  sim_record_config cfg = {SIM_MS, 0, 1, NULL, 0, 1};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_recorder_attr_str(rec, "sweep_params", RATE_PATH);
  sim_recorder_attr_str(rec, "techniques", SHIPPED_ORDER);
  sim_column c[18] = {{"point", SIM_COL_I64, "1", ""},
                      {"point_name", SIM_COL_STR, "", ""},
                      {RATE_PATH, SIM_COL_F64, "Hz", ""},
                      {"guest", SIM_COL_STR, "", ""},
                      {"technique", SIM_COL_STR, "", ""},
                      {"relative_to_native_mean", SIM_COL_F64, "1", ""},
                      {"relative_to_native_ci95", SIM_COL_F64, "1", ""},
                      {"datacenter_energy_kwh_mean", SIM_COL_F64, "kWh", ""},
                      {"datacenter_energy_kwh_ci95", SIM_COL_F64, "kWh", ""},
                      {"datacenter_slav_mean", SIM_COL_F64, "1", ""},
                      {"datacenter_slav_ci95", SIM_COL_F64, "1", ""},
                      {"datacenter_slatah_mean", SIM_COL_F64, "1", ""},
                      {"datacenter_slatah_ci95", SIM_COL_F64, "1", ""},
                      {"datacenter_pdm_mean", SIM_COL_F64, "1", ""},
                      {"datacenter_pdm_ci95", SIM_COL_F64, "1", ""},
                      {"requests_p50_s_mean", SIM_COL_F64, "s", ""},
                      {"requests_p50_s_ci95", SIM_COL_F64, "s", ""},
                      {"requests_p99_s_mean", SIM_COL_F64, "s", ""}};
  sim_column all[19];
  memcpy(all, c, sizeof c);
  all[18] = (sim_column){"requests_p99_s_ci95", SIM_COL_F64, "s", ""};
  sim_table *t = table(rec, "points", with_requests ? 19 : 15, all);
  for (int p = 0; p < 4; p++)
    for (int k = 0; k < 3; k++) {
      double rate = 1000.0 * (p + 1), rho = rate / 5000.0, base = 2e-4 * (1 + 0.1 * k);
      sim_cell row[19] = {{.i = p},
                          {.s = ""},
                          {.f = rate},
                          {.s = techs3[k]},
                          {.s = techs3[k]},
                          {.f = 0.9 - 0.1 * k},
                          {.f = 0.01},
                          {.f = 10 + p},
                          {.f = 0.3},
                          {.f = 1e-5 * (p + 1)},
                          {.f = 1e-6},
                          {.f = 0.01 * (p + 1)},
                          {.f = 0.001},
                          {.f = 0.001},
                          {.f = 1e-4},
                          {.f = base / (1 - rho)},
                          {.f = base * 0.02},
                          {.f = 4.6 * base / (1 - rho)},
                          {.f = 0.1 * base / (1 - rho)}};
      sim_table_append(t, row);
    }
  write_rec(rec, path);
}

/* ---- replications of a request-driven run ---- */
static void write_replication(const char *path, int run, const char *scenario_extra) {
  char resolved[256];
  snprintf(resolved, sizeof resolved, "name: web\nsimulation:\n  seed: %d\n  run_index: %d\n%s",
           7 + run, run, scenario_extra);
  sim_recorder *rec = new_recorder("web", run, resolved);
  sim_column gc[3] = {{"name", SIM_COL_STR, "", ""}, {"technique", SIM_COL_STR, "", ""},
                      {"workload", SIM_COL_STR, "", ""}};
  sim_table *guests = table(rec, "summary/guests", 3, gc);
  sim_table_append(guests, (sim_cell[]){{.s = "web-pv"}, {.s = "pv"}, {.s = "web"}});
  sim_table_append(guests, (sim_cell[]){{.s = "web-ct"}, {.s = "container"}, {.s = "web"}});
  sim_column lc[2] = {{"guest", SIM_COL_STR, "", ""}, {"response_ns", SIM_COL_I64, "ns", ""}};
  sim_table *lat = table(rec, "requests/latency", 2, lc);
  for (int i = 0; i < 2000; i++) /* each run its own spread: a band of visible width */
    sim_table_append(lat, (sim_cell[]){{.s = i % 2 ? "web-pv" : "web-ct"},
                                       {.i = (int64_t)(2e5 * (1 + i % 2) * (1 + (i % 97) / 20.0) *
                                                       (1 + 0.15 * run))}});
  write_rec(rec, path);
}

/* ---- checks ---- */

/* The output's first bytes name its format. */
static void check_magic(const char *path, const char *magic) {
  FILE *f = fopen(path, "rb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char buf[16] = {0};
  size_t got = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  CU_ASSERT(got > strlen(magic) && strstr(buf, magic) != NULL);
}

static void check_formats(plot_kind kind, const char *const *files, size_t n, const plot_options *o,
                          const char *stem) {
  static const char *const ext[3] = {"png", "svg", "pdf"};
  static const char *const magic[3] = {"PNG", "<?xml", "%PDF"};
  for (int f = 0; f < 3; f++) {
    char out[160], name[64];
    snprintf(name, sizeof name, "%s.%s", stem, ext[f]);
    path_in_tmp(out, sizeof out, name);
    plot_report rep;
    sim_diag d;
    sim_diag_init(&d);
    CU_ASSERT_EQUAL(plot_files(kind, files, n, o, out, &rep, &d), 0);
    if (d.errors) sim_diag_print(&d, stderr);
    CU_ASSERT_EQUAL(rep.text_outside, 0);
    CU_ASSERT_EQUAL(rep.text_overlaps, 0);
    CU_ASSERT_EQUAL(rep.legend_covers, 0);
    check_magic(out, magic[f]);
    sim_diag_clear(&d);
  }
}

/* Draws and expects PLOT_EINPUT with a message holding `words`. */
static void check_refused(plot_kind kind, const char *const *files, size_t n, const plot_options *o,
                          const char *words) {
  char out[160];
  path_in_tmp(out, sizeof out, "refused.png");
  unlink(out);
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(plot_files(kind, files, n, o, out, NULL, &d), PLOT_EINPUT);
  CU_ASSERT(d.errors >= 1 && strstr(d.entries[0].message, words) != NULL);
  if (!(d.errors >= 1 && strstr(d.entries[0].message, words)))
    fprintf(stderr, "expected '%s' in: %s\n", words, d.errors ? d.entries[0].message : "(none)");
  CU_ASSERT_NOT_EQUAL(access(out, F_OK), 0); /* nothing written */
  sim_diag_clear(&d);
}

static int run_cli(const char *const *args, int n) {
  char *argv[16];
  for (int i = 0; i < n; i++) argv[i] = (char *)args[i];
  argv[n] = NULL;
  return cli_plot(n, argv);
}

/* Pixels whose colour is c within 2/255 per channel. */
static long count_colour(cairo_surface_t *img, plot_rgb c) {
  unsigned char *px = cairo_image_surface_get_data(img);
  int stride = cairo_image_surface_get_stride(img);
  int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
  long n = 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const unsigned char *p = px + y * stride + 4 * x; /* BGRA in memory */
      if (fabs(p[2] - c.r * 255) <= 2 && fabs(p[1] - c.g * 255) <= 2 && fabs(p[0] - c.b * 255) <= 2)
        n++;
    }
  return n;
}

/* ---- the kinds ---- */

static void test_latency(void) {
  char in[128], bare[128], dc[128];
  path_in_tmp(in, sizeof in, "sweep-summary.h5");
  path_in_tmp(bare, sizeof bare, "sweep-no-requests.h5");
  path_in_tmp(dc, sizeof dc, "dc-for-latency.h5");
  write_sweep_summary(in, 1);
  write_sweep_summary(bare, 0);
  write_dc(dc, 0, "mmt", 0.8, 15);
  plot_options o;
  plot_options_init(&o);
  const char *files[1] = {in};
  check_formats(PLOT_LATENCY, files, 1, &o, "latency");
  plot_report rep;
  sim_diag d;
  sim_diag_init(&d);
  plot_canvas *c = NULL;
  sim_result *r = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_open(in, &r, &d), 0);
  CU_ASSERT_EQUAL(plot_draw(PLOT_LATENCY, &r, 1, &o, &c, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.lines, 6); /* p50 and p99 of three techniques */
  CU_ASSERT_EQUAL(rep.style_clashes, 0);
  plot_canvas_free(c);
  sim_result_close(r);
  sim_diag_clear(&d);
  const char *nope[1] = {bare};
  check_refused(PLOT_LATENCY, nope, 1, &o, "served no requests");
  const char *run[1] = {dc};
  check_refused(PLOT_LATENCY, run, 1, &o, "not a sweep summary");
  const char *two[2] = {in, in};
  check_refused(PLOT_LATENCY, two, 2, &o, "one sweep summary");
  char out[160];
  path_in_tmp(out, sizeof out, "latency-cli.png");
  const char *cli_bad[] = {"plot", "latency", dc, "-o", out};
  CU_ASSERT_EQUAL(run_cli(cli_bad, 5), 2);
  const char *cli_ok[] = {"plot", "latency", in, "-o", out};
  CU_ASSERT_EQUAL(run_cli(cli_ok, 5), 0);
}

static void test_heatmap(void) {
  char in[128], dc_noseries[128];
  path_in_tmp(in, sizeof in, "dc-heat.h5");
  path_in_tmp(dc_noseries, sizeof dc_noseries, "sweep-for-heat.h5");
  write_dc(in, 0, "mmt", 0.8, 15);
  write_sweep_summary(dc_noseries, 1);
  plot_options o;
  plot_options_init(&o);
  const char *files[1] = {in};
  check_formats(PLOT_HEATMAP, files, 1, &o, "heatmap");
  /* the known utilisations in viridis: h3 at 25% until v5 leaves, h0 at 50%
   * then 75% (viridis at 2/8, 4/8 and 6/8 are table entries) */
  char out[160];
  path_in_tmp(out, sizeof out, "heatmap.png");
  cairo_surface_t *img = cairo_image_surface_create_from_png(out);
  CU_ASSERT_EQUAL_FATAL(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
  long at25 = count_colour(img, (plot_rgb){0.230, 0.322, 0.546});
  long at50 = count_colour(img, (plot_rgb){0.128, 0.567, 0.551});
  long at75 = count_colour(img, (plot_rgb){0.360, 0.785, 0.388});
  /* each covers about half a host row of a quarter of the area (~ 1300 x 180 / 2) */
  CU_ASSERT(at25 > 50000);
  CU_ASSERT(at50 > 50000);
  CU_ASSERT(at75 > 50000);
  CU_ASSERT(fabs((double)at50 - (double)at75) < 0.2 * (double)at50);
  cairo_surface_destroy(img);
  const char *nope[1] = {dc_noseries};
  check_refused(PLOT_HEATMAP, nope, 1, &o, "cpu_share");
}

/* 10,000 hosts of one guest each: rows binned, drawn in a second. */
static void test_heatmap_many_hosts(void) {
  char in[128], out[128];
  path_in_tmp(in, sizeof in, "dc-10k.h5");
  path_in_tmp(out, sizeof out, "heatmap-10k.png");
  sim_recorder *rec = new_recorder("big", 0, NULL);
  sim_column hc[2] = {{"name", SIM_COL_STR, "", ""}, {"cores", SIM_COL_I64, "1", ""}};
  sim_table *hosts = table(rec, "summary/hosts", 2, hc);
  int share = sim_recorder_signal(rec, "cpu_share", "1", "");
  static char names[10000][16], gnames[10000][16];
  int32_t gid[10000];
  for (int h = 0; h < 10000; h++) {
    snprintf(names[h], sizeof names[h], "h%05d", h);
    snprintf(gnames[h], sizeof gnames[h], "g%05d", h);
    int32_t id = sim_recorder_entity(rec, "host", names[h], -1);
    gid[h] = sim_recorder_entity(rec, "guest", gnames[h], id);
    sim_table_append(hosts, (sim_cell[]){{.s = names[h]}, {.i = 16}});
  }
  for (int k = 1; k <= 10; k++)
    for (int h = 0; h < 10000; h++)
      sim_emit(rec, share, gid[h], (sim_time)(k * INTERVAL_S * 1e9), h < 5000 ? 16 : 0);
  write_rec(rec, in);
  plot_options o;
  plot_options_init(&o);
  const char *files[1] = {in};
  plot_report rep;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(plot_files(PLOT_HEATMAP, files, 1, &o, out, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.text_outside, 0);
  CU_ASSERT_EQUAL(rep.text_overlaps, 0);
  /* half the hosts full (yellow), half idle: rows binned, both halves shown */
  cairo_surface_t *img = cairo_image_surface_create_from_png(out);
  long full = count_colour(img, (plot_rgb){0.993, 0.906, 0.144});
  long idle = count_colour(img, (plot_rgb){0.267, 0.005, 0.329});
  CU_ASSERT(full > 100000 && idle > 100000);
  CU_ASSERT(fabs((double)full - (double)idle) < 0.05 * (double)full);
  cairo_surface_destroy(img);
  sim_diag_clear(&d);
}

static void test_energy(void) {
  char in[4][128], sweep[128], bare[128];
  static const char *const sel[2] = {"mmt", "mc"};
  for (int i = 0; i < 4; i++) {
    char name[32];
    snprintf(name, sizeof name, "dc-energy-%d.h5", i);
    path_in_tmp(in[i], sizeof in[i], name);
    write_dc(in[i], i / 2, sel[i % 2], 0.8, 15 + i);
  }
  path_in_tmp(sweep, sizeof sweep, "sweep-energy.h5");
  path_in_tmp(bare, sizeof bare, "no-dc.h5");
  write_sweep_summary(sweep, 1);
  write_replication(bare, 0, "");
  plot_options o;
  plot_options_init(&o);
  const char *files[4] = {in[0], in[1], in[2], in[3]};
  check_formats(PLOT_ENERGY, files, 4, &o, "energy");
  char out[160];
  path_in_tmp(out, sizeof out, "energy-check.png");
  plot_report rep;
  sim_diag d;
  sim_diag_init(&d);
  /* two policies (mmt, mc), two replications each: four panels of two bars */
  CU_ASSERT_EQUAL(plot_files(PLOT_ENERGY, files, 4, &o, out, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.bars, 8);
  /* energy panel: mmt's bar is the mean of 15 and 17 kWh */
  cairo_surface_t *img = cairo_image_surface_create_from_png(out);
  CU_ASSERT_EQUAL(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(img);
  CU_ASSERT(rep.y_px_per_unit > 0);
  /* a sweep summary: one bar per point */
  const char *one[1] = {sweep};
  CU_ASSERT_EQUAL(plot_files(PLOT_ENERGY, one, 1, &o, out, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.bars, 16);
  CU_ASSERT_EQUAL(rep.text_outside, 0);
  CU_ASSERT_EQUAL(rep.text_overlaps, 0);
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_diag_clear(&d);
  const char *nope[1] = {bare};
  check_refused(PLOT_ENERGY, nope, 1, &o, "summary/datacenter");
  const char *cli_bad[] = {"plot", "energy", bare, "-o", out};
  CU_ASSERT_EQUAL(run_cli(cli_bad, 5), 2);
}

static void test_timeline(void) {
  char in[128], bare[128];
  path_in_tmp(in, sizeof in, "dc-timeline.h5");
  path_in_tmp(bare, sizeof bare, "no-migrations.h5");
  write_dc(in, 0, "mmt", 0.8, 15);
  write_replication(bare, 0, "");
  plot_options o;
  plot_options_init(&o);
  const char *files[1] = {in};
  check_formats(PLOT_TIMELINE, files, 1, &o, "timeline");
  char out[160];
  path_in_tmp(out, sizeof out, "timeline-check.png");
  plot_report rep;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(plot_files(PLOT_TIMELINE, files, 1, &o, out, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.bars, 3);
  CU_ASSERT_EQUAL(rep.lines, 1); /* migrations in progress */
  /* coloured by reason: overload rose, underload cyan (Tol's muted set) */
  cairo_surface_t *img = cairo_image_surface_create_from_png(out);
  CU_ASSERT(count_colour(img, (plot_rgb){0.800, 0.400, 0.467}) > 500);
  CU_ASSERT(count_colour(img, (plot_rgb){0.533, 0.800, 0.933}) > 500);
  cairo_surface_destroy(img);
  o.by = "route";
  CU_ASSERT_EQUAL(plot_files(PLOT_TIMELINE, files, 1, &o, out, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.bars, 3);
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_diag_clear(&d);
  o.by = "colour";
  check_refused(PLOT_TIMELINE, files, 1, &o, "--by");
  o.by = NULL;
  const char *nope[1] = {bare};
  check_refused(PLOT_TIMELINE, nope, 1, &o, "made no migration");
}

/* The colour of pixel (x, y) of a PNG. */
static plot_rgb pixel(const char *png, double x, double y) {
  cairo_surface_t *img = cairo_image_surface_create_from_png(png);
  CU_ASSERT_EQUAL_FATAL(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
  const unsigned char *p = cairo_image_surface_get_data(img) +
                           (int)y * cairo_image_surface_get_stride(img) + 4 * (int)x;
  plot_rgb c = {p[2] / 255.0, p[1] / 255.0, p[0] / 255.0};
  cairo_surface_destroy(img);
  return c;
}

static int near(plot_rgb a, plot_rgb b) {
  return fabs(a.r - b.r) + fabs(a.g - b.g) + fabs(a.b - b.b) < 0.03;
}

/* A run whose only migration is scripted (migration/summary, its rounds
 * and its switch-over event): a guest taking a host's one core moves from
 * host a to host b at 1500 s, halfway through ten 300 s samples. */
static void test_scripted_migration(void) {
  char in[128], out[128], heat[128];
  path_in_tmp(in, sizeof in, "scripted.h5");
  path_in_tmp(out, sizeof out, "timeline-scripted.svg");
  path_in_tmp(heat, sizeof heat, "heatmap-scripted.png");
  sim_recorder *rec = new_recorder("scripted", 0, NULL);
  int32_t a = sim_recorder_entity(rec, "host", "a", -1);
  sim_recorder_entity(rec, "host", "b", -1);
  int32_t web = sim_recorder_entity(rec, "guest", "web", a);
  int32_t mig = sim_recorder_entity(rec, "migration", "m0", web);
  int sw = sim_recorder_event_type(rec, "migration_switchover", "resumed");
  CU_ASSERT_FATAL(sw >= 0);
  sim_record_event(rec, sw, (sim_time)1500 * SIM_S, mig, 0.2, 0);
  int share = sim_recorder_signal(rec, "cpu_share", "1", "");
  for (int k = 1; k <= 10; k++) sim_emit(rec, share, web, (sim_time)(k * INTERVAL_S * 1e9), 1.0);
  sim_column hc[2] = {{"name", SIM_COL_STR, "", ""}, {"cores", SIM_COL_I64, "1", ""}};
  sim_table *hosts = table(rec, "summary/hosts", 2, hc);
  sim_table_append(hosts, (sim_cell[]){{.s = "a"}, {.i = 1}});
  sim_table_append(hosts, (sim_cell[]){{.s = "b"}, {.i = 1}});
  sim_column rc[3] = {{"migration", SIM_COL_STR, "", ""}, {"start_s", SIM_COL_F64, "s", ""},
                      {"duration_s", SIM_COL_F64, "s", ""}};
  sim_table *rounds = table(rec, "migration/rounds", 3, rc);
  sim_table_append(rounds, (sim_cell[]){{.s = "m0"}, {.f = 1000}, {.f = 490}});
  sim_table_append(rounds, (sim_cell[]){{.s = "m0"}, {.f = 1499.8}, {.f = 0.2}});
  sim_column sc[7] = {{"migration", SIM_COL_STR, "", ""},   {"guest", SIM_COL_STR, "", ""},
                      {"strategy", SIM_COL_STR, "", ""},    {"source", SIM_COL_STR, "", ""},
                      {"destination", SIM_COL_STR, "", ""}, {"total_time_s", SIM_COL_F64, "s", ""},
                      {"downtime_s", SIM_COL_F64, "s", ""}};
  sim_table *ms = table(rec, "migration/summary", 7, sc);
  sim_table_append(ms, (sim_cell[]){{.s = "m0"}, {.s = "web"}, {.s = "precopy"}, {.s = "a"},
                                    {.s = "b"}, {.f = 500}, {.f = 0.2}});
  write_rec(rec, in);
  plot_options o;
  plot_options_init(&o);
  const char *files[1] = {in};
  plot_report rep;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(plot_files(PLOT_TIMELINE, files, 1, &o, out, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.bars, 1);
  check_magic(out, "<?xml");
  /* the heat map follows the move: host a (bottom row) full, then b (top) */
  CU_ASSERT_EQUAL(plot_files(PLOT_HEATMAP, files, 1, &o, heat, &rep, &d), 0);
  plot_rgb full = {0.993, 0.906, 0.144}, idle = {0.267, 0.005, 0.329};
  double w = rep.area.x1 - rep.area.x0, h = rep.area.y1 - rep.area.y0;
  CU_ASSERT(near(pixel(heat, rep.area.x0 + 0.25 * w, rep.area.y0 + 0.75 * h), full));
  CU_ASSERT(near(pixel(heat, rep.area.x0 + 0.25 * w, rep.area.y0 + 0.25 * h), idle));
  CU_ASSERT(near(pixel(heat, rep.area.x0 + 0.75 * w, rep.area.y0 + 0.75 * h), idle));
  CU_ASSERT(near(pixel(heat, rep.area.x0 + 0.75 * w, rep.area.y0 + 0.25 * h), full));
  CU_ASSERT_EQUAL(d.errors, 0);
  sim_diag_clear(&d);
}

static void test_cdf_pools_replications(void) {
  char rep_path[3][128], other[128];
  for (int i = 0; i < 3; i++) {
    char name[32];
    snprintf(name, sizeof name, "web-r%d.h5", i);
    path_in_tmp(rep_path[i], sizeof rep_path[i], name);
    write_replication(rep_path[i], i, "guests: [web-pv, web-ct]\n");
  }
  path_in_tmp(other, sizeof other, "web-other.h5");
  write_replication(other, 3, "guests: [web-pv, web-ct, web-extra]\n");
  plot_options o;
  plot_options_init(&o);
  o.by = "technique";
  const char *files[3] = {rep_path[0], rep_path[1], rep_path[2]};
  check_formats(PLOT_CDF, files, 3, &o, "cdf-pooled");
  /* the band: the replications differ by 15% each, so it is wide enough to
   * show as the technique's colour at a quarter's strength */
  char out[160];
  path_in_tmp(out, sizeof out, "cdf-pooled.png");
  cairo_surface_t *img = cairo_image_surface_create_from_png(out);
  plot_rgb pv = plot_technique_palette(3), tint = {1 - 0.25 * (1 - pv.r), 1 - 0.25 * (1 - pv.g),
                                                   1 - 0.25 * (1 - pv.b)};
  CU_ASSERT(count_colour(img, tint) > 2000);
  cairo_surface_destroy(img);
  plot_report rep;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL(plot_files(PLOT_CDF, files, 3, &o, out, &rep, &d), 0);
  CU_ASSERT_EQUAL(rep.lines, 2); /* one pooled curve per technique */
  /* one replication alone: no band (only the curve's antialiased edges) */
  long banded = count_colour(img = cairo_image_surface_create_from_png(out), tint);
  cairo_surface_destroy(img);
  CU_ASSERT_EQUAL(plot_files(PLOT_CDF, files, 1, &o, out, &rep, &d), 0);
  img = cairo_image_surface_create_from_png(out);
  CU_ASSERT(count_colour(img, tint) < banded / 10);
  cairo_surface_destroy(img);
  sim_diag_clear(&d);
  const char *mixed[2] = {rep_path[0], other};
  check_refused(PLOT_CDF, mixed, 2, &o, "not a replication");
  const char *cli_mixed[] = {"plot", "cdf", rep_path[0], other, "-o", out};
  CU_ASSERT_EQUAL(run_cli(cli_mixed, 6), 2);
}

/* ---- the power heatmap on a shipped scenario ---- */

/* Runs scenarios/<name> into tmpdir/<out>. */
static void run_shipped(const char *name, const char *out) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  char scenario[512];
  snprintf(scenario, sizeof scenario, "%s/scenarios/%s", src ? src : ".", name);
  run_request req = {.scenario_path = scenario, .data_path = test_data_path(), .output = out,
                     .command_line = "vdcsim run"};
  run_result res;
  sim_diag d;
  sim_diag_init(&d);
  int rc = run_scenario(&req, &res, &d);
  if (rc) sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL_FATAL(res.status, RUN_OK);
  sim_diag_clear(&d);
}

/* One host's energy from the start of its series to t (J): the integral of
 * its rows as a step function (each row's value until the host's next row,
 * the last until the series' end), times t_ns[0..n) ascending. */
static double energy_to(const int64_t *t_ns, const double *w, size_t n, double end_s, double t) {
  double j = 0;
  for (size_t i = 0; i < n; i++) {
    double a = (double)t_ns[i] * 1e-9, b = i + 1 < n ? (double)t_ns[i + 1] * 1e-9 : end_s;
    if (t <= a) break;
    j += w[i] * (fmin(t, b) - a);
  }
  return j;
}

/* scenarios/google-day.yaml records series/host_power_w: the heatmap's
 * cells are the time-weighted means of each host's power over each
 * column, computed here from the HDF5 rows as differences of each host's
 * energy; binned rows and columns too; the drawn plot colours the largest
 * cell yellow and a host off all day purple; planetlab-consolidation.yaml
 * keeps no power series: refused. */
static void test_heatmap_host_power(void) {
  char gd[128], pl[128], out[160];
  path_in_tmp(gd, sizeof gd, "google-day.h5");
  path_in_tmp(pl, sizeof pl, "planetlab.h5");
  path_in_tmp(out, sizeof out, "heatmap-power.png");
  run_shipped("google-day.yaml", gd);
  run_shipped("planetlab-consolidation.yaml", pl);
  sim_result *r = NULL;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_result_open(gd, &r, &d), 0);
  /* the rows, by host in summary/hosts order */
  int64_t *t = NULL, *ent = NULL;
  double *w = NULL;
  size_t n = 0, m = 0, k = 0, nh = 0;
  char **hname = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(r, "series/host_power_w", "time_ns", &t, &n), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_i64(r, "series/host_power_w", "entity", &ent, &m), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(r, "series/host_power_w", "value", &w, &k), 0);
  CU_ASSERT_EQUAL_FATAL(sim_result_column_str(r, "summary/hosts", "name", &hname, &nh), 0);
  CU_ASSERT_FATAL(n == m && n == k && nh == 20);
  int64_t end_ns = -1, last_ns = 0;
  for (size_t i = 0; i < n; i++) last_ns = t[i] > last_ns ? t[i] : last_ns;
  if (sim_result_series_end(r, "series/host_power_w", &end_ns) != 1) end_ns = last_ns;
  double end_s = (double)end_ns * 1e-9;
  CU_ASSERT_EQUAL(end_s, 86400);
  int64_t(*ht)[400] = sim_calloc(nh, sizeof *ht);
  double(*hw)[400] = sim_calloc(nh, sizeof *hw);
  size_t *hn = sim_calloc(nh, sizeof *hn);
  CU_ASSERT_FATAL(ht && hw && hn);
  for (size_t h = 0; h < nh; h++) {
    int32_t id = -1;
    CU_ASSERT_FATAL(sim_result_entity(r, hname[h], &id) == 0);
    for (size_t i = 0; i < n; i++)
      if (ent[i] == id && hn[h] < 400) ht[h][hn[h]] = t[i], hw[h][hn[h]++] = w[i];
    CU_ASSERT_FATAL(hn[h] >= 1 && hn[h] < 400 && ht[h][0] == 0); /* a value from the start */
  }
  /* every 300 s interval its own column, every host its own row */
  plot_heat_grid g;
  CU_ASSERT_EQUAL_FATAL(plot_heatmap_grid(r, "host_power_w", 1000, 1000, &g, &d), 0);
  CU_ASSERT_EQUAL(g.rows, 20);
  CU_ASSERT_EQUAL(g.cols, 288);
  CU_ASSERT_EQUAL(g.hosts_per_row, 1);
  CU_ASSERT_EQUAL(g.col_s, 300);
  double top = 0, low = INFINITY;
  size_t worst = 0;
  for (size_t h = 0; h < g.rows; h++)
    for (size_t c = 0; c < g.cols; c++) {
      double lo = 300.0 * (double)c, hi = lo + 300;
      double mean = (energy_to(ht[h], hw[h], hn[h], end_s, hi) -
                     energy_to(ht[h], hw[h], hn[h], end_s, lo)) / 300;
      double v = g.value[h * g.cols + c];
      worst += !(fabs(v - mean) <= 1e-9 * fmax(1, mean));
      top = fmax(top, v);
      low = fmin(low, v);
    }
  CU_ASSERT_EQUAL(worst, 0);
  CU_ASSERT(top > 100 && top < 200); /* an HP ML110 draws 86 to 135 W on */
  CU_ASSERT_EQUAL(low, 0);           /* a host switched off all day */
  /* rows of 3 hosts (the last of 2), columns of 6 intervals (30 min) */
  plot_heat_grid b;
  CU_ASSERT_EQUAL_FATAL(plot_heatmap_grid(r, "host_power_w", 7, 50, &b, &d), 0);
  CU_ASSERT_EQUAL(b.rows, 7);
  CU_ASSERT_EQUAL(b.cols, 48);
  CU_ASSERT_EQUAL(b.hosts_per_row, 3);
  worst = 0;
  for (size_t row = 0; row < b.rows; row++)
    for (size_t c = 0; c < b.cols; c++) {
      double lo = 1800.0 * (double)c, hi = lo + 1800, joules = 0;
      size_t hosts = 0;
      for (size_t h = 3 * row; h < 3 * row + 3 && h < nh; h++, hosts++)
        joules += energy_to(ht[h], hw[h], hn[h], end_s, hi) - energy_to(ht[h], hw[h], hn[h], end_s, lo);
      double mean = joules / (1800.0 * (double)hosts), v = b.value[row * b.cols + c];
      worst += !(fabs(v - mean) <= 1e-9 * fmax(1, mean));
    }
  CU_ASSERT_EQUAL(worst, 0);
  /* drawn: one cell per host and interval (they fit the pixels), the
   * largest yellow, a host off all day purple */
  plot_options o;
  plot_options_init(&o);
  o.signal = "host_power_w";
  const char *files[1] = {gd};
  check_formats(PLOT_HEATMAP, files, 1, &o, "heatmap-power");
  plot_report rep;
  CU_ASSERT_EQUAL_FATAL(plot_files(PLOT_HEATMAP, files, 1, &o, out, &rep, &d), 0);
  double cw = (rep.area.x1 - rep.area.x0) / 288, rh = (rep.area.y1 - rep.area.y0) / 20;
  plot_rgb yellow = {0.993, 0.906, 0.144}, purple = {0.267, 0.005, 0.329};
  cairo_surface_t *img = cairo_image_surface_create_from_png(out);
  CU_ASSERT_EQUAL_FATAL(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
  const unsigned char *px = cairo_image_surface_get_data(img);
  int stride = cairo_image_surface_get_stride(img);
  size_t tops = 0, offs = 0, yellows = 0, purples = 0;
  for (size_t h = 0; h < g.rows; h++)
    for (size_t c = 0; c < g.cols; c++) {
      double v = g.value[h * g.cols + c];
      if (v != top && v != 0) continue;
      int x = (int)(rep.area.x0 + cw * ((double)c + 0.5)), y = (int)(rep.area.y1 - rh * ((double)h + 0.5));
      const unsigned char *q = px + y * stride + 4 * x; /* BGRA in memory */
      plot_rgb p = {q[2] / 255.0, q[1] / 255.0, q[0] / 255.0};
      if (v == top) tops++, yellows += near(p, yellow);
      else offs++, purples += near(p, purple);
    }
  cairo_surface_destroy(img);
  CU_ASSERT(tops >= 1 && yellows == tops);
  CU_ASSERT(offs >= 288 && purples == offs);
  /* every axis names its unit */
  plot_canvas *c = NULL;
  CU_ASSERT_EQUAL_FATAL(plot_draw(PLOT_HEATMAP, &r, 1, &o, &c, &rep, &d), 0);
  CU_ASSERT_EQUAL(plot_canvas_unitless_axes(c), 0);
  plot_canvas_free(c);
  /* not a signal of hosts: refused */
  plot_heat_grid_free(&b); /* the refusal below starts from an empty grid */
  CU_ASSERT_EQUAL(plot_heatmap_grid(r, "cpu_share", 100, 100, &b, &d), PLOT_EINPUT);
  CU_ASSERT(d.errors >= 1 && strstr(d.entries[d.count - 1].message, "not a signal of hosts"));
  plot_heat_grid_free(&g);
  plot_heat_grid_free(&b);
  sim_free(ht);
  sim_free(hw);
  sim_free(hn);
  sim_free(t);
  sim_free(ent);
  sim_free(w);
  sim_result_free_strings(hname, nh);
  sim_result_close(r);
  sim_diag_clear(&d);
  /* a result without the series: refused, by the plot and by the verb (exit 2) */
  const char *nope[1] = {pl};
  check_refused(PLOT_HEATMAP, nope, 1, &o, "no dataset 'series/host_power_w'");
  const char *cli_nope[] = {"plot", "heatmap", pl, "--signal", "host_power_w", "-o", out};
  CU_ASSERT_EQUAL(run_cli(cli_nope, 7), 2);
  const char *cli_ok[] = {"plot", "heatmap", gd, "--signal", "host_power_w", "-o", out};
  CU_ASSERT_EQUAL(run_cli(cli_ok, 7), 0);
}

/* ---- legends never cover data ---- */

/* Pairs (legend box inside the area, data mark) that overlap: 0 when every
 * legend covers no data or lies outside the plot area. */
static size_t covers(const plot_canvas *c, plot_box area) {
  const plot_box *marks, *legends;
  size_t nm = plot_canvas_marks(c, &marks), nl = plot_canvas_legends(c, &legends), n = 0;
  for (size_t l = 0; l < nl; l++) {
    plot_box b = legends[l];
    int inside = b.x0 < area.x1 && area.x0 < b.x1 && b.y0 < area.y1 && area.y0 < b.y1;
    for (size_t i = 0; inside && i < nm; i++)
      if (b.x0 < marks[i].x1 && marks[i].x0 < b.x1 && b.y0 < marks[i].y1 && marks[i].y0 < b.y1)
        n++;
  }
  return n;
}

static void test_legends_never_cover_data(void) {
  char dc[128], sweep[128], reps[2][128];
  path_in_tmp(dc, sizeof dc, "legend-dc.h5");
  path_in_tmp(sweep, sizeof sweep, "legend-sweep.h5");
  path_in_tmp(reps[0], sizeof reps[0], "legend-r0.h5");
  path_in_tmp(reps[1], sizeof reps[1], "legend-r1.h5");
  write_dc(dc, 0, "mmt", 0.8, 15);
  write_sweep_summary(sweep, 1);
  write_replication(reps[0], 0, "");
  write_replication(reps[1], 1, "");
  for (int k = 0; k < PLOT_KIND_COUNT; k++) {
    plot_options o;
    plot_options_init(&o);
    const char *paths[2] = {dc, NULL};
    size_t n = 1;
    if (k == PLOT_SERIES) o.signal = "cpu_share";
    if (k == PLOT_LATENCY || k == PLOT_SWEEP) paths[0] = sweep;
    if (k == PLOT_CDF) paths[0] = reps[0], paths[1] = reps[1], n = 2, o.by = "technique";
    sim_result *runs[2] = {NULL, NULL};
    sim_diag d;
    sim_diag_init(&d);
    for (size_t i = 0; i < n; i++) CU_ASSERT_EQUAL_FATAL(sim_result_open(paths[i], &runs[i], &d), 0);
    plot_canvas *c = NULL;
    plot_report rep;
    int rc = plot_draw((plot_kind)k, runs, n, &o, &c, &rep, &d);
    if (rc) {
      fprintf(stderr, "kind %s: ", plot_kind_name((plot_kind)k));
      sim_diag_print(&d, stderr);
    }
    CU_ASSERT_EQUAL_FATAL(rc, 0);
    CU_ASSERT_EQUAL(covers(c, rep.area), 0);
    CU_ASSERT_EQUAL(rep.legend_covers, 0);
    /* every numeric axis names its unit */
    if (plot_canvas_unitless_axes(c)) fprintf(stderr, "kind %s: an axis without a unit\n", plot_kind_name((plot_kind)k));
    CU_ASSERT_EQUAL(plot_canvas_unitless_axes(c), 0);
    /* the check can fail: a legend forced over the first data mark is caught */
    const plot_box *marks;
    size_t nm = plot_canvas_marks(c, &marks), j = 0;
    plot_box a = rep.area;
    while (j < nm && !(marks[j].x0 < a.x1 && a.x0 < marks[j].x1 && marks[j].y0 < a.y1 && a.y0 < marks[j].y1))
      j++;
    CU_ASSERT_FATAL(j < nm); /* some data inside the plot area */
    plot_box m = marks[j];
    plot_legend_entry e[1] = {{"forced", plot_palette(0), PLOT_KEY_BOX, 0}};
    plot_legend_band(c, m.x0, m.y0, fmax(200, m.x1 - m.x0), e, 1);
    CU_ASSERT(covers(c, rep.area) > 0);
    CU_ASSERT(plot_canvas_legend_covers(c) > 0);
    plot_canvas_free(c);
    for (size_t i = 0; i < n; i++) sim_result_close(runs[i]);
    sim_diag_clear(&d);
  }
}

static int suite_init(void) {
  const char *keep = getenv("VDCSIM_TEST_PLOTS_DIR"); /* to look at the plots */
  if (keep) {
    snprintf(tmpdir, sizeof tmpdir, "%s", keep);
    return 0;
  }
  return scratch_make(tmpdir, sizeof tmpdir, "plot-kinds");
}

static int suite_clean(void) {
  if (getenv("VDCSIM_TEST_PLOTS_DIR")) return 0;
  return scratch_remove(tmpdir);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"latency: p50 and p99 against load, refusals", test_latency},
      {"heatmap: utilisation colours, placement moves", test_heatmap},
      {"heatmap: 10,000 hosts binned", test_heatmap_many_hosts},
      {"energy: policies from results and summaries", test_energy},
      {"timeline: consolidation migrations by reason", test_timeline},
      {"scripted migration: timeline, heatmap follows the move", test_scripted_migration},
      {"cdf pools replications, refuses others", test_cdf_pools_replications},
      {"heatmap of host power: cells are time-weighted means, refusal", test_heatmap_host_power},
      {"legends never cover data, every kind", test_legends_never_cover_data},
      {NULL, NULL}};
  CU_pSuite s = CU_add_suite("plot kinds: latency, heatmap, energy, timeline", suite_init, suite_clean);
  if (!s) return -1;
  for (const test_case *t = tests; t->name; t++)
    if (!CU_add_test(s, t->name, t->fn)) return -1;
  return 0;
}
