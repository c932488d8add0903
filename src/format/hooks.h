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

/* What a hook does to the object it names, or to the context. */
enum hook_action {
	HA_NONE, /* recorded in the object's history only */
	HA_OPEN, HA_RELEASE, HA_RELEASE_RET, /* a context */
	HA_ALLOC, HA_FINALIZE,
	HA_OBJ_ABORT, /* iommufd_object_abort: freed, never published */
	HA_ABORT_AND_DESTROY, /* the abort that destroys */
	HA_REMOVE, HA_REMOVE_RET, /* removal by the core; its return ends it when 0 */
	HA_DEREF_RET, /* a removal that may only drop a reference: says nothing */
	HA_DESTROY, /* a type's destroy callback: the object ends */
	HA_ABORT, /* a type's abort callback */
	HA_USE, /* the object touched through a pointer kept outside the core */
	HA_HOLD, /* a short-term reference taken while a removal waits */
};

/*
 * The one table of hooks: every IT_HOOK_* (their numbers are ABI, in
 * include/iommutrace.h), with its kernel function, whether it is the
 * function's return, what it does, and the object type whose end it is
 * (for HA_DESTROY: the hooks without which an object's end is not seen).
 * Everything else about a hook is derived from this.
 */
#define IT_HOOKS(HOOK)                                                                           \
	HOOK(IT_HOOK_OBJ_ALLOC, "_iommufd_object_alloc", true, HA_ALLOC, 0)                      \
	HOOK(IT_HOOK_OBJ_FINALIZE, "iommufd_object_finalize", false, HA_FINALIZE, 0)            \
	HOOK(IT_HOOK_OBJ_ABORT, "iommufd_object_abort", false, HA_OBJ_ABORT, 0)                 \
	HOOK(IT_HOOK_OBJ_ABORT_AND_DESTROY, "iommufd_object_abort_and_destroy", false,          \
	     HA_ABORT_AND_DESTROY, 0)                                                            \
	HOOK(IT_HOOK_OBJ_REMOVE, "iommufd_object_remove", false, HA_REMOVE, 0)                  \
	HOOK(IT_HOOK_OBJ_REMOVE_RET, "iommufd_object_remove", true, HA_REMOVE_RET, 0)           \
	HOOK(IT_HOOK_DEVICE_PRE_DESTROY, "iommufd_device_pre_destroy", false, HA_NONE, 0)       \
	HOOK(IT_HOOK_DEVICE_DESTROY, "iommufd_device_destroy", false, HA_DESTROY, IT_OBJ_DEVICE) \
	HOOK(IT_HOOK_VDEVICE_ABORT, "iommufd_vdevice_abort", false, HA_ABORT, IT_OBJ_VDEVICE)   \
	HOOK(IT_HOOK_VDEVICE_DESTROY, "iommufd_vdevice_destroy", false, HA_DESTROY,             \
	     IT_OBJ_VDEVICE)                                                                     \
	HOOK(IT_HOOK_FOPS_OPEN, "iommufd_fops_open", true, HA_OPEN, 0)                          \
	HOOK(IT_HOOK_FOPS_RELEASE, "iommufd_fops_release", false, HA_RELEASE, 0)                \
	HOOK(IT_HOOK_FOPS_RELEASE_RET, "iommufd_fops_release", true, HA_RELEASE_RET, 0)         \
	HOOK(IT_HOOK_IOAS_DESTROY, "iommufd_ioas_destroy", false, HA_DESTROY, IT_OBJ_IOAS)      \
	HOOK(IT_HOOK_HWPT_PAGING_DESTROY, "iommufd_hwpt_paging_destroy", false, HA_DESTROY,     \
	     IT_OBJ_HWPT_PAGING)                                                                 \
	HOOK(IT_HOOK_HWPT_PAGING_ABORT, "iommufd_hwpt_paging_abort", false, HA_ABORT,           \
	     IT_OBJ_HWPT_PAGING)                                                                 \
	HOOK(IT_HOOK_HWPT_NESTED_DESTROY, "iommufd_hwpt_nested_destroy", false, HA_DESTROY,     \
	     IT_OBJ_HWPT_NESTED)                                                                 \
	HOOK(IT_HOOK_HWPT_NESTED_ABORT, "iommufd_hwpt_nested_abort", false, HA_ABORT,           \
	     IT_OBJ_HWPT_NESTED)                                                                 \
	HOOK(IT_HOOK_HW_PAGETABLE_DESTROY, "iommufd_hw_pagetable_destroy", false, HA_DESTROY,   \
	     IT_OBJ_HWPT_PAGING)                                                                 \
	HOOK(IT_HOOK_HW_PAGETABLE_ABORT, "iommufd_hw_pagetable_abort", false, HA_ABORT,         \
	     IT_OBJ_HWPT_PAGING)                                                                 \
	HOOK(IT_HOOK_ACCESS_DESTROY, "iommufd_access_destroy_object", false, HA_DESTROY,        \
	     IT_OBJ_ACCESS)                                                                      \
	HOOK(IT_HOOK_FAULT_DESTROY, "iommufd_fault_destroy", false, HA_DESTROY, IT_OBJ_FAULT)   \
	HOOK(IT_HOOK_VIOMMU_DESTROY, "iommufd_viommu_destroy", false, HA_DESTROY,               \
	     IT_OBJ_VIOMMU)                                                                      \
	HOOK(IT_HOOK_VEVENTQ_DESTROY, "iommufd_veventq_destroy", false, HA_DESTROY,             \
	     IT_OBJ_VEVENTQ)                                                                     \
	HOOK(IT_HOOK_VEVENTQ_ABORT, "iommufd_veventq_abort", false, HA_ABORT, IT_OBJ_VEVENTQ)   \
	HOOK(IT_HOOK_HW_QUEUE_DESTROY, "iommufd_hw_queue_destroy", false, HA_DESTROY,           \
	     IT_OBJ_HW_QUEUE)                                                                    \
	HOOK(IT_HOOK_SELFTEST_DESTROY, "iommufd_selftest_destroy", false, HA_DESTROY,           \
	     IT_OBJ_SELFTEST)                                                                    \
	HOOK(IT_HOOK_OBJ_DESTROY_USER, "iommufd_object_destroy_user", false, HA_REMOVE, 0)      \
	HOOK(IT_HOOK_OBJ_DESTROY_USER_RET, "iommufd_object_destroy_user", true, HA_REMOVE_RET,  \
	     0)                                                                                  \
	HOOK(IT_HOOK__OBJ_DESTROY_USER, "__iommufd_object_destroy_user", false, HA_REMOVE, 0)   \
	HOOK(IT_HOOK__OBJ_DESTROY_USER_RET, "__iommufd_object_destroy_user", true,              \
	     HA_DEREF_RET, 0)                                                                    \
	HOOK(IT_HOOK_EVENTQ_RELEASE, "iommufd_eventq_fops_release", false, HA_USE, 0)          \
	HOOK(IT_HOOK_FAULT_RELEASE, "iommufd_fault_fops_release", false, HA_USE, 0)            \
	HOOK(IT_HOOK_VMA_OPEN, "iommufd_fops_vma_open", false, HA_USE, 0)                      \
	HOOK(IT_HOOK_VMA_CLOSE, "iommufd_fops_vma_close", false, HA_USE, 0)                    \
	HOOK(IT_HOOK_ACCESS_PIN, "iommufd_access_pin_pages", false, HA_USE, 0)                 \
	HOOK(IT_HOOK_ACCESS_UNPIN, "iommufd_access_unpin_pages", false, HA_USE, 0)             \
	HOOK(IT_HOOK_ACCESS_DETACH, "iommufd_access_detach", false, HA_USE, 0)                 \
	HOOK(IT_HOOK_DEVICE_ATTACH, "iommufd_device_attach", false, HA_USE, 0)                 \
	HOOK(IT_HOOK_DEVICE_REPLACE, "iommufd_device_replace", false, HA_USE, 0)               \
	HOOK(IT_HOOK_DEVICE_DETACH, "iommufd_device_detach", false, HA_USE, 0)                 \
	HOOK(IT_HOOK_ACCESS_ATTACH, "iommufd_access_attach", false, HA_USE, 0)                 \
	HOOK(IT_HOOK_ACCESS_REPLACE, "iommufd_access_replace", false, HA_USE, 0)                 \
	HOOK(IT_HOOK_GET_OBJECT, "iommufd_get_object", true, HA_HOLD, 0)

