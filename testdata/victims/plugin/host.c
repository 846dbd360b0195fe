/*
 * host: loads a plugin with dlopen and calls its plugin_enter through
 * dlsym, then opens a global path. With --enter=plugin_enter the enter
 * function is in no module the program has at its start: captrace finds
 * it when the loader maps the plugin.
 *
 * usage: host PLUGIN.so
 */
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	/* Before the enter point: not a violation. */
	int before = open("/etc/hostname", O_RDONLY);
	void *h = dlopen(argv[1], RTLD_NOW);
	if (!h) {
		fprintf(stderr, "%s\n", dlerror());
		return 1;
	}
	void (*enter)(void) = (void (*)(void))dlsym(h, "plugin_enter");
	if (!enter)
		return 1;
	enter(); /* ENTER:plugin */
	int after = open("/etc/hostname", O_RDONLY); /* SITE:host_open */
	printf("%d %d\n", before >= 0, after >= 0);
	return 0;
}
