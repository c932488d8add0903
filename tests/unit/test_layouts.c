// SPDX-License-Identifier: GPL-2.0
/*
 * CO-RE against the BTF of every iommufd layout band (tests/btf/layouts.c,
 * built per band): the BPF object's own layout_probe program is relocated
 * against it, run, and must report the band's short-term reference field,
 * vDEVICE and HWPT layouts, and map each kernel enum value of the band
 * (with CONFIG_IOMMUFD_TEST) to the right object type.
 */
#include <errno.h>
#include <stdlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kernel/features.h"
#include "format/hooks.h"
#include "model/rules.h"
#include "kernel/loader.h"
#include "test.h"

struct band {
	const char *name;
	const char *kernels;
	__u32 wait, vdev, hwpt;
	/* IT_OBJ_* for kernel values 1.. (0 is NONE/ANY), 0-terminated */
	__u16 types[14];
};

static const struct band bands[] = {
	{ "62", "6.2-6.6", IT_LAYOUT_WAIT_RWSEM, IT_LAYOUT_VDEV_NONE, IT_LAYOUT_HWPT_SINGLE,
	  { IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING, IT_OBJ_IOAS, IT_OBJ_ACCESS, IT_OBJ_SELFTEST } },
	{ "67", "6.7-6.10", IT_LAYOUT_WAIT_SHORTTERM, IT_LAYOUT_VDEV_NONE, IT_LAYOUT_HWPT_PAGING,
	  { IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING, IT_OBJ_HWPT_NESTED, IT_OBJ_IOAS, IT_OBJ_ACCESS,
	    IT_OBJ_SELFTEST } },
	{ "611", "6.11-6.12", IT_LAYOUT_WAIT_SHORTTERM, IT_LAYOUT_VDEV_NONE, IT_LAYOUT_HWPT_PAGING,
	  { IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING, IT_OBJ_HWPT_NESTED, IT_OBJ_IOAS, IT_OBJ_ACCESS,
	    IT_OBJ_FAULT, IT_OBJ_SELFTEST } },
	{ "613", "6.13-6.14", IT_LAYOUT_WAIT_SHORTTERM, IT_LAYOUT_VDEV_DEV_ID, IT_LAYOUT_HWPT_PAGING,
	  { IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING, IT_OBJ_HWPT_NESTED, IT_OBJ_IOAS, IT_OBJ_ACCESS,
	    IT_OBJ_FAULT, IT_OBJ_VIOMMU, IT_OBJ_VDEVICE, IT_OBJ_SELFTEST } },
	{ "615", "6.15-6.16", IT_LAYOUT_WAIT_SHORTTERM, IT_LAYOUT_VDEV_DEV_ID, IT_LAYOUT_HWPT_PAGING,
	  { IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING, IT_OBJ_HWPT_NESTED, IT_OBJ_IOAS, IT_OBJ_ACCESS,
	    IT_OBJ_FAULT, IT_OBJ_VIOMMU, IT_OBJ_VDEVICE, IT_OBJ_VEVENTQ, IT_OBJ_SELFTEST } },
	{ "617", "6.17-7.2", IT_LAYOUT_WAIT_CNT, IT_LAYOUT_VDEV_IDEV_VIRT_ID, IT_LAYOUT_HWPT_PAGING,
	  { IT_OBJ_DEVICE, IT_OBJ_HWPT_PAGING, IT_OBJ_HWPT_NESTED, IT_OBJ_IOAS, IT_OBJ_ACCESS,
	    IT_OBJ_FAULT, IT_OBJ_VIOMMU, IT_OBJ_VDEVICE, IT_OBJ_VEVENTQ, IT_OBJ_HW_QUEUE,
	    IT_OBJ_SELFTEST } },
};

void test_layouts(void)
{
	const char *dir = getenv("IOMMUTRACE_BTF_DIR");
	char path[512];

	if (!dir)
		dir = "build/btf";
	for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
		const struct band *b = &bands[i];
		struct it_layout l;
		int err, k;

		snprintf(path, sizeof(path), "%s/band-%s.o", dir, b->name);
		err = layout_probe_btf(path, &l);
		if (err == -EPERM || err == -EACCES) {
			test__skip("loading BPF needs CAP_BPF: %s", strerror(-err));
			return;
		}
		if (!test__start_subtest(b->kernels))
			continue;
		if (!ASSERT_EQ(err, 0, "load and run layout_probe"))
			continue;
		ASSERT_EQ(l.wait, b->wait, "short-term reference field");
		ASSERT_EQ(l.vdev, b->vdev, "vDEVICE layout");
		ASSERT_EQ(l.hwpt, b->hwpt, "HWPT layout");
		ASSERT_EQ(l.type_of[0], IT_OBJ_UNKNOWN, "NONE/ANY");
		for (k = 0; b->types[k]; k++)
			ASSERT_EQ(l.type_of[k + 1], b->types[k], obj_type_name(b->types[k]));
		ASSERT_EQ(l.type_of[k + 1], IT_OBJ_UNKNOWN, "past the band's last type (MAX)");
	}
}

