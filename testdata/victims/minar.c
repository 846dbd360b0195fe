/*
 * minar: an ar-like extractor, shaped like the ELF Tool Chain's "ar x": the
 * names of the files it creates are only known while it reads the archive,
 * after capability mode has begun, so they cannot be opened in advance.
 *
 * usage: minar ARCHIVE   (extracts every member into the current directory)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capsicum_stub.h"

#define AR_MAGIC "!<arch>\n"

struct member {
	char name[17];
	long size;
};

__attribute__((noinline)) static int read_header(int fd, struct member *m)
{
	char hdr[60];
	if (read(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr)
		return 0;
	memcpy(m->name, hdr, 16);
	m->name[16] = '\0';
	for (int i = 15; i >= 0 && (m->name[i] == ' ' || m->name[i] == '/'); i--)
		m->name[i] = '\0';
	m->size = strtol(hdr + 48, NULL, 10);
	return 1;
}

__attribute__((noinline)) static int extract_member(int fd, const struct member *m)
{
	int out = open(m->name, O_WRONLY | O_CREAT | O_TRUNC, 0644); /* SITE:extract_member */
	char buf[4096];
	long left = m->size;
	while (left > 0) {
		ssize_t n = read(fd, buf, left < (long)sizeof buf ? (size_t)left : sizeof buf);
		if (n <= 0)
			break;
		if (out >= 0)
			write(out, buf, (size_t)n);
		left -= n;
	}
	if (m->size % 2)
		lseek(fd, 1, SEEK_CUR);
	if (out >= 0)
		close(out);
	return out >= 0;
}

int main(int argc, char **argv)
{
	char magic[8];
	struct member m;
	if (argc != 2) {
		fprintf(stderr, "usage: minar ARCHIVE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read(fd, magic, 8) != 8 || memcmp(magic, AR_MAGIC, 8) != 0) {
		fprintf(stderr, "minar: %s: not an archive\n", argv[1]);
		return 1;
	}
	cap_enter();
	int n = 0;
	while (read_header(fd, &m))
		n += extract_member(fd, &m);
	printf("extracted %d\n", n);
	return 0;
}
