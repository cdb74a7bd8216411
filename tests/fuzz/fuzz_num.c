/*
 * fuzz_num.c - libFuzzer harness for the numeric side of the loader: configs
 * that parse but carry absurd numbers.
 *
 * The shipped configs (the .yaml files of configs/, or the files named in
 * $PDSWAP_FUZZ_CONFIGS separated by ':') are parsed once; every plain
 * numeric scalar in them is a slot.  An input is read as records of four
 * bytes, (slot: 16 bits, kind, arg), after a first byte choosing the base
 * config; each record replaces the number in one slot with a value the
 * kind picks: zero, one, minus one, the original scaled by a power of two
 * or shifted by a small integer, a small integer, the int and double
 * limits, tiny values, or nothing at all.  The patched text must pass
 * fz_check_text(): a positioned error, or a config on which the model
 * gives only finite numbers.  The structure stays valid, so the mutations
 * reach the range checks, the cross-checks and the model rather than the
 * YAML parser.
 *
 * With $FUZZ_NUM_DUMP set to a file name, the patched text of each input
 * is written there (to turn a finding into a YAML regression case).
 */
#include <glob.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz_oracle.h"
#include "config/ytree.h"

#define MAX_BASES 8
#define MAX_SLOTS 2048
#define MAX_RECORDS 64

typedef struct {
	char *text;
	size_t len;
	int n;
	size_t start[MAX_SLOTS], end[MAX_SLOTS];
	double orig[MAX_SLOTS];
	int is_int[MAX_SLOTS];
} base_t;

static base_t bases[MAX_BASES];
static int n_bases;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	size_t got;
	while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	fclose(f);
	if (b)
		*len = n;
	return b;
}

/* Walk the tree and record every plain scalar that reads as a number. */
static void collect(base_t *b, const ytree_node *n)
{
	if (n->kind == YTREE_SCALAR) {
		char *end;
		if (n->quoted || n->len == 0 || b->n >= MAX_SLOTS)
			return;
		double v = strtod(n->str, &end);
		if (end != n->str + n->len || !isfinite(v))
			return;
		b->start[b->n] = n->start;
		b->end[b->n] = n->end;
		b->orig[b->n] = v;
		b->is_int[b->n] = strpbrk(n->str, ".eE") == NULL;
		b->n++;
		return;
	}
	for (size_t i = 0; i < n->n; i++)
		collect(b, n->items[i]);
}

static void add_base(const char *path)
{
	if (n_bases >= MAX_BASES)
		return;
	base_t *b = &bases[n_bases];
	char err[512];
	ytree_doc *doc;
	b->text = slurp(path, &b->len);
	if (!b->text)
		return;
	ytree_node *root = ytree_parse(path, b->text, b->len, &doc, err, sizeof err);
	if (!root) {
		fprintf(stderr, "fuzz_num: %s\n", err);
		free(b->text);
		return;
	}
	collect(b, root);
	ytree_free(doc);
	fprintf(stderr, "fuzz_num: %s: %d numeric slots\n", path, b->n);
	n_bases++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *list = getenv("PDSWAP_FUZZ_CONFIGS");
	if (list) {
		char *copy = strdup(list), *save = NULL;
		for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
			add_base(p);
		free(copy);
	} else {
		glob_t g;
		if (glob("configs/*.yaml", 0, NULL, &g) == 0) {
			for (size_t i = 0; i < g.gl_pathc; i++)
				add_base(g.gl_pathv[i]);
			globfree(&g);
		}
	}
	if (n_bases == 0) {
		fprintf(stderr, "fuzz_num: no base config (run from the repository root or set "
				"PDSWAP_FUZZ_CONFIGS)\n");
		exit(2);
	}
	return 0;
}

/* The replacement text for one record. */
static void value_text(const base_t *b, int slot, int kind, int arg, char *out, size_t sz)
{
	static const char *const fixed[] = {
		"0", "1", "-1", "2147483647", "2147483648", "-2147483649", "9223372036854775808",
		"1e308", "1e-308", "4.9e-324", "1e-9", "0.5", "",
	};
	const int n_fixed = (int)(sizeof fixed / sizeof fixed[0]);
	double v = b->orig[slot];
	switch (kind % 5) {
	case 0:
		snprintf(out, sz, "%s", fixed[arg % n_fixed]);
		return;
	case 1: /* scale by 2^((arg - 128) / 4) */
		v = v * pow(2.0, (arg - 128) / 4.0);
		break;
	case 2: /* shift by a small integer */
		v = v + (arg - 128);
		break;
	case 3: /* a small integer */
		v = arg;
		break;
	default: /* a power of ten, either sign */
		v = (arg & 1 ? -1 : 1) * pow(10.0, (arg >> 1) - 64);
		break;
	}
	if (b->is_int[slot] && fabs(v) < 9e18)
		snprintf(out, sz, "%lld", (long long)llround(v));
	else
		snprintf(out, sz, "%.17g", v);
}

/* Apply the records to a copy of the base text; returns a malloc'd buffer. */
static char *patch(const base_t *b, const uint8_t *data, size_t size, size_t *out_len)
{
	static char vals[MAX_SLOTS][40];
	static unsigned char set[MAX_SLOTS];
	memset(set, 0, (size_t)b->n);
	int nrec = 0;
	for (size_t i = 0; i + 4 <= size && nrec < MAX_RECORDS; i += 4, nrec++) {
		int slot = (data[i] | data[i + 1] << 8) % b->n;
		value_text(b, slot, data[i + 2], data[i + 3], vals[slot], sizeof vals[slot]);
		set[slot] = 1;
	}
	size_t cap = b->len + (size_t)MAX_RECORDS * 40 + 1, n = 0, pos = 0;
	char *o = malloc(cap);
	if (!o)
		abort();
	for (int s = 0; s < b->n; s++) { /* slots are in file order */
		if (!set[s])
			continue;
		memcpy(o + n, b->text + pos, b->start[s] - pos);
		n += b->start[s] - pos;
		size_t vl = strlen(vals[s]);
		memcpy(o + n, vals[s], vl);
		n += vl;
		pos = b->end[s];
	}
	memcpy(o + n, b->text + pos, b->len - pos);
	n += b->len - pos;
	o[n] = '\0';
	*out_len = n;
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const base_t *b = &bases[data[0] % n_bases];
	size_t len;
	char *text = patch(b, data + 1, size - 1, &len);
	const char *dump = getenv("FUZZ_NUM_DUMP");
	if (dump) {
		FILE *f = fopen(dump, "wb");
		if (f) {
			fwrite(text, 1, len, f);
			fclose(f);
		}
	}
	char why[1024];
	if (fz_check_text("num.yaml", text, len, NULL, why, sizeof why)) {
		fprintf(stderr, "fuzz_num: %s\n", why);
		abort();
	}
	free(text);
	return 0;
}
