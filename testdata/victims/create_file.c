/* Creates the file named by its argument through the global namespace:
 * openat(AT_FDCWD, ...) is ECAPMODE in capability mode, so in enforce mode
 * the file must never appear. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_CREAT | O_WRONLY, 0644); /* SITE:create */
	if (fd < 0) {
		perror("open");
		return 1;
	}
	close(fd);
	return 0;
}
