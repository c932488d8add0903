// SPDX-License-Identifier: GPL-2.0
/*
 * Probe what the running kernel offers: BTF (vmlinux and the iommufd
 * module), kprobes, privilege, and which of the probed functions exist,
 * by kallsyms and BTF only (never by version number).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <zlib.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kernel/features.h"
#include "kernel/ksyms.h"
#include "base/log.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* "name", "name.isra.0", "name.constprop.0": the base name's length */
static size_t base_len(const char *sym)
{
	const char *dot = strchr(sym, '.');

	return dot ? (size_t)(dot - sym) : strlen(sym);
}

static bool is_clone_suffix(const char *suffix)
{
	return !strncmp(suffix, ".isra.", 6) || !strncmp(suffix, ".constprop.", 11) ||
	       !strncmp(suffix, ".part.", 6);
}

static void note_symbol(struct features *f, const char *sym, const char *module)
{
	size_t n = base_len(sym);

	for (int i = 0; i < n_probe_defs; i++) {
		const char *want = probe_defs[i].func;
		struct probe_target *t = &f->targets[i];

		if (strlen(want) != n || strncmp(want, sym, n))
			continue;
		if (!sym[n]) {
			t->present = true;
			snprintf(t->module, sizeof(t->module), "%s", module);
		} else if (is_clone_suffix(sym + n) && !t->clone[0]) {
			snprintf(t->clone, sizeof(t->clone), "%s", sym);
		}
		if (!strcmp(want, "iommufd_fops_open")) {
			f->iommufd = true;
			f->iommufd_builtin = !module[0];
			snprintf(f->iommufd_module, sizeof(f->iommufd_module), "%s", module);
		}
	}
}

static void kallsyms_line(void *cookie, const struct ksym_line *s)
{
	struct features *f = cookie;

	if (!strcmp(s->name, "kprobe_ftrace_handler")) {
		f->kprobe_handler_addr = s->addr;
		return;
	}
	if (strncmp(s->name, "iommufd_", 8) && strncmp(s->name, "_iommufd_", 9) &&
	    strncmp(s->name, "__iommufd_", 10))
		return;
	note_symbol(f, s->name, s->module);
}

int features_parse_kallsyms(struct features *f, const char *path)
{
	return kallsyms_each(path, kallsyms_line, f);
}

static bool have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static bool has_member(const struct btf *btf, int id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m = btf_members(t);

	for (int i = 0; i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), name))
			return true;
	return false;
}

static void probe_layouts(struct features *f)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	struct btf *mod = NULL, *btf;
	int id;

	if (!vmlinux)
		return;
	btf = vmlinux;
	if (f->btf_iommufd_module) {
		mod = btf__load_module_btf("iommufd", vmlinux);
		if (mod)
			btf = mod; /* split BTF: sees vmlinux types too */
	}
	id = btf__find_by_name_kind(btf, "iommufd_object", BTF_KIND_STRUCT);
	if (id > 0) {
		if (has_member(btf, id, "wait_cnt"))
			f->obj_wait_field = "wait_cnt";
		else if (has_member(btf, id, "shortterm_users"))
			f->obj_wait_field = "shortterm_users";
		else if (has_member(btf, id, "destroy_rwsem"))
			f->obj_wait_field = "destroy_rwsem";
	}
	id = btf__find_by_name_kind(btf, "iommufd_vdevice", BTF_KIND_STRUCT);
	if (id > 0) {
		if (has_member(btf, id, "idev"))
			f->vdev_layout = "idev, virt_id";
		else if (has_member(btf, id, "dev"))
			f->vdev_layout = "dev, id";
	}
	if (btf__find_by_name_kind(btf, "iommufd_hwpt_paging", BTF_KIND_STRUCT) > 0)
		f->hwpt_layout = "hwpt_paging, hwpt_nested";
	else if (btf__find_by_name_kind(btf, "iommufd_hw_pagetable", BTF_KIND_STRUCT) > 0)
		f->hwpt_layout = "hw_pagetable";
	btf__free(mod);
	btf__free(vmlinux);
}

