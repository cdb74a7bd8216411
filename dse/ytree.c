/*
 * ytree.c - libyaml events to a positioned node tree.
 *
 * The builder keeps an explicit stack of open collections (no recursion,
 * so hostile nesting cannot overflow the C stack) and an arena that owns
 * every node and string.  Anchors are recorded as they open and marked
 * complete when they close; an alias may only name a complete node, which
 * it then shares.  Duplicate keys are found per mapping by sorting its keys
 * once the mapping closes, so a mapping of n keys costs O(n log n).
 */
#include "ytree.h"

#include <stdarg.h>
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
	yt_node *node;
	bool complete;
} anchor;

struct yt_doc {
	chunk *chunks;
	anchor *anchors;
	size_t n_anchors, cap_anchors;
	size_t n_nodes;
};

typedef struct {
	yt_node *node;
	yt_node *pending_key; /* mappings: key read, value not yet */
	size_t cap;
	int anchor_idx;       /* -1 if none */
} frame;

static void *arena_alloc(yt_doc *d, size_t size)
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

void yt_free(yt_doc *d)
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

/* Line and column (1-based) of a byte offset, for reader errors. */
static void offset_pos(const char *buf, size_t len, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

static bool tag_ok(const unsigned char *tag, bool *quoted, bool *null_tag)
{
	if (!tag || strcmp((const char *)tag, "!") == 0)
		return true;
	static const char *const core = "tag:yaml.org,2002:";
	size_t n = strlen(core);
	if (strncmp((const char *)tag, core, n) != 0)
		return false;
	const char *t = (const char *)tag + n;
	if (strcmp(t, "str") == 0) {
		*quoted = true;
		return true;
	}
	if (strcmp(t, "null") == 0) {
		*null_tag = true;
		return true;
	}
	return strcmp(t, "int") == 0 || strcmp(t, "float") == 0 || strcmp(t, "bool") == 0 ||
	       strcmp(t, "map") == 0 || strcmp(t, "seq") == 0;
}

static int key_cmp(const void *a, const void *b)
{
	const yt_node *x = *(yt_node *const *)a, *y = *(yt_node *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->str, y->str, n);
	if (r)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->start < y->start ? -1 : (x->start > y->start);
}

/* Returns the duplicate key that comes later in the file, or NULL. */
static yt_node *find_duplicate(yt_doc *d, yt_node *map)
{
	if (map->n < 2)
		return NULL;
	yt_node **ks = malloc(map->n * sizeof *ks);
	if (!ks)
		return NULL;
	memcpy(ks, map->keys, map->n * sizeof *ks);
	qsort(ks, map->n, sizeof *ks, key_cmp);
	yt_node *dup = NULL;
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

static int push_item(yt_doc *d, frame *f, yt_node *key, yt_node *val)
{
	yt_node *p = f->node;
	if (p->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		yt_node **items = arena_alloc(d, cap * sizeof *items);
		if (!items)
			return -1;
		if (p->n)
			memcpy(items, p->items, p->n * sizeof *items);
		p->items = items;
		if (p->kind == YT_MAP) {
			yt_node **keys = arena_alloc(d, cap * sizeof *keys);
			if (!keys)
				return -1;
			if (p->n)
				memcpy(keys, p->keys, p->n * sizeof *keys);
			p->keys = keys;
		}
		f->cap = cap;
	}
	if (p->kind == YT_MAP)
		p->keys[p->n] = key;
	p->items[p->n++] = val;
	return 0;
}

static int add_anchor(yt_doc *d, const unsigned char *name, yt_node *node)
{
	if (d->n_anchors == d->cap_anchors) {
		size_t cap = d->cap_anchors ? d->cap_anchors * 2 : 8;
		anchor *a = realloc(d->anchors, cap * sizeof *a);
		if (!a)
			return -1;
		d->anchors = a;
		d->cap_anchors = cap;
	}
	char *s = strdup((const char *)name);
	if (!s)
		return -1;
	d->anchors[d->n_anchors].name = s;
	d->anchors[d->n_anchors].node = node;
	d->anchors[d->n_anchors].complete = false;
	return (int)d->n_anchors++;
}

static anchor *find_anchor(yt_doc *d, const unsigned char *name)
{
	for (size_t i = d->n_anchors; i-- > 0;)
		if (strcmp(d->anchors[i].name, (const char *)name) == 0)
			return &d->anchors[i];
	return NULL;
}

static yt_node *new_node(yt_doc *d, yt_kind kind, const yaml_event_t *ev)
{
	if (d->n_nodes >= YT_MAX_NODES)
		return NULL;
	yt_node *n = arena_alloc(d, sizeof *n);
	if (!n)
		return NULL;
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	n->start = ev->start_mark.index;
	n->end = ev->end_mark.index;
	d->n_nodes++;
	return n;
}

yt_node *yt_parse(const char *name, const char *buf, size_t len, yt_doc **docp, char *err,
		  size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	yt_doc *d = calloc(1, sizeof *d);
	frame stack[YT_MAX_DEPTH + 1];
	int depth = 0;
	yt_node *root = NULL;
	int ndocs = 0;
	bool done = false, failed = false;

	*docp = NULL;
	if (!d) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot initialise the YAML parser", name);
		free(d);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	while (!done && !failed) {
		if (!yaml_parser_parse(&parser, &ev)) {
			int line, col;
			if (parser.error == YAML_READER_ERROR) {
				offset_pos(buf, len, parser.problem_offset, &line, &col);
				fmt_err(err, errlen, name, line, col,
					"not valid YAML text: %s (byte 0x%02x at offset %zu)",
					parser.problem ? parser.problem : "unreadable input",
					(unsigned)(parser.problem_value & 0xff), parser.problem_offset);
			} else {
				line = (int)parser.problem_mark.line + 1;
				col = (int)parser.problem_mark.column + 1;
				fmt_err(err, errlen, name, line, col, "YAML syntax error: %s%s%s",
					parser.problem ? parser.problem : "malformed input",
					parser.context ? " " : "", parser.context ? parser.context : "");
			}
			failed = true;
			break;
		}
		int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
		yt_node *node = NULL;
		bool opens = false;
		const unsigned char *anchor_name = NULL;

		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_NO_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				fmt_err(err, errlen, name, line, col,
					"more than one YAML document; a config is a single mapping");
				failed = true;
			}
			break;
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_ALIAS_EVENT: {
			anchor *a = find_anchor(d, ev.data.alias.anchor);
			if (!a) {
				fmt_err(err, errlen, name, line, col, "alias '*%s' has no anchor",
					ev.data.alias.anchor);
				failed = true;
			} else if (!a->complete) {
				fmt_err(err, errlen, name, line, col,
					"alias '*%s' refers to a node that contains it", a->name);
				failed = true;
			} else {
				node = a->node;
			}
			if (!failed && depth > 0 && stack[depth - 1].node->kind == YT_MAP &&
			    !stack[depth - 1].pending_key) {
				fmt_err(err, errlen, name, line, col,
					"alias '*%s' used as a mapping key; keys must be plain text",
					ev.data.alias.anchor);
				failed = true;
			}
			break;
		}
		case YAML_SCALAR_EVENT: {
			bool quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
			bool null_tag = false;
			if (!tag_ok(ev.data.scalar.tag, &quoted, &null_tag)) {
				fmt_err(err, errlen, name, line, col, "unsupported tag '%s'",
					ev.data.scalar.tag);
				failed = true;
				break;
			}
			node = new_node(d, YT_SCALAR, &ev);
			if (!node)
				goto nomem;
			node->str = arena_alloc(d, ev.data.scalar.length + 1);
			if (!node->str)
				goto nomem;
			memcpy(node->str, ev.data.scalar.value, ev.data.scalar.length);
			node->str[ev.data.scalar.length] = '\0';
			node->len = ev.data.scalar.length;
			node->quoted = quoted;
			node->null_tag = null_tag;
			anchor_name = ev.data.scalar.anchor;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool q = false, nt = false;
			const unsigned char *tag = ev.type == YAML_SEQUENCE_START_EVENT
							   ? ev.data.sequence_start.tag
							   : ev.data.mapping_start.tag;
			if (!tag_ok(tag, &q, &nt) || q || nt) {
				fmt_err(err, errlen, name, line, col, "unsupported tag '%s'", tag);
				failed = true;
				break;
			}
			if (depth >= YT_MAX_DEPTH) {
				fmt_err(err, errlen, name, line, col,
					"nested deeper than %d levels", YT_MAX_DEPTH);
				failed = true;
				break;
			}
			node = new_node(d, ev.type == YAML_SEQUENCE_START_EVENT ? YT_SEQ : YT_MAP, &ev);
			if (!node)
				goto nomem;
			opens = true;
			anchor_name = ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
									   : ev.data.mapping_start.anchor;
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			frame *f = &stack[depth - 1];
			f->node->end = ev.end_mark.index;
			if (f->node->kind == YT_MAP) {
				yt_node *dup = find_duplicate(d, f->node);
				if (dup) {
					fmt_err(err, errlen, name, dup->line, dup->col,
						"duplicate key '%s'", dup->str);
					failed = true;
					break;
				}
			}
			if (f->anchor_idx >= 0)
				d->anchors[f->anchor_idx].complete = true;
			node = f->node;
			depth--;
			break;
		}
		}

		if (failed || !node) {
			yaml_event_delete(&ev);
			continue;
		}
		if (d->n_nodes >= YT_MAX_NODES) {
			fmt_err(err, errlen, name, line, col, "more than %d YAML nodes", YT_MAX_NODES);
			failed = true;
			yaml_event_delete(&ev);
			continue;
		}

		int aidx = -1;
		if (anchor_name) {
			aidx = add_anchor(d, anchor_name, node);
			if (aidx < 0)
				goto nomem;
			if (!opens)
				d->anchors[aidx].complete = true;
		}

		if (opens) {
			/* attach when it closes; remember it now */
			stack[depth].node = node;
			stack[depth].pending_key = NULL;
			stack[depth].cap = 0;
			stack[depth].anchor_idx = aidx;
			/* a collection used as a key is refused when it closes */
			depth++;
			yaml_event_delete(&ev);
			continue;
		}

		/* a complete node (scalar, alias, or a collection just closed) */
		if (depth == 0) {
			root = node;
		} else {
			frame *p = &stack[depth - 1];
			if (p->node->kind == YT_SEQ) {
				if (push_item(d, p, NULL, node) < 0)
					goto nomem;
			} else if (!p->pending_key) {
				if (node->kind != YT_SCALAR) {
					fmt_err(err, errlen, name, node->line, node->col,
						"a mapping key must be plain text, not a %s",
						node->kind == YT_MAP ? "mapping" : "sequence");
					failed = true;
				} else if (!node->quoted && strcmp(node->str, "<<") == 0) {
					fmt_err(err, errlen, name, node->line, node->col,
						"merge keys ('<<') are not supported; write the keys out");
					failed = true;
				} else {
					p->pending_key = node;
				}
			} else {
				if (push_item(d, p, p->pending_key, node) < 0)
					goto nomem;
				p->pending_key = NULL;
			}
		}
		yaml_event_delete(&ev);
		continue;
nomem:
		yaml_event_delete(&ev);
		fmt_err(err, errlen, name, line, col, "out of memory (or more than %d YAML nodes)",
			YT_MAX_NODES);
		failed = true;
	}
	yaml_parser_delete(&parser);
	if (!failed && !root) {
		fmt_err(err, errlen, name, 1, 1, "empty file; expected a YAML mapping");
		failed = true;
	}
	if (failed) {
		yt_free(d);
		return NULL;
	}
	*docp = d;
	return root;
}

yt_node *yt_get(const yt_node *map, const char *key)
{
	if (!map || map->kind != YT_MAP)
		return NULL;
	size_t kl = strlen(key);
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == kl && memcmp(map->keys[i]->str, key, kl) == 0)
			return map->items[i];
	return NULL;
}
