/*
 * ytree.h - a YAML document as a tree of nodes that remember where they are.
 *
 * libyaml's event stream is turned into scalars, sequences and mappings,
 * each with its 1-based line and column and byte offsets, so that every
 * later error can name its place.  The builder refuses, with a positioned
 * message: syntax errors, more than one document, an empty stream, a
 * non-scalar or duplicate mapping key, an alias to an unknown anchor, to
 * a node still being built or used as a key, merge keys, tags other than
 * the core schema's (or one that does not fit the node's kind), a UTF-16
 * file, nesting deeper than YTREE_MAX_DEPTH and more than YTREE_MAX_NODES nodes
 * (aliases included).  Aliases to complete nodes are shared, not copied,
 * so alias expansion cannot blow up memory or time.
 *
 * Positions: line and column are 1-based and count characters (as
 * libyaml and editors do); start and end are byte offsets into the buffer.
 *
 * Ownership: ytree_parse() returns a ytree_doc that owns every node; free it
 * with ytree_free().
 */
#ifndef PDS_YTREE_H
#define PDS_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#define YTREE_MAX_DEPTH 32
#define YTREE_MAX_NODES 200000

typedef enum { YTREE_SCALAR, YTREE_SEQ, YTREE_MAP } ytree_kind;
/* A scalar's explicit core-schema tag (its text is checked against it). */
typedef enum { YTREE_TAG_NONE, YTREE_TAG_STR, YTREE_TAG_INT, YTREE_TAG_FLOAT, YTREE_TAG_BOOL, YTREE_TAG_NULL } ytree_tag;

typedef struct ytree_node ytree_node;
struct ytree_node {
	ytree_kind kind;
	int line, col;         /* 1-based */
	size_t start, end;     /* byte offsets in the buffer */
	char *str;             /* scalar text (NUL-terminated), else NULL */
	size_t len;
	bool quoted;           /* single/double-quoted or block scalar */
	bool null_tag;         /* explicit !!null */
	ytree_tag tag;         /* explicit !!str, !!int, !!float, !!bool, !!null, or none */
	size_t n;              /* items (seq) or pairs (map) */
	ytree_node **items;       /* seq items, or map values */
	ytree_node **keys;        /* map keys (scalars) */
	const ytree_node *key;    /* the key this node is the value of (the first, if
				  shared by an alias), or NULL */
};

typedef struct ytree_doc ytree_doc;

/*
 * Parse `len` bytes of `buf` (named `name` in messages) as UTF-8 YAML.
 * Returns the root, with *doc the owner of every node, or NULL with
 * "NAME:LINE:COL: message" in err and *doc = NULL.
 */
ytree_node *ytree_parse(const char *name, const char *buf, size_t len, ytree_doc **doc,
		  char *err, size_t errlen);
void ytree_free(ytree_doc *doc);

/* Value of `key` in mapping `map`, or NULL. */
ytree_node *ytree_get(const ytree_node *map, const char *key);

#endif
