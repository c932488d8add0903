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
	bool fentry[64], kprobe[64]; /* the forms loaded, per probe_defs[] */
	int n_fentry;
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

const char *attach_kind_name(enum attach_kind k)
{
	switch (k) {
	case ATTACH_KPROBE: return "kprobe";
	case ATTACH_FENTRY: return "fentry";
	case ATTACH_NONE: break;
	}
	return "none";
}

const char *attach_mode_name(enum attach_mode mode)
{
	return mode == ATTACH_ONLY_FENTRY ? "fentry" : mode == ATTACH_ONLY_KPROBE ? "kprobe" : "auto";
}

int attach_mode_parse(const char *s, enum attach_mode *mode)
{
	if (!strcmp(s, "auto"))
		*mode = ATTACH_AUTO;
	else if (!strcmp(s, "fentry"))
		*mode = ATTACH_ONLY_FENTRY;
	else if (!strcmp(s, "kprobe"))
		*mode = ATTACH_ONLY_KPROBE;
	else
		return -1;
	return 0;
}

static struct bpf_program *prog_by_name(struct loader *l, const char *name)
{
	return name ? bpf_object__find_program_by_name(l->skel->obj, name) : NULL;
}

/*
 * A probe's program of one kind: the kprobe form is named in probe_defs[],
 * its fentry form is "fe_" and its fexit form "fx_" before that name.
 */
static struct bpf_program *probe_prog(struct loader *l, int i, enum attach_kind k, bool ret)
{
	const char *base = ret ? probe_defs[i].ret_prog : probe_defs[i].entry_prog;
	char name[64];

