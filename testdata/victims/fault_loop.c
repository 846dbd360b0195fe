/*
 * fault_loop: writes its pid to PIDFILE, enters capability mode and then
 * violates in a loop until it is killed, so tests can signal captrace (or
 * the program) mid-run. With "stubborn" it first ignores SIGINT, SIGTERM
 * and SIGHUP and blocks every signal it can, as a program that must not be
 * interrupted would.
 *
 * usage: fault_loop PIDFILE [stubborn]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void loop_violation(void)
{
	int fd = open("/nonexistent/captrace-loop", O_RDONLY); /* SITE:loop_open */
	if (fd >= 0)
		close(fd);
	NO_TAIL_CALL();
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	if (argc > 2 && strcmp(argv[2], "stubborn") == 0) {
		sigset_t all;
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
	}
	/* Written through a temporary name so a reader never sees half a pid. */
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	FILE *f = fopen(tmp, "w");
	if (f == NULL) {
		perror(tmp);
		return 1;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	rename(tmp, argv[1]);
	cap_enter();
	for (;;)
		loop_violation();
}
