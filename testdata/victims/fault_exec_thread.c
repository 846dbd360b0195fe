/*
 * fault_exec_thread: a thread that is not the thread-group leader execs
 * PROGRAM. Linux kills the other threads and gives the exec'ing thread the
 * leader's id; the new image's violations belong to it.
 *
 * usage: fault_exec_thread PROGRAM [ARG...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "capsicum_stub.h"

static char **target;

__attribute__((noinline)) static void leader_violation(void)
{
	close(open("/nonexistent/captrace-leader", O_RDONLY)); /* SITE:leader_open */
	NO_TAIL_CALL();
}

static void *exec_from_thread(void *arg)
{
	(void)arg;
	close(open("/nonexistent/captrace-thread-before-exec", O_RDONLY)); /* SITE:thread_open */
	execv(target[0], target); /* SITE:thread_execv */
	perror("execv");
	_exit(127);
}

int main(int argc, char **argv)
{
	pthread_t t;
	if (argc < 2)
		return 2;
	target = argv + 1;
	cap_enter();
	leader_violation();
	pthread_create(&t, NULL, exec_from_thread, NULL);
	pthread_join(t, NULL); /* never returns: the exec ends this image */
	return 126;
}
