/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IT_IO_H
#define IT_IO_H

#include <stddef.h>

/* All of buf to fd, through short writes and EINTR; 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

#endif
