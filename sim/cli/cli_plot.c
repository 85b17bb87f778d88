/* sim/cli/cli_plot.c: the 'plot' verb: vdcsim plot KIND RESULT.h5... -o OUT.
 * Parses the options, draws the kind from the results and writes OUT
 * atomically in the format its extension names (png, svg, pdf).
 * Exit codes (sim/cli/cli.h): 0 written; 1 out of memory or the output could not
 * be written; 2 usage or input error (unknown kind or format, a missing
 * result file, dataset or column).  The compare kind's published markers
 * come from validation cases, loaded here with validation's own loader
 * (cli_plot.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/cli/cli_plot.h"

#include "plots/plot.h"
#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/diag.h"
#include "sim/yaml.h"
#include "validation/validate.h"

#define DEFAULT_CASES "validation/cases"

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim plot KIND RESULT.h5... -o OUT.{png,svg,pdf} [options]\n\n"
          "Draws a plot from HDF5 results; the output format follows OUT's extension.\n\n"
          "kinds:\n"
          "  compare    workloads x techniques, performance relative to native, 95%% CI over\n"
          "             replications, published values as markers (validation cases)\n"
          "  breakdown  stacked cycles by mechanism per technique and workload\n"
          "  migration  one live migration's timeline: guest throughput, rounds, downtime\n"
          "  series     a per-guest time series (--signal) for chosen guests (--guests)\n"
          "  cdf        request-latency distributions per guest or technique (--by);\n"
          "             several results must be replications of one scenario (as for\n"
          "             compare): pooled, with a 95%% CI band across the replications\n"
          "  sweep      a metric against a swept parameter, one line per technique (or --by);\n"
          "             from a collected summary (vdcsim collect): means with 95%% CI bands,\n"
          "             log10 axes for values spanning a decade\n"
          "  latency    response time (p50 solid, p99 dashed) against offered load,\n"
          "             one colour per technique (or --by), 95%% CI bands over\n"
          "             replications; from the summary.h5 of a sweep over an arrival\n"
          "             rate (x: --x, default the first swept parameter)\n"
          "  heatmap    every host's CPU utilisation (%%) over time, from the guests'\n"
          "             cpu_share series and their placement; many hosts binned in rows;\n"
          "             --signal host_power_w: each host's power (W), a cell the\n"
          "             time-weighted mean power of its hosts over its column, colours\n"
          "             from 0 W to the largest cell\n"
          "  energy     energy (kWh), SLAV, SLATAH and PDM (%%) per consolidation policy:\n"
          "             several results (labelled by the policy fields that differ,\n"
          "             results of one policy pooled as replications) or a sweep summary\n"
          "  timeline   every migration as a bar from start to end on its guest's row\n"
          "             (--by route: source -> destination), downtime in black, coloured\n"
          "             by reason (overload, underload, scripted); migrations in\n"
          "             progress below\n\n"
          "options:\n"
          "  -o OUT          output file (.png, .svg or .pdf)\n"
          "  --title TEXT    title (default: the scenario's name)\n"
          "  --width PX      canvas width in pixels at 200 dpi (default 1600)\n"
          "  --height PX     canvas height in pixels at 200 dpi (default 1000)\n"
          "  --guests A,B    guests to draw (series, cdf, migration)\n"
          "  --signal NAME   signal to draw (series; migration: guest throughput signal;\n"
          "                  heatmap: cpu_share, the default, or a signal of hosts such as\n"
          "                  host_power_w, refused when the result lacks it)\n"
          "  --metric COL    summary/guests column (compare, sweep; default\n"
          "                  relative_to_native), latency column (cdf; default\n"
          "                  response_ns of requests/latency when the result has it,\n"
          "                  else latency_s of io/requests)\n"
          "  --param ATTR    sweep: root attribute with the swept value (default sweep_value);\n"
          "                  of a collected summary: the x column (default the first swept\n"
          "                  parameter), latency too; --x is the same\n"
          "  --by guest|technique   cdf grouping (default guest); sweep summary and\n"
          "                  latency: one line per value of this column (default\n"
          "                  technique); timeline: guest (default) or route\n"
          "  --group technique|workload|none   series: one panel per technique or\n"
          "                  workload, or all lines in one (default: panels when many)\n"
          "  --log           logarithmic y (breakdown) or x axis (cdf)\n"

          "  --cases DIR     validation cases for published markers (compare; default\n"
          "                  " DEFAULT_CASES " when present)\n"
          "  --no-published  no published markers\n\n"
          "exit codes: 0 written, 1 write failure, 2 usage or input error\n");
}

/* The item of a sequence of mappings whose `name` is name; NULL when none. */
static const sim_yaml_node *named_item(const sim_yaml_node *seq, const char *name) {
  for (size_t i = 0; seq && seq->kind == SIM_YAML_SEQ && i < seq->n; i++) {
    const sim_yaml_node *n = sim_yaml_get(seq->items[i], "name");
    if (n && n->kind == SIM_YAML_SCALAR && !strcmp(n->text, name)) return seq->items[i];
  }
  return NULL;
}