static bool module_on_disk(void)
{
	struct utsname u;
	char path[512];

	if (uname(&u))
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", u.release);
	FILE *fp = fopen(path, "re");
	char line[1024];
	bool found = false;

	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp))
		found = strstr(line, "/iommufd.ko") != NULL;
	fclose(fp);
	return found;
}

/* one option's value on one line of a configuration, 0 when the line is not about it */
static char config_line(const char *line, const char *opt)
{
	size_t olen = strlen(opt);

	if (!strncmp(line, opt, olen) && line[olen] == '=')
		return line[olen + 1] == 'y' || line[olen + 1] == 'm' ? line[olen + 1] : 'n';
	if (!strncmp(line, "# ", 2) && !strncmp(line + 2, opt, olen) &&
	    !strncmp(line + 2 + olen, " is not set", 11) &&
	    (line[olen + 13] == '\n' || !line[olen + 13]))
		return 'n';
	return 0;
}

int features_kernel_configs(const char *path, const char *const *opts, char *vals, int n)
{
	gzFile gz = gzopen(path, "rb"); /* reads a plain file as it is */
	int found = 0;
	char line[256];

	memset(vals, 0, n);
	if (!gz)
		return -1;
	while (found < n && gzgets(gz, line, sizeof(line))) {
		for (int i = 0; i < n; i++) {
			if (vals[i])
				continue;
			vals[i] = config_line(line, opts[i]);
			if (vals[i]) {
				found++;
				break;
			}
		}
	}
	gzclose(gz);
	return found;
}

char features_kernel_config(const char *path, const char *opt)
{
	char val;

	features_kernel_configs(path, &opt, &val, 1);
	return val;
}

/* what the kernel's build configuration says, where it can be read */
static void probe_config(struct features *f)
{
	/* every configuration names CONFIG_MODULES, set or not */
	static const char *const opts[] = { "CONFIG_MODULES", "CONFIG_IOMMUFD",
					    "CONFIG_KPROBES_ON_FTRACE",
					    "CONFIG_DYNAMIC_FTRACE_WITH_JMP" };
	char boot[sizeof(f->config_path)], vals[4];
	const char *paths[2] = { boot, "/proc/config.gz" };
	struct utsname u;

	if (uname(&u))
		return;
	snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);

	for (int i = 0; i < 2; i++) {
		features_kernel_configs(paths[i], opts, vals, 4);
		if (!vals[0])
			continue;
		snprintf(f->config_path, sizeof(f->config_path), "%s", paths[i]);
		f->config_iommufd = vals[1];
		f->config_kprobes_on_ftrace = vals[2];
		f->config_ftrace_with_jmp = vals[3];
		return;
	}
}

bool features_ftrace_reregister_crash(const struct features *f)
{
	return f->config_kprobes_on_ftrace == 'y' && f->config_ftrace_with_jmp == 'y' &&
	       (f->kprobe_handler_addr & 1);
}

