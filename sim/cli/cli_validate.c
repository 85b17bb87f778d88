/* sim/cli/cli_validate.c: the 'validate' verb.
 * Runs the cases of validation/cases (each a scenario, a quantity, a
 * published value with its source and a tolerance; see validate.h), prints
 * one aligned line per case (name, simulated, published, error, PASS/FAIL,
 * and its kind unless it is a prediction; a case with replications adds the
 * 95% confidence interval of its mean; a case whose runs break Little's law
 * says where), then what the run shows by kind (counts, the median and worst
 * |error| of the quantitative predictions), Little's law over every run, and
 * last 'N passed, M failed'; exits 1 when any case fails or cannot run, 2 on
 * a usage error or a malformed case file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/alloc.h"
#include "sim/cli/cli.h"
#include "sim/version.h"
#include "validation/validate.h"

static void usage(FILE *out) {
  fprintf(out,
          "usage: vdcsim validate [--case NAME]... [--list] [--source-dir DIR]\n\n"
          "Runs the validation cases (published measurements or closed forms:\n"
          "scenario, quantity, value, source, tolerance) and prints for each\n"
          "  NAME  simulated  published  error  PASS|FAIL  [(KIND)]  [CI]\n"
          "(a case with `replications: N` runs its scenario with run index 0..N-1 and\n"
          "shows the mean, then 'mean of N runs, 95%% CI [LOW, HIGH]': it passes when\n"
          "the mean is within tolerance and the interval covers the published value),\n"
          "then the cases per kind (prediction, fitted, input-echo, by-construction,\n"
          "analytic), the median and worst |error| of the quantitative predictions,\n"
          "Little's law (L = lambda W) over every request-driven guest of every run\n"
          "(a case fails when one of its runs breaks it), and last\n"
          "'N passed, M failed'.  Exits 1 when any case fails.\n\n"
          "  --case NAME       run only this case (repeatable)\n"
          "  --list            list the cases with their sources, run nothing\n"
          "  --source-dir DIR  tree holding validation/cases and the scenarios the\n"
          "                    cases name (default: $VDCSIM_SOURCE_DIR, the current\n"
          "                    directory, the build's source tree, the installed data)\n");
}

static bool has_cases(const char *dir) {
  char p[4096];
  struct stat st;
  snprintf(p, sizeof p, "%s/validation/cases", dir);
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *find_source_dir(const char *given) {
  if (given) return given;
  const char *env = getenv("VDCSIM_SOURCE_DIR");
  if (env && *env && has_cases(env)) return env;
  if (has_cases(".")) return ".";
  if (has_cases(VDCSIM_SOURCE_DIR)) return VDCSIM_SOURCE_DIR;
  if (has_cases(VDCSIM_DATADIR)) return VDCSIM_DATADIR;
  return NULL;
}

static void fmt_num(char *buf, size_t n, double v) {
  if (isnan(v)) snprintf(buf, n, "nan");
  else snprintf(buf, n, "%.4g", v);
}

/* What the cases prove: counts per kind, then the error of the quantitative
 * predictions alone (fitted, echoed and constructed cases prove nothing about
 * fidelity, and an order has no error). */
static void print_summary(val_case *const *cases, const val_outcome *outcomes,
                          const bool *evaluated, size_t n) {
  val_summary s;
  val_summarize(cases, outcomes, evaluated, n, &s);
  printf("kinds:");
  for (int e = 0; e < VAL_N_EVIDENCE; e++)
    printf("%s %zu %s", e ? "," : "", s.by_evidence[e], val_evidence_name((val_evidence)e));
  printf(" (predictions: %zu quantitative, %zu qualitative)\n", s.quantitative_predictions,
         s.qualitative_predictions);
  if (s.quantitative_predictions)
    printf("quantitative predictions: median |error| %.1f%%, worst %.1f%% (%s)\n",
           s.median_abs_error * 100, s.worst_abs_error * 100, cases[s.worst]->name);
  else
    printf("quantitative predictions: none\n");
}

