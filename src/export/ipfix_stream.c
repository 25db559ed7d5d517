// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix_stream.h"
#include "log.h"

/* Internal templates (the memory layout) are per session, not per domain:
 * each table slot has its own range of ids. */
static uint16_t internal_tid(int slot, int k)
{
	return (uint16_t)(IPFIX_TID_DATA + slot * IPFIX_TIDS_PER_DOMAIN + k);
}

static int fb_error(GError **gerr, const char *what)
{
	log_err("IPFIX: %s: %s", what, *gerr ? (*gerr)->message : "unknown error");
	g_clear_error(gerr);
	return -EIO;
}

int ipfix_stream_init(struct ipfix_stream *s, fbInfoModel_t *model, uint16_t mtu,
		      ipfix_send_fn send, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->model = model;
	s->mtu = mtu;
	s->send = send;
	s->ctx = ctx;
	s->slot = -1;
	s->msg = malloc(mtu);
	if (!s->msg)
		return log_errno(-ENOMEM, "IPFIX exporter");
	s->session = fbSessionAlloc(model);
	s->exporter = fbExporterAllocBuffer(s->msg, mtu);
	s->fbuf = fBufAllocForExport(s->session, s->exporter);
	fBufSetAutomaticMode(s->fbuf, FALSE);
	return 0;
}

void ipfix_stream_free(struct ipfix_stream *s)
{
	if (s->fbuf)
		fBufFree(s->fbuf);	/* and its session and exporter */
	s->fbuf = NULL;
	free(s->msg);
	s->msg = NULL;
}

int ipfix_stream_emit(struct ipfix_stream *s)
{
	GError *gerr = NULL;
	size_t len;
	int err;

	if (!s->pending)
		return 0;
	s->pending = false;
	/* the buffer exporter keeps the last length when nothing was emitted:
	 * a message is there only if libfixbuf wrote its version */
	memset(s->msg, 0, 2);
	if (!fBufEmit(s->fbuf, &gerr))
		return fb_error(&gerr, "cannot finish a message");
	len = fbExporterGetMsgLen(s->exporter);
	if (len < 16 || s->msg[0] != 0 || s->msg[1] != 10)
		return 0;
	if (s->discard)
		return 0;
	if (s->slot >= 0)
		s->msgs_since[s->slot]++;
	err = s->send(s->ctx, s->msg, len);
	if (err && !s->err)
		s->err = err;
	return err;
}

static bool end_of_message(GError *gerr)
{
	return gerr && g_error_matches(gerr, FB_ERROR_DOMAIN, FB_ERROR_EOM);
}

/* A libfixbuf template from ours. */
static fbTemplate_t *fb_template(fbInfoModel_t *model, const struct ipfix_template *t)
{
	fbTemplate_t *ft = fbTemplateAlloc(model);
	GError *gerr = NULL;
	int i;

	for (i = 0; i < t->nr_fields; i++) {
		const fbInfoElement_t *ie = fbInfoModelGetElementByID(model, t->fields[i].ie, 0);
		fbInfoElementSpec_t spec = { .len_override = t->fields[i].len };

		if (!ie) {
			log_err("IPFIX: element %u is not in libfixbuf's model", t->fields[i].ie);
			goto err;
		}
		spec.name = (char *)ie->ref.name;
		if (!fbTemplateAppendSpec(ft, &spec, 0, &gerr)) {
			fb_error(&gerr, "cannot build a template");
			goto err;
		}
	}
	if (t->scope)
		fbTemplateSetOptionsScope(ft, t->scope);
	return ft;

err:
	fbTemplateFreeUnused(ft);
	return NULL;
}

/* Template tid of the current domain into the message: the first template
 * write after data records only ends the message (see add_template). */
static int export_template(struct ipfix_stream *s, uint16_t tid)
{
	GError *gerr = NULL;

	if (!fbSessionExportTemplate(s->session, tid, &gerr)) {
		if (!end_of_message(gerr))
			return fb_error(&gerr, "cannot announce a template");
		g_clear_error(&gerr);
		if (!fbSessionExportTemplate(s->session, tid, &gerr))
			return fb_error(&gerr, "cannot announce a template");
	}
	s->tmpl_mode = true;
	return 0;
}

