// SPDX-License-Identifier: GPL-2.0
/*
 * Open -> configure -> load -> attach. A program whose kernel function is
 * missing is not loaded; one that fails to attach is reported, not fatal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "iommutrace.h"
#include "iommutrace.skel.h"
#include "kernel/loader.h"
#include "format/hooks.h"
#include "base/log.h"

struct loader {
	struct iommutrace_bpf *skel;
	int btf_fd; /* the merged BTF of a module kernel, or -1 */
	struct ring_buffer *rb;
	struct bpf_link *links[2 * 64];
	int n_links;
	struct probe_status status[64];
	int n_attached;
	record_fn fn;
	void *cookie;
};

const char *probe_state_name(enum probe_state s)
{
	switch (s) {
	case PROBE_MISSING: return "missing";
	case PROBE_CLONE_ONLY: return "clone only";
	case PROBE_FAILED: return "failed";
	case PROBE_ATTACHED: return "attached";
	}
	return "?";
}

static struct bpf_program *prog_by_name(struct loader *l, const char *name)
{
	return name ? bpf_object__find_program_by_name(l->skel->obj, name) : NULL;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct loader *l = ctx;

	return l->fn(l->cookie, data, len);
}

/*
 * vmlinux's BTF with a module's appended, as one BTF that libbpf can take as
 * btf_custom_path. Without it, libbpf finds module BTF through
 * BPF_BTF_GET_NEXT_ID, which needs CAP_SYS_ADMIN; /sys/kernel/btf/ is
 * readable by all. The module's types are split BTF numbered after
 * vmlinux's: copied in order after an identical copy of vmlinux's, they
 * keep their numbers, and every reference stays right.
 */
static int merged_module_btf(const char *module)
{
	struct btf *base = btf__load_vmlinux_btf(), *mod = NULL, *all = NULL;
	const void *raw;
	__u32 size;
	int fd = -1, err;

	if (!base)
		return -errno;
	mod = btf__load_module_btf(module, base);
	all = btf__new_empty();
	if (!mod || !all) {
		err = -errno;
		goto out;
	}
	err = btf__add_btf(all, base);
	if (err < 0)
		goto out;
	if (btf__type_cnt(all) != btf__type_cnt(base)) {
		err = -EPROTO;
		goto out;
	}
	for (__u32 id = btf__type_cnt(base); id < btf__type_cnt(mod); id++) {
		err = btf__add_type(all, mod, btf__type_by_id(mod, id));
		if (err < 0)
			goto out;
		if ((__u32)err != id) {
			err = -EPROTO;
			goto out;
		}
	}
	raw = btf__raw_data(all, &size);
	if (!raw) {
		err = -ENOMEM;
		goto out;
	}
	fd = memfd_create("iommutrace-btf", MFD_CLOEXEC);
	if (fd < 0 || write(fd, raw, size) != (ssize_t)size) {
		err = fd < 0 ? -errno : -EIO;
		goto out;
	}
	err = 0;
out:
	if (err && fd >= 0) {
		close(fd);
		fd = -1;
	}
	btf__free(all);
	btf__free(mod);
	btf__free(base);
	return err ? err : fd;
}

static int attach_one(struct loader *l, const char *prog_name, const char *func, bool ret)
{
	struct bpf_program *prog = prog_by_name(l, prog_name);
	struct bpf_link *link;

	if (!prog)
		return -ENOENT;
	link = bpf_program__attach_kprobe(prog, ret, func);
	if (!link)
		return -errno;
	l->links[l->n_links++] = link;
	return 0;
}

/* The skeleton, opened against the BTF that has iommufd's types. */
static int open_skel(struct loader *l, const struct features *f)
{
	if (f->iommufd && !f->iommufd_builtin) {
		/* CO-RE against vmlinux + the module, without CAP_SYS_ADMIN */
		const char *module = f->iommufd_module;
		char path[64];

		l->btf_fd = merged_module_btf(module);
		if (l->btf_fd < 0) {
			pr_warn("can't read the BTF of module %s: %s\n", module,
				strerror(-l->btf_fd));
			return l->btf_fd;
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", l->btf_fd);
		LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = path);
		l->skel = iommutrace_bpf__open_opts(&opts);
	} else {
		l->skel = iommutrace_bpf__open();
	}
	if (!l->skel) {
		pr_warn("can't open the BPF object: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

/* Sizes, options, and a program for each function this kernel has. */
static int configure(struct loader *l, const struct features *f, const struct loader_opts *o)
{
	int err = bpf_map__set_max_entries(l->skel->maps.events, o->ringbuf_size);

	if (err) {
		pr_warn("can't size the ring buffer to %zu bytes: %s\n", o->ringbuf_size,
			strerror(-err));
		return err;
	}
	l->skel->rodata->capture_stacks = !o->no_stacks;
	bpf_program__set_autoload(l->skel->progs.layout_probe, o->layout_probe);
	if (o->no_stacks)
		bpf_map__set_max_entries(l->skel->maps.stacks, 1);
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_def *d = &probe_defs[i];
		const struct probe_target *t = &f->targets[i];

		if (!t->present)
			l->status[i].state = t->clone[0] ? PROBE_CLONE_ONLY : PROBE_MISSING;
		bpf_program__set_autoload(prog_by_name(l, d->entry_prog), t->present);
		if (d->ret_prog)
			bpf_program__set_autoload(prog_by_name(l, d->ret_prog), t->present);
	}
	return 0;
}

/* Every function present, entry and return; a failure is noted per function. */
static void attach_all(struct loader *l, const struct features *f)
{
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_def *d = &probe_defs[i];
		int err;

		if (!f->targets[i].present)
			continue;
		err = attach_one(l, d->entry_prog, d->func, false);
		if (!err && d->ret_prog)
			err = attach_one(l, d->ret_prog, d->func, true);
		if (err) {
			l->status[i].state = PROBE_FAILED;
			l->status[i].err = err;
			pr_warn("can't attach %s: %s\n", d->func, strerror(-err));
			continue;
		}
		l->status[i].state = PROBE_ATTACHED;
		l->n_attached++;
	}
}

struct loader *loader_start(const struct features *f, const struct loader_opts *o,
			    record_fn fn, void *cookie)
{
	struct loader *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return NULL;
	l->fn = fn;
	l->cookie = cookie;
	l->btf_fd = -1;
	err = open_skel(l, f);
	if (!err)
		err = configure(l, f, o);
	if (err)
		goto err_out;
	err = iommutrace_bpf__load(l->skel);
	if (err) {
		pr_warn("can't load the BPF programs: %s\n", strerror(-err));
		goto err_out;
	}
	/* before anything can fire: one sequence across reloads */
	l->skel->bss->next_seq = o->first_seq;
	attach_all(l, f);
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.events), on_record, l, NULL);
	if (!l->rb) {
		err = -errno;
		pr_warn("can't open the ring buffer: %s\n", strerror(errno));
		goto err_out;
	}
	return l;

