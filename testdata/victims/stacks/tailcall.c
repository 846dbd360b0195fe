/* Functions whose last act is a libc call: at -O2 each `return f(...);`
 * is a jmp, so the function's frame is gone from a CFI unwind and only
 * DWARF call sites (DW_TAG_call_site with DW_AT_call_tail_call) tell that
 * it ran. fetch_config reaches open through a second tail call. Built
 * with -DTAILCALL_LIB into a shared library, main is tailcall_main, called
 * by tailcall_main.c. Compiles as C and as C++. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

#ifdef TAILCALL_LIB
#define main tailcall_main
#endif

NOINLINE int replace_output(const char *tmp, const char *dst)
{
	if (tmp[0] == 0)
		return -1;
	return rename(tmp, dst); // LINE:tail_rename
}

NOINLINE int open_config(const char *path)
{
	return open(path, O_RDONLY); // LINE:tail_open
}

NOINLINE int fetch_config(const char *path)
{
	if (path[0] == 0)
		return -1;
	return open_config(path); // LINE:tail_fetch
}

NOINLINE int poke_parent(int sig)
{
	return kill(getppid(), sig); // LINE:tail_kill
}

NOINLINE int dial(int fd, const struct sockaddr_un *addr)
{
	return connect(fd, (const struct sockaddr *)addr, sizeof *addr); // LINE:tail_connect
}

int main(int argc, char **argv)
{
	(void)argv;
	struct sockaddr_un addr;
	memset(&addr, 0, sizeof addr);
	addr.sun_family = AF_UNIX;
	strcpy(addr.sun_path, "/nonexistent/captrace.sock");
	int r = replace_output("/nonexistent/a", "/nonexistent/b"); // LINE:main_rename
	r += fetch_config(argc > 5 ? "" : "/nonexistent/config"); // LINE:main_fetch
	r += poke_parent(0); // LINE:main_kill
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	r += dial(fd, &addr); // LINE:main_connect
	return r < -100;
}
