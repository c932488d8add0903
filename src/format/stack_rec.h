/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack record (IT_REC_STACK) of a trace file: a stack's frames as
 * text, so that replay needs no kallsyms (struct it_stack_rec, then
 * nframes NUL-terminated "function+0xoff", padded to 8 bytes).
 */
#ifndef IT_STACK_REC_H
#define IT_STACK_REC_H

#include <stddef.h>

/* A malloc'ed record of frames[0..n) for id in *rec, its size in *len; 0 or -ENOMEM. */
int stack_rec_encode(unsigned int id, char *const *frames, int n, void **rec, size_t *len);
/*
 * The frames of a record of len bytes (its header checked by the decoder):
 * *frames (malloc'ed, as each frame) and *id. Frames that are not
 * terminated inside the record are left out. Returns how many, or -ENOMEM.
 */
int stack_rec_decode(const void *rec, size_t len, unsigned int *id, char ***frames);

#endif
