/* SPDX-License-Identifier: GPL-2.0 */
/* The clocks: events carry CLOCK_MONOTONIC (bpf_ktime_get_ns). */
#ifndef IT_CLOCK_H
#define IT_CLOCK_H

#define SEC 1000000000ULL

/* CLOCK_MONOTONIC now, in ns */
unsigned long long mono_ns(void);
/* CLOCK_REALTIME - CLOCK_MONOTONIC, to show event times as wall clock */
long long realtime_offset_ns(void);

#endif
