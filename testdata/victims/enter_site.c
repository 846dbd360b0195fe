/*
 * enter_site: the enter point is reached in a forked child, called from a
 * helper function: the report must name that child's pid and the helper's
 * line as where capability mode began. The child prints its pid first so
 * the test knows it. The parent never reaches the enter point.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void sandbox_init(void)
{
	cap_enter(); /* SITE:enter */
	NO_TAIL_CALL();
}

int main(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		printf("%d\n", (int)getpid());
		fflush(stdout);
		sandbox_init();
		close(open("/nonexistent/captrace-enter-site", O_RDONLY)); /* SITE:after */
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	return 0;
}
