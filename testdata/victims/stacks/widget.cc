// A C++ victim: names must come out demangled, with class and namespace.
#include <fcntl.h>

namespace shop {
class Widget {
public:
	__attribute__((noinline)) int open_config(const char *p);
};

int Widget::open_config(const char *p)
{
	int fd = open(p, O_RDONLY); // LINE:cxx_open
	__asm__ volatile("" ::: "memory"); // no tail call: keep the frame
	return fd;
}
} // namespace shop

int main()
{
	shop::Widget w;
	return w.open_config("/captrace-marker") & 1; // LINE:cxx_main
}
