/* SPDX-License-Identifier: GPL-2.0 */
/* Strings from the kernel or from other processes, made safe to print. */
#ifndef IT_TEXT_H
#define IT_TEXT_H

#include <stddef.h>

/*
 * s with control characters and DEL as \xNN, so that a name cannot move
 * the cursor or fake a line on a terminal; cut to fit len. Backslashes
 * stay (systemd's unit names are full of them: machine-qemu\x2d1...).
 */
const char *tty_safe(const char *s, char *buf, size_t len);

#endif
