/*
 * spawn: posix_spawn after cap_enter. glibc runs the child on a stack of
 * its own (clone with CLONE_VM|CLONE_VFORK), so the child's execve alone
 * has no frame of this program; the report must still site it at the
 * posix_spawn call.
 */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

#include "capsicum_stub.h"

extern char **environ;

__attribute__((noinline)) static int run_helper(void)
{
	char *argv[] = {"helper", NULL};
	pid_t pid;
	int err = posix_spawn(&pid, "/nonexistent/captrace-helper", NULL, NULL, argv, environ); /* SITE:spawn */
	if (err == 0)
		waitpid(pid, NULL, 0);
	return err;
}

int main(void)
{
	cap_enter();
	return run_helper() != 0 ? 0 : 1;
}
