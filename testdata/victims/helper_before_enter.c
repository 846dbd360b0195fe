/*
 * helper_before_enter: runs a helper program with system() before it
 * enters capability mode, as programs do to gather what they need. The
 * helper (a shell and cat) never runs in capability mode and must not be
 * reported; only this program's own call after cap_enter is.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void after_enter(void)
{
	close(open("/nonexistent/captrace-after-enter", O_RDONLY)); /* SITE:after_enter */
	NO_TAIL_CALL();
}

int main(void)
{
	if (system("cat /etc/hostname > /dev/null") != 0)
		return 1;
	cap_enter();
	after_enter();
	return 0;
}
