/*
 * bench_stops: N calls after the enter point that the filter stops and
 * capability mode allows (kill(getpid(), 0): a signal to itself), for
 * make bench: the cost of a bare stop, checked and resumed, with nothing
 * to unwind or report.
 *
 * usage: bench_stops N
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "capsicum_stub.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	pid_t self = getpid();
	cap_enter();
	for (long i = 0; i < n; i++)
		kill(self, 0);
	return 0;
}
