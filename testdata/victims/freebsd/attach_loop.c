/*
 * attach_loop: a running FreeBSD process to attach to (captrace -p). A
 * worker thread, started at once, does one round per byte read from
 * stdin: N violating opens from one call site, then "round K errno E" on
 * stdout (E: the last open's errno: ENOENT (2) when it ran, ECAPMODE (94)
 * when it was refused). On 's' it prints "status capmode:M" (M: what
 * cap_getmode(2) says).
 *
 * With "capmode" as its second argument it calls cap_enter() first, so
 * that it is in capability mode by its own doing when captrace attaches.
 *
 * usage: attach_loop N [capmode]
 * Built by tracer/e2e_freebsd_test.go with: cc -O0 -g -pthread
 */
#include <sys/capsicum.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int per_round;
static int rounds[2];

__attribute__((noinline)) static int
violate(void)
{
	int fd = open("/nonexistent/captrace-attach", O_RDONLY); // LINE: attach_open
	if (fd >= 0)
		close(fd);
	return fd < 0 ? errno : 0;
}

static void *
worker(void *arg)
{
	char c;
	int k;

	(void)arg;
	for (k = 1; read(rounds[0], &c, 1) == 1; k++) {
		if (c == 's') {
			u_int mode = 99;
			cap_getmode(&mode);
			printf("status capmode:%u\n", mode);
			continue;
		}
		int err = 0;
		for (int i = 0; i < per_round; i++)
			err = violate();
		printf("round %d errno %d\n", k, err);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t;
	char c;

	per_round = argc > 1 ? atoi(argv[1]) : 25;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(rounds) != 0)
		return 1;
	if (argc > 2 && strcmp(argv[2], "capmode") == 0 && cap_enter() != 0)
		return 2;
	pthread_create(&t, NULL, worker, NULL);
	printf("ready\n");
	while (read(0, &c, 1) == 1)
		if (write(rounds[1], &c, 1) != 1)
			return 1;
	close(rounds[1]);
	pthread_join(t, NULL);
	return 0;
}
