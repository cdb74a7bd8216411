/*
 * lockinfo.c - the holder of a file lock, from /proc/locks (lockinfo.h).
 *
 * A line of /proc/locks reads
 *     7: POSIX  ADVISORY  WRITE 1234 fd:00:131090 120 120
 *     8: FLOCK  ADVISORY  WRITE 1301 fd:00:131092 0 EOF
 * (id, kind, mode, READ/WRITE, pid, major:minor:inode with the device in
 * hex, first and last byte).  Lines with "->" are waiters, not holders.
 * The device a file system reports to stat() may differ from the one the
 * kernel lists (overlay file systems), so a line naming the inode alone
 * is taken when no line names both.
 */
#include "store/lockinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* "process PID (COMMAND)", the command from /proc/PID/comm when readable. */
static void describe(long pid, char *buf, size_t len)
{
	char path[64], comm[64] = "";
	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof comm, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	if (*comm)
		snprintf(buf, len, "process %ld (%s)", pid, comm);
	else
		snprintf(buf, len, "process %ld", pid);
}

long lockinfo_holder(const char *path, lockinfo_kind kind, long long first, long long last, char *buf,
		     size_t len)
{
	struct stat st;
	if (len)
		buf[0] = '\0';
	if (stat(path, &st) != 0)
		return 0;
	FILE *f = fopen("/proc/locks", "r");
	if (!f)
		return 0;
	long me = (long)getpid(), exact = 0, by_inode = 0;
	char line[256];
	while (fgets(line, sizeof line, f)) {
		char type[16], mode[16], rw[16], end[32];
		long pid;
		unsigned maj, min;
		unsigned long long ino;
		long long start;
		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %15s %15s %ld %x:%x:%llu %lld %31s", type, mode, rw, &pid, &maj, &min,
			   &ino, &start, end) != 9)
			continue;
		if (strcmp(rw, "WRITE") != 0 || pid <= 0 || pid == me || ino != (unsigned long long)st.st_ino)
			continue;
		if (strcmp(type, kind == LOCKINFO_FLOCK ? "FLOCK" : "POSIX") != 0)
			continue;
		if (kind == LOCKINFO_POSIX) {
			long long stop = strcmp(end, "EOF") == 0 ? -1 : atoll(end);
			if (start > last || (stop >= 0 && stop < first))
				continue;
		}
		if (maj == major(st.st_dev) && min == minor(st.st_dev)) {
			exact = pid;
			break;
		}
		if (!by_inode)
			by_inode = pid;
	}
	fclose(f);
	long pid = exact ? exact : by_inode;
	if (pid)
		describe(pid, buf, len);
	return pid;
}
