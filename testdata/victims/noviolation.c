/*
 * noviolation: only work that capability mode allows, after main starts.
 * Run under captrace with --enter=main: the report must have no group.
 * glibc start-up, threads, malloc, stdio to stdout, time, randomness,
 * pipes, fstat and mmap must all pass the Linux emulation untouched.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got_signal;

static void on_usr1(int sig)
{
	(void)sig;
	got_signal = 1;
}

static void *worker(void *arg)
{
	long n = (long)arg;
	char *p = malloc(1 << 16);
	struct timespec ts = {0, 1000000};

	memset(p, (int)n, 1 << 16);
	nanosleep(&ts, NULL);
	free(p);
	return (void *)(n * 2);
}

int main(void)
{
	pthread_t threads[4];
	unsigned char rnd[16];
	struct timespec now;
	struct rlimit rl;
	struct stat st;
	int fds[2];
	char c = 'x';
	void *ret;
	long sum = 0;
	pid_t child;
	int status;

	for (long i = 0; i < 4; i++)
		pthread_create(&threads[i], NULL, worker, (void *)i);
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], &ret);
		sum += (long)ret;
	}

	clock_gettime(CLOCK_REALTIME, &now);
	getrandom(rnd, sizeof rnd, 0);
	getrlimit(RLIMIT_NOFILE, &rl);

	if (pipe(fds) != 0 || write(fds[1], &c, 1) != 1 || read(fds[0], &c, 1) != 1)
		return 1;
	fstat(fds[0], &st);
	close(fds[0]);
	close(fds[1]);

	void *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	memset(m, 1, 1 << 20);
	munmap(m, 1 << 20);

	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);

	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, &status, 0);

	printf("threads=%ld random=%02x signal=%d time=%lld\n", sum, rnd[0], (int)got_signal,
	       (long long)now.tv_sec);
	return 0;
}
