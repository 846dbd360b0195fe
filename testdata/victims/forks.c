/*
 * forks: N sequential children, each making one violation; capability mode
 * is inherited, so every child's violation counts, under its own pid.
 *
 * usage: forks N
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void child_work(void)
{
	close(open("/nonexistent/captrace-child", O_RDONLY)); /* SITE:child_open */
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1;
	cap_enter();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			child_work();
			_exit(0);
		}
		waitpid(pid, NULL, 0);
	}
	printf("forked %d\n", n);
	return 0;
}
