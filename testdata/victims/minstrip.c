/*
 * minstrip: a strip-like tool, shaped like the ELF Tool Chain's strip before
 * its Capsicum port. It opens its input, enters capability mode, then does
 * what broke that port: it creates its output as a temporary file in /tmp,
 * looks the input up by name again (stat), and renames the temporary file over the
 * input. Each of those reaches the global file namespace.
 *
 * usage: minstrip FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static int create_tempfile(char *path, size_t len)
{
	snprintf(path, len, "/tmp/minstrip.XXXXXX");
	int fd = mkstemp(path); /* SITE:create_tempfile */
	if (fd < 0)
		perror("mkstemp");
	return fd;
}

__attribute__((noinline)) static int copy_contents(int in, int out)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	return n < 0 ? -1 : 0;
}

__attribute__((noinline)) static int keep_mode(const char *input, int out)
{
	struct stat st;
	if (stat(input, &st) < 0) /* SITE:keep_mode */
		return -1;
	return fchmod(out, st.st_mode & 07777);
}

__attribute__((noinline)) static int replace_input(const char *tmp, const char *input)
{
	int err = rename(tmp, input); /* SITE:replace_input */
	if (err < 0)
		perror("rename");
	return err;
}

int main(int argc, char **argv)
{
	char tmp[64];
	if (argc != 2) {
		fprintf(stderr, "usage: minstrip FILE\n");
		return 2;
	}
	int in = open(argv[1], O_RDONLY);
	if (in < 0) {
		perror(argv[1]);
		return 1;
	}
	if (cap_enter() < 0)
		return 1;
	int out = create_tempfile(tmp, sizeof tmp);
	if (out < 0)
		return 1;
	if (copy_contents(in, out) < 0)
		return 1;
	keep_mode(argv[1], out);
	if (replace_input(tmp, argv[1]) < 0) {
		unlink(tmp);
		return 1;
	}
	close(out);
	return 0;
}
