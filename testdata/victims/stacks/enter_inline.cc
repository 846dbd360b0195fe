// Enter points at functions that -O2 inlines and never keeps out of line:
// a method defined in its class (app::Loader::load) and a static inline
// function (open_plus_one). Reports name their inlined frames, so --enter
// must find their inlined copies. Each opens its own file, in this order:
// before, open_plus_one, app::Loader::load.
#include <fcntl.h>

namespace app {
struct Loader {
	int load(const char *p) { return open(p, O_RDONLY); } // SITE:inl_load
};
} // namespace app

static inline __attribute__((always_inline)) int open_plus_one(const char *p)
{
	return open(p, O_RDONLY) + 1; // SITE:inl_plus_one
}

int main()
{
	int r = open("/etc/hostname", O_RDONLY); // SITE:inl_before
	r += open_plus_one("/etc/group"); // SITE:inl_call_plus_one
	app::Loader l;
	r += l.load("/etc/passwd"); // SITE:inl_call_load
	return r & 1;
}
