/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel addresses are never printed raw by default: they become a short
 * keyed hash (SipHash via libsodium, a key drawn per run), like the kernel's
 * own %p, stable within one run so that objects can be followed.
 */
#ifndef IT_PTRHASH_H
#define IT_PTRHASH_H

#include <stdbool.h>
#include <stddef.h>

#define PTRHASH_LEN 17 /* "0x" + 16 hex digits + NUL, enough for both forms */

#define PTRHASH_KEY_LEN 16

int ptrhash_init(bool raw);
/* The key of a recording, so that a replay shows the handles it showed. */
int ptrhash_init_key(const unsigned char key[PTRHASH_KEY_LEN], bool raw);
void ptrhash_get_key(unsigned char key[PTRHASH_KEY_LEN]);
/* Writes the handle of addr into buf (PTRHASH_LEN bytes); "" for 0. */
const char *ptrhash(unsigned long long addr, char *buf);
/* The same keyed hash of any bytes (a name), whatever raw was: 12 hex digits. */
const char *ptrhash_bytes(const void *data, size_t len, char *buf);

#endif
