/* tests/test_data.h: where unit tests find the shipped profiles and
 * workloads, and the models' vocabulary along that path.  ctest sets
 * $VDCSIM_DATADIR to the source tree's models/ for every suite
 * (tests/CMakeLists.txt). */
#ifndef TESTS_TEST_DATA_H
#define TESTS_TEST_DATA_H
#include "sim/profile.h"

/* $VDCSIM_DATADIR as a search path (static storage: valid for the test). */
static inline const sim_data_path *test_data_path(void) {
  static sim_data_path path;
  path = sim_data_path_from_env();
  return &path;
}

#ifdef MODELS_REGISTRY_H
/* The catalog's vocabulary, with the test data path. */
static inline const sim_vocabulary *test_vocabulary(void) {
  static sim_vocabulary vocab;
  vocab = model_vocabulary(test_data_path());
  return &vocab;
}
#endif

#endif
