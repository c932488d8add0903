// SPDX-License-Identifier: GPL-2.0
/* The live tracing loop shared by live, record, graph and the daemon. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "base/json.h"
#include "base/log.h"
#include "base/ptrhash.h"
#include "base/clock.h"
#include "kernel/ksyms.h"
#include "kernel/tracer.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	if (exiting) /* a second Ctrl-C is final */
		_exit(128 + sig);
	exiting = sig;
}

void json_error_line(const char *what, const char *fix)
{
	struct json j;

	json_init(&j);
	json_envelope(&j, "error");
	json_str(&j, "what", what);
	json_str(&j, "fix", fix);
	json_obj_end(&j);
	json_emit(&j, stdout);
	fflush(stdout);
	json_free(&j);
}

/* a record the tracer itself writes (meta, module), stamped now */
static void deliver(struct tracer *t, void *rec, size_t len)
{
	struct it_hdr *h = rec;

	h->size = len;
	h->ts_ns = mono_ns();
	t->fn(t->cookie, rec, len);
}

/* Stop at the first problem that waiting cannot cure; 0, or 2 after saying it. */
static int report_problems(struct tracer *t, bool *wait)
{
	struct problem probs[8];
	int n = features_problems(&t->f, probs, 8), hard = 0;

	*wait = false;
	for (int i = 0; i < n && i < 8; i++) {
		if (probs[i].waitable) {
			*wait = true;
			continue;
		}
		hard++;
		pr_warn("%s\n  fix: %s\n", probs[i].what, probs[i].fix);
		if (t->o.json)
			json_error_line(probs[i].what, probs[i].fix);
	}
	if (hard) {
		pr_warn("cannot trace here; 'iommutrace check' shows the details\n");
		return 2;
	}
	return 0;
}

/* kallsyms, read once per load of the module (a failure said once) */
static const struct ksyms *load_ksyms(struct tracer *t)
{
	if (t->ksyms || t->ksyms_tried)
		return t->ksyms;
	t->ksyms_tried = true;
	t->ksyms = ksyms_load("/proc/kallsyms");
	if (t->ksyms && ksyms_add_modules(t->ksyms, "/proc/modules"))
		pr_debug("can't read /proc/modules: stacks may name BPF code after a module\n");
	if (!t->ksyms)
		pr_debug("can't symbolize stacks: /proc/kallsyms: %s\n", strerror(errno));
	return t->ksyms;
}

/* " (20 by fentry, 7 by kprobe)" */
static const char *kinds_said(const struct tracer *t, char *buf, size_t len)
{
	int n[3] = { 0 };

	for (int i = 0; i < n_probe_defs; i++)
		if (tracer_probe_attached(t, i))
			n[loader_status(t->l, i)->kind]++;
	snprintf(buf, len, " (%d by fentry, %d by kprobe)", n[ATTACH_FENTRY], n[ATTACH_KPROBE]);
	return buf;
}