err_out:
	loader_free(l);
	errno = -err;
	return NULL;
}

const struct probe_status *loader_status(const struct loader *l, int probe)
{
	return &l->status[probe];
}

int loader_n_attached(const struct loader *l)
{
	return l->n_attached;
}

int loader_poll(struct loader *l, int timeout_ms)
{
	return ring_buffer__poll(l->rb, timeout_ms);
}

unsigned long long loader_kernel_drops(const struct loader *l)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long total = 0;

	if (ncpu <= 0)
		return 0;
	__u64 vals[ncpu];

	for (__u32 key = 0; key < IT_HOOK_MAX; key++) {
		if (bpf_map__lookup_elem(l->skel->maps.drops, &key, sizeof(key), vals,
					 sizeof(vals), 0))
			continue;
		for (int c = 0; c < ncpu; c++)
			total += vals[c];
	}
	return total;
}

unsigned long long loader_missed_returns(const struct loader *l)
{
	return __atomic_load_n(&l->skel->bss->missed_returns, __ATOMIC_RELAXED);
}

unsigned long long loader_next_seq(const struct loader *l)
{
	return __atomic_load_n(&l->skel->bss->next_seq, __ATOMIC_RELAXED);
}

static int run_layout_probe(struct iommutrace_bpf *skel, struct it_layout *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);
	int err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.layout_probe), &topts);

	if (err)
		return -errno;
	if (!skel->bss->layout.probed)
		return -EIO;
	*out = skel->bss->layout;
	return 0;
}

int loader_layout(const struct loader *l, struct it_layout *out)
{
	return run_layout_probe(l->skel, out);
}

int layout_probe_btf(const char *btf_path, struct it_layout *out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct iommutrace_bpf *skel = iommutrace_bpf__open_opts(&opts);
	struct bpf_program *prog;
	int err;

	if (!skel)
		return -errno;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.layout_probe);
	/* nothing else is loaded: keep the maps small */
	bpf_map__set_max_entries(skel->maps.events, 4096);
	bpf_map__set_max_entries(skel->maps.stacks, 1);
	err = iommutrace_bpf__load(skel);
	if (!err)
		err = run_layout_probe(skel, out);
	iommutrace_bpf__destroy(skel);
	return err;
}

__u64 loader_attached_hooks(const struct loader *l)
{
	bool attached[64];

	for (int i = 0; i < n_probe_defs; i++)
		attached[i] = l->status[i].state == PROBE_ATTACHED;
	return hooks_of_probes(attached);
}

int loader_stack(const struct loader *l, unsigned int id, unsigned long long *ips, int max)
{
	__u64 raw[IT_STACK_DEPTH] = {};
	__u32 key = id - 1;
	int n = 0;

	if (!id)
		return -ENOENT;
	if (bpf_map__lookup_elem(l->skel->maps.stacks, &key, sizeof(key), raw, sizeof(raw), 0))
		return -errno;
	for (; n < IT_STACK_DEPTH && n < max && raw[n]; n++)
		ips[n] = raw[n];
	return n;
}

void loader_free(struct loader *l)
{
	if (!l)
		return;
	ring_buffer__free(l->rb);
	for (int i = 0; i < l->n_links; i++)
		bpf_link__destroy(l->links[i]);
	iommutrace_bpf__destroy(l->skel);
	if (l->btf_fd >= 0)
		close(l->btf_fd);
	free(l);
}

int loader_prog_stats(const struct loader *l, prog_stat_fn fn, void *cookie)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue; /* not loaded on this kernel */
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		fn(cookie, bpf_program__name(prog), info.run_time_ns, info.run_cnt);
	}
	return 0;
}
