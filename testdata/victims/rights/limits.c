/*
 * A Capsicum program written for FreeBSD, unchanged: it limits a file, a
 * directory and stdio, enters capability mode, and then uses each
 * descriptor both within and beyond its limits. Each line it prints names
 * an operation and its outcome; under captrace --mode=enforce the ones
 * beyond the limits print ENOTCAPABLE, exactly as on FreeBSD; without
 * captrace (the shim's no-op) every line prints "ok" and cap_rights_get
 * reports all rights. poll(2) reports a missing right as POLLNVAL.
 *
 * Build: cc -I SHIMDIR limits.c    Run: limits DIR (DIR holds data.txt)
 */
#include <sys/capsicum.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <capsicum_helpers.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
	else if (errno == ECAPMODE)
		printf("%s: ECAPMODE\n", what);
	else
		printf("%s: %s\n", what, strerror(errno));
}

int
main(int argc, char **argv)
{
	cap_rights_t rights;
	cap_ioctl_t cmds[] = { FIONREAD };
	struct pollfd pfd;
	char buf[16];
	struct stat st;
	int dir, file, copy, sub, n, one = 1, flags;
	void *map;
	pid_t pid;

	if (argc != 2)
		errx(2, "usage: limits DIR");
	dir = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		err(1, "%s", argv[1]);
	file = openat(dir, "data.txt", O_RDWR);
	if (file < 0)
		err(1, "data.txt");

	if (caph_limit_stdio() < 0) /* SITE:limit_stdio */
		err(1, "caph_limit_stdio");
	cap_rights_init(&rights, CAP_READ, CAP_FSTAT, CAP_FCNTL, CAP_IOCTL);
	if (caph_rights_limit(file, &rights) < 0) /* SITE:limit_file */
		err(1, "cap_rights_limit");
	if (caph_fcntls_limit(file, CAP_FCNTL_GETFL) < 0) /* SITE:limit_fcntls */
		err(1, "cap_fcntls_limit");
	if (caph_ioctls_limit(file, cmds, nitems(cmds)) < 0) /* SITE:limit_ioctls */
		err(1, "cap_ioctls_limit");
	cap_rights_init(&rights, CAP_LOOKUP, CAP_READ, CAP_FSTAT);
	if (caph_rights_limit(dir, &rights) < 0) /* SITE:limit_dir */
		err(1, "cap_rights_limit");
	if (caph_enter() < 0) /* ENTER:caph */
		err(1, "cap_enter");

	report("read", read(file, buf, sizeof(buf)));
	report("fstat", fstat(file, &st));
	report("write", write(file, "x", 1)); /* SITE:write_file */
	report("lseek", lseek(file, 0, SEEK_SET)); /* SITE:lseek_file */
	report("fcntl F_GETFL", flags = fcntl(file, F_GETFL));
	report("fcntl F_SETFL", fcntl(file, F_SETFL, flags)); /* SITE:setfl_file */
	report("ioctl FIONREAD", ioctl(file, FIONREAD, &n));
	report("ioctl FIONBIO", ioctl(file, FIONBIO, &one)); /* SITE:ioctl_file */
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, file, 0); /* SITE:mmap_file */
	report("mmap", map == MAP_FAILED ? -1 : 0);
	pfd.fd = file;
	pfd.events = POLLIN;
	poll(&pfd, 1, 0); /* SITE:poll_file */
	printf("poll: %s\n", (pfd.revents & POLLNVAL) != 0 ? "POLLNVAL" : "ok");
	report("fcntl F_SETFL stdout", fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL))); /* SITE:setfl_stdout */

	cap_rights_init(&rights, CAP_READ, CAP_WRITE);
	report("widen", cap_rights_limit(file, &rights)); /* SITE:widen */
	cap_rights_get(file, &rights);
	printf("cap_rights_get: write %s\n", cap_rights_is_set(&rights, CAP_WRITE) ? "allowed" : "denied");

	copy = dup(file);
	report("write dup", write(copy, "x", 1)); /* SITE:write_dup */

	sub = openat(dir, "data.txt", O_RDONLY);
	report("openat", sub);
	report("lseek openat", lseek(sub, 0, SEEK_SET)); /* SITE:lseek_openat */
	report("openat create", openat(dir, "new.txt", O_WRONLY | O_CREAT, 0644)); /* SITE:create_in_dir */

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		report("write child", write(file, "x", 1)); /* SITE:write_child */
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	report("done", 0);
	return (0);
}
