// SPDX-License-Identifier: GPL-2.0
/*
 * BTF for each iommufd layout band that has no Debian kernel package here,
 * for the layout tests: compiled once per band (-DBAND=...), loaded as
 * libbpf's btf_custom_path. Field names, order and the enum values follow
 * the kernel headers of each band with CONFIG_IOMMUFD_TEST=y (see the
 * compatibility notes in README and the commits cited in bpf/).
 */
typedef struct {
	int counter;
} atomic_t;

typedef struct refcount_struct {
	atomic_t refs;
} refcount_t;

struct rw_semaphore {
	long count;
	long owner;
};

struct device;
struct iommufd_ctx;
struct iommufd_ioas;
struct iommufd_viommu;
struct iommufd_device;

#if BAND == 62 /* 6.2 - 6.6: destroy_rwsem, one hw_pagetable */
enum iommufd_object_type {
	IOMMUFD_OBJ_NONE, IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE, IOMMUFD_OBJ_HW_PAGETABLE, IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_ACCESS, IOMMUFD_OBJ_SELFTEST,
};
struct iommufd_object {
	struct rw_semaphore destroy_rwsem;
	refcount_t users;
	enum iommufd_object_type type;
	unsigned int id;
};
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	struct iommufd_ioas *ioas;
	void *domain;
};
struct iommufd_hw_pagetable hwpt;
#else /* 6.7+: shortterm_users (wait_cnt from 6.17), hwpt_paging/nested */
enum iommufd_object_type {
	IOMMUFD_OBJ_NONE, IOMMUFD_OBJ_ANY = IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_DEVICE, IOMMUFD_OBJ_HWPT_PAGING, IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_IOAS, IOMMUFD_OBJ_ACCESS,
#if BAND >= 611
	IOMMUFD_OBJ_FAULT,
#endif
#if BAND >= 613
	IOMMUFD_OBJ_VIOMMU, IOMMUFD_OBJ_VDEVICE,
#endif
#if BAND >= 615
	IOMMUFD_OBJ_VEVENTQ,
#endif
#if BAND >= 617
	IOMMUFD_OBJ_HW_QUEUE,
#endif
	IOMMUFD_OBJ_SELFTEST,
	IOMMUFD_OBJ_MAX,
};
struct iommufd_object {
#if BAND >= 617
	refcount_t wait_cnt;
#else
	refcount_t shortterm_users;
#endif
	refcount_t users;
	enum iommufd_object_type type;
	unsigned int id;
};
struct iommufd_hw_pagetable {
	struct iommufd_object obj;
	void *domain;
};
struct iommufd_hwpt_paging {
	struct iommufd_hw_pagetable common;
	struct iommufd_ioas *ioas;
};
struct iommufd_hwpt_paging hwpt;
#endif

#if BAND >= 613 && BAND < 617 /* 0ce5c2477af2 */
struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_viommu *viommu;
	struct device *dev;
	unsigned long long id;
};
struct iommufd_vdevice vdev;
#elif BAND >= 617 /* c50a5de2c465, 850f14f5b919 */
struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	unsigned long long virt_id;
	void (*destroy)(struct iommufd_vdevice *vdev);
};
struct iommufd_vdevice vdev;
#endif

struct iommufd_object obj;
enum iommufd_object_type type;
