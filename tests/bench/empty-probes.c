// SPDX-License-Identifier: GPL-2.0
/*
 * empty-probes: attach programs that do nothing to kernel functions, as
 * kprobes or as fentry/fexit, until SIGINT or SIGTERM; then print, per
 * function and program, the run time and count the kernel measured
 * (kernel.bpf_stats_enabled=1). The baseline of `make bench`.
 * usage: empty-probes kprobe|fentry FUNC[:ret]...
 *   FUNC:ret attaches the return program too (kretprobe or fexit)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "empty.skel.h"

#define MAX_FUNCS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

struct probe {
	char func[128];
	bool ret;
	struct empty_bpf *skel;
	struct bpf_link *links[2];
};

/* One object per function: an fentry program is bound to its function at load. */
static int attach(struct probe *p, bool fentry)
{
	struct bpf_program *entry, *ret, *prog;

	p->skel = empty_bpf__open();
	if (!p->skel)
		return -errno;
	entry = fentry ? p->skel->progs.empty_fentry : p->skel->progs.empty_kprobe;
	ret = fentry ? p->skel->progs.empty_fexit : p->skel->progs.empty_kretprobe;
	bpf_object__for_each_program(prog, p->skel->obj)
		bpf_program__set_autoload(prog, prog == entry || (p->ret && prog == ret));
	if (fentry) {
		int err = bpf_program__set_attach_target(entry, 0, p->func);

		if (!err && p->ret)
			err = bpf_program__set_attach_target(ret, 0, p->func);
		if (err)
			return err;
	}
	if (empty_bpf__load(p->skel))
		return -errno;
	p->links[0] = fentry ? bpf_program__attach_trace(entry) :
			       bpf_program__attach_kprobe(entry, false, p->func);
	if (!p->links[0])
		return -errno;
	if (p->ret) {
		p->links[1] = fentry ? bpf_program__attach_trace(ret) :
				       bpf_program__attach_kprobe(ret, true, p->func);
		if (!p->links[1])
			return -errno;
	}
	return 0;
}

static void print_stats(const struct probe *p, struct bpf_program *prog, const char *what)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return;
	printf("%s %s %llu %llu\n", p->func, what, (unsigned long long)info.run_time_ns,
	       (unsigned long long)info.run_cnt);
}

int main(int argc, char **argv)
{
	static struct probe probes[MAX_FUNCS];
	struct sigaction sa = { .sa_handler = on_signal };
	int n = 0, err = 0;
	bool fentry;

	if (argc < 3 || (strcmp(argv[1], "kprobe") && strcmp(argv[1], "fentry")) ||
	    argc - 2 > MAX_FUNCS) {
		fprintf(stderr, "usage: empty-probes kprobe|fentry FUNC[:ret]...\n");
		return 2;
	}
	fentry = !strcmp(argv[1], "fentry");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (int i = 2; i < argc; i++, n++) {
		struct probe *p = &probes[n];
		char *colon;

		snprintf(p->func, sizeof(p->func), "%s", argv[i]);
		colon = strchr(p->func, ':');
		if (colon) {
			*colon = 0;
			p->ret = !strcmp(colon + 1, "ret");
		}
		err = attach(p, fentry);
		if (err) {
			fprintf(stderr, "empty-probes: %s: %s\n", p->func, strerror(-err));
			n++;
			goto out;
		}
	}
	fprintf(stderr, "empty-probes: attached %d functions by %s\n", n, argv[1]);
	while (!stop)
		pause();
	for (int i = 0; i < n; i++) {
		print_stats(&probes[i], fentry ? probes[i].skel->progs.empty_fentry :
						 probes[i].skel->progs.empty_kprobe, "entry");
		if (probes[i].ret)
			print_stats(&probes[i], fentry ? probes[i].skel->progs.empty_fexit :
							 probes[i].skel->progs.empty_kretprobe,
				    "return");
	}
out:
	for (int i = 0; i < n; i++) {
		bpf_link__destroy(probes[i].links[0]);
		bpf_link__destroy(probes[i].links[1]);
		empty_bpf__destroy(probes[i].skel);
	}
	return err ? 1 : 0;
}
