/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a printer writes, caught in memory for the host tests. */
#ifndef FT_TEST_CAPTURE_H
#define FT_TEST_CAPTURE_H

#include <stdio.h>

/* Output written to memory: open, write, then take the text (caller frees). */
struct capture {
	FILE *f;
	char *buf;
	size_t len;
};

static inline FILE *capture_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f;
}

static inline char *capture_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

#endif
