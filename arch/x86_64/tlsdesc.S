/* TLS descriptor functions (x86-64 TLSDESC ABI): called with %rax pointing
   at the descriptor {function, argument}; return in %rax the variable's
   offset from the thread pointer; every other register is preserved. */
#include "arch/x86_64/xsave.inc"

	.text

/* Static TLS: the argument is already the offset. */
	.globl	RtldTlsdescStatic
	.hidden	RtldTlsdescStatic
	.type	RtldTlsdescStatic, @function
RtldTlsdescStatic:
	movq	8(%rax), %rax
	ret
	.size	RtldTlsdescStatic, . - RtldTlsdescStatic

/* An unresolved weak TLS symbol: its address is the addend (0), so the
   offset is addend - thread pointer. */
	.globl	RtldTlsdescUndefweak
	.hidden	RtldTlsdescUndefweak
	.type	RtldTlsdescUndefweak, @function
RtldTlsdescUndefweak:
	movq	8(%rax), %rax
	subq	%fs:0, %rax
	ret
	.size	RtldTlsdescUndefweak, . - RtldTlsdescUndefweak

/* A block that may not be allocated yet (dlopen'ed objects): the argument
   points at {module id, offset, generation}. Fast path: this thread's DTV
   has reached the generation and the block exists. Otherwise every
   register but %rax is saved, the vector state included (with xsave sized
   RtldTlsdescXsaveSize, or fxsave when that is 0), and
   RtldTlsGetAddrSlow(argument) allocates it. */
	.globl	RtldTlsdescDynamic
	.hidden	RtldTlsdescDynamic
	.type	RtldTlsdescDynamic, @function
RtldTlsdescDynamic:
	movq	%rsi, -16(%rsp)
	movq	%rdi, -8(%rsp)
	movq	8(%rax), %rdi
	movq	%fs:8, %rsi
	movq	(%rsi), %rax		/* the DTV's generation */
	cmpq	%rax, 16(%rdi)
	ja	.Lslow
	movq	(%rdi), %rax
	salq	$4, %rax
	movq	(%rsi,%rax), %rax
	cmpq	$-1, %rax
	je	.Lslow
	addq	8(%rdi), %rax
.Ldone:
	subq	%fs:0, %rax
	movq	-16(%rsp), %rsi
	movq	-8(%rsp), %rdi
	ret
.Lslow:
	subq	$16, %rsp		/* the saved %rsi and %rdi are below %rsp now: keep them */
	pushq	%rbx
	movq	%rsp, %rbx
	andq	$-64, %rsp
	subq	$64, %rsp
	movq	%rcx, 0(%rsp)
	movq	%rdx, 8(%rsp)
	movq	%r8, 16(%rsp)
	movq	%r9, 24(%rsp)
	movq	%r10, 32(%rsp)
	movq	%r11, 40(%rsp)
	movq	RtldTlsdescXsaveSize(%rip), %rcx
	testq	%rcx, %rcx
	jz	.Lfx
	subq	%rcx, %rsp
	CLEAR_XSAVE_HEADER
	movl	$-1, %eax
	movl	$-1, %edx
	xsave	(%rsp)
	call	RtldTlsGetAddrSlow
	movq	%rax, %rcx
	movl	$-1, %eax
	movl	$-1, %edx
	xrstor	(%rsp)
	movq	%rcx, %rax
	jmp	.Lrestore
.Lfx:
	subq	$512, %rsp
	fxsave	(%rsp)
	call	RtldTlsGetAddrSlow
	fxrstor	(%rsp)
.Lrestore:
	movq	%rbx, %rsp
	andq	$-64, %rsp
	subq	$64, %rsp
	movq	0(%rsp), %rcx
	movq	8(%rsp), %rdx
	movq	16(%rsp), %r8
	movq	24(%rsp), %r9
	movq	32(%rsp), %r10
	movq	40(%rsp), %r11
	movq	%rbx, %rsp
	popq	%rbx
	addq	$16, %rsp
	jmp	.Ldone
	.size	RtldTlsdescDynamic, . - RtldTlsdescDynamic

	.section .note.GNU-stack, "", @progbits
