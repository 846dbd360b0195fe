/* A shared library whose function makes the marker syscall: frames must
 * cross from the library back into the executable. */
#include <fcntl.h>

__attribute__((noinline)) int lib_inner(const char *p)
{
	int fd = open(p, O_RDONLY); // LINE:lib_open
	__asm__ volatile("" ::: "memory"); /* no tail call: keep the frame */
	return fd;
}

__attribute__((noinline)) int lib_open(const char *p)
{
	int r = lib_inner(p); // LINE:lib_call
	__asm__ volatile("" ::: "memory");
	return r;
}
