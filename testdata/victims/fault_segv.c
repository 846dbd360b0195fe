/*
 * fault_segv: violates once, then dereferences a null pointer. captrace
 * must still write its report and exit 128+SIGSEGV.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void before_crash(void)
{
	close(open("/nonexistent/captrace-before-crash", O_RDONLY)); /* SITE:before_crash */
	NO_TAIL_CALL();
}

__attribute__((noinline)) static int crash(volatile int *p)
{
	return *p; /* a real SIGSEGV, not kill(2) */
}

int main(void)
{
	cap_enter();
	before_crash();
	return crash((volatile int *)0);
}
