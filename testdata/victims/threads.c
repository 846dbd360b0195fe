/*
 * threads: N threads each make M violating opens from one call site; the
 * report must count exactly N*M.
 *
 * usage: threads N M
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capsicum_stub.h"

static int per_thread;
static pthread_barrier_t start;

__attribute__((noinline)) static void violate(void)
{
	close(open("/nonexistent/captrace-thread", O_RDONLY)); /* SITE:thread_open */
}

static void *worker(void *arg)
{
	(void)arg;
	/* All threads start violating together (and so, with --enter=violate,
	 * several reach the enter point at once). */
	pthread_barrier_wait(&start);
	for (int i = 0; i < per_thread; i++)
		violate();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int n = atoi(argv[1]);
	per_thread = atoi(argv[2]);
	pthread_t *t = calloc((size_t)n, sizeof *t);
	pthread_barrier_init(&start, NULL, (unsigned)n);
	cap_enter();
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