/* Little's law over every run made, each counted once. */
static void print_little(const val_runner *vr) {
  val_little l;
  size_t runs;
  val_runner_little(vr, &l, &runs);
  if (!l.guests) return;
  printf("Little's law: %zu request-driven guests in %zu runs, worst |L/(lambda W) - 1| %.2g "
         "(%s), tolerance %.0e: %s\n",
         l.guests, runs, fabs(l.worst), l.worst_guest, VAL_LITTLE_TOLERANCE,
         val_little_holds(&l) ? "holds" : "BROKEN");
}

int cli_validate(int argc, char **argv) {
  const char *source = NULL;
  const char **only = NULL;
  size_t n_only = 0;
  bool list = false;
  if (cli_wants_help(argc, argv)) {
    usage(stdout);
    return CLI_OK;
  }
  only = sim_calloc((size_t)argc, sizeof *only);
  if (!only) return CLI_FAILURE;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--list")) {
      list = true;
    } else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
      only[n_only++] = argv[++i];
    } else if (!strcmp(argv[i], "--source-dir") && i + 1 < argc) {
      source = argv[++i];
    } else {
      fprintf(stderr, "vdcsim validate: error: unexpected argument '%s'\n\n", argv[i]);
      usage(stderr);
      sim_free(only);
      return CLI_USAGE;
    }
  }
  const char *src = find_source_dir(source);
  if (!src) {
    fprintf(stderr, "vdcsim validate: error: no validation/cases directory found; use --source-dir\n");
    sim_free(only);
    return CLI_USAGE;
  }
  char cases_dir[4096];
  snprintf(cases_dir, sizeof cases_dir, "%s/validation/cases", src);
  char **files = NULL;
  size_t n_files = 0;
  if (val_case_files(cases_dir, &files, &n_files) < 0) {
    fprintf(stderr, "vdcsim validate: error: cannot read %s\n", cases_dir);
    sim_free(only);
    val_case_files_free(files, n_files);
    return CLI_FAILURE;
  }
  /* Load every case first: a malformed file is an input error (exit 2). */
  sim_diag diag;
  sim_diag_init(&diag);
  val_case **cases = sim_calloc(n_files ? n_files : 1, sizeof *cases);
  size_t n_cases = 0;
  int status = cases ? CLI_OK : CLI_FAILURE;
  for (size_t i = 0; i < n_files && cases; i++) {
    val_case *c;
    if (val_case_load(files[i], &c, &diag) < 0) status = CLI_USAGE;
    else cases[n_cases++] = c;
  }
  /* The rules across cases hold for the whole set, whichever cases run. */
  if (status == CLI_OK && val_cases_check(cases, n_cases, &diag) < 0) status = CLI_USAGE;
  if (n_only) {
    size_t kept = 0;
    for (size_t i = 0; i < n_cases; i++) {
      bool wanted = false;
      for (size_t k = 0; k < n_only; k++) wanted |= !strcmp(only[k], cases[i]->name);
      if (wanted) cases[kept++] = cases[i];
      else val_case_free(cases[i]);
    }
    n_cases = kept;
  }
  for (size_t k = 0; k < n_only && status == CLI_OK; k++) {
    bool found = false;
    for (size_t i = 0; i < n_cases; i++) found |= !strcmp(cases[i]->name, only[k]);
    if (!found) {
      sim_diag_error(&diag, NULL, 0, 0, "no validation case named '%s' in %s", only[k], cases_dir);
      status = CLI_USAGE;
    }
  }
  sim_diag_print(&diag, stderr);
  sim_diag_clear(&diag);
  size_t width = 4;
  for (size_t i = 0; i < n_cases; i++)
    if (strlen(cases[i]->name) > width) width = strlen(cases[i]->name);
  if (status == CLI_OK && list) {
    for (size_t i = 0; i < n_cases; i++)
      printf("%-*s  %s%s%s\n", (int)width, cases[i]->name, cases[i]->source,
             cases[i]->description ? "  " : "", cases[i]->description ? cases[i]->description : "");
  } else if (status == CLI_OK) {
    sim_data_path data = cli_data_path();
    val_runner *vr = val_runner_new(src, &data, &diag);
    size_t passed = 0, failed = 0;
    val_outcome *outcomes = sim_calloc(n_cases ? n_cases : 1, sizeof *outcomes);
    bool *evaluated = sim_calloc(n_cases ? n_cases : 1, sizeof *evaluated);
    if (!outcomes || !evaluated) {
      val_runner_free(vr);
      vr = NULL;
      status = CLI_FAILURE;
    } else if (!vr) {
      sim_diag_print(&diag, stderr);
      status = CLI_FAILURE;
    } else {
      printf("%-*s  %14s  %14s  %9s  %s\n", (int)width, "case", "simulated", "published", "error",
             "result");
    }
    for (size_t i = 0; vr && i < n_cases; i++) {
      const val_case *c = cases[i];
      val_outcome o;
      memset(&o, 0, sizeof o);
      sim_diag_clear(&diag);
      int rc = val_runner_run(vr, c, &o, &diag);
      outcomes[i] = o;
      evaluated[i] = rc == 0;
      char sim[sizeof o.detail], pub[64], err[32];
      if (c->kind == VAL_RANGE) {
        char a[32], b[32];
        fmt_num(a, sizeof a, c->published);
        fmt_num(b, sizeof b, c->published_max);
        snprintf(pub, sizeof pub, "%s-%s", a, b);
      } else if (c->kind == VAL_ORDER) {
        snprintf(pub, sizeof pub, "increasing");
      } else {
        fmt_num(pub, sizeof pub, c->published);
      }
      if (rc < 0) {
        snprintf(sim, sizeof sim, "error");
        snprintf(err, sizeof err, "-");
      } else if (c->kind == VAL_ORDER) {
        snprintf(sim, sizeof sim, "%s", o.detail);
        snprintf(err, sizeof err, "-");
      } else {
        fmt_num(sim, sizeof sim, o.simulated);
        if (o.error_relative) snprintf(err, sizeof err, "%+.1f%%", o.error * 100);
        else snprintf(err, sizeof err, "%+.3g", o.error);
      }
      bool ok = rc == 0 && o.pass;
      printf("%-*s  %14s  %14s  %9s  %s", (int)width, c->name, sim, pub, err, ok ? "PASS" : "FAIL");
      if (c->evidence != VAL_PREDICTION) printf("  (%s)", val_evidence_name(c->evidence));
      if (rc == 0 && o.runs >= 2) {
        char lo[32], hi[32];
        fmt_num(lo, sizeof lo, o.ci_low);
        fmt_num(hi, sizeof hi, o.ci_high);
        printf("  mean of %zu runs, 95%% CI [%s, %s]%s", o.runs, lo, hi,
               o.ci_covers ? "" : " misses the published value");
      }
      if (rc == 0 && !val_little_holds(&o.little))
        printf("  Little's law broken: L/(lambda W) - 1 = %.3g in %s", o.little.worst,
               o.little.worst_guest);
      printf("\n");
      fflush(stdout);
      if (rc < 0) sim_diag_print(&diag, stderr);
      if (ok) passed++;
      else failed++;
    }
    if (vr) {
      print_summary(cases, outcomes, evaluated, n_cases);
      print_little(vr);
      printf("%zu passed, %zu failed\n", passed, failed);
      if (failed) status = CLI_FAILURE;
    }
    val_runner_free(vr);
    sim_free(outcomes);
    sim_free(evaluated);
  }
  sim_diag_clear(&diag);
  for (size_t i = 0; i < n_cases; i++) val_case_free(cases[i]);
  sim_free(cases);
  val_case_files_free(files, n_files);
  sim_free(only);
  return status;
}
