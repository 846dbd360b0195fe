/*
 * exec_target: the second image of the exec test. It never calls cap_enter:
 * it runs in capability mode only because the process that exec'd it was.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

__attribute__((noinline)) static void target_violation(void)
{
	close(open("/nonexistent/captrace-after-exec", O_RDONLY)); /* SITE:target_violation */
}

int main(void)
{
	target_violation();
	return 3;
}
