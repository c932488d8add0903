/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel functions iommutrace probes, and the names of IT_HOOK_* / IT_OBJ_*. */
#ifndef IT_HOOKS_H
#define IT_HOOKS_H

#include <stdbool.h>
#include "iommutrace.h"

/* One kernel function: an entry program, a return program, or both. */
struct probe_def {
	const char *func; /* kernel function */
	const char *entry_prog; /* BPF program names, NULL if none */
	const char *ret_prog;
	const char *since; /* kernel band that has it, for hints */
	bool core; /* without it, tracing is pointless */
};

extern const struct probe_def probe_defs[];
extern const int n_probe_defs;

/* The hooks (bit per IT_HOOK_*) of the probes marked in present[n_probe_defs]. */
__u64 hooks_of_probes(const bool *present);

/* The kernel function behind a hook, and whether it is the return. */
const char *hook_func(unsigned int hook);
bool hook_is_return(unsigned int hook);
/* "iommufd_object_remove", "iommufd_object_remove:ret", ... for summaries */
const char *hook_label(unsigned int hook);
/* The per-type callbacks that end an object, and those that abort one. */
bool hook_is_destroy(unsigned int hook);
bool hook_is_abort(unsigned int hook);

const char *obj_type_name(unsigned int type);
/* IT_OBJ_* from a name ("vdevice", "device", ...), -1 if unknown */
int obj_type_from_name(const char *name);

#endif
