/* Signals to threads in capability mode: a process may signal its own
 * threads (tgkill and tkill ~ thr_kill), not another process's
 * (thr_kill2 and kill are refused, sys/kern/kern_thr.c and kern_sig.c).
 * Signal 0 only checks that the target exists, so every call succeeds
 * when it is allowed to run. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int ready[2], done[2];

static void *sibling(void *arg)
{
	pid_t tid = syscall(SYS_gettid);
	char c;

	(void)arg;
	if (write(ready[1], &tid, sizeof tid) != sizeof tid)
		return NULL;
	if (read(done[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

int main(void)
{
	pthread_t th;
	pid_t child, tid;
	long own_tg, own_t, other_tg, other_t;
	char c;

	if (pipe(ready) || pipe(done))
		return 1;
	child = fork();
	if (child == 0) {
		if (read(done[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	pthread_create(&th, NULL, sibling, NULL);
	if (read(ready[0], &tid, sizeof tid) != sizeof tid)
		return 1;
	own_tg = syscall(SYS_tgkill, getpid(), tid, 0); /* SITE:own_tgkill */
	own_t = syscall(SYS_tkill, tid, 0);              /* SITE:own_tkill */
	other_tg = syscall(SYS_tgkill, child, child, 0); /* SITE:other_tgkill */
	other_t = syscall(SYS_tkill, child, 0);          /* SITE:other_tkill */
	printf("%ld %ld %ld %ld\n", own_tg, own_t, other_tg, other_t);
	fflush(stdout);
	if (write(done[1], "xx", 2) != 2)
		return 1;
	pthread_join(th, NULL);
	waitpid(child, NULL, 0);
	return 0;
}