static int tracer_attach(struct tracer *t)
{
	struct loader_opts lo = {
		.ringbuf_size = t->o.ringbuf_size,
		.stack_hooks = t->o.stack_hooks,
		.stack_hooks_failed = t->o.stack_hooks_failed,
		.first_seq = t->next_seq,
		.attach = t->o.attach,
	};
	struct it_meta_rec meta = { .hdr = { .type = IT_REC_META } };
	struct utsname u;
	char kinds[48];

	/*
	 * The symbols first: reading and sorting kallsyms takes seconds on a
	 * slow machine, and done at the first stack, with the probes firing,
	 * it let the ring buffer overflow.
	 */
	if (t->o.stack_hooks || t->o.stack_hooks_failed)
		load_ksyms(t);
	t->l = loader_start(&t->f, &lo, t->fn, t->cookie);
	if (!t->l) {
		pr_warn("can't start tracing: %s ('iommutrace check -vv' tells more)\n",
			strerror(errno));
		if (t->o.json)
			json_error_line("can't load or attach the BPF programs",
					"run 'iommutrace check -vv' for libbpf's log");
		return 2;
	}
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_status *st = loader_status(t->l, i);

		if (st->state == PROBE_FAILED || (st->state != PROBE_ATTACHED && probe_defs[i].core))
			pr_warn("%s: %s\n", probe_defs[i].func, probe_state_name(st->state));
		else if (st->state != PROBE_ATTACHED)
			pr_debug("%s: %s on this kernel\n", probe_defs[i].func,
				 probe_state_name(st->state));
	}
	if (t->follow_module)
		t->module_ino = features_module_live("iommufd");
	meta.attached_hooks = loader_attached_hooks(t->l);
	/* the open's return program writes who opened each context */
	if (meta.attached_hooks & (1ull << IT_HOOK_FOPS_OPEN))
		meta.attached_hooks |= IT_META_OWNERS;
	meta.real_offset_ns = realtime_offset_ns();
	if (!uname(&u))
		snprintf(meta.kernel, sizeof(meta.kernel), "%.63s", u.release);
	deliver(t, &meta, sizeof(meta));
	if (t->loads++) {
		struct it_module_rec m = {
			.hdr = { .type = IT_REC_MODULE },
			.next_seq = t->next_seq,
			.state = IT_MODULE_LIVE,
			.name = "iommufd",
		};

		deliver(t, &m, sizeof(m));
		pr_info("the iommufd module is back: tracing %d of %d functions%s\n",
			loader_n_attached(t->l), n_probe_defs, kinds_said(t, kinds, sizeof(kinds)));
	} else {
		pr_info("tracing %d of %d iommufd functions%s%s\n", loader_n_attached(t->l),
			n_probe_defs, kinds_said(t, kinds, sizeof(kinds)),
			t->o.argv || t->o.service ? "" : "; Ctrl-C to stop");
	}
	return 0;
}

/* The module went away: everything its probes wrote, then the news. */
static void tracer_detach(struct tracer *t)
{
	struct it_module_rec m = {
		.hdr = { .type = IT_REC_MODULE },
		.state = IT_MODULE_GONE,
		.name = "iommufd",
	};

	loader_poll(t->l, 0);
	t->next_seq = loader_next_seq(t->l);
	t->drops_base += loader_kernel_drops(t->l);
	t->missed_base += loader_missed_returns(t->l);
	t->recursion_base += loader_recursion_misses(t->l);
	m.next_seq = t->next_seq;
	/* the loader stays until the consumer has resolved the stacks it needs */
	deliver(t, &m, sizeof(m));
	loader_free(t->l);
	t->l = NULL;
	ksyms_free(t->ksyms); /* the next load has other addresses */
	t->ksyms = NULL;
	t->ksyms_tried = false;
	pr_info("the iommufd module was unloaded: waiting for 'modprobe iommufd'\n");
}

int tracer_start(struct tracer *t, const struct tracer_opts *o, record_fn fn, void *cookie)
{
	bool wait;
	int ret;

	memset(t, 0, sizeof(*t));
	exiting = 0; /* a tracer started again runs again */
	t->o = *o;
	t->fn = fn;
	t->cookie = cookie;
	features_probe(&t->f);
	ret = report_problems(t, &wait);
	if (ret)
		return ret;
	t->follow_module = wait || (t->f.iommufd && !t->f.iommufd_builtin);
	if (wait) {
		pr_info("iommufd is a module that is not loaded: waiting for 'modprobe iommufd'%s\n",
			o->argv || o->service ? "" : "; Ctrl-C to stop");
		return 0;
	}
	return tracer_attach(t);
}

/* Follow the module: detach when it goes, attach when it is back. */
static int follow_module(struct tracer *t)
{
	unsigned long ino = features_module_live("iommufd");
	bool wait;

	if (t->l && ino != t->module_ino)
		tracer_detach(t);
	if (t->l || !ino)
		return 0;
	features_probe(&t->f);
	if (report_problems(t, &wait) || wait)
		return wait ? 0 : -ENOENT;
	return tracer_attach(t) ? -ENOENT : 0;
}

