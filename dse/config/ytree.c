/*
 * ytree.c - libyaml events to a positioned node tree.
 *
 * The builder keeps an explicit stack of open collections (no recursion,
 * so hostile nesting cannot overflow the C stack) and an arena that owns
 * every node and string.  Anchors are recorded as they open and marked
 * complete when they close; an alias may only name a complete node, which
 * it then shares.  Anchors are found through a hash table and every alias
 * counts towards YTREE_MAX_NODES, so a file of many anchors and aliases costs
 * time linear in its size.  Duplicate keys are found per mapping by sorting
 * its keys once the mapping closes, so a mapping of n keys costs O(n log n).
 *
 * Positions: libyaml counts marks in characters; the tree stores byte
 * offsets (for write-back into the original text), converted by a cursor
 * that walks the UTF-8 text from one mark to the next.  Lines and columns
 * stay in characters, as an editor shows them.  The input is read as UTF-8
 * whatever its byte-order mark says.
 */
#include "config/ytree.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
} chunk;

typedef struct {
	char *name;
	ytree_node *node;
	bool complete;
} anchor;

struct ytree_doc {
	chunk *chunks;
	anchor *anchors;
	size_t n_anchors, cap_anchors;
	size_t *slots; /* hash table of anchor indices + 1 (0 = empty) */
	size_t n_slots;
	size_t n_nodes;
};

/* Character index -> byte offset in a UTF-8 buffer, walked incrementally. */
typedef struct {
	const unsigned char *buf;
	size_t len;
	size_t ch, byte;
} cursor;

static bool is_cont(unsigned char b)
{
	return (b & 0xC0) == 0x80;
}

static size_t cursor_byte(cursor *k, size_t ch)
{
	while (k->ch < ch && k->byte < k->len) {
		k->byte++;
		while (k->byte < k->len && is_cont(k->buf[k->byte]))
			k->byte++;
		k->ch++;
	}
	while (k->ch > ch && k->byte > 0) {
		k->byte--;
		while (k->byte > 0 && is_cont(k->buf[k->byte]))
			k->byte--;
		k->ch--;
	}
	return k->byte;
}

typedef struct {
	ytree_node *node;
	ytree_node *pending_key; /* mappings: key read, value not yet */
	size_t cap;
	int anchor_idx;       /* -1 if none */
} frame;

