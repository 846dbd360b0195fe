/*
 * fault_untraced: creates a child with a raw clone(CLONE_UNTRACED|SIGCHLD)
 * (or clone3 with CLONE_UNTRACED), which a tracer following forks does not
 * follow on its own; under a seccomp RET_TRACE filter an untraced child's
 * filtered calls fail with ENOSYS. The child violates once and prints the
 * errno its open got (ENOENT is right; ENOSYS means it escaped tracing).
 *
 * usage: fault_untraced clone|clone3
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void untraced_child(void)
{
	char msg[64];
	int fd = open("/nonexistent/captrace-untraced", O_RDONLY); /* SITE:untraced_open */
	int n = snprintf(msg, sizeof msg, "child open errno %d\n", fd < 0 ? errno : 0);
	write(1, msg, (size_t)n);
	_exit(0);
}

__attribute__((noinline)) static void after_child(void)
{
	close(open("/nonexistent/captrace-after-untraced", O_RDONLY)); /* SITE:after_untraced */
	NO_TAIL_CALL();
}

int main(int argc, char **argv)
{
	long pid;
	if (argc != 2)
		return 2;
	cap_enter();
	if (strcmp(argv[1], "clone3") == 0) {
		struct clone_args ca;
		memset(&ca, 0, sizeof ca);
		ca.flags = CLONE_UNTRACED;
		ca.exit_signal = SIGCHLD;
		pid = syscall(SYS_clone3, &ca, sizeof ca);
	} else {
		pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
	}
	if (pid < 0) {
		perror(argv[1]);
		return 1;
	}
	if (pid == 0)
		untraced_child();
	waitpid((pid_t)pid, NULL, 0);
	after_child();
	return 0;
}
