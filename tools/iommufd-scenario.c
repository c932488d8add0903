// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd-scenario: drive iommufd through its uAPI and the mock driver
 * (CONFIG_IOMMUFD_TEST) to create and destroy objects in a known order,
 * printing every id it gets back as NAME=ID, one per line.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/userfaultfd.h>
#include "iommufd_test.h"

#define EXIT_SKIP 77 /* the kernel cannot do this scenario */

#define VIRT_ID 0x1234

struct graph {
	__u32 ioas, stdev, idev, hwpt_auto, hwpt, viommu, vdev;
	__u32 stdev2, idev2, hwpt_auto2;
};

static bool quiet;

static void print_id(const char *name, __u32 id)
{
	if (!quiet)
		printf("%s=%u\n", name, id);
}

static void print_rc(const char *what, __u32 id, int err)
{
	if (quiet)
		return;
	printf("%s=%u rc=%s\n", what, id, err ? strerrorname_np(err) : "0");
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "iommufd-scenario: %s: %s\n", what, strerror(err));
	if (err == ENOTTY || err == EOPNOTSUPP) {
		fprintf(stderr, "iommufd-scenario: the kernel has no %s; scenario skipped\n",
			what);
		exit(EXIT_SKIP);
	}
	exit(1);
}

static int open_iommufd(void)
{
	int fd = open("/dev/iommu", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "iommufd-scenario: can't open /dev/iommu: %s (kernel without CONFIG_IOMMUFD?)\n",
			strerror(errno));
		exit(EXIT_SKIP);
	}
	return fd;
}

static __u32 ioas_alloc(int fd)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &cmd))
		fail("IOMMU_IOAS_ALLOC", errno);
	return cmd.out_ioas_id;
}

static void mock_domain(int fd, __u32 ioas, __u32 *stdev, __u32 *hwpt, __u32 *idev)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas,
	};

	if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
		fail("IOMMU_TEST_OP_MOCK_DOMAIN (CONFIG_IOMMUFD_TEST)", errno);
	*stdev = cmd.mock_domain.out_stdev_id;
	*hwpt = cmd.mock_domain.out_hwpt_id;
	*idev = cmd.mock_domain.out_idev_id;
}

static __u32 hwpt_alloc_nest_parent(int fd, __u32 idev, __u32 ioas)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.dev_id = idev,
		.pt_id = ioas,
	};

	if (ioctl(fd, IOMMU_HWPT_ALLOC, &cmd))
		fail("IOMMU_HWPT_ALLOC", errno);
	return cmd.out_hwpt_id;
}

static __u32 viommu_alloc(int fd, __u32 idev, __u32 hwpt)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = idev,
		.hwpt_id = hwpt,
	};

	if (ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd))
		fail("IOMMU_VIOMMU_ALLOC", errno);
	return cmd.out_viommu_id;
}

static int vdevice_alloc(int fd, __u32 viommu, __u32 idev, __u32 *out)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu,
		.dev_id = idev,
		.virt_id = VIRT_ID,
	};

	if (ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd))
		return errno;
	*out = cmd.out_vdevice_id;
	return 0;
}

static int destroy(int fd, __u32 id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return ioctl(fd, IOMMU_DESTROY, &cmd) ? errno : 0;
}

/* Destroy an object the scenario expects to go away. */
static void destroy_ok(int fd, const char *name, __u32 id)
{
	int err = destroy(fd, id);
	char what[64];

	snprintf(what, sizeof(what), "destroy_%s", name);
	print_rc(what, id, err);
	if (err)
		fail(what, err);
}

/* An IOAS and a mock device (an idev) attached to it. */
static void mock_device(int fd, struct graph *g)
{
	g->ioas = ioas_alloc(fd);
	print_id("ioas", g->ioas);
	mock_domain(fd, g->ioas, &g->stdev, &g->hwpt_auto, &g->idev);
	print_id("stdev", g->stdev);
	print_id("hwpt_auto", g->hwpt_auto);
	print_id("idev", g->idev);
}

