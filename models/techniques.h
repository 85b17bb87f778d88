/* models/techniques.h: the virtualization technique models, one per file
 * (technique_<name>.c), each registered by name in registry.c.  Each reads its
 * own cost table (models/technique.h, load); what they share is in
 * models/vcost.h (native costs, reading a table, the memory state of a
 * guest) and models/technique_hvm.h (the VM exits of hvm and hvm-ept); the
 * MMU model is models/mmu.h. */
#ifndef MODELS_TECHNIQUES_H
#define MODELS_TECHNIQUES_H
#include "models/technique.h"

extern const technique_ops technique_native_ops;    /* bare metal */
extern const technique_ops technique_container_ops; /* OS container [FE14] */
extern const technique_ops technique_bt_ops;        /* binary translation [AA06] */
extern const technique_ops technique_pv_ops;        /* paravirtualization (Xen) */
extern const technique_ops technique_hvm_ops;       /* VT-x/AMD-V, shadow paging [AA06] */
extern const technique_ops technique_hvm_ept_ops;   /* EPT/NPT, 2D walks [BH08] */

#endif
