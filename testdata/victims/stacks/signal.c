/* The marker syscall runs inside a signal handler, so the unwind must
 * cross the kernel's signal frame and glibc's __restore_rt. */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

__attribute__((noinline)) static void handler_open(void)
{
	int fd = open("/captrace-marker", O_RDONLY); // LINE:handler_open
	(void)fd;
}

static void on_signal(int sig)
{
	(void)sig;
	handler_open(); // LINE:handler_call
}

__attribute__((noinline)) static void raise_it(void)
{
	raise(SIGUSR1); // LINE:raise_call
}

int main(void)
{
	signal(SIGUSR1, on_signal);
	raise_it(); // LINE:main_raise
	return 0;
}
