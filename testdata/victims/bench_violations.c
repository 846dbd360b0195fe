/*
 * bench_violations: N violating opens from a 3-deep call chain (make bench).
 *
 * usage: bench_violations N
 *
 * `captrace --enter=bench_never_entered` never enters capability mode, so
 * the program runs under the launch filter only and no open stops: the
 * cost of captrace where capability mode is not in force.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void level3(void)
{
	int fd = open("/nonexistent/captrace-bench", O_RDONLY); /* SITE:bench_open */
	if (fd >= 0)
		close(fd);
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void level2(void)
{
	level3();
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void level1(void)
{
	level2();
	NO_TAIL_CALL();
}

__attribute__((noinline, used)) void bench_never_entered(void)
{
	__asm__ volatile("" ::: "memory");
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	cap_enter();
	for (long i = 0; i < n; i++)
		level1();
	return 0;
}
