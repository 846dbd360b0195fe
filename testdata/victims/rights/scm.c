/*
 * Rights travel with a descriptor: the parent limits a file to CAP_READ and
 * passes it to its child over a socketpair (SCM_RIGHTS); the child's write
 * on what it received fails with ENOTCAPABLE, its read succeeds.
 *
 * Build: cc -I SHIMDIR scm.c    Run: scm FILE
 */
#include <sys/capsicum.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	cap_rights_t rights;
	int sv[2], fd, got;
	char buf[8], ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, 1 };
	struct msghdr msg;
	struct cmsghdr *c;

	if (argc != 2)
		errx(2, "usage: scm FILE");
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		err(1, "socketpair");
	if (fork() == 0) {
		close(sv[0]);
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = ctl;
		msg.msg_controllen = sizeof(ctl);
		if (recvmsg(sv[1], &msg, 0) <= 0)
			err(1, "recvmsg");
		if ((c = CMSG_FIRSTHDR(&msg)) == NULL)
			errx(1, "no descriptor received");
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		printf("child read: %s\n", read(got, buf, 1) == 1 ? "ok" : strerror(errno));
		if (write(got, "x", 1) < 0) /* SITE:write_received */
			printf("child write: %s\n", errno == ENOTCAPABLE ? "ENOTCAPABLE" : strerror(errno));
		else
			printf("child write: ok\n");
		return (0);
	}
	close(sv[1]);
	fd = open(argv[1], O_RDWR);
	if (fd < 0)
		err(1, "%s", argv[1]);
	cap_rights_init(&rights, CAP_READ);
	if (cap_rights_limit(fd, &rights) < 0) /* SITE:limit_sent */
		err(1, "cap_rights_limit");
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	buf[0] = 'x';
	if (sendmsg(sv[0], &msg, 0) < 0)
		err(1, "sendmsg");
	close(fd);
	wait(NULL);
	return (0);
}
