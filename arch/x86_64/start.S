/* Entry of ld.so, from the kernel (as PT_INTERP or as a command).
   %rsp points at argc; the ABI leaves %rdx as a function for atexit (0
   from the kernel). RtldStart(sp) returns the program's entry in %rax and
   its stack pointer in %rdx; the program starts with %rdx = our fini. */
	.text
	.globl	_start
	.hidden	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	movq	%rsp, %rdi
	andq	$-16, %rsp
	call	RtldStart
	movq	%rdx, %rsp
	leaq	RtldFini(%rip), %rdx
	jmp	*%rax
	.size	_start, . - _start

	.section .note.GNU-stack, "", @progbits
