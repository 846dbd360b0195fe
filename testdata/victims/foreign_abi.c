/*
 * foreign_abi: a 32-bit syscall (int $0x80) from a 64-bit program after
 * cap_enter. Its numbers are i386's, not x86-64's: the filter marks it and
 * captrace reports it as a syscall of another ABI, arguments in hex.
 */
#define _GNU_SOURCE
#include "capsicum_stub.h"

__attribute__((noinline)) static long getpid32(void)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory"); /* SITE:int80 */
	return ret;
}

int main(void)
{
	cap_enter();
	return getpid32() > 0 ? 0 : 1;
}
