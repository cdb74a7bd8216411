/*
 * afile.h - files that appear whole or not at all, and the directories
 * they go into.
 */
#ifndef PDS_AFILE_H
#define PDS_AFILE_H

/* mkdir -p for the directory part of `path` (not the last component). */
int afile_mkdir_parent(const char *path);
int afile_mkdir_p(const char *dir);

#endif