unsigned long features_module_live(const char *name)
{
	char path[128], state[16] = "";
	struct stat st;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	if (!fgets(state, sizeof(state), fp))
		state[0] = '\0';
	fclose(fp);
	if (strncmp(state, "live", 4))
		return 0;
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

void features_probe(struct features *f)
{
	memset(f, 0, sizeof(*f));
	f->kallsyms_readable = features_parse_kallsyms(f, "/proc/kallsyms") == 0;
	f->kprobes = !access("/sys/bus/event_source/devices/kprobe/type", R_OK) ||
		     !access("/sys/kernel/tracing/kprobe_events", F_OK) ||
		     !access("/sys/kernel/debug/tracing/kprobe_events", F_OK);
	f->btf_vmlinux = !access("/sys/kernel/btf/vmlinux", R_OK);
	f->btf_iommufd_module = !access("/sys/kernel/btf/iommufd", R_OK);
	f->sys_admin = have_cap(CAP_SYS_ADMIN);
	f->privileged = f->sys_admin ||
			(have_cap(CAP_BPF) && have_cap(CAP_PERFMON));
	if (!f->iommufd)
		f->iommufd_module_on_disk = module_on_disk();
	probe_config(f);
	if (f->btf_iommufd_module)
		snprintf(f->btf_source, sizeof(f->btf_source),
			 "/sys/kernel/btf/vmlinux + /sys/kernel/btf/iommufd");
	else if (f->btf_vmlinux)
		snprintf(f->btf_source, sizeof(f->btf_source), "/sys/kernel/btf/vmlinux");
	if (f->btf_vmlinux)
		probe_layouts(f);
}

/* Everything that stops tracing, each with its cause and its fix. */
int features_problems(const struct features *f, struct problem *p, int max)
{
	int n = 0;

#define ADD_W(w, x, wait)                                                  \
	do {                                                               \
		if (n < max)                                               \
			p[n] = (struct problem){ w, x, wait };             \
		n++;                                                       \
	} while (0)
#define ADD(w, x) ADD_W(w, x, false)
	if (!f->kprobes)
		ADD("no kprobes: this kernel was built without CONFIG_KPROBES "
		    "(no /sys/bus/event_source/devices/kprobe)",
		    "boot a kernel with CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y, "
		    "or try it in the test VM: make demo");
	if (!f->btf_vmlinux)
		ADD("no BTF: /sys/kernel/btf/vmlinux is missing",
		    "boot a kernel with CONFIG_DEBUG_INFO_BTF=y");
	if (!f->kallsyms_readable)
		ADD("can't read /proc/kallsyms", "mount /proc");
	else if (!f->iommufd && f->iommufd_module_on_disk)
		ADD_W("iommufd is not loaded: the module is on disk",
		      "modprobe iommufd (live, record and daemon wait for it)", true);
	else if (!f->iommufd && f->config_iommufd == 'm')
		ADD("no iommufd: this kernel builds it as a module (CONFIG_IOMMUFD=m) "
		    "but iommufd.ko is not installed",
		    "install this kernel's modules (on Ubuntu: linux-modules-extra for "
		    "this kernel), then modprobe iommufd");
	else if (!f->iommufd)
		ADD(f->config_iommufd == 'n' ?
			    "no iommufd: this kernel was built without it "
			    "(CONFIG_IOMMUFD is not set in its configuration)" :
			    "no iommufd: no iommufd functions in /proc/kallsyms and no "
			    "iommufd module on disk",
		    "boot a kernel (6.2 or later) with CONFIG_IOMMUFD=m and "
		    "CONFIG_VFIO_DEVICE_CDEV=y, as Ubuntu, Fedora, Arch and Talos ship "
		    "it (Debian's own kernel images do not enable iommufd); or try "
		    "iommutrace in the test VM: make demo");
	if (f->iommufd && !f->btf_vmlinux)
		; /* reported above */
	else if (f->iommufd && !f->iommufd_builtin && !f->btf_iommufd_module)
		ADD("no BTF for the iommufd module (/sys/kernel/btf/iommufd)",
		    "boot a kernel with CONFIG_DEBUG_INFO_BTF_MODULES=y");
	if (features_ftrace_reregister_crash(f))
		ADD("this kernel's ftrace reads bit 0 of a callback's address as \"jump\" "
		    "(CONFIG_DYNAMIC_FTRACE_WITH_JMP) but its kprobe callback, "
		    "kprobe_ftrace_handler, is at an odd address (its functions are not "
		    "aligned): once kprobes are registered through ftrace a second time "
		    "(by any tool, after iommutrace detached) it jumps to the byte before "
		    "the handler and crashes (README, \"kprobes on ftrace\"), so "
		    "iommutrace does not attach",
		    "boot a kernel whose functions are aligned: built for performance "
		    "(CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE, as distributions build) or "
		    "with GCC 14 or later");
	if (!f->privileged)
		ADD("not privileged: loading BPF needs CAP_BPF and CAP_PERFMON "
		    "(or CAP_SYS_ADMIN)",
		    "run as root, or grant the capabilities: "
		    "setcap cap_bpf,cap_perfmon+ep iommutrace");
#undef ADD
#undef ADD_W
	return n;
}