/* IOAS, mock device (an idev), nest-parent HWPT, vIOMMU and vDEVICE. */
static void build(int fd, struct graph *g)
{
	int err;

	mock_device(fd, g);
	g->hwpt = hwpt_alloc_nest_parent(fd, g->idev, g->ioas);
	print_id("hwpt", g->hwpt);
	g->viommu = viommu_alloc(fd, g->idev, g->hwpt);
	print_id("viommu", g->viommu);
	err = vdevice_alloc(fd, g->viommu, g->idev, &g->vdev);
	if (err)
		fail("IOMMU_VDEVICE_ALLOC", err);
	print_id("vdev", g->vdev);
}

/* No vIOMMU, for kernels before 6.13: IOAS, mock device, HWPT, destroyed. */
static int scenario_basic(void)
{
	struct graph g = {};
	int fd = open_iommufd();

	mock_device(fd, &g);
	g.hwpt = hwpt_alloc_nest_parent(fd, g.idev, g.ioas);
	print_id("hwpt", g.hwpt);
	destroy_ok(fd, "hwpt", g.hwpt);
	destroy_ok(fd, "stdev", g.stdev);
	destroy_ok(fd, "ioas", g.ioas);
	close(fd);
	return 0;
}

static int scenario_orderly(void)
{
	struct graph g = {};
	int fd = open_iommufd();

	build(fd, &g);
	destroy_ok(fd, "vdev", g.vdev);
	destroy_ok(fd, "viommu", g.viommu);
	destroy_ok(fd, "hwpt", g.hwpt);
	destroy_ok(fd, "stdev", g.stdev);
	destroy_ok(fd, "ioas", g.ioas);
	close(fd);
	return 0;
}

/*
 * Unbind the device while its vDEVICE is alive: 6.17+ destroys the vdev
 * inside the idev's pre_destroy and leaves a tombstone, so the later
 * IOMMU_DESTROY of the vdev fails with ENOENT; 6.13-6.16 keep the vdev.
 */
static int scenario_idev_first(void)
{
	struct graph g = {};
	int fd = open_iommufd();

	build(fd, &g);
	destroy_ok(fd, "stdev", g.stdev);
	print_rc("destroy_vdev", g.vdev, destroy(fd, g.vdev));
	destroy_ok(fd, "viommu", g.viommu);
	destroy_ok(fd, "hwpt", g.hwpt);
	destroy_ok(fd, "ioas", g.ioas);
	close(fd);
	return 0;
}

static int scenario_close_all(void)
{
	struct graph g = {};
	int fd = open_iommufd();

	build(fd, &g);
	close(fd);
	return 0;
}

/*
 * A second vDEVICE with the same virtual id on the same vIOMMU: the kernel
 * reserves the object, then fails the vIOMMU slot with EEXIST and aborts.
 */
static int scenario_alloc_fail(void)
{
	struct graph g = {};
	__u32 vdev2 = 0;
	int fd = open_iommufd();
	int err;

	build(fd, &g);
	mock_domain(fd, g.ioas, &g.stdev2, &g.hwpt_auto2, &g.idev2);
	print_id("stdev2", g.stdev2);
	print_id("hwpt_auto2", g.hwpt_auto2);
	print_id("idev2", g.idev2);
	err = vdevice_alloc(fd, g.viommu, g.idev2, &vdev2);
	print_rc("vdev_alloc_dup", vdev2, err);
	if (err != EEXIST) {
		fprintf(stderr, "iommufd-scenario: duplicate vDEVICE: expected EEXIST, got %s\n",
			err ? strerror(err) : "success");
		return 1;
	}
	destroy_ok(fd, "vdev", g.vdev);
	destroy_ok(fd, "viommu", g.viommu);
	destroy_ok(fd, "hwpt", g.hwpt);
	destroy_ok(fd, "stdev2", g.stdev2);
	destroy_ok(fd, "stdev", g.stdev);
	destroy_ok(fd, "ioas", g.ioas);
	close(fd);
	return 0;
}

static long long us_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000LL + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/*
 * The known bugs, put back in the test kernels (tests/kernel-patches/),
 * triggered the way their reports did. Each also runs on a kernel without
 * the bug, where it must pass unremarked.
 */

