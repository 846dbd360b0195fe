/*
 * fault_seccomp: before entering capability mode the program makes itself
 * harder to trace: it installs its own seccomp filter (allow: allow
 * everything; errno: fail getppid with EXDEV, allow the rest) or makes
 * itself non-dumpable (nodump). Its later violation must still be reported
 * at its own site, and its own filter must still work.
 *
 * usage: fault_seccomp allow|errno|nodump
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void after_filter(void)
{
	close(open("/nonexistent/captrace-after-filter", O_RDONLY)); /* SITE:seccomp_open */
	NO_TAIL_CALL();
}

static int install(struct sock_filter *code, unsigned short len)
{
	struct sock_fprog prog = {.len = len, .filter = code};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (strcmp(argv[1], "allow") == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		if (install(f, 1) < 0) {
			perror("seccomp");
			return 1;
		}
	} else if (strcmp(argv[1], "errno") == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EXDEV),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		if (install(f, 4) < 0) {
			perror("seccomp");
			return 1;
		}
	} else if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		perror("prctl");
		return 1;
	}
	cap_enter();
	after_filter();
	errno = 0;
	long r = syscall(SYS_getppid);
	printf("getppid %s errno %d\n", r < 0 ? "failed" : "ok", r < 0 ? errno : 0);
	return 0;
}
