// SPDX-License-Identifier: GPL-2.0
/* Tables: kernel functions probed, hook and object type names. */
#include <stddef.h>
#include <string.h>

#include "format/hooks.h"

/*
 * Kernel bands and the commits that moved these functions are in README's
 * compatibility table; the hints here only help a reader of `check`.
 */
const struct probe_def probe_defs[] = {
	{ "_iommufd_object_alloc", "obj_alloc", "obj_alloc_ret", "6.2+", true },
	{ "iommufd_object_finalize", "obj_finalize", NULL, "6.2+", true },
	{ "iommufd_object_abort", "obj_abort", NULL, "6.2+", false },
	{ "iommufd_object_abort_and_destroy", "obj_abort_and_destroy", NULL, "6.2+", false },
	{ "iommufd_object_remove", "obj_remove", "obj_remove_ret", "6.7+", false },
	{ "iommufd_object_destroy_user", "obj_destroy_user", "obj_destroy_user_ret",
	  "6.2-6.4.7", false },
	{ "__iommufd_object_destroy_user", "obj__destroy_user", "obj__destroy_user_ret",
	  "6.4.8-6.6", false },
	{ "iommufd_fops_open", "fops_open", "fops_open_ret", "6.2+", false },
	{ "iommufd_fops_release", "fops_release", "fops_release_ret", "6.2+", true },
	{ "iommufd_device_pre_destroy", "device_pre_destroy", NULL, "6.17+", false },
	{ "iommufd_device_destroy", "device_destroy", NULL, "6.2+", true },
	{ "iommufd_vdevice_abort", "vdevice_abort", NULL, "6.17+", false },
	{ "iommufd_vdevice_destroy", "vdevice_destroy", NULL, "6.13+", false },
	{ "iommufd_viommu_destroy", "viommu_destroy", NULL, "6.13+", false },
	{ "iommufd_ioas_destroy", "ioas_destroy", NULL, "6.2+", false },
	{ "iommufd_hwpt_paging_destroy", "hwpt_paging_destroy", NULL, "6.7+", false },
	{ "iommufd_hwpt_paging_abort", "hwpt_paging_abort", NULL, "6.7+", false },
	{ "iommufd_hwpt_nested_destroy", "hwpt_nested_destroy", NULL, "6.7+", false },
	{ "iommufd_hwpt_nested_abort", "hwpt_nested_abort", NULL, "6.7+", false },
	{ "iommufd_hw_pagetable_destroy", "hw_pagetable_destroy", NULL, "6.2-6.6", false },
	{ "iommufd_hw_pagetable_abort", "hw_pagetable_abort", NULL, "6.6", false },
	{ "iommufd_access_destroy_object", "access_destroy", NULL, "6.2+", false },
	{ "iommufd_fault_destroy", "fault_destroy", NULL, "6.11+", false },
	{ "iommufd_veventq_destroy", "veventq_destroy", NULL, "6.15+", false },
	{ "iommufd_veventq_abort", "veventq_abort", NULL, "6.15+", false },
	{ "iommufd_hw_queue_destroy", "hw_queue_destroy", NULL, "6.17+", false },
	{ "iommufd_selftest_destroy", "selftest_destroy", NULL, "CONFIG_IOMMUFD_TEST", false },
};
const int n_probe_defs = sizeof(probe_defs) / sizeof(probe_defs[0]);

static const struct {
	const char *func;
	const char *label;
	bool ret;
} hooks[IT_HOOK_MAX] = {
#define H(id, fn, r) [id] = { fn, r ? fn ":ret" : fn, r }
	H(IT_HOOK_OBJ_ALLOC, "_iommufd_object_alloc", true),
	H(IT_HOOK_OBJ_FINALIZE, "iommufd_object_finalize", false),
	H(IT_HOOK_OBJ_ABORT, "iommufd_object_abort", false),
	H(IT_HOOK_OBJ_ABORT_AND_DESTROY, "iommufd_object_abort_and_destroy", false),
	H(IT_HOOK_OBJ_REMOVE, "iommufd_object_remove", false),
	H(IT_HOOK_OBJ_REMOVE_RET, "iommufd_object_remove", true),
	H(IT_HOOK_DEVICE_PRE_DESTROY, "iommufd_device_pre_destroy", false),
	H(IT_HOOK_DEVICE_DESTROY, "iommufd_device_destroy", false),
	H(IT_HOOK_VDEVICE_ABORT, "iommufd_vdevice_abort", false),
	H(IT_HOOK_VDEVICE_DESTROY, "iommufd_vdevice_destroy", false),
	H(IT_HOOK_FOPS_OPEN, "iommufd_fops_open", true),
	H(IT_HOOK_FOPS_RELEASE, "iommufd_fops_release", false),
	H(IT_HOOK_FOPS_RELEASE_RET, "iommufd_fops_release", true),
	H(IT_HOOK_IOAS_DESTROY, "iommufd_ioas_destroy", false),
	H(IT_HOOK_HWPT_PAGING_DESTROY, "iommufd_hwpt_paging_destroy", false),
	H(IT_HOOK_HWPT_PAGING_ABORT, "iommufd_hwpt_paging_abort", false),
	H(IT_HOOK_HWPT_NESTED_DESTROY, "iommufd_hwpt_nested_destroy", false),
	H(IT_HOOK_HWPT_NESTED_ABORT, "iommufd_hwpt_nested_abort", false),
	H(IT_HOOK_HW_PAGETABLE_DESTROY, "iommufd_hw_pagetable_destroy", false),
	H(IT_HOOK_HW_PAGETABLE_ABORT, "iommufd_hw_pagetable_abort", false),
	H(IT_HOOK_ACCESS_DESTROY, "iommufd_access_destroy_object", false),
	H(IT_HOOK_FAULT_DESTROY, "iommufd_fault_destroy", false),
	H(IT_HOOK_VIOMMU_DESTROY, "iommufd_viommu_destroy", false),
	H(IT_HOOK_VEVENTQ_DESTROY, "iommufd_veventq_destroy", false),
	H(IT_HOOK_VEVENTQ_ABORT, "iommufd_veventq_abort", false),
	H(IT_HOOK_HW_QUEUE_DESTROY, "iommufd_hw_queue_destroy", false),
	H(IT_HOOK_SELFTEST_DESTROY, "iommufd_selftest_destroy", false),
	H(IT_HOOK_OBJ_DESTROY_USER, "iommufd_object_destroy_user", false),
	H(IT_HOOK_OBJ_DESTROY_USER_RET, "iommufd_object_destroy_user", true),
	H(IT_HOOK__OBJ_DESTROY_USER, "__iommufd_object_destroy_user", false),
	H(IT_HOOK__OBJ_DESTROY_USER_RET, "__iommufd_object_destroy_user", true),
#undef H
};

