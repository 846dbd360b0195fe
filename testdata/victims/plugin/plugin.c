/* plugin: the enter function of host.c, in a library loaded with dlopen. */
#include <stdio.h>

__attribute__((noinline)) void plugin_enter(void)
{
	__asm__ volatile("" ::: "memory");
}
