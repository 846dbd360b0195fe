// A C++ victim: member function templates of a class template, in nested
// namespaces, called with a lambda. GCC's DWARF names the out-of-line
// instance only "load<...>", with no linkage name: its class and
// namespaces are those of the declaration DW_AT_specification points to.
#include <fcntl.h>

namespace app {
namespace detail {
template <class T> struct Loader {
	T base;
	template <class F> __attribute__((always_inline)) inline int reopen(F f)
	{
		return f(open("/captrace-marker", O_RDONLY)); // LINE:tmpl_reopen
	}
	template <class F> __attribute__((noinline)) int load(F f)
	{
		int fd = open("/captrace-marker", O_RDONLY); // LINE:tmpl_open
		__asm__ volatile("" ::: "memory"); // no tail call: keep the frame
		return f(fd) + reopen(f) + base; // LINE:tmpl_call_reopen
	}
};
} // namespace detail
} // namespace app

int main()
{
	app::detail::Loader<int> l{0};
	return l.load([](int fd) { return fd & 1; }); // LINE:tmpl_main
}
