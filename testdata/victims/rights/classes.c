/*
 * One call of each remaining rule class of FreeBSD's rights table, each on
 * a descriptor limited to CAP_READ only (or CAP_LOOKUP only, for a
 * directory), so each needs a right it lacks: under captrace
 * --mode=enforce every line prints ENOTCAPABLE; without captrace, "ok".
 *
 * Build: cc -I SHIMDIR classes.c    Run: classes DIR (DIR holds data.txt)
 */
#include <sys/capsicum.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
report(const char *what, long r)
{
	if (r >= 0)
		printf("%s: ok\n", what);
	else if (errno == ENOTCAPABLE)
		printf("%s: ENOTCAPABLE\n", what);
	else
		printf("%s: %s\n", what, strerror(errno));
}

int
main(int argc, char **argv)
{
	cap_rights_t rights;
	struct stat st;
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	char buf[4];
	fd_set set;
	int dir, file, sock[2];

	if (argc != 2)
		errx(2, "usage: classes DIR");
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	file = openat(dir, "data.txt", O_RDWR);
	if (dir < 0 || file < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sock) < 0)
		err(1, "setup");
	cap_rights_init(&rights, CAP_READ);
	if (cap_rights_limit(file, &rights) < 0 || cap_rights_limit(sock[0], &rights) < 0) /* SITE:limit_file */
		err(1, "cap_rights_limit");
	cap_rights_init(&rights, CAP_LOOKUP);
	if (cap_rights_limit(dir, &rights) < 0) /* SITE:limit_dir */
		err(1, "cap_rights_limit");
	if (cap_enter() < 0)
		err(1, "cap_enter");

	report("pread", pread(file, buf, 1, 0)); /* SITE:pread */
	report("fchmod", fchmod(file, 0644)); /* SITE:fchmod */
	report("ftruncate", ftruncate(file, 6)); /* SITE:ftruncate */
	report("fsync", fsync(file)); /* SITE:fsync */
	report("flock", flock(file, LOCK_SH)); /* SITE:flock */
	report("fstatat", fstatat(dir, "data.txt", &st, 0)); /* SITE:fstatat */
	report("mkdirat", mkdirat(dir, "sub", 0755)); /* SITE:mkdirat */
	report("renameat", renameat(dir, "data.txt", dir, "moved.txt")); /* SITE:renameat */
	report("unlinkat", unlinkat(dir, "moved.txt", 0)); /* SITE:unlinkat */
	report("getsockname", getsockname(sock[0], (struct sockaddr *)&sun, &len)); /* SITE:getsockname */
	report("send", send(sock[0], "x", 1, 0)); /* SITE:send */
	report("shutdown", shutdown(sock[0], SHUT_RD)); /* SITE:shutdown */
	FD_ZERO(&set);
	FD_SET(file, &set);
	report("select", select(file + 1, &set, NULL, NULL, &(struct timeval){0, 0})); /* SITE:select */
	return (0);
}