	if (!base)
		return NULL;
	if (k == ATTACH_KPROBE)
		return prog_by_name(l, base);
	snprintf(name, sizeof(name), "%s%s", ret ? "fx_" : "fe_", base);
	return prog_by_name(l, name);
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

static int attach_one(struct loader *l, int i, enum attach_kind k, bool ret)
{
	struct bpf_program *prog = probe_prog(l, i, k, ret);
	struct bpf_link *link;

	if (!prog)
		return -ENOENT;
	if (k == ATTACH_FENTRY)
		link = bpf_program__attach_trace(prog);
	else
		link = bpf_program__attach_kprobe(prog, ret, probe_defs[i].func);
	if (!link)
		return -errno;
	l->links[l->n_links++] = link;
	return 0;
}

/* Entry and return of probe i, as kind k; nothing stays attached on failure. */
static int attach_probe(struct loader *l, int i, enum attach_kind k)
{
	int first = l->n_links, err = 0;

	if (probe_defs[i].entry_prog)
		err = attach_one(l, i, k, false);
	if (!err && probe_defs[i].ret_prog)
		err = attach_one(l, i, k, true);
	if (err) {
		while (l->n_links > first)
			bpf_link__destroy(l->links[--l->n_links]);
	}
	return err;
}

/* The skeleton, opened against the BTF that has iommufd's types. */
static int open_skel(struct loader *l, const struct features *f)
{
	if (f->iommufd && !f->iommufd_builtin) {
		/* CO-RE against vmlinux + the module, without CAP_SYS_ADMIN */
		const char *module = f->iommufd_module;
		char path[64];

		if (l->btf_fd < 0)
			l->btf_fd = merged_module_btf(module);
		if (l->btf_fd < 0) {
			int err = l->btf_fd;

			pr_warn("can't read the BTF of module %s: %s\n", module, strerror(-err));
			return err;
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

/*
 * Whether probe i can use fentry/fexit, as far as can be told before
 * loading: the function in the kernel's BTF (vmlinux's or its module's),
 * where libbpf can find it. The trampoline itself is tried at attach.
 */
static bool fentry_possible(struct loader *l, const struct features *f, int i,
			    const struct loader_opts *o)
{
	struct probe_status *st = &l->status[i];
	const char *module = f->targets[i].module;

	if (o->attach == ATTACH_ONLY_KPROBE) {
		snprintf(st->why, sizeof(st->why), "--attach kprobe");
		return false;
	}
	if (module[0] && !f->sys_admin) {
		snprintf(st->why, sizeof(st->why),
			 "fentry on module %s needs CAP_SYS_ADMIN (libbpf finds a module's BTF by id)",
			 module);
		return false;
	}
	for (int ret = 0; ret < 2; ret++) {
		struct bpf_program *prog = probe_prog(l, i, ATTACH_FENTRY, ret);
		int err;

		if (!prog)
			continue;
		err = bpf_program__set_attach_target(prog, 0, probe_defs[i].func);
		if (err) {
			snprintf(st->why, sizeof(st->why), "not in the kernel's BTF (%s)",
				 strerror(-err));
			return false;
		}
	}
	snprintf(st->why, sizeof(st->why), "in the BTF of %s", module[0] ? module : "vmlinux");
	return true;
}

/*
 * Sizes, options, and the programs for each function this kernel has: its
 * fentry form where that may work, its kprobe form unless --attach fentry
 * (in auto, both: the kprobe is the fallback if the trampoline fails).
 */
static int configure(struct loader *l, const struct features *f, const struct loader_opts *o,
		     bool try_fentry)
{
	int err = bpf_map__set_max_entries(l->skel->maps.events, o->ringbuf_size);
	struct bpf_program *prog;

	if (err) {
		pr_warn("can't size the ring buffer to %zu bytes: %s\n", o->ringbuf_size,
			strerror(-err));
		return err;
	}
	l->skel->rodata->stack_hooks = o->stack_hooks;
	l->skel->rodata->stack_hooks_failed = o->stack_hooks_failed;
	bpf_object__for_each_program(prog, l->skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_program__set_autoload(l->skel->progs.layout_probe, o->layout_probe);
	if (!o->stack_hooks && !o->stack_hooks_failed)
		bpf_map__set_max_entries(l->skel->maps.stacks, 1);
	l->n_fentry = 0;
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_target *t = &f->targets[i];

		l->fentry[i] = l->kprobe[i] = false;
		if (!t->present) {
			l->status[i].state = t->clone[0] ? PROBE_CLONE_ONLY : PROBE_MISSING;
			continue;
		}
		if (try_fentry && fentry_possible(l, f, i, o)) {
			l->fentry[i] = true;
			l->n_fentry++;
		}
		l->kprobe[i] = o->attach != ATTACH_ONLY_FENTRY;
		for (int ret = 0; ret < 2; ret++) {
			if ((prog = probe_prog(l, i, ATTACH_FENTRY, ret)))
				bpf_program__set_autoload(prog, l->fentry[i]);
			if ((prog = probe_prog(l, i, ATTACH_KPROBE, ret)))
				bpf_program__set_autoload(prog, l->kprobe[i]);
		}
	}
	return 0;
}

/* Every function present, entry and return; a failure is noted per function. */
static void attach_all(struct loader *l, const struct features *f, const struct loader_opts *o)
{
	for (int i = 0; i < n_probe_defs; i++) {
		struct probe_status *st = &l->status[i];
		int err = -EOPNOTSUPP;

		if (!f->targets[i].present)
			continue;
		if (l->fentry[i]) {
			err = attach_probe(l, i, ATTACH_FENTRY);
			if (!err) {
				st->kind = ATTACH_FENTRY;
			} else {
				snprintf(st->why, sizeof(st->why), "the trampoline failed: %s",
					 strerror(-err));
				pr_debug("%s: fentry: %s\n", probe_defs[i].func, strerror(-err));
			}
		}
		if (err && l->kprobe[i]) {
			err = attach_probe(l, i, ATTACH_KPROBE);
			if (!err)
				st->kind = ATTACH_KPROBE;
		}
		if (err) {
			st->state = PROBE_FAILED;
			st->err = err;
			pr_warn("can't attach %s: %s\n", probe_defs[i].func, strerror(-err));
			continue;
		}
		st->state = PROBE_ATTACHED;
		l->n_attached++;
	}
}

/*
 * Open, configure and load; in auto, a load that fails with fentry
 * programs is tried again with kprobes alone, each function saying why.
 */
static int load(struct loader *l, const struct features *f, const struct loader_opts *o)
{
	int err = open_skel(l, f);

	if (!err)
		err = configure(l, f, o, true);
	if (!err)
		err = iommutrace_bpf__load(l->skel);
	if (!err || !l->n_fentry || o->attach != ATTACH_AUTO)
		return err;
	pr_info("the fentry programs did not load (%s): using kprobes\n", strerror(-err));
	iommutrace_bpf__destroy(l->skel);
	l->skel = NULL;
	err = open_skel(l, f);
	if (!err)
		err = configure(l, f, o, false);
	for (int i = 0; i < n_probe_defs; i++)
		if (f->targets[i].present)
			snprintf(l->status[i].why, sizeof(l->status[i].why),
				 "the fentry programs did not load");
	if (!err)
		err = iommutrace_bpf__load(l->skel);
	return err;
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
	err = load(l, f, o);
	if (err) {
		if (l->skel)
			pr_warn("can't load the BPF programs: %s\n", strerror(-err));
		goto err_out;
	}
	/* before anything can fire: one sequence across reloads */
	l->skel->bss->next_seq = o->first_seq;
	attach_all(l, f, o);
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

unsigned long long loader_recursion_misses(const struct loader *l)
{
	unsigned long long n = 0;
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			n += info.recursion_misses;
	}
	return n;
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
