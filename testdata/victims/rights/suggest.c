/*
 * A program to learn the rights of: it opens a directory and a file before
 * cap_enter() and uses them (and stdout) afterwards in every way the rights
 * table distinguishes. `captrace --suggest-rights` prints the limits; the
 * test pastes them where CAPTRACE_SUGGESTION points, builds again and runs
 * under --mode=enforce: no violation, the same output.
 *
 * Build: cc -I SHIMDIR [-DCAPTRACE_SUGGESTION='"file"'] suggest.c
 * Run:   suggest DIR   (DIR holds data.txt)
 */
#include <sys/capsicum.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <capsicum_helpers.h>
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char buf[64];
	struct stat st;
	int dir, data, out, n = 0;
	ssize_t got;
	char *map;

	if (argc != 2)
		errx(2, "usage: suggest DIR");
	dir = open(argv[1], O_RDONLY | O_DIRECTORY); /* SITE:open_dir */
	if (dir < 0)
		err(1, "%s", argv[1]);
	data = openat(dir, "data.txt", O_RDONLY); /* SITE:open_data */
	if (data < 0)
		err(1, "data.txt");
#ifdef CAPTRACE_SUGGESTION
#include CAPTRACE_SUGGESTION
#endif
	if (caph_enter() < 0)
		err(1, "cap_enter");

	if (ioctl(data, FIONREAD, &n) < 0)
		err(1, "ioctl");
	if (fcntl(data, F_GETFL) < 0)
		err(1, "fcntl");
	got = read(data, buf, sizeof(buf) - 1);
	if (got < 0)
		err(1, "read");
	buf[got] = '\0';
	if (lseek(data, 0, SEEK_SET) < 0)
		err(1, "lseek");
	map = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, data, 0);
	if (map == MAP_FAILED)
		err(1, "mmap");
	if (fstatat(dir, "data.txt", &st, 0) < 0)
		err(1, "fstatat");
	out = openat(dir, "out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		err(1, "openat out.txt");
	if (write(out, buf, (size_t)got) != got)
		err(1, "write");
	close(out);
	printf("%d bytes pending, %lld bytes, first line: %.*s", n, (long long)st.st_size,
	    (int)strcspn(map, "\n") + 1, map);
	return (0);
}
