/* tests/fuzz/fuzz_scenario.c: libFuzzer target for the scenario loader.
 * Feeds arbitrary bytes through sim_scenario_load_text (YAML parser, alias
 * and merge expansion, overrides, schema walk, units, templates, resolved
 * text).  An input whose first line is "#set PATH=VALUE" also applies that
 * override, so the --set path language is fuzzed too.  Any crash, leak,
 * sanitizer report or timeout is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/cli_args.h"
#include "sim/scenario.h"
#include "tests/test_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  sim_override ov;
  size_t n_ov = 0;
  char line[512];
  if (size > 5 && !memcmp(text, "#set ", 5)) {
    const char *nl = memchr(text, '\n', size);
    size_t len = (nl ? (size_t)(nl - text) : size) - 5;
    if (len < sizeof line) {
      memcpy(line, text + 5, len);
      line[len] = '\0';
      char err[200];
      if (memchr(line, '\0', len) == NULL && sim_override_parse(line, &ov, err, sizeof err) == 0) n_ov = 1;
    }
  }
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  sim_scenario_load_text("fuzz.yaml", text, size, test_vocabulary(), n_ov ? &ov : NULL, n_ov, &s, &d);
  sim_scenario_free(s);
  sim_diag_clear(&d);
  if (n_ov) sim_free((void *)ov.path);
  return 0;
}
