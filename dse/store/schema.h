/*
 * schema.h - the schema of results.db: make it in an empty file, or
 * migrate an older one (store.c opens the file; this is step 4 of its
 * opening).
 */
#ifndef PDS_SCHEMA_H
#define PDS_SCHEMA_H

#include "store/store.h"

/*
 * Bring a database of version `from` (0: an empty file) to
 * STORE_SCHEMA_VERSION in one transaction.  Returns 0, or -1 with the
 * message in the store's error (nothing kept).
 */
int schema_upgrade(store *s, int from);

#endif
