/*
 * capenter_violations: enters capability mode with the real cap_enter(2),
 * then makes four calls the FreeBSD kernel refuses. Each call is on a line
 * marked "// LINE: name"; tracer/e2e_freebsd_test.go expects one group per
 * marker, at that function and line.
 *
 * With the argument "enforce" the calls must fail as capability mode makes
 * them fail (exit 10 otherwise); without it (captrace --mode=audit, which
 * keeps the process outside capability mode) their results are ignored.
 *
 * Built by the FreeBSD end-to-end test with: cc -O0 -g
 */
#include <sys/capsicum.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int dirfd_tmp = -1;
static int enforced;

static void
check(const char *what, int r, int want)
{
	if (enforced && (r != -1 || errno != want)) {
		fprintf(stderr, "%s: got %d errno %d (%s), want errno %d\n",
		    what, r, errno, strerror(errno), want);
		exit(10);
	}
}

static void
open_global(void)
{
	int r = open("/etc/passwd", O_RDONLY); // LINE: open_global
	check("open", r, ECAPMODE);
}

static void
openat_absolute(void)
{
	int r = openat(dirfd_tmp, "/etc/passwd", O_RDONLY); // LINE: openat_absolute
	check("openat absolute", r, ENOTCAPABLE);
}

static void
openat_dotdot(void)
{
	int r = openat(dirfd_tmp, "../x", O_RDONLY); // LINE: openat_dotdot
	check("openat ..", r, ENOTCAPABLE);
}

static void
kill_init(void)
{
	int r = kill(1, 0); // LINE: kill_init
	check("kill", r, ECAPMODE);
}

int
main(int argc, char **argv)
{
	enforced = argc > 1 && strcmp(argv[1], "enforce") == 0;
	dirfd_tmp = open("/tmp", O_RDONLY | O_DIRECTORY);
	if (dirfd_tmp < 0) {
		perror("open /tmp");
		return 11;
	}
	if (cap_enter() != 0) {
		perror("cap_enter");
		return 12;
	}
	open_global();
	openat_absolute();
	openat_dotdot();
	kill_init();
	return 0;
}
