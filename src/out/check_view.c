// SPDX-License-Identifier: GPL-2.0
#include "base/json.h"
#include "format/hooks.h"
#include "out/check_view.h"

static const char *const wait_names[] = { "none", "destroy_rwsem", "shortterm_users", "wait_cnt" };
static const char *const vdev_names[] = { "none", "dev, id", "idev, virt_id" };
static const char *const hwpt_names[] = { "none", "hw_pagetable", "hwpt_paging, hwpt_nested" };

void check_print_text(const struct check_report *r, FILE *f)
{
	const struct it_layout *lay = &r->core;

	fprintf(f, "kernel:   %s\n", r->kernel);
	fprintf(f, "BTF:      %s\n", r->btf[0] ? r->btf : "none");
	fprintf(f, "iommufd:  %s\n", r->iommufd);
	fprintf(f, "kprobes:  %s\n", r->kprobes);
	fprintf(f, "layouts:  iommufd_object.%s; iommufd_vdevice {%s}; hwpt: %s\n",
		r->obj_wait_field ? r->obj_wait_field : "?",
		r->vdev_layout ? r->vdev_layout : "absent", r->hwpt_layout ? r->hwpt_layout : "?");
	if (r->have_core) {
		fprintf(f, "CO-RE:    iommufd_object.%s; iommufd_vdevice {%s}; hwpt: %s; types",
			wait_names[lay->wait], vdev_names[lay->vdev], hwpt_names[lay->hwpt]);
		for (int k = 1; k < IT_LAYOUT_TYPES; k++)
			if (lay->type_of[k])
				fprintf(f, " %d=%s", k, obj_type_name(lay->type_of[k]));
		fprintf(f, "\n");
	}
	fprintf(f, "attach:   %s\n", r->attach_mode);
	fprintf(f, "\n%-36s %-10s %-7s %s\n", "FUNCTION", "STATE", "ATTACH", "NOTE");
	for (int i = 0; i < r->n_probes; i++) {
		const struct check_probe *p = &r->probes[i];

		fprintf(f, "%-36s %-10s %-7s %s%s%s%s%s\n", p->func, p->state_text,
			p->attach ? p->attach : "-", p->note, p->attach_why[0] ? " (" : "",
			p->attach_why, p->attach_why[0] ? ")" : "", p->core ? " [core]" : "");
	}
	fprintf(f, "\n%-20s %-8s %s\n", "RULE", "SEVERITY", "STATE");
	for (int i = 0; i < r->n_rules; i++)
		fprintf(f, "%-20s %-8s %s\n", r->rules[i].name, r->rules[i].severity,
			r->rules[i].state);
	if (r->n_problems) {
		fprintf(f, "\ntracing is not possible here:\n");
		for (int i = 0; i < r->n_problems; i++)
			fprintf(f, "  - %s\n    fix: %s\n", r->problems[i].what, r->problems[i].fix);
	} else {
		fprintf(f, "\ntracing is possible: %d of %d functions attached\n", r->n_attached,
			r->n_probes);
	}
}

static void json_core(struct json *j, const struct it_layout *lay)
{
	json_obj_begin(j, "core");
	json_str(j, "iommufd_object", wait_names[lay->wait]);
	json_str(j, "iommufd_vdevice", vdev_names[lay->vdev]);
	json_str(j, "hwpt", hwpt_names[lay->hwpt]);
	json_obj_begin(j, "types");
	for (int k = 1; k < IT_LAYOUT_TYPES; k++) {
		char key[8];

		if (!lay->type_of[k])
			continue;
		snprintf(key, sizeof(key), "%d", k);
		json_str(j, key, obj_type_name(lay->type_of[k]));
	}
	json_obj_end(j);
	json_obj_end(j);
}

void check_print_json(const struct check_report *r, FILE *f)
{
	struct json j;

	json_init(&j);
	json_envelope(&j, "check");
	json_str(&j, "kernel", r->kernel);
	json_bool(&j, "ok", r->n_problems == 0);
	json_str(&j, "btf", r->btf);
	json_str(&j, "iommufd", r->iommufd);
	json_str(&j, "attach_mode", r->attach_mode);
	json_obj_begin(&j, "layouts");
	if (r->obj_wait_field)
		json_str(&j, "iommufd_object", r->obj_wait_field);
	if (r->vdev_layout)
		json_str(&j, "iommufd_vdevice", r->vdev_layout);
	if (r->hwpt_layout)
		json_str(&j, "hwpt", r->hwpt_layout);
	json_obj_end(&j);
	if (r->have_core)
		json_core(&j, &r->core);
	json_arr_begin(&j, "probes");
	for (int i = 0; i < r->n_probes; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "func", r->probes[i].func);
		json_str(&j, "state", r->probes[i].state_json);
		json_bool(&j, "core", r->probes[i].core);
		json_str(&j, "note", r->probes[i].note);
		if (r->probes[i].attach)
			json_str(&j, "attach", r->probes[i].attach);
		if (r->probes[i].attach_why[0])
			json_str(&j, "attach_why", r->probes[i].attach_why);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "rules");
	for (int i = 0; i < r->n_rules; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "name", r->rules[i].name);
		json_str(&j, "severity", r->rules[i].severity);
		json_str(&j, "meaning", r->rules[i].meaning);
		json_str(&j, "state", r->rules[i].state);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "problems");
	for (int i = 0; i < r->n_problems; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "what", r->problems[i].what);
		json_str(&j, "fix", r->problems[i].fix);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_emit(&j, f);
	json_free(&j);
}