/*
 * The functions of each band (../shared/design/iommufd-history.md, sections
 * 2.8 and 2.9: global functions, per-type callbacks), as kallsyms would list
 * them: which probes load, and which rules are degraded for want of a hook.
 */
#define COMMON "_iommufd_object_alloc iommufd_object_finalize iommufd_object_abort " \
	"iommufd_object_abort_and_destroy iommufd_fops_open iommufd_fops_release " \
	"iommufd_device_destroy iommufd_ioas_destroy iommufd_access_destroy_object " \
	"iommufd_selftest_destroy iommufd_access_pin_pages iommufd_access_unpin_pages " \
	"iommufd_device_attach iommufd_device_detach iommufd_get_object "
#define HWPT_SPLIT "iommufd_access_detach iommufd_access_attach iommufd_access_replace " \
	"iommufd_device_replace iommufd_object_remove iommufd_hwpt_paging_destroy iommufd_hwpt_paging_abort " \
	"iommufd_hwpt_nested_destroy iommufd_hwpt_nested_abort "

static const struct band_funcs {
	const char *kernels;
	const char *funcs;
	int probes; /* that load */
	const char *degraded; /* rules, space-separated */
} band_funcs[] = {
	{ "6.2-6.4.7", COMMON "iommufd_object_destroy_user iommufd_hw_pagetable_destroy",
	  17, "vdev_outlives_idev long_wait wait_timeout" },
	{ "6.4.8-6.6", COMMON "__iommufd_object_destroy_user iommufd_hw_pagetable_destroy "
	  "iommufd_hw_pagetable_abort",
	  18, "vdev_outlives_idev long_wait wait_timeout" },
	{ "6.7-6.10", COMMON HWPT_SPLIT, 24, "vdev_outlives_idev" },
	{ "6.11-6.12", COMMON HWPT_SPLIT "iommufd_fault_destroy iommufd_fault_fops_release", 26, "vdev_outlives_idev" },
	{ "6.13-6.14", COMMON HWPT_SPLIT "iommufd_fault_destroy iommufd_viommu_destroy "
	  "iommufd_vdevice_destroy iommufd_fault_fops_release", 28, "" },
	{ "6.15-6.16", COMMON HWPT_SPLIT "iommufd_fault_destroy iommufd_viommu_destroy "
	  "iommufd_vdevice_destroy iommufd_veventq_destroy iommufd_veventq_abort "
	  "iommufd_eventq_fops_release", 30, "" },
	{ "6.17-7.2", COMMON HWPT_SPLIT "iommufd_fault_destroy iommufd_viommu_destroy "
	  "iommufd_vdevice_destroy iommufd_veventq_destroy iommufd_veventq_abort "
	  "iommufd_device_pre_destroy iommufd_vdevice_abort iommufd_hw_queue_destroy "
	  "iommufd_eventq_fops_release iommufd_fops_vma_open iommufd_fops_vma_close", 35, "" },
};

void test_band_hooks(void)
{
	for (size_t b = 0; b < sizeof(band_funcs) / sizeof(band_funcs[0]); b++) {
		const struct band_funcs *bf = &band_funcs[b];
		char path[] = "/tmp/iommutrace-kallsyms.XXXXXX", *dup, *tok, *save;
		char degraded[256] = "";
		struct features f = {};
		struct graph g;
		struct rules r;
		bool present[64] = {};
		int fd = mkstemp(path), n = 0;
		FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

		if (!ASSERT_OK_PTR(fp, "temporary kallsyms"))
			return;
		test__start_subtest(bf->kernels);
		dup = strdup(bf->funcs);
		for (tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			fprintf(fp, "ffffffff81000000 T %s\n", tok);
		/* a clone of a function is not the function */
		fprintf(fp, "ffffffff81000100 t iommufd_vdevice_destroy.isra.0\n");
		free(dup);
		fclose(fp);
		ASSERT_EQ(features_parse_kallsyms(&f, path), 0, "parse");
		unlink(path);
		for (int i = 0; i < n_probe_defs; i++) {
			present[i] = f.targets[i].present;
			n += present[i];
		}
		ASSERT_EQ(n, bf->probes, "probes that load");
		graph_init(&g);
		rules_init(&r, &g, &(struct rules_config){ .attached = ~0ULL }, NULL, NULL);
		rules_set_attached(&r, hooks_of_probes(present));
		for (int i = 0; i < n_rules; i++)
			if (r.degraded[i])
				snprintf(degraded + strlen(degraded), sizeof(degraded) - strlen(degraded),
					 "%s%s", degraded[0] ? " " : "", rule_table[i].name);
		ASSERT_STREQ(degraded, bf->degraded, "degraded rules");
		graph_fini(&g);
	}
}
