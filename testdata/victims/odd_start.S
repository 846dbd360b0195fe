/*
 * odd_start: a program entry of another shape than glibc's crt1.o
 * (sysdeps/x86_64/start.S), which calls __libc_start_main directly in a
 * static program. This one calls it through a register, as a hand-written
 * or another C library's start-up may: the entry code then does not show
 * where the linked-in C library starts. The arguments are glibc's (main
 * in %rdi, argc, argv, no init/fini, rtld_fini from %rdx, stack end).
 */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	movq %rdx, %r9
	popq %rsi
	movq %rsp, %rdx
	andq $-16, %rsp
	pushq %rax
	pushq %rsp
	xorl %r8d, %r8d
	xorl %ecx, %ecx
	leaq main(%rip), %rdi
	movq __libc_start_main@GOTPCREL(%rip), %rax
	call *%rax
	hlt
	.size _start, .-_start

/*
 * crt1.o's empty _dl_relocate_static_pie (glibc csu/static-reloc.c),
 * which __libc_start_main calls in a static program that is not
 * static-pie.
 */
	.globl _dl_relocate_static_pie
	.hidden _dl_relocate_static_pie
	.type _dl_relocate_static_pie, @function
_dl_relocate_static_pie:
	ret
	.size _dl_relocate_static_pie, .-_dl_relocate_static_pie

	.section .note.GNU-stack,"",@progbits
