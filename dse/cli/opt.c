/*
 * opt.c - see opt.h.
 */
#include "cli/opt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "models/common.h"

#define WRAP 100 /* columns of the synopsis */

static const opt_def *find(const opt_cmd *c, const char *name, size_t len)
{
	for (int i = 0; i < c->n_opts; i++)
		if (strlen(c->opts[i].name) == len && strncmp(c->opts[i].name, name, len) == 0)
			return &c->opts[i];
	return NULL;
}

/* An integer in [lo, hi], the whole string: true and *out, else false. */
static bool opt_quiet_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

static int set_value(const opt_def *o, const char *v)
{
	if (!*v) {
		cli_err("%s needs a value, got an empty string", o->name);
		return -1;
	}
	switch (o->type) {
	case OPT_STRING:
		*(const char **)o->out = v;
		return 0;
	case OPT_INT:
		if (o->range && !opt_quiet_int(v, (long)o->lo, (long)o->hi, (int *)o->out)) {
			cli_err("%s must be an integer in %s, got '%s'", o->name, o->range, v);
			return -1;
		}
		return o->range ? 0 : cli_parse_int(o->name, v, (long)o->lo, (long)o->hi, (int *)o->out);
	case OPT_REAL:
		return cli_parse_double(o->name, v, o->lo, o->hi, (double *)o->out);
	case OPT_FLAG:
		break;
	}
	return -1;
}

static int usage_error(const opt_cmd *c)
{
	opt_synopsis(c, stderr, "usage: ");
	fprintf(stderr, "Run 'pdswap-dse help %s' for the options.\n", c->name ? c->name : "run");
	return -1;
}

int opt_parse(const opt_cmd *c, int argc, char **argv)
{
	int npos = 0;
	bool only_pos = false, seen[64] = {false};
	if (c->n_opts > 64)
		BUG("command '%s' has %d options; the parser holds 64", c->name ? c->name : "", c->n_opts);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!only_pos && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)) {
			opt_usage(c, stdout);
			return 1;
		}
		if (!only_pos && strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (npos >= c->max_pos) {
				cli_err("%s%sunexpected argument '%s'", c->name ? c->name : "", c->name ? ": " : "", a);
				return usage_error(c);
			}
			c->pos[npos++] = a;
			continue;
		}
		const char *eq = strchr(a, '=');
		const opt_def *o = find(c, a, eq ? (size_t)(eq - a) : strlen(a));
		if (!o) {
			cli_err("%s%sunknown option '%s'", c->name ? c->name : "", c->name ? ": " : "", a);
			return usage_error(c);
		}
		seen[o - c->opts] = true;
		if (o->given)
			*o->given = true;
		if (o->type == OPT_FLAG) {
			if (eq) {
				cli_err("%s takes no value", o->name);
				return usage_error(c);
			}
			*(bool *)o->out = true;
			continue;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (!v) {
			if (i + 1 >= argc) {
				cli_err("%s needs a value", o->name);
				return usage_error(c);
			}
			v = argv[++i];
		}
		if (set_value(o, v))
			return -1;
	}
	if (c->n_pos)
		*c->n_pos = npos;
	if (npos < c->min_pos) {
		cli_err("%s%sneeds %s", c->name ? c->name : "", c->name ? " " : "", c->args);
		return usage_error(c);
	}
	for (int i = 0; i < c->n_opts; i++)
		if (c->opts[i].required && !seen[i]) {
			cli_err("%s%sneeds %s %s", c->name ? c->name : "", c->name ? " " : "", c->opts[i].name,
				c->opts[i].value ? c->opts[i].value : "");
			return usage_error(c);
		}
	return 0;
}

/* The synopsis words: positionals, then each option ("--x V" or "[--x V]"). */
static int words(const opt_cmd *c, char w[][160], int max)
{
	int n = 0;
	if (c->args && *c->args)
		snprintf(w[n++], sizeof w[0], "%s", c->args);
	for (int r = 0; r < 2; r++) /* required options first */
		for (int i = 0; i < c->n_opts && n < max; i++) {
			const opt_def *o = &c->opts[i];
			if (o->required != (r == 0))
				continue;
			snprintf(w[n++], sizeof w[0], "%s%s%s%s%s", o->required ? "" : "[", o->name, o->value ? " " : "",
				 o->value ? o->value : "", o->required ? "" : "]");
		}
	return n;
}

void opt_synopsis(const opt_cmd *c, FILE *f, const char *lead)
{
	char w[64][160];
	int n = words(c, w, 64);
	char head[128];
	snprintf(head, sizeof head, "%spdswap-dse%s%s", lead, c->name ? " " : "", c->name ? c->name : "");
	int indent = (int)strlen(head), col = indent;
	fputs(head, f);
	for (int i = 0; i < n; i++) {
		int len = (int)strlen(w[i]);
		if (col + 1 + len > WRAP && col > indent) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		}
		fprintf(f, " %s", w[i]);
		col += 1 + len;
	}
	fputc('\n', f);
}

/* Lines of `text` each prefixed by `indent` spaces (the first after `first` columns used). */
static void lines(FILE *f, const char *text, int indent, int used)
{
	const char *p = text;
	bool first = true;
	while (*p) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);
		fprintf(f, "%*s%.*s\n", first ? (indent > used ? indent - used : 1) : indent, "", len, p);
		first = false;
		p += len + (e != NULL);
	}
}

void opt_usage(const opt_cmd *c, FILE *f)
{
	opt_synopsis(c, f, "usage: ");
	if (c->about)
		lines(f, c->about, 2, 0);
	int width = 0;
	for (int i = 0; i < c->n_opts; i++) {
		const opt_def *o = &c->opts[i];
		int w = (int)strlen(o->name) + (o->value ? 1 + (int)strlen(o->value) : 0);
		if (w > width)
			width = w;
	}
	for (int i = 0; i < c->n_opts; i++) {
		const opt_def *o = &c->opts[i];
		int used = fprintf(f, "  %s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
		lines(f, o->help, 2 + width + 2, used);
	}
	int used = fprintf(f, "  --help");
	lines(f, "this text", 2 + width + 2, used);
}
