// SPDX-License-Identifier: GPL-2.0
/* Context owners (see owner.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "model/owner.h"
#include "base/ptrhash.h"
#include "base/text.h"

/* Copy at most len - 1 bytes of s[0..n) into dst; true when all fitted. */
static bool copy_cut(char *dst, size_t len, const char *s, size_t n)
{
	bool fits = n < len;

	if (!fits)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return fits;
}

/*
 * -name [guest=]NAME[,debug-threads=on][,process=P]: a QEMU option list,
 * where ",," is a comma in a value and a first element without "=" is the
 * guest name.
 */
static bool name_from_optlist(const char *v, size_t n, char *vm, size_t vmlen, bool *cut)
{
	char elem[256];
	size_t i = 0;
	bool first = true, found = false;

	while (i <= n) {
		size_t e = 0;

		/* one element, ",," unescaped */
		while (i < n) {
			if (v[i] == ',') {
				if (i + 1 < n && v[i + 1] == ',') {
					i++;
				} else {
					break;
				}
			}
			if (e < sizeof(elem) - 1)
				elem[e++] = v[i];
			i++;
		}
		elem[e] = '\0';
		i++; /* the comma, or past the end */
		if (!strncmp(elem, "guest=", 6)) {
			*cut = !copy_cut(vm, vmlen, elem + 6, e - 6) || e == sizeof(elem) - 1;
			found = true;
		} else if (first && !strchr(elem, '=')) {
			*cut = !copy_cut(vm, vmlen, elem, e) || e == sizeof(elem) - 1;
			found = true;
		}
		first = false;
	}
	return found && vm[0];
}

bool owner_vm_from_argv(const char *argv, size_t len, char *vm, size_t vmlen, bool *cut)
{
	const char *end = argv + len, *a = argv;
	bool found = false;

	vm[0] = '\0';
	*cut = false;
	while (a < end) {
		size_t l = strnlen(a, end - a);
		const char *next = a + l + 1;

		if ((!strcmp(a, "-name") || !strcmp(a, "--name")) && l < (size_t)(end - a) &&
		    next < end) {
			size_t vl = strnlen(next, end - next);
			bool vcut = vl == (size_t)(end - next); /* the record ends inside it */

			/* the last -name wins, as in QEMU */
			if (name_from_optlist(next, vl, vm, vmlen, cut)) {
				*cut = *cut || vcut;
				found = true;
			}
		}
		a = next;
	}
	return found;
}

