/*
 * fault_thread_exit: one long-lived thread violates M times while the main
 * thread keeps creating short-lived threads that violate once and exit, so
 * threads exit while others are stopped at a violation. Counts must be
 * exact: K at short_open, M at long_open.
 *
 * usage: fault_thread_exit K M
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "capsicum_stub.h"

static int long_count;

__attribute__((noinline)) static void long_violation(void)
{
	close(open("/nonexistent/captrace-long", O_RDONLY)); /* SITE:long_open */
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void short_violation(void)
{
	close(open("/nonexistent/captrace-short", O_RDONLY)); /* SITE:short_open */
	NO_TAIL_CALL();
}

static void *long_lived(void *arg)
{
	(void)arg;
	for (int i = 0; i < long_count; i++)
		long_violation();
	return NULL;
}

static void *short_lived(void *arg)
{
	(void)arg;
	short_violation();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int k = atoi(argv[1]);
	long_count = atoi(argv[2]);
	pthread_t lt, batch[8];
	cap_enter();
	pthread_create(&lt, NULL, long_lived, NULL);
	for (int done = 0; done < k;) {
		int n = k - done < 8 ? k - done : 8;
		for (int i = 0; i < n; i++)
			pthread_create(&batch[i], NULL, short_lived, NULL);
		for (int i = 0; i < n; i++)
			pthread_join(batch[i], NULL);
		done += n;
	}
	pthread_join(lt, NULL);
	return 0;
}