/*
 * Allocate an object whose ioctl hands back a new file descriptor with no
 * descriptor left below RLIMIT_NOFILE: the kernel has made the object and
 * its file when get_unused_fd_flags() fails with EMFILE, and aborts the
 * object (syzbot 80620e2d0d0a33b09f93, CVE-2025-39966). The id the kernel
 * gave the aborted object is the lowest free one: the next allocation gets
 * it again, and it is printed as NAME.
 */
static int alloc_without_fds(int fd, const char *name, unsigned long req, void *cmd)
{
	struct rlimit old, low;
	int fds[64], n = 0, err;
	__u32 again;

	if (getrlimit(RLIMIT_NOFILE, &old))
		return fail("getrlimit", errno);
	low = old;
	low.rlim_cur = 64;
	if (low.rlim_max != RLIM_INFINITY && low.rlim_max < low.rlim_cur)
		low.rlim_cur = low.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &low))
		return fail("setrlimit", errno);
	/* every descriptor below the limit taken */
	while (n < 64 && (fds[n] = dup(fd)) >= 0)
		n++;
	err = ioctl(fd, req, cmd) ? errno : 0;
	while (n > 0)
		close(fds[--n]);
	if (setrlimit(RLIMIT_NOFILE, &old))
		return fail("setrlimit", errno);
	again = ioas_alloc(fd);
	print_id(name, again);
	destroy_ok(fd, "ioas_again", again);
	if (err != EMFILE) {
		fprintf(stderr, "iommufd-scenario: %s without a free fd: expected EMFILE, got %s\n",
			name, err ? strerror(err) : "success");
		return 1;
	}
	print_rc("alloc_no_fd", again, err);
	return 0;
}

/* IOMMU_FAULT_QUEUE_ALLOC (6.11+) with every descriptor taken */
static int scenario_fault_abort(void)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int fd = open_iommufd();
	int rc;

	rc = alloc_without_fds(fd, "fault", IOMMU_FAULT_QUEUE_ALLOC, &cmd);
	close(fd);
	return rc;
}

/* IOMMU_VEVENTQ_ALLOC (6.15+) on a selftest vIOMMU with every descriptor taken */
static int scenario_veventq_abort(void)
{
	struct iommu_veventq_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 2,
	};
	struct graph g = {};
	int fd = open_iommufd();
	int rc;

	build(fd, &g);
	cmd.viommu_id = g.viommu;
	rc = alloc_without_fds(fd, "veventq", IOMMU_VEVENTQ_ALLOC, &cmd);
	close(fd);
	return rc;
}

/* How long an unbind may be held: past the 10 s timeout of 6.7-6.13. */
static unsigned int hold_seconds = 12;

struct held_info {
	int fd;
	__u32 idev;
	void *page;
	int err;
};

/* IOMMU_GET_HW_INFO into a page userfaultfd holds back: the idev stays held */
static void *hw_info_thread(void *arg)
{
	struct held_info *h = arg;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = h->idev,
		.data_len = sizeof(struct iommu_test_hw_info),
		.data_uptr = (__u64)(unsigned long)h->page,
	};

	h->err = ioctl(h->fd, IOMMU_GET_HW_INFO, &cmd) ? errno : 0;
	return NULL;
}

struct destroy_info {
	int fd;
	__u32 id;
	int err;
	long long ms;
	bool done;
};

static void *destroy_thread(void *arg)
{
	struct destroy_info *d = arg;
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	d->err = destroy(d->fd, d->id);
	d->ms = us_since(&t0) / 1000;
	__atomic_store_n(&d->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/* A userfaultfd with one registered page, whose first touch it holds. */
static int uffd_page(void **page)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long psz = sysconf(_SC_PAGESIZE);
	int uffd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (uffd < 0) {
		fprintf(stderr, "iommufd-scenario: userfaultfd: %s (kernel without CONFIG_USERFAULTFD?); scenario skipped\n",
			strerror(errno));
		exit(EXIT_SKIP);
	}
	if (ioctl(uffd, UFFDIO_API, &api))
		fail("UFFDIO_API", errno);
	*page = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*page == MAP_FAILED)
		fail("mmap", errno);
	reg.range.start = (unsigned long)*page;
	reg.range.len = psz;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		fail("UFFDIO_REGISTER", errno);
	return uffd;
}

