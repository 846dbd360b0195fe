/*
 * escapes: opens the file named by its argument after cap_enter. Tests give
 * it a name with a newline, a tab and a byte that is not UTF-8, to check
 * that the text report escapes them in every column and the JSON report
 * keeps the exact bytes.
 *
 * usage: escapes FILE
 */
#include <fcntl.h>
#include <unistd.h>

#include "capsicum_stub.h"

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2)
		return 2;
	cap_enter();
	fd = open(argv[1], O_RDONLY); /* SITE:open_arg */
	if (fd >= 0)
		close(fd);
	return 0;
}
