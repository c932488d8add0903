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

#include "hooks.h"
#include "loader.h"
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
