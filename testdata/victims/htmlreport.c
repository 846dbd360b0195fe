/*
 * htmlreport: violations for the HTML report's browser test. One site is
 * reached three times through one caller (the call tree's widths), one
 * opens a path with markup in it (escaping: the page must show it as
 * text), and main signals another process. The test compiles a copy of
 * this file in a directory whose name is markup too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "capsicum_stub.h"

__attribute__((noinline)) static void read_config(const char *path)
{
	close(open(path, O_RDONLY)); /* SITE:read_config */
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void load_all(void)
{
	for (int i = 0; i < 3; i++)
		read_config("/nonexistent/captrace-config");
	NO_TAIL_CALL();
}

__attribute__((noinline)) static void open_markup(void)
{
	close(open("/nonexistent/<script>window.pwned=2</script>", O_RDONLY)); /* SITE:open_markup */
	NO_TAIL_CALL();
}

int main(void)
{
	cap_enter(); /* SITE:enter */
	load_all();
	open_markup();
	kill(1, 0); /* SITE:signal_init */
	return 0;
}