/*
 * Unbind a device while an ioctl holds it (syzbot c92878e123785b1fa2db,
 * "WARNING in iommufd_device_unbind"): IOMMU_GET_HW_INFO holds the idev's
 * short-term reference while it copies its answer into a page that
 * userfaultfd holds back for hold_seconds; IOMMU_DESTROY of the mock
 * device unbinds it meanwhile, and the unbind waits for the reference.
 * Past the kernel's timeout it gives up (-EBUSY, a WARN) and leaves the
 * idev behind, and the selftest frees the device anyway: the held ioctl is
 * then made to fail before it reads the device again, and the context is
 * kept open in a child of the scenario's own, since closing it would
 * destroy the idev and so touch the freed device too.
 */
static int scenario_unbind_held(void)
{
	struct uffdio_zeropage zero = { 0 };
	struct uffd_msg msg;
	struct held_info h = {};
	struct destroy_info d = {};
	struct iommu_hwpt_alloc probe = { .size = sizeof(probe) };
	struct pollfd pfd;
	pthread_t holder, destroyer;
	struct graph g = {};
	int fd = open_iommufd();
	bool left_behind;
	int uffd;

	mock_device(fd, &g);
	uffd = uffd_page(&h.page);
	h.fd = fd;
	h.idev = g.idev;
	if (pthread_create(&holder, NULL, hw_info_thread, &h))
		fail("pthread_create", EAGAIN);
	/* the holder is in the kernel, in its copy, once the fault arrives */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	if (poll(&pfd, 1, 10000) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT) {
		fprintf(stderr, "iommufd-scenario: IOMMU_GET_HW_INFO never touched its page\n");
		return 1;
	}
	d.fd = fd;
	d.id = g.stdev;
	if (pthread_create(&destroyer, NULL, destroy_thread, &d))
		fail("pthread_create", EAGAIN);
	sleep(hold_seconds);
	zero.range.start = msg.arg.pagefault.address & ~(__u64)(sysconf(_SC_PAGESIZE) - 1);
	zero.range.len = sysconf(_SC_PAGESIZE);
	if (__atomic_load_n(&d.done, __ATOMIC_ACQUIRE)) {
		/*
		 * The unbind gave up while the ioctl held the idev, and the
		 * selftest freed the device: the ioctl, were it let finish,
		 * would read that device. Its page goes away instead, so
		 * that its copy fails (EFAULT) before it does.
		 */
		munmap(h.page, zero.range.len);
		if (ioctl(uffd, UFFDIO_WAKE, &zero.range))
			fail("UFFDIO_WAKE", errno);
	} else if (ioctl(uffd, UFFDIO_ZEROPAGE, &zero)) {
		fail("UFFDIO_ZEROPAGE", errno);
	}
	pthread_join(holder, NULL);
	print_rc("hw_info", g.idev, h.err);
	pthread_join(destroyer, NULL);
	print_rc("destroy_stdev", g.stdev, d.err);
	printf("destroy_stdev_ms=%lld\n", d.ms);
	/*
	 * The idev is still there when the unbind gave up. Asked without
	 * reading its device: IOMMU_HWPT_ALLOC finds the idev first, then
	 * fails on page table id 0 (EINVAL; ENOENT when no such idev).
	 */
	probe.dev_id = g.idev;
	left_behind = ioctl(fd, IOMMU_HWPT_ALLOC, &probe) && errno == EINVAL;
	printf("idev_left_behind=%d\n", left_behind);
	fflush(stdout);
	if (left_behind && fork() == 0) {
		/* the context stays open until the machine goes down */
		setsid();
		for (int i = 0; i < 3; i++)
			close(i);
		pause();
		_exit(0);
	}
	close(fd);
	close(uffd);
	/* the held ioctl fails on purpose when the unbind gave up */
	return (h.err && !(left_behind && h.err == EFAULT)) || d.err;
}

struct race_info {
	int fd;
	__u32 idev;
	bool stop;
	unsigned long calls;
};

/*
 * IOMMU_GET_HW_INFO on the idev, over and over, until told or it is gone.
 * Its answer goes to a page given back before each call, so that the copy
 * faults one in while the ioctl holds the idev: a wider window than a
 * copy to memory at hand.
 */
