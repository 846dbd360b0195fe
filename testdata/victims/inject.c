/*
 * inject: the victim of tracer's syscall-injection tests. It prints the
 * seccomp state of its threads and children before and after the point
 * where the tracer makes it run syscalls:
 *
 *   inject trap    an int3, as a breakpoint stops a thread
 *   inject entry   installs its own filter that traces syscall 0x636170
 *                  and calls it: a seccomp stop; prints what it returned
 *
 * Each state line reads "WHO Seccomp:N Seccomp_filters:N NoNewPrivs:N";
 * "sum N" shows the program runs on correctly afterwards.
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESERVED 0x636170

static void state(const char *who)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/self/task/%ld/status", (long)syscall(SYS_gettid));
	FILE *f = fopen(path, "r");
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
}

static sem_t go, done;

static void *thread(void *arg)
{
	(void)arg;
	state("thread-before");
	sem_post(&done);
	sem_wait(&go);
	state("thread-after");
	return NULL;
}

static int trace_reserved(void)
{
	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RESERVED, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = {sizeof prog / sizeof prog[0], prog};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &fprog);
}

int main(int argc, char **argv)
{
	int entry = argc > 1 && strcmp(argv[1], "entry") == 0;
	pthread_t t;
	setvbuf(stdout, NULL, _IONBF, 0);
	sem_init(&go, 0, 0);
	sem_init(&done, 0, 0);
	if (entry && trace_reserved() != 0) {
		perror("seccomp");
		return 1;
	}
	pthread_create(&t, NULL, thread, NULL);
	sem_wait(&done);
	state("main-before");
	if (entry)
		printf("ret %ld\n", syscall(RESERVED, 1, 2, 3));
	else
		__asm__ volatile("int3");
	state("main-after");
	sem_post(&go);
	pthread_join(t, NULL);
	pid_t child = fork();
	if (child == 0) {
		state("child-after");
		_exit(0);
	}
	waitpid(child, NULL, 0);
	long sum = 0;
	for (long i = 1; i <= 1000; i++)
		sum += i + getpid() * 0;
	printf("sum %ld\n", sum);
	return 0;
}