/*
 * Adds template k of a table: internal (its own id) and external (the
 * domain's id, which writes it into the message). ipfix_stream_domain()
 * starts a message first, and one table's templates fit in one (at most
 * six data templates and two options templates, under 900 bytes). A
 * template the domain has already (an earlier try that failed half way) is
 * announced again as it is: adding it would withdraw it first
 * (fbSessionAddTemplate removes the old one, which writes a withdrawal).
 */
static int add_template(struct ipfix_stream *s, int k, const struct ipfix_template *t)
{
	fbTemplate_t *in = fb_template(s->model, t), *ex = NULL;
	uint16_t tid = (uint16_t)(IPFIX_TID_DATA + k);
	GError *gerr = NULL;

	if (!in)
		return -EINVAL;
	if (!fbSessionAddTemplate(s->session, TRUE, internal_tid(s->slot, k), in, &gerr)) {
		fbTemplateFreeUnused(in);
		return fb_error(&gerr, "cannot add a template");
	}
	s->pending = true;
	if (fbSessionGetTemplate(s->session, FALSE, tid, NULL))
		return export_template(s, tid);
	ex = fb_template(s->model, t);
	if (!ex)
		return -EINVAL;
	if (!fbSessionAddTemplate(s->session, FALSE, tid, ex, &gerr)) {
		/* In manual mode libfixbuf first ends the message for a
		 * template set (end of message), then takes the template. */
		if (!end_of_message(gerr)) {
			fbTemplateFreeUnused(ex);
			return fb_error(&gerr, "cannot announce a template");
		}
		g_clear_error(&gerr);
		if (!fbSessionAddTemplate(s->session, FALSE, tid, ex, &gerr)) {
			fbTemplateFreeUnused(ex);
			return fb_error(&gerr, "cannot announce a template");
		}
	}
	s->tmpl_mode = true;
	return 0;
}

/* Adds template k unless the domain has it from this session; its bit in
 * s->have[] once it went out. */
static int add_once(struct ipfix_stream *s, int k, const struct ipfix_template *t)
{
	int err;

	if (s->have[s->slot] & (1u << k))
		return 0;
	err = add_template(s, k, t);
	if (!err)
		s->have[s->slot] |= 1u << k;
	return err;
}

/* The options templates (the instance's domain, spec NULL), or the data
 * templates of the variants in `variants` that this session has not
 * announced in the table's domain yet. What went out before a failure
 * stays announced: the next call adds only what is missing. */
static int add_templates(struct ipfix_stream *s, const struct table_spec *spec,
			 unsigned int variants)
{
	struct ipfix_template t;
	int v, err;

	if (!spec) {
		ipfix_domain_name_template(&t);
		err = add_once(s, IPFIX_TID_DOMAIN_NAME - IPFIX_TID_DATA, &t);
		if (err)
			return err;
		ipfix_iface_name_template(&t);
		return add_once(s, IPFIX_TID_IFACE_NAME - IPFIX_TID_DATA, &t);
	}
	for (v = 0; v < IPFIX_VARIANTS; v++) {
		if (!(variants & (1u << v)) || !ipfix_variant_used(spec, v))
			continue;
		ipfix_template_init(&t, spec, v);
		err = add_once(s, v, &t);
		if (err)
			return err;
	}
	return 0;
}

/* Sets domain `domain` current, with no export template chosen yet. */
static void set_domain(struct ipfix_stream *s, __u32 domain)
{
	GError *gerr = NULL;

	fbSessionSetDomain(s->session, domain);
	/* Every domain uses the same template ids, and fBufSetExportTemplate()
	 * looks a template up only when the id changes: it would go on with
	 * the previous domain's template of that id. Template id 0 is none,
	 * which leaves the buffer without one, so the next id is looked up
	 * in this domain. */
	fBufSetExportTemplate(s->fbuf, 0, &gerr);
	g_clear_error(&gerr);
}

