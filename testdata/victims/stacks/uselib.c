/* Calls the shared library linked at build time, or, with argument
 * "dlopen", the same library loaded by dlopen after start-up. */
#include <dlfcn.h>
#include <string.h>

int lib_open(const char *p);

__attribute__((noinline)) static int via_link(void)
{
	return lib_open("/captrace-marker"); // LINE:via_link
}

__attribute__((noinline)) static int via_dlopen(const char *path)
{
	void *h = dlopen(path, RTLD_NOW);
	if (!h)
		return -1;
	int (*f)(const char *) = (int (*)(const char *))dlsym(h, "lib_open");
	return f("/captrace-marker"); // LINE:via_dlopen
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "dlopen") == 0)
		return via_dlopen(argv[2]) & 1; // LINE:main_dlopen
	return via_link() & 1; // LINE:main_link
}
