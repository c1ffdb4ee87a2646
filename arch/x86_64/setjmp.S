/* A minimal setjmp/longjmp for the loader's error recovery (an error
   inside dlopen unwinds to the dl API entry that caught it). The buffer
   holds the callee-saved registers, the stack pointer after return and the
   return address: 8 words. */
	.text

	.globl	RtldSetjmp
	.hidden	RtldSetjmp
	.type	RtldSetjmp, @function
RtldSetjmp:
	movq	%rbx, 0(%rdi)
	movq	%rbp, 8(%rdi)
	movq	%r12, 16(%rdi)
	movq	%r13, 24(%rdi)
	movq	%r14, 32(%rdi)
	movq	%r15, 40(%rdi)
	leaq	8(%rsp), %rdx		/* the caller's stack pointer after return */
	movq	%rdx, 48(%rdi)
	movq	(%rsp), %rdx		/* the return address */
	movq	%rdx, 56(%rdi)
	xorl	%eax, %eax
	ret
	.size	RtldSetjmp, . - RtldSetjmp

/* RtldLongjmp(buffer, value): returns value (never 0) from RtldSetjmp. */
	.globl	RtldLongjmp
	.hidden	RtldLongjmp
	.type	RtldLongjmp, @function
RtldLongjmp:
	movl	%esi, %eax
	testl	%eax, %eax
	jnz	1f
	incl	%eax
1:	movq	0(%rdi), %rbx
	movq	8(%rdi), %rbp
	movq	16(%rdi), %r12
	movq	24(%rdi), %r13
	movq	32(%rdi), %r14
	movq	40(%rdi), %r15
	movq	48(%rdi), %rsp
	jmpq	*56(%rdi)
	.size	RtldLongjmp, . - RtldLongjmp

	.section .note.GNU-stack, "", @progbits
