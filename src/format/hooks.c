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
	/* uses: a touch of an object after its end is use_after_destroy */
	{ "iommufd_eventq_fops_release", "eventq_release", NULL, "6.15+", false },
	{ "iommufd_fault_fops_release", "fault_release", NULL, "6.11-6.14", false },
	{ "iommufd_fops_vma_open", "vma_open", NULL, "6.17+", false },
	{ "iommufd_fops_vma_close", "vma_close", NULL, "6.17+", false },
	{ "iommufd_access_pin_pages", "access_pin", NULL, "6.2+", false },
	{ "iommufd_access_unpin_pages", "access_unpin", NULL, "6.2+", false },
	{ "iommufd_access_detach", "access_detach", NULL, "6.6+", false },
	{ "iommufd_access_attach", "access_attach", NULL, "6.6+", false },
	{ "iommufd_access_replace", "access_replace", NULL, "6.6+", false },
	{ "iommufd_device_attach", "device_attach", NULL, "6.2+", false },
	{ "iommufd_device_replace", "device_replace", NULL, "6.6+", false },
	{ "iommufd_device_detach", "device_detach", NULL, "6.2+", false },
	/* holds: who takes an object while its removal waits */
	{ "iommufd_get_object", NULL, "get_object_ret", "6.2+", false },
};
const int n_probe_defs = sizeof(probe_defs) / sizeof(probe_defs[0]);

const struct hook_def hook_defs[IT_HOOK_MAX] = {
#define HOOK(id, fn, r, act, type) \
	[id] = { .func = fn, .label = r ? fn ":ret" : fn, .ret = r, .action = act, .ends_type = type },
	IT_HOOKS(HOOK)
#undef HOOK
};

const char *hook_func(unsigned int hook)
{
	return hook < IT_HOOK_MAX && hook_defs[hook].func ? hook_defs[hook].func : NULL;
}

bool hook_is_return(unsigned int hook)
{
	return hook < IT_HOOK_MAX && hook_defs[hook].ret;
}

const char *hook_label(unsigned int hook)
{
	return hook < IT_HOOK_MAX && hook_defs[hook].label ? hook_defs[hook].label : NULL;
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

bool hook_is_destroy(unsigned int hook)
{
	return hook_action(hook) == HA_DESTROY;
}

bool hook_is_abort(unsigned int hook)
{
	return hook_action(hook) == HA_ABORT;
}

bool hook_is_use(unsigned int hook)
{
	return hook_action(hook) == HA_USE;
}

__u64 hooks_ending(unsigned int type)
{
	__u64 mask = 0;

	for (unsigned int h = 1; h < IT_HOOK_MAX; h++)
		if (hook_defs[h].action == HA_DESTROY && hook_defs[h].ends_type == type)
			mask |= 1ULL << h;
	return mask;
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
