// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "csv.h"
#include "exporters.h"
#include "ipfix_export.h"
#include "log.h"
#include "prometheus.h"
#include "top.h"

/* Exporters the options turn on; each ops->wanted decides from `o`. The
 * Prometheus exporter goes last so that it serves this interval's errors of
 * the others. */
static const struct exporter_ops *const all_exporters[] = {
	&csv_exporter,
	&ipfix_exporter,
	&prometheus_exporter,
	&top_exporter,
};

int exporters_open(struct exporters *ex, const struct export_opts *o, struct sink *out)
{
	size_t i;
	int err;

	memset(ex, 0, sizeof(*ex));
	for (i = 0; i < sizeof(all_exporters) / sizeof(all_exporters[0]); i++) {
		const struct exporter_ops *ops = all_exporters[i];
		struct exporter *e;

		if (!ops || !ops->wanted(o))
			continue;
		if (ex->nr == FT_MAX_EXPORTERS)
			return -E2BIG;
		e = &ex->list[ex->nr];
		e->ops = ops;
		e->status = &ex->status;
		err = ops->open(e, o, out);
		if (err)
			return err;
		ex->status.name[ex->nr] = ops->name;
		ex->nr++;
		ex->status.nr = ex->nr;
	}
	return 0;
}

void exporters_started(struct exporters *ex, const struct ft_catalog *cat)
{
	int i;

	for (i = 0; i < ex->nr; i++)
		if (ex->list[i].ops->started)
			ex->list[i].ops->started(&ex->list[i], cat);
}

void exporters_interval(struct exporters *ex, const struct ft_catalog *cat,
			const struct ft_counts *interval, const struct ft_counts *total)
{
	int i;

	for (i = 0; i < ex->nr; i++) {
		if (ex->list[i].ops->interval(&ex->list[i], cat, interval, total)) {
			ex->status.count[i]++;
			log_debug("%s export failed", ex->list[i].ops->name);
		}
	}
}

void exporters_final(struct exporters *ex, const struct ft_catalog *cat,
		     const struct ft_counts *total)
{
	int i;

	for (i = 0; i < ex->nr; i++) {
		if (ex->list[i].ops->final && ex->list[i].ops->final(&ex->list[i], cat, total)) {
			ex->status.count[i]++;
			log_debug("%s export failed", ex->list[i].ops->name);
		}
	}
}

void exporters_close(struct exporters *ex)
{
	int i;

	for (i = ex->nr - 1; i >= 0; i--)
		ex->list[i].ops->close(&ex->list[i]);
	ex->nr = 0;
}

int exporters_pollfds(struct exporters *ex, struct pollfd *pfd, int max)
{
	int i, n = 0;

	for (i = 0; i < ex->nr && n < max; i++) {
		const struct exporter_ops *ops = ex->list[i].ops;

		if (!ops->input_fd)
			continue;
		pfd[n].fd = ops->input_fd(&ex->list[i]);
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

bool exporters_input(struct exporters *ex, const struct pollfd *pfd, int n)
{
	bool stop = false;
	int i, k = 0;

	for (i = 0; i < ex->nr && k < n; i++) {
		const struct exporter_ops *ops = ex->list[i].ops;

		if (!ops->input_fd)
			continue;
		if (pfd[k++].revents & (POLLIN | POLLHUP))
			stop |= ops->on_input(&ex->list[i]);
	}
	return stop;
}
