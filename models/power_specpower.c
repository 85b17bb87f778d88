/* models/power_specpower.c: table-driven power from a SPECpower_ssj2008
 * result: the measured average power at 0 % (active idle), 10 %, ... 100 %
 * target load, linearly interpolated between the points [BB12, Section 8.1,
 * Table 1].  `specpower` takes the table from the scenario; the named
 * models carry the two servers of the paper's experiments:
 *   HP ProLiant ML110 G4 (Intel Xeon 3040, 2 cores x 1860 MHz, 4 GB)
 *     [SPEC-G4] power_ssj2008-20110127-00342
 *   HP ProLiant ML110 G5 (Intel Xeon 3075, 2 cores x 2660 MHz, 4 GB)
 *     [SPEC-G5] power_ssj2008-20110124-00339
 * Units: W.  Invariant: tables have DC_POWER_TABLE_POINTS values, each > 0,
 * none below the one before (the loader checks a scenario's table). */
#include "models/datacenter.h"

static double table_watts(const dc_power_model *m, double u) { return dc_power_table_watts(m->table_w, u); }

static double shipped_watts(const dc_power_model *m, double u) {
  return dc_power_table_watts(m->ops->shipped_w, u);
}

static const double hp_ml110_g4_w[DC_POWER_TABLE_POINTS] = {86, 89.4, 92.6, 96, 99.5, 102,
                                                            106, 108, 112, 114, 117}; /* [SPEC-G4] */
static const double hp_ml110_g5_w[DC_POWER_TABLE_POINTS] = {93.7, 97, 101, 105, 110, 116,
                                                            121, 125, 129, 133, 135}; /* [SPEC-G5] */

const dc_power_ops power_specpower_ops = {"specpower", DC_POWER_TABLE, NULL, table_watts};
const dc_power_ops power_hp_ml110_g4_ops = {"hp-ml110-g4", DC_POWER_SHIPPED, hp_ml110_g4_w, shipped_watts};
const dc_power_ops power_hp_ml110_g5_ops = {"hp-ml110-g5", DC_POWER_SHIPPED, hp_ml110_g5_w, shipped_watts};
