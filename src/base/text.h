/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strings from the kernel or from other processes (comm, device names,
 * cgroup and VM names, stack frames of a trace file), made safe for each
 * output: a terminal, JSON, the journal.
 */
#ifndef IT_TEXT_H
#define IT_TEXT_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at u (RFC 3629: no overlong
 * form, no surrogate, nothing above U+10FFFF), 0 if there is none.
 */
size_t utf8_len(const unsigned char *u, size_t n);

/*
 * s for a terminal: control characters (C0, DEL, and C1 even when encoded
 * in UTF-8) and bytes that are not UTF-8 as \xNN, so that a name cannot
 * move the cursor or fake a line; cut to fit len. Backslashes stay
 * (systemd's unit names are full of them: machine-qemu\x2d1...).
 */
const char *tty_safe(const char *s, char *buf, size_t len);

/*
 * s as valid UTF-8, every byte that is not part of a well-formed sequence
 * replaced by U+FFFD; cut to fit len (never inside a sequence).
 */
const char *utf8_safe(const char *s, char *buf, size_t len);

#endif