static const char *scalar_of(const sim_yaml_node *map, const char *key) {
  const sim_yaml_node *n = sim_yaml_get(map, key);
  return n && n->kind == SIM_YAML_SCALAR ? n->text : NULL;
}

/* The calibration profile guest `guest` of the scenario at `path` runs with:
 * its host's type's `calibration` when it has one, else the scenario's.  A
 * new string, or NULL when the file cannot be read (then no mark: the
 * testbed is unknown). */
static char *guest_testbed(const char *path, const char *guest) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *text = NULL, *result = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (sim_grow((void **)&text, &cap, len + 4097, 1) < 0) break;
    size_t got = fread(text + len, 1, 4096, f);
    len += got;
    if (got < 4096) break;
  }
  int read_ok = text && !ferror(f);
  fclose(f);
  sim_yaml_node *root = NULL;
  sim_diag diag;
  sim_diag_init(&diag);
  if (read_ok && sim_yaml_parse(path, text, len, &root, &diag) == 0 && root) {
    const char *calibration = scalar_of(root, "calibration");
    const sim_yaml_node *g = named_item(sim_yaml_get(root, "guests"), guest);
    const char *host = g ? scalar_of(g, "host") : NULL;
    const sim_yaml_node *h = host ? named_item(sim_yaml_get(root, "hosts"), host) : NULL;
    const char *type = h ? scalar_of(h, "type") : NULL;
    const sim_yaml_node *t = type ? sim_yaml_get(sim_yaml_get(root, "host_types"), type) : NULL;
    const char *own = t ? scalar_of(t, "calibration") : NULL;
    if (own) calibration = own;
    if (calibration) result = sim_strdup(calibration);
  }
  sim_yaml_free(root);
  sim_diag_clear(&diag);
  sim_free(text);
  return result;
}

int cli_markers_load(const char *dir, cli_markers *m) {
  memset(m, 0, sizeof *m);
  char **files = NULL;
  size_t n_files = 0;
  if (val_case_files(dir, &files, &n_files) < 0 && n_files == 0) {
    val_case_files_free(files, n_files);
    return 0; /* no cases: no marks */
  }
  m->cases = sim_calloc(n_files ? n_files : 1, sizeof *m->cases);
  m->marks = sim_calloc(n_files ? n_files : 1, sizeof *m->marks);
  m->testbeds = sim_calloc(n_files ? n_files : 1, sizeof *m->testbeds);
  int rc = m->cases && m->marks && m->testbeds ? 0 : -1;
  for (size_t i = 0; i < n_files && rc == 0; i++) {
    sim_diag diag;
    sim_diag_init(&diag);
    val_case *c = NULL;
    int loaded = val_case_load(files[i], &c, &diag);
    sim_diag_clear(&diag);
    if (loaded < 0) continue;
    m->cases[m->n_cases++] = c;
    const val_ref *q = &c->quantity;
    if ((c->kind == VAL_VALUE || c->kind == VAL_RANGE) && !c->has_divisor &&
        !strcmp(q->table, "summary/guests") && !strcmp(q->key, "name") && q->row) {
      /* the case's scenario path is relative to the source tree, dir/../.. */
      size_t len = strlen(dir) + strlen(c->scenario) + 8;
      char *scenario = sim_malloc(len);
      if (!scenario) {
        rc = -1;
        break;
      }
      snprintf(scenario, len, "%s/../../%s", dir, c->scenario);
      char *testbed = guest_testbed(scenario, q->row);
      sim_free(scenario);
      double lo = c->published, hi = c->kind == VAL_RANGE ? c->published_max : c->published;
      int qualitative = c->source && strstr(c->source, "qualitative") != NULL;
      if (qualitative) { /* the value within its tolerance: what the source supports */
        double tol = fmax(c->tol_abs, c->tol_rel * fabs(c->published));
        lo -= tol;
        hi += tol;
      }
      m->testbeds[m->n_marks] = testbed;
      m->marks[m->n_marks++] =
          (plot_published){q->row, q->column, testbed, lo, hi, qualitative};
    }
  }
  val_case_files_free(files, n_files);
  return rc;
}

void cli_markers_free(cli_markers *m) {
  for (size_t i = 0; i < m->n_cases; i++) val_case_free(m->cases[i]);
  for (size_t i = 0; m->testbeds && i < m->n_marks; i++) sim_free(m->testbeds[i]);
  sim_free(m->testbeds);
  sim_free(m->cases);
  sim_free(m->marks);
  memset(m, 0, sizeof *m);
}

static int parse_size(const char *opt, const char *s, double *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || *end || !(v >= 400 && v <= 20000)) {
    fprintf(stderr, "vdcsim plot: error: %s takes a size in pixels from 400 to 20000, not '%s'\n",
            opt, s);
    return -1;
  }
  *out = v;
  return 0;
}