static void *hw_info_loop(void *arg)
{
	struct race_info *r = arg;
	long psz = sysconf(_SC_PAGESIZE);
	void *page = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		fail("mmap", errno);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		struct iommu_hw_info cmd = {
			.size = sizeof(cmd),
			.dev_id = r->idev,
			.data_len = sizeof(struct iommu_test_hw_info),
			.data_uptr = (__u64)(unsigned long)page,
		};

		madvise(page, psz, MADV_DONTNEED);

		if (ioctl(r->fd, IOMMU_GET_HW_INFO, &cmd) && errno == ENOENT)
			break;
		__atomic_add_fetch(&r->calls, 1, __ATOMIC_RELAXED);
	}
	munmap(page, psz);
	return NULL;
}

#define RACE_THREADS 4
#define RACE_ROUNDS 100

/*
 * Destroy a device while threads call IOMMU_GET_HW_INFO on it, as a VMM's
 * vCPU threads may: the unbind waits for the short-term reference of the
 * ioctl in flight. On 6.12 to 7.2 that wait lasts the whole 60 s however
 * soon the reference goes: iommufd_object_dec_wait() sleeps in
 * wait_event_timeout() (TASK_UNINTERRUPTIBLE) and iommufd_put_object()
 * wakes destroy_wait with wake_up_interruptible_all(), which wakes only
 * interruptible sleepers. The threads stop 100 ms into the destroy, so
 * that nothing holds the device when the timeout comes (past it, the
 * unbind would give up and leave the idev to a freed device). A round
 * whose destroy caught no ioctl in flight ends at once; the next one
 * builds a device again, up to RACE_ROUNDS.
 */
static int scenario_unbind_race(void)
{
	int fd = open_iommufd();
	int round;

	for (round = 1; round <= RACE_ROUNDS; round++) {
		struct race_info r = { .fd = fd };
		struct destroy_info d = { .fd = fd };
		pthread_t th[RACE_THREADS], destroyer;
		struct graph g = {};

		mock_device(fd, &g);
		r.idev = g.idev;
		for (int i = 0; i < RACE_THREADS; i++)
			if (pthread_create(&th[i], NULL, hw_info_loop, &r))
				fail("pthread_create", EAGAIN);
		usleep(20000); /* the threads in full swing */
		d.id = g.stdev;
		if (pthread_create(&destroyer, NULL, destroy_thread, &d))
			fail("pthread_create", EAGAIN);
		usleep(100000);
		__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
		for (int i = 0; i < RACE_THREADS; i++)
			pthread_join(th[i], NULL);
		pthread_join(destroyer, NULL);
		printf("round=%d\nhw_info_calls=%lu\n", round, r.calls);
		print_rc("destroy_stdev", g.stdev, d.err);
		printf("destroy_stdev_ms=%lld\n", d.ms);
		destroy_ok(fd, "ioas", g.ioas);
		if (d.err)
			return 1;
		if (d.ms >= 1000)
			break; /* it waited: the race was caught */
	}
	printf("rounds=%d\n", round > RACE_ROUNDS ? RACE_ROUNDS : round);
	close(fd);
	return 0;
}

/* Build the graph and keep it for a while, for `iommutrace graph`. */
static int scenario_hold(unsigned int seconds)
{
	struct graph g = {};
	int fd = open_iommufd();

	build(fd, &g);
	fflush(stdout);
	sleep(seconds);
	close(fd);
	return 0;
}

struct scenario {
	const char *name;
	int (*fn)(void);
	const char *help;
	bool bug; /* a known bug's trigger: not part of "loop" */
};

