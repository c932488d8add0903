// SPDX-License-Identifier: GPL-2.0
/* Keyed hashes of kernel addresses for output (see ptrhash.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "base/ptrhash.h"

_Static_assert(crypto_shorthash_KEYBYTES == PTRHASH_KEY_LEN, "key size");

static unsigned char key[crypto_shorthash_KEYBYTES];
static bool raw_pointers;
static bool ready;

int ptrhash_init(bool raw)
{
	raw_pointers = raw;
	if (sodium_init() < 0)
		return -EIO;
	crypto_shorthash_keygen(key);
	ready = true;
	return 0;
}

int ptrhash_init_key(const unsigned char k[PTRHASH_KEY_LEN], bool raw)
{
	int err = ptrhash_init(raw);

	memcpy(key, k, sizeof(key));
	return err;
}

void ptrhash_get_key(unsigned char k[PTRHASH_KEY_LEN])
{
	if (!ready)
		ptrhash_init(false);
	memcpy(k, key, sizeof(key));
}

const char *ptrhash(unsigned long long addr, char *buf)
{
	unsigned char h[crypto_shorthash_BYTES];
	unsigned long long v = 0;

	if (!addr) {
		buf[0] = '\0';
		return buf;
	}
	if (raw_pointers) {
		snprintf(buf, PTRHASH_LEN, "%016llx", addr);
		return buf;
	}
	if (!ready) /* never print an address by mistake */
		ptrhash_init(false);
	crypto_shorthash(h, (const unsigned char *)&addr, sizeof(addr), key);
	memcpy(&v, h, sizeof(v));
	snprintf(buf, PTRHASH_LEN, "%012llx", v >> 16);
	return buf;
}

const char *ptrhash_bytes(const void *data, size_t len, char *buf)
{
	unsigned char h[crypto_shorthash_BYTES];
	unsigned long long v = 0;

	if (!ready)
		ptrhash_init(false);
	crypto_shorthash(h, data, len, key);
	memcpy(&v, h, sizeof(v));
	snprintf(buf, PTRHASH_LEN, "%012llx", v >> 16);
	return buf;
}
