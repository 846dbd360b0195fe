/*
 * attach_loop: a running process to attach to. A worker thread, started
 * at once, does one round per byte read from stdin: N violating opens from
 * one call site, then "round K errno E" on stdout (E: the last open's
 * errno: ENOENT (2) when it ran, the enforce errno when denied). On 's'
 * it prints "status TracerPid:N Seccomp:N" from its own /proc/self/status.
 *
 * usage: attach_loop N
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int per_round;
static int rounds[2];

__attribute__((noinline)) static int violate(void)
{
	int fd = open("/nonexistent/captrace-attach", O_RDONLY); /* SITE:attach_open */
	if (fd >= 0)
		close(fd);
	return fd < 0 ? errno : 0;
}

static void status(void)
{
	char line[256];
	int tracer = -1, seccomp = -1;
	FILE *f = fopen("/proc/self/status", "r"); /* SITE:attach_status */
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "TracerPid: %d", &tracer);
		sscanf(line, "Seccomp: %d", &seccomp);
	}
	fclose(f);
	printf("status TracerPid:%d Seccomp:%d\n", tracer, seccomp);
}

static void *worker(void *arg)
{
	(void)arg;
	char c;
	for (int k = 1; read(rounds[0], &c, 1) == 1; k++) {
		if (c == 's') {
			status();
			continue;
		}
		int err = 0;
		for (int i = 0; i < per_round; i++)
			err = violate();
		printf("round %d errno %d\n", k, err);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	per_round = argc > 1 ? atoi(argv[1]) : 25;
	pthread_t t;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(rounds) != 0)
		return 1;
	pthread_create(&t, NULL, worker, NULL);
	printf("ready\n");
	char c;
	while (read(0, &c, 1) == 1)
		if (write(rounds[1], &c, 1) != 1)
			return 1;
	close(rounds[1]);
	pthread_join(t, NULL);
	return 0;
}