static const struct scenario scenarios[] = {
	{ "basic", scenario_basic, "IOAS, mock device and HWPT only (no vIOMMU: 6.7+)", false },
	{ "orderly", scenario_orderly, "build the graph, destroy it leaf first", false },
	{ "idev-first", scenario_idev_first, "unbind the device while its vDEVICE lives", false },
	{ "close-all", scenario_close_all, "build the graph, then just close the fd", false },
	{ "alloc-fail", scenario_alloc_fail, "a vDEVICE allocation the kernel aborts", false },
	{ "fault-abort", scenario_fault_abort,
	  "a FAULT queue the kernel aborts for want of an fd (CVE-2025-39966)", true },
	{ "veventq-abort", scenario_veventq_abort,
	  "a vEVENTQ the kernel aborts for want of an fd (CVE-2025-39966)", true },
	{ "unbind-held", scenario_unbind_held,
	  "unbind a device an ioctl holds for 12 s (syzbot c92878e123785b1fa2db)", true },
	{ "unbind-race", scenario_unbind_race,
	  "destroy a device while threads call IOMMU_GET_HW_INFO on it (60 s on 6.12-7.2)",
	  true },
};

#define N_SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: iommufd-scenario NAME\n"
		   "       iommufd-scenario loop N\n\nscenarios:\n");
	for (size_t i = 0; i < N_SCENARIOS; i++)
		fprintf(f, "  %-13s %s\n", scenarios[i].name, scenarios[i].help);
	fprintf(f, "  %-13s %s\n", "loop N",
		"N rounds of the first five above (not the bugs), ids not printed");
	fprintf(f, "  %-13s %s\n", "hold N", "build the graph, keep it N seconds, close");
	fprintf(f, "  %-13s %s\n", "pair N",
		"N times IOMMU_IOAS_ALLOC and IOMMU_DESTROY of it on one fd, timed");
	fprintf(f, "  %-13s %s\n", "hwinfo N", "N times IOMMU_GET_HW_INFO on a mock device, timed");
	fprintf(f, "\nexit status: 0 done, 1 the kernel did not behave as expected,\n"
		   "77 the kernel lacks what the scenario needs, 2 usage\n");
}

/*
 * The commonest lookup: N times IOMMU_GET_HW_INFO on one idev, each an
 * iommufd_get_object() and its put, timed (no removal waits meanwhile).
 */
static int hw_info_loop_n(long n)
{
	struct iommu_test_hw_info info;
	struct graph g = {};
	struct timespec t0;
	int fd = open_iommufd();

	mock_device(fd, &g);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		struct iommu_hw_info cmd = {
			.size = sizeof(cmd),
			.dev_id = g.idev,
			.data_len = sizeof(info),
			.data_uptr = (__u64)(unsigned long)&info,
		};

		if (ioctl(fd, IOMMU_GET_HW_INFO, &cmd))
			return fail("IOMMU_GET_HW_INFO", errno);
	}
	printf("calls=%ld\nelapsed_us=%lld\n", n, us_since(&t0));
	close(fd);
	return 0;
}

/* The cheapest full lifecycle: one ioctl creates an object, one destroys it. */
static int pair_loop(long n)
{
	int fd = open_iommufd();
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int err = destroy(fd, ioas_alloc(fd));

		if (err)
			return fail("IOMMU_DESTROY", err);
	}
	printf("pairs=%ld\nelapsed_us=%lld\n", n, us_since(&t0));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	/* every id out at once: a scenario may take the kernel down after it */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "hold")) {
		char *end;
		long n = strtol(argv[2], &end, 10);

		if (*end || n < 0 || n > 3600) {
			usage(stderr);
			return 2;
		}
		return scenario_hold(n);
	}
	if (argc == 3 && (!strcmp(argv[1], "loop") || !strcmp(argv[1], "pair") ||
			  !strcmp(argv[1], "hwinfo"))) {
		char *end;
		long n = strtol(argv[2], &end, 10);
		struct timespec t0;

		if (*end || n < 1) {
			usage(stderr);
			return 2;
		}
		if (argv[1][0] == 'p')
			return pair_loop(n);
		if (argv[1][0] == 'h')
			return hw_info_loop_n(n);
		quiet = true;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long r = 0; r < n; r++)
			for (size_t i = 0; i < N_SCENARIOS; i++)
				if (!scenarios[i].bug && scenarios[i].fn())
					return 1;
		printf("rounds=%ld\nelapsed_us=%lld\n", n, us_since(&t0));
		return 0;
	}
	if (argc == 2)
		for (size_t i = 0; i < N_SCENARIOS; i++)
			if (!strcmp(argv[1], scenarios[i].name))
				return scenarios[i].fn();
	usage(stderr);
	return 2;
}
