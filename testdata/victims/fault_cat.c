/*
 * fault_cat: copies standard input to standard output, like cat, in
 * capability mode, violating once every EVERY bytes read: captrace's stops
 * must neither consume nor reorder the program's I/O.
 *
 * usage: fault_cat EVERY < in > out
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void cat_violation(void)
{
	close(open("/nonexistent/captrace-cat", O_RDONLY)); /* SITE:cat_open */
	NO_TAIL_CALL();
}

int main(int argc, char **argv)
{
	long every = argc > 1 ? atol(argv[1]) : 65536, since = 0;
	char buf[4096];
	ssize_t n;
	cap_enter();
	while ((n = read(0, buf, sizeof buf)) > 0) {
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(1, buf + off, (size_t)(n - off));
			if (w <= 0)
				return 1;
			off += w;
		}
		since += n;
		if (since >= every) {
			since = 0;
			cat_violation();
		}
	}
	return n < 0;
}
