/*
 * start: a program linked with -nostdlib: no C library, no main, its own
 * _start. Under captrace's default enter point it has neither cap_enter
 * nor main; tests check that captrace says so before it runs anything.
 * Built by the tests only (make victims builds testdata/victims/*.c).
 */
#include <sys/syscall.h>

static long raw_syscall3(long n, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall" /* SITE:syscall */
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

void _start(void)
{
	raw_syscall3(SYS_open, (long)"/etc/hostname", 0, 0);
	raw_syscall3(SYS_exit, 0, 0, 0);
	for (;;)
		;
}
