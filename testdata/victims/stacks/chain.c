/* A four-deep call chain ending in a marker syscall, for unwinding and
 * symbolization tests. noinline keeps every frame real at -O2. */
#include <fcntl.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static inline __attribute__((always_inline)) int inner_open(const char *p)
{
	return open(p, O_RDONLY); // LINE:inner_open
}

static inline __attribute__((always_inline)) int twice_open(const char *p)
{
	int fd = inner_open(p); // LINE:twice_call
	return fd;
}

NOINLINE int level4(const char *p)
{
	int fd = open(p, O_RDONLY); // LINE:level4_open
	fd += twice_open(p); // LINE:level4_twice
	return fd;
}

NOINLINE int level3(const char *p)
{
	int r = level4(p); // LINE:level3_call
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

NOINLINE int level2(const char *p)
{
	int r = level3(p); // LINE:level2_call
	__asm__ volatile("" ::: "memory");
	return r + 2;
}

NOINLINE int level1(const char *p)
{
	int r = level2(p); // LINE:level1_call
	__asm__ volatile("" ::: "memory");
	return r + 3;
}

int main(int argc, char **argv)
{
	(void)argv;
	int r = level1(argc > 5 ? "/nonexistent" : "/captrace-marker"); // LINE:main_call
	return r & 1;
}
