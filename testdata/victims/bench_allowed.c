/*
 * bench_allowed: N allowed syscalls after the enter point (write to
 * /dev/null, getpid, clock_gettime), for make bench: under captrace none of
 * them may stop.
 *
 * usage: bench_allowed N
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "capsicum_stub.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int null = open("/dev/null", O_WRONLY);
	struct timespec ts;
	cap_enter();
	for (long i = 0; i < n; i += 3) {
		write(null, "x", 1);
		syscall(SYS_getpid);
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	}
	return 0;
}
