/* Two chains of tail calls lead from pick to open (pick -> open_a -> open
 * and pick -> open_b -> open): the call sites cannot tell which ran, so no
 * frame may be rebuilt and the site stays in main. */
#include <fcntl.h>

#define NOINLINE __attribute__((noinline))

NOINLINE int open_a(const char *p)
{
	return open(p, O_RDONLY);
}

NOINLINE int open_b(const char *p)
{
	return open(p, O_RDONLY | O_CLOEXEC);
}

NOINLINE int pick(int which, const char *p)
{
	if (which > 1)
		return open_b(p);
	return open_a(p);
}

int main(int argc, char **argv)
{
	(void)argv;
	return pick(argc, "/nonexistent/ambiguous") > 0; // LINE:main_pick
}
