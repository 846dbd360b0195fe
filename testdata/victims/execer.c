/*
 * execer: violates once, then execs the program named by its arguments;
 * capability mode survives exec, so the new image's violations count and
 * are attributed to its own functions.
 *
 * usage: execer PROGRAM [ARG...]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void before_exec(void)
{
	close(open("/nonexistent/captrace-before-exec", O_RDONLY)); /* SITE:before_exec */
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	cap_enter();
	before_exec();
	execv(argv[1], argv + 1); /* SITE:execv */
	perror("execv");
	return 127;
}
