/*
 * afile.c - see afile.h.
 *
 * The temporary name is TARGET.tmp-PPPPPP-NNN (process id, a counter):
 * open(O_CREAT | O_EXCL) makes it exclusive, and mode 0666 lets the umask
 * decide the permissions, as for any file the user creates.
 */
#include "sim/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/common.h"

static int fail_errno(const char *path, int e, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: cannot write: %s", path, strerror(e));
	return PDS_FAIL;
}

int afile_check_target(const char *path, char *err, size_t errlen)
{
	struct stat sb;
	if (!*path) {
		snprintf(err, errlen, "an empty file name");
		return PDS_FAIL;
	}
	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : fail_errno(path, errno, err, errlen);
	if (S_ISREG(sb.st_mode))
		return 0;
	snprintf(err, errlen, "%s: %s; refusing to replace it", path,
		 S_ISLNK(sb.st_mode)   ? "is a symbolic link (name the file it points to)"
		 : S_ISDIR(sb.st_mode) ? "is a directory"
				       : "exists and is not a regular file");
	return PDS_FAIL;
}

int afile_open(afile *a, const char *path, char *err, size_t errlen)
{
	static atomic_uint counter;
	memset(a, 0, sizeof *a);
	if (strlen(path) >= sizeof a->path) {
		snprintf(err, errlen, "%.64s...: the file name is too long", path);
		return PDS_FAIL;
	}
	if (afile_check_target(path, err, errlen) || afile_check_parent(path, err, errlen))
		return PDS_FAIL;
	snprintf(a->path, sizeof a->path, "%s", path);
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(a->tmp, sizeof a->tmp, "%s.tmp-%ld-%u", path, (long)getpid(), atomic_fetch_add(&counter, 1));
		fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0 && errno != EEXIST)
			return fail_errno(path, errno, err, errlen);
	}
	if (fd < 0)
		return fail_errno(path, EEXIST, err, errlen);
	a->have_tmp = true;
	a->f = fdopen(fd, "w");
	if (!a->f) {
		int e = errno;
		close(fd);
		afile_abort(a);
		return fail_errno(path, e, err, errlen);
	}
	setvbuf(a->f, NULL, _IOFBF, 1 << 16);
	return 0;
}

int afile_sync(afile *a, char *err, size_t errlen)
{
	if (!a->f)
		return 0;
	int e = ferror(a->f) ? EIO : 0;
	if (fflush(a->f) && !e)
		e = errno;
	if (fsync(fileno(a->f)) && !e)
		e = errno;
	if (fclose(a->f) && !e)
		e = errno;
	a->f = NULL;
	if (e) {
		afile_abort(a);
		return fail_errno(a->path, e, err, errlen);
	}
	return 0;
}

int afile_rename(afile *a, char *err, size_t errlen)
{
	if (a->f)
		BUG("afile_rename() of '%s' before afile_sync()", a->path);
	if (rename(a->tmp, a->path)) {
		int e = errno;
		afile_abort(a);
		return fail_errno(a->path, e, err, errlen);
	}
	a->have_tmp = false;
	return 0;
}

int afile_commit(afile *a, char *err, size_t errlen)
{
	if (afile_sync(a, err, errlen))
		return PDS_FAIL;
	return afile_rename(a, err, errlen);
}

void afile_abort(afile *a)
{
	if (a->f) {
		fclose(a->f);
		a->f = NULL;
	}
	if (a->have_tmp) {
		unlink(a->tmp);
		a->have_tmp = false;
	}
}

int afile_write(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	afile a;
	if (afile_open(&a, path, err, errlen))
		return PDS_FAIL;
	if (len && fwrite(buf, 1, len, a.f) != len) {
		int e = errno;
		afile_abort(&a);
		return fail_errno(path, e ? e : EIO, err, errlen);
	}
	return afile_commit(&a, err, errlen);
}

int afile_check_parent(const char *path, char *err, size_t errlen)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	struct stat sb;
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	snprintf(err, errlen, "%s: its directory '%s' %s; create it first or choose another path", path, dir,
		 errno == ENOENT || stat(dir, &sb) != 0 ? "does not exist" : "is not a directory");
	return PDS_FAIL;
}

int afile_make_dir(const char *dir, char *err, size_t errlen)
{
	struct stat sb;
	if (afile_check_parent(dir, err, errlen))
		return PDS_FAIL;
	if (mkdir(dir, 0777) == 0 || (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)))
		return 0;
	snprintf(err, errlen, "%s: cannot create the directory: %s", dir, errno == EEXIST ? "a file of that name exists"
											   : strerror(errno));
	return PDS_FAIL;
}