struct hook_def {
	const char *func; /* the kernel function */
	const char *label; /* func, or "func:ret" */
	bool ret;
	enum hook_action action;
	__u16 ends_type; /* IT_OBJ_* whose end (destroy) or abort it is */
};

/* indexed by IT_HOOK_*; [0] is empty */
extern const struct hook_def hook_defs[IT_HOOK_MAX];

static inline enum hook_action hook_action(unsigned int hook)
{
	return hook < IT_HOOK_MAX ? hook_defs[hook].action : HA_NONE;
}

/* The hooks (bit per IT_HOOK_*) that end an object of type: its destroys. */
__u64 hooks_ending(unsigned int type);

/* The kernel function behind a hook, and whether it is the return. */
const char *hook_func(unsigned int hook);
bool hook_is_return(unsigned int hook);
/* "iommufd_object_remove", "iommufd_object_remove:ret", ... for summaries */
const char *hook_label(unsigned int hook);
/* The per-type callbacks that end an object, and those that abort one. */
bool hook_is_destroy(unsigned int hook);
bool hook_is_abort(unsigned int hook);
bool hook_is_use(unsigned int hook);

const char *obj_type_name(unsigned int type);
/* IT_OBJ_* from a name ("vdevice", "device", ...), -1 if unknown */
int obj_type_from_name(const char *name);

#endif
