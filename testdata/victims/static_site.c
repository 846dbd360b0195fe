/*
 * static_site: one violation in a function of the program's own, for
 * stripped static builds: with glibc's start-up the site is that function;
 * linked with odd_start.S, whose entry code does not show where the C
 * library starts, the report must say the site could not be told apart.
 */
#include <fcntl.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void load_config(void)
{
	close(open("/nonexistent/captrace-static-site", O_RDONLY)); /* SITE:load_config */
	NO_TAIL_CALL();
}

int main(void)
{
	cap_enter();
	load_config();
	return 0;
}