int cli_plot(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  plot_options o;
  plot_options_init(&o);
  const char *out = NULL, *kind_name = NULL, *cases_dir = NULL;
  int no_published = 0;
  const char **files = sim_calloc((size_t)argc, sizeof *files);
  if (!files) {
    fprintf(stderr, "vdcsim plot: error: out of memory\n");
    return CLI_FAILURE;
  }
  size_t n_files = 0;
  int rc = CLI_OK;
  for (int i = 1; i < argc && rc == CLI_OK; i++) {
    const char *a = argv[i];
    static const char *const with_value[] = {"-o",      "--title", "--width",  "--height",
                                             "--guests", "--signal", "--metric", "--param",
                                             "--by",     "--cases", "--group",  "--x"};
    int takes = 0;
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
      if (!strcmp(a, with_value[k])) takes = 1;
    if (takes) {
      if (i + 1 >= argc) {
        fprintf(stderr, "vdcsim plot: error: %s needs a value\n", a);
        rc = CLI_USAGE;
        break;
      }
      const char *v = argv[++i];
      if (!strcmp(a, "-o")) out = v;
      else if (!strcmp(a, "--title")) o.title = v;
      else if (!strcmp(a, "--width")) rc = parse_size(a, v, &o.width) ? CLI_USAGE : CLI_OK;
      else if (!strcmp(a, "--height")) rc = parse_size(a, v, &o.height) ? CLI_USAGE : CLI_OK;
      else if (!strcmp(a, "--guests")) o.guests = v;
      else if (!strcmp(a, "--signal")) o.signal = v;
      else if (!strcmp(a, "--metric")) o.metric = v;
      else if (!strcmp(a, "--param")) o.param = v;
      else if (!strcmp(a, "--x")) o.param = v;
      else if (!strcmp(a, "--by")) o.by = v;
      else if (!strcmp(a, "--group")) {
        o.group = v;
        if (strcmp(v, "technique") && strcmp(v, "workload") && strcmp(v, "none")) {
          fprintf(stderr, "vdcsim plot: error: --group takes technique, workload or none, not '%s'\n", v);
          rc = CLI_USAGE;
        }
      }
      else cases_dir = v;
    } else if (!strcmp(a, "--no-published")) {
      no_published = 1;
    } else if (!strcmp(a, "--log")) {
      o.log = 1;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "vdcsim plot: error: unknown option '%s' (see vdcsim plot --help)\n", a);
      rc = CLI_USAGE;
    } else if (!kind_name) {
      kind_name = a;
    } else {
      files[n_files++] = a;
    }
  }
  plot_kind kind = PLOT_COMPARE;
  if (rc == CLI_OK && !kind_name) {
    fprintf(stderr, "vdcsim plot: error: no plot kind given\n");
    usage(stderr);
    rc = CLI_USAGE;
  } else if (rc == CLI_OK && plot_kind_from_name(kind_name, &kind) < 0) {
    fprintf(stderr,
            "vdcsim plot: error: unknown kind '%s' (compare, breakdown, migration, series, cdf, "
            "sweep, latency, heatmap, energy, timeline)\n",
            kind_name);
    rc = CLI_USAGE;
  } else if (rc == CLI_OK && n_files == 0) {
    fprintf(stderr, "vdcsim plot: error: no result file given\n");
    rc = CLI_USAGE;
  } else if (rc == CLI_OK && !out) {
    fprintf(stderr, "vdcsim plot: error: no output file given (-o OUT.png|svg|pdf)\n");
    rc = CLI_USAGE;
  } else if (rc == CLI_OK) {
    plot_format fmt;
    if (plot_format_from_path(out, &fmt) < 0) {
      fprintf(stderr, "vdcsim plot: error: %s: unknown output format: use .png, .svg or .pdf\n",
              out);
      rc = CLI_USAGE;
    }
  }
  if (rc == CLI_OK) {
    struct stat st;
    if (no_published)
      cases_dir = NULL;
    else if (!cases_dir && stat(DEFAULT_CASES, &st) == 0 && S_ISDIR(st.st_mode))
      cases_dir = DEFAULT_CASES;
    cli_markers marks = {0};
    if (kind == PLOT_COMPARE && cases_dir && cli_markers_load(cases_dir, &marks) < 0) {
      fprintf(stderr, "vdcsim plot: error: out of memory\n");
      rc = CLI_FAILURE;
    } else {
      o.published = marks.marks;
      o.n_published = marks.n_marks;
      sim_diag diag;
      sim_diag_init(&diag);
      int r = plot_files(kind, files, n_files, &o, out, NULL, &diag);
      sim_diag_print(&diag, stderr);
      sim_diag_clear(&diag);
      rc = r == 0 ? CLI_OK : r == PLOT_EINPUT ? CLI_USAGE : CLI_FAILURE;
    }
    cli_markers_free(&marks);
  }
  sim_free(files);
  return rc;
}
