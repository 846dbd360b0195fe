/* clock_gettime of a clock the vDSO does not serve falls back to the real
 * syscall from inside the vDSO: the stop's frame 0 is in [vdso], whose ELF
 * (and CFI) exist only in the process's memory. */
#include <time.h>

__attribute__((noinline)) static long vdso_site(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); // LINE:vdso_call
	__asm__ volatile("" ::: "memory");
	return ts.tv_nsec;
}

int main(void)
{
	return (int)(vdso_site() & 1); // LINE:vdso_main
}
