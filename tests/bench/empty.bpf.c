// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Programs that do nothing, for `make bench`: the cost of an attach kind
 * itself, on the functions iommutrace attaches to, is what iommutrace's own
 * programs are compared with.
 */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmissing-declarations"
#include "vmlinux.h" /* as in bpf/iommutrace.bpf.c */
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("kprobe")
int empty_kprobe(void *ctx)
{
	return 0;
}

SEC("kretprobe")
int empty_kretprobe(void *ctx)
{
	return 0;
}

SEC("fentry")
int BPF_PROG(empty_fentry)
{
	return 0;
}

SEC("fexit")
int BPF_PROG(empty_fexit)
{
	return 0;
}
