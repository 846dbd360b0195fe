/* A program that breaks capability mode in the ways the golden tests show. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int load_config(const char *path)
{
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	return fd;
}

static void twice(void)
{
	open("/etc/passwd", O_RDONLY);
	open("/etc/passwd", O_RDONLY);
}

static void stop_parent(void)
{
	kill(getppid(), SIGTERM);
}

int main(int argc, char **argv)
{
	time_t now = time(NULL);

	load_config(argc > 1 ? argv[1] : "/etc/hostname");
	twice();
	localtime(&now);
	stop_parent();
	return 0;
}
