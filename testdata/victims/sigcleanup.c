/*
 * sigcleanup: a program with its own signal manners, for the tests of how
 * signals reach a traced program. It writes its pid to DIR/pid, enters
 * capability mode, then:
 *
 *   handle  catches SIGINT, SIGTERM, SIGHUP and SIGQUIT; on the first, it
 *           cleans up: writes "signal N, M received\n" to DIR/cleaned
 *           (a violation, SITE:cleanup) and exits 7.
 *   ignore  ignores SIGINT; for each line on stdin it creates DIR/alive
 *           (a violation, SITE:alive), so a test can see it still runs;
 *           at end of input it exits 0.
 *
 * usage: sigcleanup DIR handle|ignore
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capsicum_stub.h"

static volatile sig_atomic_t caught, received;

static void on_signal(int sig)
{
	if (caught == 0)
		caught = sig;
	received++;
}

static void write_pid(const char *dir)
{
	char tmp[4096], path[4096];
	FILE *f;

	/* Through a temporary name, so a reader never sees half a pid. */
	snprintf(tmp, sizeof tmp, "%s/pid.tmp", dir);
	snprintf(path, sizeof path, "%s/pid", dir);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	rename(tmp, path);
}

__attribute__((noinline)) static int cleanup(const char *dir)
{
	char path[4096], msg[64];
	int fd, n;

	snprintf(path, sizeof path, "%s/cleaned", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644); /* SITE:cleanup */
	if (fd < 0)
		return 1;
	n = snprintf(msg, sizeof msg, "signal %d, %d received\n", (int)caught, (int)received);
	write(fd, msg, n);
	close(fd);
	return 7;
}

__attribute__((noinline)) static void alive(const char *dir)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/alive", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644); /* SITE:alive */
	if (fd >= 0)
		close(fd);
	NO_TAIL_CALL();
}

int main(int argc, char **argv)
{
	sigset_t none;
	char line[256];

	if (argc < 3)
		return 2;
	if (strcmp(argv[2], "handle") == 0) {
		struct sigaction sa;
		sigset_t block;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGQUIT, &sa, NULL);
		/* Blocked outside sigsuspend, so no signal slips in between the
		 * test of caught and the wait. */
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		sigaddset(&block, SIGHUP);
		sigaddset(&block, SIGQUIT);
		sigprocmask(SIG_BLOCK, &block, NULL);
		write_pid(argv[1]);
		cap_enter();
		sigemptyset(&none);
		while (caught == 0)
			sigsuspend(&none);
		return cleanup(argv[1]);
	}
	signal(SIGINT, SIG_IGN);
	write_pid(argv[1]);
	cap_enter();
	while (fgets(line, sizeof line, stdin) != NULL)
		alive(argv[1]);
	return 0;
}
