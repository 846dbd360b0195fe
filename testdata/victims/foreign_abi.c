/*
 * foreign_abi: 32-bit syscalls (int $0x80) from a 64-bit program after
 * cap_enter. Their numbers are i386's (arch/x86/entry/syscalls/
 * syscall_32.tbl), not x86-64's, and their arguments are in ebx, ecx, edx,
 * esi, edi, ebp: captrace must decode them with the i386 table. Each
 * number below means something harmless on x86-64, so a tracer reading it
 * as x86-64 reports nothing: 5 is open (fstat there), 37 kill (alarm),
 * 102 socketcall (getuid), 20 getpid (writev), allowed on both.
 *
 * int $0x80 truncates pointers to 32 bits, so the strings and structs
 * live in a MAP_32BIT mapping.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include "capsicum_stub.h"

#define I386_OPEN 5
#define I386_GETPID 20
#define I386_KILL 37
#define I386_SOCKETCALL 102
#define SYS_CONNECT 3 /* include/uapi/linux/net.h */

__attribute__((noinline)) static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory"); /* SITE:int80 */
	return ret;
}

struct low {
	char path[16];
	struct sockaddr_in sin;
	unsigned int socketcall_args[3];
};

int main(void)
{
	struct low *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	int sock = dup2(socket(AF_INET, SOCK_STREAM, 0), 7); /* a known number */

	if (low == MAP_FAILED || sock != 7)
		return 2;
	strcpy(low->path, "/etc/hostname");
	low->sin.sin_family = AF_INET;
	low->sin.sin_port = htons(9);
	low->sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	low->socketcall_args[0] = (unsigned int)sock;
	low->socketcall_args[1] = (unsigned int)(unsigned long)&low->sin;
	low->socketcall_args[2] = sizeof low->sin;

	cap_enter();
	if (int80(I386_GETPID, 0, 0, 0) != getpid())
		return 3;
	int80(I386_OPEN, (long)(unsigned long)low->path, O_RDONLY, 0);
	int80(I386_KILL, 1, 0, 0);
	int80(I386_SOCKETCALL, SYS_CONNECT, (long)(unsigned long)low->socketcall_args, 0);
	return 0;
}