const char *hook_func(unsigned int hook)
{
	return hook < IT_HOOK_MAX && hooks[hook].func ? hooks[hook].func : NULL;
}

bool hook_is_return(unsigned int hook)
{
	return hook < IT_HOOK_MAX && hooks[hook].ret;
}

const char *hook_label(unsigned int hook)
{
	return hook < IT_HOOK_MAX && hooks[hook].label ? hooks[hook].label : NULL;
}

static const char *const type_names[IT_OBJ_MAX] = {
	[IT_OBJ_UNKNOWN] = "unknown",
	[IT_OBJ_DEVICE] = "device",
	[IT_OBJ_HWPT_PAGING] = "hwpt_paging",
	[IT_OBJ_HWPT_NESTED] = "hwpt_nested",
	[IT_OBJ_IOAS] = "ioas",
	[IT_OBJ_ACCESS] = "access",
	[IT_OBJ_FAULT] = "fault",
	[IT_OBJ_VIOMMU] = "viommu",
	[IT_OBJ_VDEVICE] = "vdevice",
	[IT_OBJ_VEVENTQ] = "veventq",
	[IT_OBJ_HW_QUEUE] = "hw_queue",
	[IT_OBJ_SELFTEST] = "selftest",
	[IT_OBJ_CTX] = "ctx",
	[IT_OBJ_DEVICE_STRUCT] = "struct_device",
};

const char *obj_type_name(unsigned int type)
{
	return type < IT_OBJ_MAX && type_names[type] ? type_names[type] : "unknown";
}

int obj_type_from_name(const char *name)
{
	for (int i = 0; i < IT_OBJ_MAX; i++)
		if (type_names[i] && !strcmp(type_names[i], name))
			return i;
	return -1;
}

/* The per-type callbacks that end an object, and those that abort one. */
bool hook_is_destroy(unsigned int hook)
{
	switch (hook) {
	case IT_HOOK_DEVICE_DESTROY:
	case IT_HOOK_VDEVICE_DESTROY:
	case IT_HOOK_IOAS_DESTROY:
	case IT_HOOK_HWPT_PAGING_DESTROY:
	case IT_HOOK_HWPT_NESTED_DESTROY:
	case IT_HOOK_HW_PAGETABLE_DESTROY:
	case IT_HOOK_ACCESS_DESTROY:
	case IT_HOOK_FAULT_DESTROY:
	case IT_HOOK_VIOMMU_DESTROY:
	case IT_HOOK_VEVENTQ_DESTROY:
	case IT_HOOK_HW_QUEUE_DESTROY:
	case IT_HOOK_SELFTEST_DESTROY:
		return true;
	}
	return false;
}

bool hook_is_abort(unsigned int hook)
{
	switch (hook) {
	case IT_HOOK_VDEVICE_ABORT:
	case IT_HOOK_HWPT_PAGING_ABORT:
	case IT_HOOK_HWPT_NESTED_ABORT:
	case IT_HOOK_HW_PAGETABLE_ABORT:
	case IT_HOOK_VEVENTQ_ABORT:
		return true;
	}
	return false;
}

__u64 hooks_of_probes(const bool *present)
{
	__u64 mask = 0;

	for (unsigned int h = 1; h < IT_HOOK_MAX; h++)
		for (int i = 0; i < n_probe_defs; i++)
			if (present[i] && !strcmp(probe_defs[i].func, hook_func(h)))
				mask |= 1ULL << h;
	return mask;
}
