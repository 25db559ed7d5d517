/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One IPFIX transport session to one collector, on libfixbuf: its sessions
 * keep the templates and sequence numbers per observation domain and write
 * the messages. flowtally hands each finished message to its own transport
 * (ipfix_conn.c): libfixbuf's TCP exporter connects and writes blocking,
 * which would stall the run loop behind a slow collector, and its UDP one
 * sends on a connected socket. So libfixbuf writes into a buffer
 * (fbExporterAllocBuffer, which also sets the message size limit) in manual
 * mode, and every full or finished message is sent from here.
 */
#ifndef FT_IPFIX_STREAM_H
#define FT_IPFIX_STREAM_H

#include <fixbuf/public.h>

#include "ipfix.h"

/* The instance's own domain (--ipfix-domain-base itself: table ids start at
 * 1) carries the options records, in the slot after the tables'. */
#define IPFIX_INSTANCE_SLOT	FT_MAX_TABLES
#define IPFIX_SLOTS		(FT_MAX_TABLES + 1)

typedef int (*ipfix_send_fn)(void *ctx, const void *msg, size_t len);

struct ipfix_stream {
	fbInfoModel_t *model;		/* not owned */
	fBuf_t *fbuf;			/* owns the session and the exporter */
	fbSession_t *session;
	fbExporter_t *exporter;
	uint8_t *msg;			/* where libfixbuf puts each message */
	uint16_t mtu;
	bool pending;			/* something was added since the last emit */
	int slot;			/* the table whose domain is current, -1: none */
	ipfix_send_fn send;
	void *ctx;
	/* per table slot, and the instance's domain after them: the table id
	 * whose templates this session has (0: none), when they last went
	 * out, and messages of the domain since */
	__u32 table_id[IPFIX_SLOTS];
	unsigned int have[IPFIX_SLOTS];	/* announced: 1 << (tid - IPFIX_TID_DATA) */
	double tmpl_at[IPFIX_SLOTS];
	unsigned int msgs_since[IPFIX_SLOTS];
	int err;			/* the first send error since the caller cleared it */
	bool tmpl_mode;			/* the last thing written was a template (set) */
	bool discard;			/* the message being finished is not sent */
};

int ipfix_stream_init(struct ipfix_stream *s, fbInfoModel_t *model, uint16_t mtu,
		      ipfix_send_fn send, void *ctx);
void ipfix_stream_free(struct ipfix_stream *s);
/*
 * Makes table `slot` (id `table_id`, spec `spec`) current, in observation
 * domain `domain`: sends what the previous domain had, and announces the
 * templates of the variants in `variants` (1 << variant: those the interval
 * has records of) that this session has not announced in the domain yet:
 * only templates that are used go out. With slot IPFIX_INSTANCE_SLOT and no
 * spec: the instance's domain and its options templates. *announced: the
 * domain is new to this session (its templates went out now). 0, or
 * -errno after a message.
 */
int ipfix_stream_domain(struct ipfix_stream *s, int slot, __u32 table_id, __u32 domain,
			const struct table_spec *spec, unsigned int variants, bool *announced);
/*
 * Table `slot`'s domain `domain` is gone (its table removed and its last
 * interval sent, or its slot reused): its templates are dropped from the
 * session, withdrawn in a message of their own when `withdraw` (TCP, RFC
 * 7011 section 8.1), without a word otherwise (UDP: section 8.4, no
 * withdrawals). 0, or -errno after a message.
 */
int ipfix_stream_forget(struct ipfix_stream *s, int slot, __u32 domain, bool withdraw);
/* The current domain's templates again (UDP refresh). */
int ipfix_stream_export_templates(struct ipfix_stream *s);
/* One record of template k (IPFIX_TID_* - IPFIX_TID_DATA) of the current table. */
int ipfix_stream_append(struct ipfix_stream *s, int k, const void *rec, size_t len);
/* Sends what is in the message being built. */
int ipfix_stream_emit(struct ipfix_stream *s);

#endif