/* systemd's unit name escaping: "\x2d" is '-' */
static void unescape_unit(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < outlen; i++) {
		unsigned int c;

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    sscanf(s + i + 2, "%2x", &c) == 1 && c) {
			out[o++] = (char)c;
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

bool owner_vm_from_cgroup(const char *path, char *vm, size_t vmlen, bool *cut)
{
	const char *p = path, *best = NULL;
	size_t best_len = 0;

	vm[0] = '\0';
	*cut = false;
	/* the deepest machine-*.scope */
	while (*p) {
		const char *c = p + strspn(p, "/");
		size_t l = strcspn(c, "/");

		if (l > 14 && !strncmp(c, "machine-", 8) && !strncmp(c + l - 6, ".scope", 6)) {
			best = c + 8;
			best_len = l - 14;
		}
		p = c + l;
	}
	if (!best)
		return false;

	char name[256], *n = name, *d1, *d2;

	unescape_unit(best, best_len, name, sizeof(name));
	/* libvirt: DRIVER-ID-NAME (qemu-1-vm1); nspawn and others: NAME */
	d1 = strchr(name, '-');
	if (d1 && d1 > name) {
		d2 = d1 + 1 + strspn(d1 + 1, "0123456789");
		if (d2 > d1 + 1 && *d2 == '-' && d2[1])
			n = d2 + 1;
	}
	*cut = !copy_cut(vm, vmlen, n, strlen(n));
	return vm[0] != '\0';
}

const char *owner_vm_from_name(enum owner_vm_from f)
{
	switch (f) {
	case OWNER_VM_ARGV: return "argv";
	case OWNER_VM_CGROUP: return "cgroup";
	default: return "none";
	}
}

int owner_parse(const void *rec, size_t len, struct ctx_owner *o)
{
	const struct it_owner_rec *r = rec;
	size_t off = 0, n = 0, depth = 0;
	const char *names[IT_OWNER_CGROUP_LEN / 2];

	if (len < IT_OWNER_FIXED || r->hdr.type != IT_REC_OWNER || r->hdr.size > len ||
	    r->cgroup_len > IT_OWNER_CGROUP_LEN || r->argv_len > IT_OWNER_ARGV_LEN ||
	    r->hdr.size < IT_OWNER_FIXED + r->cgroup_len + r->argv_len)
		return -EINVAL;
	const char *cgroup = r->data, *argv = r->data + r->cgroup_len;

	memset(o, 0, sizeof(*o));
	o->ctx = r->ctx;
	o->open_seq = r->hdr.seq;
	o->ts_ns = r->hdr.ts_ns;
	o->cpu = r->hdr.cpu;
	o->cgroup_id = r->cgroup_id;
	o->tgid = r->tgid;
	o->tid = r->tid;
	copy_cut(o->comm, sizeof(o->comm), r->comm, strnlen(r->comm, sizeof(r->comm)));
	o->argv_cut = r->flags & IT_OWNER_ARGV_CUT;

	/* names, the cgroup's own first: joined root first */
	while (off < r->cgroup_len && depth < sizeof(names) / sizeof(names[0])) {
		size_t l = strnlen(cgroup + off, r->cgroup_len - off);

		if (off + l >= r->cgroup_len) /* not terminated */
			return -EINVAL;
		names[depth++] = cgroup + off;
		off += l + 1;
	}
	o->cgroup_cut = r->flags & IT_OWNER_CGROUP_CUT;
	if (!(r->flags & IT_OWNER_NO_CGROUP) && r->cgroup_id) {
		n = snprintf(o->cgroup, sizeof(o->cgroup), "%s", o->cgroup_cut ? "..." : "");
		if (!depth)
			n += snprintf(o->cgroup + n, sizeof(o->cgroup) - n, "/");
		while (depth-- && n < sizeof(o->cgroup))
			n += snprintf(o->cgroup + n, sizeof(o->cgroup) - n, "/%s", names[depth]);
	}
	if (owner_vm_from_argv(argv, r->argv_len, o->vm, sizeof(o->vm), &o->vm_cut))
		o->vm_from = OWNER_VM_ARGV;
	else if (owner_vm_from_cgroup(o->cgroup, o->vm, sizeof(o->vm), &o->vm_cut))
		o->vm_from = OWNER_VM_CGROUP;
	return 0;
}

int owner_mode_parse(const char *s, enum owner_mode *m)
{
	if (!strcmp(s, "full"))
		*m = OWNER_FULL;
	else if (!strcmp(s, "hash"))
		*m = OWNER_HASH;
	else if (!strcmp(s, "omit"))
		*m = OWNER_OMIT;
	else
		return -EINVAL;
	return 0;
}

const char *owner_mode_name(enum owner_mode m)
{
	return m == OWNER_HASH ? "hash" : m == OWNER_OMIT ? "omit" : "full";
}

const char *owner_show(enum owner_mode m, const char *s, char *buf, size_t len)
{
	if (!s[0] || m == OWNER_OMIT)
		return NULL;
	if (m == OWNER_FULL)
		return s;
	snprintf(buf, len, "h:%s", ptrhash_bytes(s, strlen(s), (char[PTRHASH_LEN]){ 0 }));
	return buf;
}

void json_owner(struct json *j, const char *key, const struct ctx_owner *o, enum owner_mode m)
{
	char vm[OWNER_VM_LEN + 8], cg[32];
	const char *vms = owner_show(m, o->vm, vm, sizeof(vm));
	const char *cgs = owner_show(m, o->cgroup, cg, sizeof(cg));

	json_obj_begin(j, key);
	json_u64(j, "pid", o->tgid);
	json_str(j, "comm", o->comm);
	if (vms) {
		json_str(j, "vm", vms);
		json_str(j, "vm_from", owner_vm_from_name(o->vm_from));
	}
	if (cgs)
		json_str(j, "cgroup", cgs);
	if (o->cgroup_id && m != OWNER_OMIT)
		json_u64(j, "cgroup_id", o->cgroup_id);
	if (o->cgroup_cut || o->vm_cut)
		json_bool(j, "truncated", true);
	json_obj_end(j);
}

void owner_text(FILE *f, const struct ctx_owner *o, enum owner_mode m)
{
	char safe[OWNER_CGROUP_LEN * 4], hash[32];
	const char *vm = owner_show(m, o->vm, hash, sizeof(hash));

	fprintf(f, "%s[%u]", tty_safe(o->comm, safe, sizeof(safe)), o->tgid);
	if (vm)
		fprintf(f, " vm %s (from %s)", tty_safe(vm, safe, sizeof(safe)),
			owner_vm_from_name(o->vm_from));
	const char *cg = owner_show(m, o->cgroup, hash, sizeof(hash));

	if (cg)
		fprintf(f, " cgroup %s", tty_safe(cg, safe, sizeof(safe)));
	if (o->vm_cut || o->cgroup_cut)
		fputs(" (truncated)", f);
}