int ipfix_stream_domain(struct ipfix_stream *s, int slot, __u32 table_id, __u32 domain,
			const struct table_spec *spec, unsigned int variants, bool *announced)
{
	unsigned int had;
	int err;

	*announced = false;
	ipfix_stream_emit(s);
	set_domain(s, domain);
	s->slot = slot;
	if (s->table_id[slot] != table_id) {
		/* a new domain in this session (a slot reused: another id) */
		s->table_id[slot] = table_id;
		s->have[slot] = 0;
		s->msgs_since[slot] = 0;
		*announced = true;
	}
	had = s->have[slot];
	err = add_templates(s, spec, variants);
	/* the instance's domain: its options templates went out now (this
	 * time or after a failure before) */
	if (!spec && s->have[slot] != had)
		*announced = true;
	return err;
}

int ipfix_stream_forget(struct ipfix_stream *s, int slot, __u32 domain, bool withdraw)
{
	GError *gerr = NULL;
	bool primed = s->tmpl_mode;
	int k, err = 0;

	if (!s->table_id[slot])
		return 0;
	ipfix_stream_emit(s);
	set_domain(s, domain);
	s->slot = -1;
	for (k = 0; k < IPFIX_TIDS_PER_DOMAIN; k++) {
		uint16_t tid = (uint16_t)(IPFIX_TID_DATA + k);

		if (!(s->have[slot] & (1u << k)) ||
		    !fbSessionGetTemplate(s->session, FALSE, tid, NULL))
			continue;
		s->pending = true;
		if (withdraw && !primed) {
			/* the first template write after data records ends the
			 * message and writes nothing: it would take the
			 * withdrawal with it */
			if (!fbSessionExportTemplate(s->session, tid, &gerr) &&
			    !end_of_message(gerr) && !err)
				err = fb_error(&gerr, "cannot withdraw a template");
			g_clear_error(&gerr);
			primed = true;
		}
		/* removed even when writing the withdrawal failed; over UDP
		 * what it writes is not sent */
		if (!fbSessionRemoveTemplate(s->session, FALSE, tid, &gerr) && withdraw && !err)
			err = fb_error(&gerr, "cannot withdraw a template");
		g_clear_error(&gerr);
		s->tmpl_mode = true;
	}
	s->table_id[slot] = 0;
	s->have[slot] = 0;
	s->msgs_since[slot] = 0;
	s->discard = !withdraw;
	ipfix_stream_emit(s);
	s->discard = false;
	return err ?: s->err;
}

int ipfix_stream_export_templates(struct ipfix_stream *s)
{
	GError *gerr = NULL;

	/* a message of its own: the templates of one domain fit one; the
	 * first try only ends the message before (see add_template) */
	ipfix_stream_emit(s);
	s->pending = true;
	if (!fbSessionExportTemplates(s->session, &gerr)) {
		if (!end_of_message(gerr))
			return fb_error(&gerr, "cannot export the templates");
		g_clear_error(&gerr);
		if (!fbSessionExportTemplates(s->session, &gerr))
			return fb_error(&gerr, "cannot export the templates");
	}
	s->tmpl_mode = true;
	s->msgs_since[s->slot] = 0;
	return 0;
}

int ipfix_stream_append(struct ipfix_stream *s, int k, const void *rec, size_t len)
{
	GError *gerr = NULL;
	int tries;

	if (!fBufSetInternalTemplate(s->fbuf, internal_tid(s->slot, k), &gerr) ||
	    !fBufSetExportTemplate(s->fbuf, (uint16_t)(IPFIX_TID_DATA + k), &gerr))
		return fb_error(&gerr, "no template for a record");
	for (tries = 0; tries < 2; tries++) {
		if (fBufAppend(s->fbuf, (uint8_t *)rec, len, &gerr)) {
			s->pending = true;
			s->tmpl_mode = false;
			return 0;
		}
		if (!end_of_message(gerr))
			break;
		g_clear_error(&gerr);
		ipfix_stream_emit(s);
	}
	return fb_error(&gerr, "cannot add a record");
}