int tracer_loop(struct tracer *t, tick_fn tick, void *cookie)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long deadline = 0;
	int err = 0;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	t->start_ns = mono_ns();
	if (t->o.duration_s)
		deadline = t->start_ns + t->o.duration_s * 1000000000ULL;
	if (t->o.argv) {
		fflush(stdout);
		t->child = fork();
		if (t->child == 0) {
			execvp(t->o.argv[0], t->o.argv);
			fprintf(stderr, "iommutrace %s: can't run %s: %s\n", t->o.who, t->o.argv[0],
				strerror(errno));
			_exit(127);
		}
		if (t->child < 0) {
			err = -errno;
			pr_warn("can't fork: %s\n", strerror(errno));
			return err;
		}
	}
	while (!exiting) {
		if (t->l)
			err = loader_poll(t->l, 100);
		else
			poll(NULL, 0, 100); /* waiting for the module */
		if (err < 0 && err != -EINTR) {
			pr_warn("reading the ring buffer failed: %s\n", strerror(-err));
			break;
		}
		err = 0;
		if (t->follow_module) {
			err = follow_module(t);
			if (err)
				break;
		}
		if (tick)
			tick(cookie, mono_ns());
		if (deadline && mono_ns() >= deadline)
			break;
		if (t->child > 0 && waitpid(t->child, &t->child_status, WNOHANG) == t->child) {
			t->child_done = true;
			break;
		}
	}
	/* everything the kernel wrote before we stopped */
	if (t->l)
		loader_poll(t->l, 0);
	t->end_ns = mono_ns();
	if (t->child > 0 && !t->child_done) {
		kill(t->child, SIGTERM);
		waitpid(t->child, &t->child_status, 0);
		t->child_done = true;
	}
	return err;
}

unsigned long long tracer_next_seq(const struct tracer *t)
{
	return t->l ? loader_next_seq(t->l) : t->next_seq;
}

unsigned long long tracer_kernel_drops(const struct tracer *t)
{
	return t->drops_base + (t->l ? loader_kernel_drops(t->l) : 0);
}

unsigned long long tracer_missed_returns(const struct tracer *t)
{
	return t->missed_base + (t->l ? loader_missed_returns(t->l) : 0);
}

unsigned long long tracer_recursion_misses(const struct tracer *t)
{
	return t->recursion_base + (t->l ? loader_recursion_misses(t->l) : 0);
}

void tracer_report_misses(const struct tracer *t)
{
	unsigned long long n = tracer_recursion_misses(t);

	if (n)
		pr_warn("%llu probe runs were skipped by the kernel (the program was already "
			"running on that CPU): their events are lost and were not counted as "
			"such\n", n);
}

void tracer_report_child(const struct tracer *t)
{
	if (!t->o.argv || !t->child_done)
		return;
	if (WIFEXITED(t->child_status) && WEXITSTATUS(t->child_status))
		pr_warn("%s exited with status %d\n", t->o.argv[0], WEXITSTATUS(t->child_status));
	else if (WIFSIGNALED(t->child_status))
		pr_warn("%s was killed by signal %d\n", t->o.argv[0], WTERMSIG(t->child_status));
}

int tracer_stack(struct tracer *t, unsigned int id, char ***frames)
{
	unsigned long long ips[IT_STACK_DEPTH];
	int n;

	if (!t->l)
		return -ENOENT;
	if (!load_ksyms(t))
		return -ENOENT;
	n = loader_stack(t->l, id, ips, IT_STACK_DEPTH);
	if (n < 0)
		return n;
	return ksyms_frames(t->ksyms, ips, n, frames);
}

void tracer_stop(struct tracer *t)
{
	loader_free(t->l);
	t->l = NULL;
	ksyms_free(t->ksyms);
	t->ksyms = NULL;
}

bool tracer_attached(const struct tracer *t)
{
	return t->l != NULL;
}

bool tracer_probe_attached(const struct tracer *t, int i)
{
	return t->l && loader_status(t->l, i)->state == PROBE_ATTACHED;
}

const char *tracer_probe_kind(const struct tracer *t, int i)
{
	return tracer_probe_attached(t, i) ? attach_kind_name(loader_status(t->l, i)->kind) :
					     NULL;
}

static bool bpf_stats_enabled(void)
{
	char c = '0';
	int fd = open("/proc/sys/kernel/bpf_stats_enabled", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

int tracer_prog_stats(const struct tracer *t, prog_stat_fn fn, void *cookie)
{
	if (!t->l || !bpf_stats_enabled())
		return -ENODATA;
	return loader_prog_stats(t->l, fn, cookie);
}
