/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Local views of iommufd's private structures, one ___flavour per layout the
 * kernel has had, matched by CO-RE on field names. The kernel commits that
 * introduced each layout are cited; see also README's compatibility table.
 */
#ifndef IOMMUFD_CORE_BPF_H
#define IOMMUFD_CORE_BPF_H

/*
 * struct iommufd_object's short-term reference count:
 *  - 6.2-6.6: struct rw_semaphore destroy_rwsem (no count)
 *  - 6.7-6.16: refcount_t shortterm_users, 6f9c4d8c468c ("iommufd: Do not
 *    UAF during iommufd_put_object()")
 *  - 6.17+: refcount_t wait_cnt, ab6bc44159d8 ("iommufd: Rename some
 *    shortterm-related identifiers")
 */
struct iommufd_object___rwsem {
	struct rw_semaphore destroy_rwsem;
} __attribute__((preserve_access_index));

struct iommufd_object___wc {
	refcount_t wait_cnt;
} __attribute__((preserve_access_index));

struct iommufd_object___st {
	refcount_t shortterm_users;
} __attribute__((preserve_access_index));

/*
 * struct iommufd_vdevice:
 *  - 6.13-6.16: { obj; ictx; viommu; struct device *dev; u64 id; },
 *    0ce5c2477af2 ("iommufd: Add IOMMUFD_OBJ_VDEVICE"); ictx is never set
 *    there, so it is not read.
 *  - 6.17+: { obj; viommu; struct iommufd_device *idev; u64 virt_id; ... },
 *    c50a5de2c465 ("Explicitly define vdev->virt_id") and 850f14f5b919
 *    ("iommufd: Destroy vdevice on idevice destroy").
 */
struct iommufd_vdevice___v613 {
	struct iommufd_viommu *viommu;
	struct device *dev;
	__u64 id;
} __attribute__((preserve_access_index));

struct iommufd_vdevice___v617 {
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	__u64 virt_id;
} __attribute__((preserve_access_index));

/* 6.2-6.6: a single struct iommufd_hw_pagetable held the IOAS. */
struct iommufd_hw_pagetable___v62 {
	struct iommufd_object obj;
	struct iommufd_ioas *ioas;
} __attribute__((preserve_access_index));

/*
 * enum iommufd_object_type: the values shift between releases (FAULT in
 * 6.11, VIOMMU/VDEVICE in 6.13, VEVENTQ in 6.15, HW_QUEUE in 6.17) and
 * SELFTEST exists only with CONFIG_IOMMUFD_TEST, so every value is
 * relocated. HW_PAGETABLE is the 6.2-6.6 name, split into HWPT_PAGING and
 * HWPT_NESTED by 89db31635c87 in 6.7.
 */
enum iommufd_object_type___it {
	IOMMUFD_OBJ_DEVICE___it,
	IOMMUFD_OBJ_HW_PAGETABLE___it,
	IOMMUFD_OBJ_HWPT_PAGING___it,
	IOMMUFD_OBJ_HWPT_NESTED___it,
	IOMMUFD_OBJ_IOAS___it,
	IOMMUFD_OBJ_ACCESS___it,
	IOMMUFD_OBJ_FAULT___it,
	IOMMUFD_OBJ_VIOMMU___it,
	IOMMUFD_OBJ_VDEVICE___it,
	IOMMUFD_OBJ_VEVENTQ___it,
	IOMMUFD_OBJ_HW_QUEUE___it,
	IOMMUFD_OBJ_SELFTEST___it,
};

/*
 * A context's owner: the opener's cgroup v2 directory. Not iommufd's; the
 * test kernels' vmlinux.h is built without cgroups, so only what is read is
 * declared, and a kernel without CONFIG_CGROUPS has no task_struct.cgroups.
 * struct kernfs_node's parent is `parent` up to 6.14 and `__parent` (RCU)
 * from 6.15 (vmlinux.h has the latter).
 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct cgroup___it {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));

struct css_set___it {
	struct cgroup___it *dfl_cgrp;
} __attribute__((preserve_access_index));

struct task_struct___cg {
	struct css_set___it *cgroups;
} __attribute__((preserve_access_index));

#endif /* IOMMUFD_CORE_BPF_H */
