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
 * file, nesting deeper than YT_MAX_DEPTH and more than YT_MAX_NODES nodes
 * (aliases included).  Aliases to complete nodes are shared, not copied,
 * so alias expansion cannot blow up memory or time.
 *
 * Positions: line and column are 1-based and count characters (as
 * libyaml and editors do); start and end are byte offsets into the buffer.
 *
 * Ownership: yt_parse() returns a yt_doc that owns every node; free it
 * with yt_free().
 */
#ifndef PDS_YTREE_H
#define PDS_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#define YT_MAX_DEPTH 32
#define YT_MAX_NODES 200000

typedef enum { YT_SCALAR, YT_SEQ, YT_MAP } yt_kind;

typedef struct yt_node yt_node;
struct yt_node {
	yt_kind kind;
	int line, col;         /* 1-based */
	size_t start, end;     /* byte offsets in the buffer */
	char *str;             /* scalar text (NUL-terminated), else NULL */
	size_t len;
	bool quoted;           /* single/double-quoted or block scalar */
	bool null_tag;         /* explicit !!null */
	size_t n;              /* items (seq) or pairs (map) */
	yt_node **items;       /* seq items, or map values */
	yt_node **keys;        /* map keys (scalars) */
	const yt_node *key;    /* the key this node is the value of (the first, if
				  shared by an alias), or NULL */
};

typedef struct yt_doc yt_doc;

/*
 * Parse `len` bytes of `buf` (named `name` in messages) as UTF-8 YAML.
 * Returns the root, with *doc the owner of every node, or NULL with
 * "NAME:LINE:COL: message" in err and *doc = NULL.
 */
yt_node *yt_parse(const char *name, const char *buf, size_t len, yt_doc **doc,
		  char *err, size_t errlen);
void yt_free(yt_doc *doc);

/* Value of `key` in mapping `map`, or NULL. */
yt_node *yt_get(const yt_node *map, const char *key);

#endif
