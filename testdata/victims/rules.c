/*
 * rules: one call per capability-mode rule class, each on its own line
 * marked SITE:<name>, so tests can assert the exact call site. Calls that
 * capability mode allows are marked ALLOWED:<name> and must not be reported.
 *
 * usage: rules DIR   (DIR: a scratch directory holding sub/ and file "f")
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void global_namespace(void)
{
	struct stat st;
	close(open("/etc/hostname", O_RDONLY)); /* SITE:open_global */
	close(openat(AT_FDCWD, "relative.txt", O_RDONLY)); /* SITE:openat_fdcwd */
	stat("/etc/passwd", &st); /* SITE:stat_path */
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void under_directory(int dirfd)
{
	struct stat st;
	close(openat(dirfd, "/etc/hostname", O_RDONLY)); /* SITE:openat_absolute */
	close(openat(dirfd, "../escape.txt", O_RDONLY)); /* SITE:openat_dotdot */
	close(openat(dirfd, "sub/../f", O_RDONLY)); /* ALLOWED:dotdot_beneath */
	fstatat(dirfd, "", &st, AT_EMPTY_PATH); /* ALLOWED:fstat_empty_path */
	close(openat(dirfd, "f", O_RDONLY)); /* ALLOWED:openat_relative */
}

__attribute__((noinline)) static void network(void)
{
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons(9);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int s = socket(AF_INET, SOCK_STREAM, 0); /* ALLOWED:socket */
	connect(s, (struct sockaddr *)&addr, sizeof addr); /* SITE:connect */
	close(s);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(u, "x", 1, 0, (struct sockaddr *)&addr, sizeof addr); /* SITE:sendto_addr */
	close(u);
}

__attribute__((noinline)) static void signals(pid_t other)
{
	kill(getpid(), 0); /* ALLOWED:kill_self */
	kill(other, SIGTERM); /* SITE:kill_other */
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void run_program(void)
{
	/* A program that does not exist: in audit mode the call runs, and a
	 * program that did start would make violations of its own. */
	char *argv[] = {"captrace-prog", NULL};
	pid_t pid = fork(); /* ALLOWED:fork */
	if (pid == 0) {
		execve("/nonexistent/captrace-prog", argv, NULL); /* SITE:execve */
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: rules DIR\n");
		return 2;
	}
	int dirfd = open(argv[1], O_RDONLY | O_DIRECTORY);
	if (dirfd < 0) {
		perror(argv[1]);
		return 1;
	}
	/* The process signalled by kill_other: it lives until it is killed
	 * or, when enforce mode refuses the kill, until this one exits and
	 * closes the pipe. */
	int lifeline[2];
	char c;
	pipe(lifeline);
	pid_t other = fork();
	if (other == 0) {
		close(lifeline[1]);
		read(lifeline[0], &c, 1);
		_exit(0);
	}
	close(lifeline[0]);
	cap_enter();
	global_namespace();
	under_directory(dirfd);
	network();
	signals(other);
	run_program();
	return 0;
}