static void *arena_alloc(ytree_doc *d, size_t size)
{
	size = (size + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	chunk *c = d->chunks;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > 65536 ? size : 65536;
		c = malloc(sizeof(chunk) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = d->chunks;
		d->chunks = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += size;
	return p;
}

void ytree_free(ytree_doc *d)
{
	if (!d)
		return;
	while (d->chunks) {
		chunk *n = d->chunks->next;
		free(d->chunks);
		d->chunks = n;
	}
	for (size_t i = 0; i < d->n_anchors; i++)
		free(d->anchors[i].name);
	free(d->anchors);
	free(d->slots);
	free(d);
}

static void fmt_err(char *err, size_t errlen, const char *name, int line, int col,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d:%d: %s", name, line, col, msg);
}

/*
 * Line and column (1-based) of a byte offset, for reader errors, counted
 * as libyaml counts its marks: columns in characters, and CR LF, CR, LF,
 * NEL (U+0085), LS and PS (U+2028/9) each end a line.
 */
static void offset_pos(const char *text, size_t len, size_t off, int *line, int *col)
{
	const unsigned char *b = (const unsigned char *)text;
	int l = 1, c = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (b[i] == '\n' || (b[i] == '\r' && !(i + 1 < len && b[i + 1] == '\n')) ||
		    (b[i] == 0xC2 && i + 1 < len && b[i + 1] == 0x85) ||
		    (b[i] == 0xE2 && i + 2 < len && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9))) {
			l++;
			c = 1;
			while (i + 1 < off && is_cont(b[i + 1]))
				i++;
		} else if (!is_cont(b[i])) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/*
 * Tags of the core schema that fit the node's kind: !!str, !!int,
 * !!float, !!bool and !!null on scalars, !!seq on sequences, !!map on
 * mappings, and the non-specific "!".  Anything else is refused.
 */
static bool tag_ok(const unsigned char *tag, ytree_kind kind, ytree_tag *st)
{
	*st = YTREE_TAG_NONE;
	if (!tag || strcmp((const char *)tag, "!") == 0)
		return true;
	static const char *const core = "tag:yaml.org,2002:";
	size_t n = strlen(core);
	if (strncmp((const char *)tag, core, n) != 0)
		return false;
	const char *t = (const char *)tag + n;
	if (kind == YTREE_SEQ)
		return strcmp(t, "seq") == 0;
	if (kind == YTREE_MAP)
		return strcmp(t, "map") == 0;
	static const struct {
		const char *name;
		ytree_tag tag;
	} scalar_tags[] = {{"str", YTREE_TAG_STR},
			   {"int", YTREE_TAG_INT},
			   {"float", YTREE_TAG_FLOAT},
			   {"bool", YTREE_TAG_BOOL},
			   {"null", YTREE_TAG_NULL}};
	for (size_t i = 0; i < sizeof scalar_tags / sizeof scalar_tags[0]; i++)
		if (strcmp(t, scalar_tags[i].name) == 0) {
			*st = scalar_tags[i].tag;
			return true;
		}
	return false;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/*
 * Whether a scalar's text is of its tag, by the YAML 1.2 core schema's
 * rules: !!int [-+]?[0-9]+ (or 0o.., 0x..), !!float
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? or .inf/.nan (an
 * integer literal is a float too), !!bool true/false in three casings,
 * !!null null/~/empty; !!str takes any text.
 */
static bool tag_fits(ytree_tag tag, const char *s, size_t n)
{
	static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE", NULL};
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const specials[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN", NULL};
	size_t i = n && (s[0] == '-' || s[0] == '+') ? 1 : 0;
	switch (tag) {
	case YTREE_TAG_INT:
		if (i == 0 && n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
			for (size_t j = 2; j < n; j++)
				if (s[1] == 'o' ? !(s[j] >= '0' && s[j] <= '7') : !isxdigit((unsigned char)s[j]))
					return false;
			return true;
		}
		return all_digits(s + i, n - i);
	case YTREE_TAG_FLOAT: {
		if (one_of(s + i, specials) && (i == 0 || s[i + 1] == 'i' || s[i + 1] == 'I'))
			return true;
		size_t j = i, d0 = 0, d1 = 0;
		while (j < n && isdigit((unsigned char)s[j]))
			j++, d0++;
		if (j < n && s[j] == '.') {
			j++;
			while (j < n && isdigit((unsigned char)s[j]))
				j++, d1++;
		}
		if (d0 + d1 == 0)
			return false;
		if (j < n && (s[j] == 'e' || s[j] == 'E')) {
			j++;
			if (j < n && (s[j] == '+' || s[j] == '-'))
				j++;
			if (j == n || !all_digits(s + j, n - j))
				return false;
			j = n;
		}
		return j == n;
	}
	case YTREE_TAG_BOOL: return one_of(s, bools);
	case YTREE_TAG_NULL: return one_of(s, nulls);
	default: return true;
	}
}

/* The tag as written for messages ("!!int" for the core schema's). */
static const char *tag_shown(const unsigned char *tag, char *buf, size_t sz)
{
	static const char *const core = "tag:yaml.org,2002:";
	size_t n = strlen(core);
	if (strncmp((const char *)tag, core, n) == 0)
		snprintf(buf, sz, "!!%.60s", (const char *)tag + n);
	else
		snprintf(buf, sz, "%.60s", (const char *)tag);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 32 || (unsigned char)*p > 126)
			*p = '?';
	return buf;
}

static int key_cmp(const void *a, const void *b)
{
	const ytree_node *x = *(ytree_node *const *)a, *y = *(ytree_node *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->str, y->str, n);
	if (r)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->start < y->start ? -1 : (x->start > y->start);
}

/* Returns the duplicate key that comes later in the file, or NULL. */
static ytree_node *find_duplicate(ytree_doc *d, ytree_node *map)
{
	if (map->n < 2)
		return NULL;
	ytree_node **ks = malloc(map->n * sizeof *ks);
	if (!ks)
		return NULL;
	memcpy(ks, map->keys, map->n * sizeof *ks);
	qsort(ks, map->n, sizeof *ks, key_cmp);
	ytree_node *dup = NULL;
	for (size_t i = 1; i < map->n; i++) {
		if (ks[i]->len == ks[i - 1]->len && memcmp(ks[i]->str, ks[i - 1]->str, ks[i]->len) == 0) {
			if (!dup || ks[i]->start < dup->start)
				dup = ks[i];
		}
	}
	free(ks);
	(void)d;
	return dup;
}

static int push_item(ytree_doc *d, frame *f, ytree_node *key, ytree_node *val)
{
	ytree_node *p = f->node;
	if (p->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		ytree_node **items = arena_alloc(d, cap * sizeof *items);
		if (!items)
			return -1;
		if (p->n)
			memcpy(items, p->items, p->n * sizeof *items);
		p->items = items;
		if (p->kind == YTREE_MAP) {
			ytree_node **keys = arena_alloc(d, cap * sizeof *keys);
			if (!keys)
				return -1;
			if (p->n)
				memcpy(keys, p->keys, p->n * sizeof *keys);
			p->keys = keys;
		}
		f->cap = cap;
	}
	if (p->kind == YTREE_MAP)
		p->keys[p->n] = key;
	p->items[p->n++] = val;
	return 0;
}

/* FNV-1a of an anchor name. */
static size_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (size_t)h;
}

/* Slot of `name` in the table: the one holding it, or the empty one where it goes. */
static size_t anchor_slot(const ytree_doc *d, const char *name)
{
	size_t i = name_hash(name) & (d->n_slots - 1);
	while (d->slots[i] && strcmp(d->anchors[d->slots[i] - 1].name, name) != 0)
		i = (i + 1) & (d->n_slots - 1);
	return i;
}

/* Keep the table at most half full (power-of-two size, linear probing). */
static int anchor_grow(ytree_doc *d)
{
	if (2 * (d->n_anchors + 1) <= d->n_slots)
		return 0;
	size_t n = d->n_slots ? 2 * d->n_slots : 16;
	size_t *old = d->slots, n_old = d->n_slots;
	d->slots = calloc(n, sizeof *d->slots);
	if (!d->slots) {
		d->slots = old;
		return -1;
	}
	d->n_slots = n;
	for (size_t i = 0; i < n_old; i++)
		if (old[i])
			d->slots[anchor_slot(d, d->anchors[old[i] - 1].name)] = old[i];
	free(old);
	return 0;
}

/* Record an anchor; a later anchor of the same name replaces the earlier one. */
static int add_anchor(ytree_doc *d, const unsigned char *name, ytree_node *node)
{
	if (d->n_anchors == d->cap_anchors) {
		size_t cap = d->cap_anchors ? d->cap_anchors * 2 : 8;
		anchor *a = realloc(d->anchors, cap * sizeof *a);
		if (!a)
			return -1;
		d->anchors = a;
		d->cap_anchors = cap;
	}
	if (anchor_grow(d))
		return -1;
	char *s = strdup((const char *)name);
	if (!s)
		return -1;
	d->anchors[d->n_anchors].name = s;
	d->anchors[d->n_anchors].node = node;
	d->anchors[d->n_anchors].complete = false;
	d->slots[anchor_slot(d, s)] = d->n_anchors + 1;
	return (int)d->n_anchors++;
}

static anchor *find_anchor(ytree_doc *d, const unsigned char *name)
{
	if (!d->n_slots)
		return NULL;
	size_t i = anchor_slot(d, (const char *)name);
	return d->slots[i] ? &d->anchors[d->slots[i] - 1] : NULL;
}

static ytree_node *new_node(ytree_doc *d, ytree_kind kind, const yaml_event_t *ev, cursor *k)
{
	ytree_node *n = arena_alloc(d, sizeof *n);
	if (!n)
		return NULL;
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	n->start = cursor_byte(k, ev->start_mark.index);
	n->end = cursor_byte(k, ev->end_mark.index);
	d->n_nodes++;
	return n;
}

/* Attach a complete node to the open collection on top of the stack. */
static int attach(ytree_doc *d, frame *p, ytree_node *node, char *err, size_t errlen, const char *name)
{
	if (p->node->kind == YTREE_SEQ)
		return push_item(d, p, NULL, node) < 0 ? -2 : 0;
	if (!p->pending_key) {
		if (node->kind != YTREE_SCALAR) {
			fmt_err(err, errlen, name, node->line, node->col,
				"a mapping key must be plain text, not a %s",
				node->kind == YTREE_MAP ? "mapping" : "sequence");
			return -1;
		}
		if (!node->quoted && strcmp(node->str, "<<") == 0) {
			fmt_err(err, errlen, name, node->line, node->col,
				"merge keys ('<<') are not supported; write the keys out");
			return -1;
		}
		p->pending_key = node;
		return 0;
	}
	if (!node->key)
		node->key = p->pending_key;
	if (push_item(d, p, p->pending_key, node) < 0)
		return -2;
	p->pending_key = NULL;
	return 0;
}

/* The state of one parse: the document, the collections still open, where
 * errors go.  Event handlers return 0, -1 (an error, message written) or
 * -2 (out of memory). */
typedef struct {
	ytree_doc *d;
	frame stack[YTREE_MAX_DEPTH + 1];
	int depth;
	cursor k;
	const char *name;
	char *err;
	size_t errlen;
	ytree_node *root;
	int ndocs;
	int line, col; /* of the event being handled */
} builder;

/* libyaml's own failure, worded with its position. */
static void parser_error(builder *B, const yaml_parser_t *parser, const char *buf, size_t len)
{
	const unsigned char *ub = (const unsigned char *)buf;
	int line, col;
	if (parser->error == YAML_READER_ERROR) {
		offset_pos(buf, len, parser->problem_offset, &line, &col);
		if (parser->problem_value >= 0 && parser->problem_offset < len)
			fmt_err(B->err, B->errlen, B->name, line, col, "not valid YAML text: %s (byte 0x%02x at offset %zu)",
				parser->problem ? parser->problem : "unreadable input", (unsigned)ub[parser->problem_offset],
				parser->problem_offset);
		else
			fmt_err(B->err, B->errlen, B->name, line, col, "not valid YAML text: %s at offset %zu",
				parser->problem ? parser->problem : "unreadable input", parser->problem_offset);
	} else if (parser->error == YAML_MEMORY_ERROR) {
		fmt_err(B->err, B->errlen, B->name, 1, 1, "out of memory while parsing");
	} else {
		line = (int)parser->problem_mark.line + 1;
		col = (int)parser->problem_mark.column + 1;
		fmt_err(B->err, B->errlen, B->name, line, col, "YAML syntax error: %s%s%s",
			parser->problem ? parser->problem : "malformed input", parser->context ? " " : "",
			parser->context ? parser->context : "");
	}
}

static int node_limit(builder *B, const char *what)
{
	if (B->d->n_nodes < YTREE_MAX_NODES)
		return 0;
	fmt_err(B->err, B->errlen, B->name, B->line, B->col, "more than %d YAML nodes%s", YTREE_MAX_NODES, what);
	return -1;
}

static int on_alias(builder *B, const yaml_event_t *ev, ytree_node **node)
{
	anchor *a = find_anchor(B->d, ev->data.alias.anchor);
	if (node_limit(B, " (aliases count as nodes)"))
		return -1;
	if (!a) {
		fmt_err(B->err, B->errlen, B->name, B->line, B->col, "alias '*%s' has no anchor", ev->data.alias.anchor);
		return -1;
	}
	if (!a->complete) {
		fmt_err(B->err, B->errlen, B->name, B->line, B->col, "alias '*%s' refers to a node that contains it",
			a->name);
		return -1;
	}
	if (B->depth > 0 && B->stack[B->depth - 1].node->kind == YTREE_MAP && !B->stack[B->depth - 1].pending_key) {
		fmt_err(B->err, B->errlen, B->name, B->line, B->col,
			"alias '*%s' used as a mapping key; keys must be plain text", ev->data.alias.anchor);
		return -1;
	}
	*node = a->node;
	B->d->n_nodes++;
	return 0;
}

static int on_scalar(builder *B, const yaml_event_t *ev, ytree_node **node, const unsigned char **anchor_name)
{
	bool quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
	char tb[80];
	ytree_tag tag;
	if (!tag_ok(ev->data.scalar.tag, YTREE_SCALAR, &tag)) {
		fmt_err(B->err, B->errlen, B->name, B->line, B->col, "unsupported tag '%s' on a scalar",
			tag_shown(ev->data.scalar.tag, tb, sizeof tb));
		return -1;
	}
	if (!tag_fits(tag, (const char *)ev->data.scalar.value, ev->data.scalar.length)) {
		char vb[64];
		size_t k = 0;
		for (size_t j = 0; j < ev->data.scalar.length && k + 1 < sizeof vb; j++) {
			unsigned char ch = ev->data.scalar.value[j];
			vb[k++] = ch < 32 || ch > 126 ? '?' : (char)ch;
		}
		vb[k] = '\0';
		fmt_err(B->err, B->errlen, B->name, B->line, B->col, "the value '%s' is not of its tag '%s'", vb,
			tag_shown(ev->data.scalar.tag, tb, sizeof tb));
		return -1;
	}
	quoted |= tag == YTREE_TAG_STR;
	if (node_limit(B, ""))
		return -1;
	ytree_node *n = new_node(B->d, YTREE_SCALAR, ev, &B->k);
	if (!n || !(n->str = arena_alloc(B->d, ev->data.scalar.length + 1)))
		return -2;
	memcpy(n->str, ev->data.scalar.value, ev->data.scalar.length);
	n->str[ev->data.scalar.length] = '\0';
	n->len = ev->data.scalar.length;
	n->quoted = quoted;
	n->null_tag = tag == YTREE_TAG_NULL;
	n->tag = tag;
	*anchor_name = ev->data.scalar.anchor;
	*node = n;
	return 0;
}

static int on_open(builder *B, const yaml_event_t *ev, ytree_node **node, const unsigned char **anchor_name)
{
	ytree_tag q;
	char tb[80];
	ytree_kind kind = ev->type == YAML_SEQUENCE_START_EVENT ? YTREE_SEQ : YTREE_MAP;
	const unsigned char *tag = kind == YTREE_SEQ ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
	if (!tag_ok(tag, kind, &q)) {
		fmt_err(B->err, B->errlen, B->name, B->line, B->col, "unsupported tag '%s' on a %s",
			tag_shown(tag, tb, sizeof tb), kind == YTREE_SEQ ? "sequence" : "mapping");
		return -1;
	}
	if (B->depth >= YTREE_MAX_DEPTH) {
		fmt_err(B->err, B->errlen, B->name, B->line, B->col, "nested deeper than %d levels", YTREE_MAX_DEPTH);
		return -1;
	}
	if (node_limit(B, ""))
		return -1;
	if (!(*node = new_node(B->d, kind, ev, &B->k)))
		return -2;
	*anchor_name = kind == YTREE_SEQ ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;
	return 0;
}

static int on_close(builder *B, const yaml_event_t *ev, ytree_node **node)
{
	frame *f = &B->stack[B->depth - 1];
	f->node->end = cursor_byte(&B->k, ev->end_mark.index);
	if (f->node->kind == YTREE_MAP) {
		ytree_node *dup = find_duplicate(B->d, f->node);
		if (dup) {
			char b[64];
			size_t j = 0;
			for (size_t i = 0; i < dup->len && j + 1 < sizeof b; i++)
				b[j++] = ((unsigned char)dup->str[i] >= 32 && (unsigned char)dup->str[i] < 127) ? dup->str[i]
														 : '?';
			b[j] = '\0';
			fmt_err(B->err, B->errlen, B->name, dup->line, dup->col, "duplicate key '%s'", b);
			return -1;
		}
	}
	if (f->anchor_idx >= 0)
		B->d->anchors[f->anchor_idx].complete = true;
	*node = f->node;
	B->depth--;
	return 0;
}

/* A node the event made: anchored, and either opened (attached when it
 * closes) or attached to its parent now. */
static int place(builder *B, ytree_node *node, const unsigned char *anchor_name, bool opens)
{
	int aidx = -1;
	if (anchor_name) {
		aidx = add_anchor(B->d, anchor_name, node);
		if (aidx < 0)
			return -2;
		if (!opens)
			B->d->anchors[aidx].complete = true;
	}
	if (opens) {
		frame *f = &B->stack[B->depth++];
		f->node = node;
		f->pending_key = NULL;
		f->cap = 0;
		f->anchor_idx = aidx;
		return 0;
	}
	if (B->depth == 0) {
		B->root = node;
		return 0;
	}
	return attach(B->d, &B->stack[B->depth - 1], node, B->err, B->errlen, B->name);
}

/* One event: 0, 1 at the end of the stream, -1 an error, -2 out of memory. */
static int on_event(builder *B, const yaml_event_t *ev)
{
	B->line = (int)ev->start_mark.line + 1;
	B->col = (int)ev->start_mark.column + 1;
	ytree_node *node = NULL;
	const unsigned char *anchor_name = NULL;
	int rc = 0;
	switch (ev->type) {
	case YAML_STREAM_END_EVENT:
		return 1;
	case YAML_DOCUMENT_START_EVENT:
		if (++B->ndocs > 1) {
			fmt_err(B->err, B->errlen, B->name, B->line, B->col,
				"more than one YAML document; a config is a single mapping");
			return -1;
		}
		return 0;
	case YAML_ALIAS_EVENT:
		rc = on_alias(B, ev, &node);
		break;
	case YAML_SCALAR_EVENT:
		rc = on_scalar(B, ev, &node, &anchor_name);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		rc = on_open(B, ev, &node, &anchor_name);
		if (rc == 0)
			return place(B, node, anchor_name, true);
		return rc;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		rc = on_close(B, ev, &node);
		break;
	default: /* stream start, document end, no event */
		return 0;
	}
	return rc ? rc : place(B, node, anchor_name, false);
}

ytree_node *ytree_parse(const char *name, const char *buf, size_t len, ytree_doc **docp, char *err,
			size_t errlen)
{
	const unsigned char *ub = (const unsigned char *)buf;
	*docp = NULL;
	if (len >= 2 && ((ub[0] == 0xFE && ub[1] == 0xFF) || (ub[0] == 0xFF && ub[1] == 0xFE))) {
		fmt_err(err, errlen, name, 1, 1, "the file starts with a UTF-16 byte-order mark; a config must be UTF-8 text");
		return NULL;
	}
	/* one UTF-8 byte-order mark is allowed (libyaml skips it); a second one
	 * is text libyaml would only reject at the first key, lines later */
	if (len >= 6 && memcmp(ub, "\xEF\xBB\xBF\xEF\xBB\xBF", 6) == 0) {
		fmt_err(err, errlen, name, 1, 1, "the file starts with more than one UTF-8 byte-order mark; keep at most one");
		return NULL;
	}
	builder *B = calloc(1, sizeof *B);
	ytree_doc *d = calloc(1, sizeof *d);
	yaml_parser_t parser;
	if (!B || !d || !yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s:1:1: %s", name, B && d ? "cannot initialise the YAML parser" : "out of memory");
		free(B);
		free(d);
		return NULL;
	}
	*B = (builder){.d = d, .k = {ub, len, 0, 0}, .name = name, .err = err, .errlen = errlen};
	yaml_parser_set_input_string(&parser, ub, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	int rc = 0;
	while (rc == 0) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(B, &parser, buf, len);
			rc = -1;
			break;
		}
		rc = on_event(B, &ev);
		if (rc == -2)
			fmt_err(err, errlen, name, B->line, B->col, "out of memory");
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	ytree_node *root = B->root;
	free(B);
	if (rc == 1 && !root) {
		fmt_err(err, errlen, name, 1, 1, "no YAML document: the file is empty or holds only comments; expected a mapping");
		rc = -1;
	}
	if (rc != 1) {
		ytree_free(d);
		return NULL;
	}
	*docp = d;
	return root;
}

ytree_node *ytree_get(const ytree_node *map, const char *key)
{
	if (!map || map->kind != YTREE_MAP)
		return NULL;
	size_t kl = strlen(key);
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == kl && memcmp(map->keys[i]->str, key, kl) == 0)
			return map->items[i];
	return NULL;
}
