/*
 * enterstate: prints the seccomp state the kernel shows for each of its
 * threads and processes, before and after its enter point, so a test can
 * see which of them got captrace's capability-mode filter:
 *
 *   main-before    the program, at start
 *   child-before   a child forked before cap_enter, printing after it
 *   main-after     the program after cap_enter
 *   thread-after   a thread started before cap_enter, printing after it
 *   child-after    a child forked after cap_enter
 *
 * usage: enterstate enter|none   (none: cap_enter is never called)
 *
 * Built with -DCAPTRACE_SHIM against captrace's shim, its cap_enter() is
 * the shim's.
 *
 * Each line reads "WHO Seccomp:N Seccomp_filters:N NoNewPrivs:N".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef CAPTRACE_SHIM
/* Built against `captrace shim DIR`: cap_enter() announces itself. */
#include <sys/capsicum.h>
#define NO_TAIL_CALL() __asm__ volatile("" ::: "memory")
#else
#include "capsicum_stub.h"
#endif

__attribute__((noinline)) static void state(const char *who)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/self/task/%ld/status", (long)syscall(SYS_gettid));
	FILE *f = fopen(path, "r"); /* SITE:state_open */
	if (!f)
		return;
	printf("%s", who);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "Seccomp:", 8) && strncmp(line, "Seccomp_filters:", 16) && strncmp(line, "NoNewPrivs:", 11))
			continue;
		char *out = line;
		for (char *p = line; *p; p++)
			if (*p != '\t' && *p != ' ' && *p != '\n')
				*out++ = *p;
		*out = 0;
		printf(" %s", line);
	}
	printf("\n");
	fclose(f);
	NO_TAIL_CALL();
}

static sem_t go;

static void *thread(void *arg)
{
	(void)arg;
	sem_wait(&go);
	state("thread-after");
	return NULL;
}

int main(int argc, char **argv)
{
	int enter = argc > 1 && strcmp(argv[1], "enter") == 0;
	int entered[2];
	pthread_t t;
	setvbuf(stdout, NULL, _IONBF, 0);
	state("main-before");
	sem_init(&go, 0, 0);
	pthread_create(&t, NULL, thread, NULL);
	if (pipe(entered) != 0)
		return 1;
	pid_t before = fork();
	if (before == 0) {
		char c;
		if (read(entered[0], &c, 1) == 1)
			state("child-before");
		_exit(0);
	}
	if (enter)
		cap_enter();
	state("main-after");
	if (write(entered[1], "x", 1) != 1)
		return 1;
	waitpid(before, NULL, 0);
	sem_post(&go);
	pthread_join(t, NULL);
	pid_t after = fork();
	if (after == 0) {
		state("child-after");
		_exit(0);
	}
	waitpid(after, NULL, 0);
	return 0;
}
