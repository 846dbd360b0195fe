/*
 * fault_vfork: vfork, and the child execs PROGRAM while the parent waits
 * suspended; capability mode is inherited and survives the exec.
 *
 * usage: fault_vfork PROGRAM [ARG...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void before_vfork(void)
{
	close(open("/nonexistent/captrace-before-vfork", O_RDONLY)); /* SITE:before_vfork */
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void after_vfork(void)
{
	close(open("/nonexistent/captrace-after-vfork", O_RDONLY)); /* SITE:after_vfork */
	NO_TAIL_CALL();
}

int main(int argc, char **argv)
{
	int status;
	if (argc < 2)
		return 2;
	cap_enter();
	before_vfork();
	pid_t pid = vfork();
	if (pid == 0) {
		execv(argv[1], argv + 1); /* SITE:vfork_execv */
		_exit(127);
	}
	waitpid(pid, &status, 0);
	after_vfork();
	printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}
