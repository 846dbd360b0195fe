// Enter points by the names reports print: an overloaded function
// (worker(int), worker(long)) and a method (ns::Cls::method). Each opens
// its own file, in this order: before (never in capability mode unless
// the enter point is main), worker(long), worker(int), ns::Cls::method.
#include <fcntl.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

namespace ns {
class Cls {
public:
	NOINLINE int method(const char *p);
};

int Cls::method(const char *p)
{
	int fd = open(p, O_RDONLY); // SITE:cxx_method
	__asm__ volatile("" ::: "memory");
	return fd;
}
} // namespace ns

NOINLINE int worker(long n)
{
	int fd = open("/etc/group", O_RDONLY); // SITE:cxx_worker_long
	__asm__ volatile("" ::: "memory");
	return fd + (int)n;
}

NOINLINE int worker(int n)
{
	int fd = open("/etc/passwd", O_RDONLY); // SITE:cxx_worker_int
	__asm__ volatile("" ::: "memory");
	return fd + n;
}

int main()
{
	int r = open("/etc/hostname", O_RDONLY); // SITE:cxx_before
	r += worker(1L);
	r += worker(1);
	ns::Cls c;
	r += c.method("/etc/services");
	return r & 1;
}
