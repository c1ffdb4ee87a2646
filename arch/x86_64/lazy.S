/* Lazy-binding trampolines, entered from PLT0 with the stack holding
     0(%rsp)  the object's Module*  (pushed from GOT[1])
     8(%rsp)  the relocation index (pushed by the PLT entry)
    16(%rsp)  the caller's return address
   Every argument register survives: the integer ones (and %rax, the
   vector-register count of variadic calls, and %r10, the static chain) are
   saved, and all vector state is saved with xsavec or xsave (sized from
   cpuid leaf 0xD at start-up, RtldXsaveSize) or, without XSAVE, fxsave. The
   bound address is looked up by RtldLazyFixup(module, index), then the
   trampoline jumps there with the caller's frame untouched. */

#include "arch/x86_64/xsave.inc"

	.text

.macro SAVE_GPRS
	pushq	%rbx
	movq	%rsp, %rbx		/* 8(%rbx) module, 16(%rbx) index */
	andq	$-64, %rsp
	subq	$64, %rsp
	movq	%rax, 0(%rsp)
	movq	%rcx, 8(%rsp)
	movq	%rdx, 16(%rsp)
	movq	%rsi, 24(%rsp)
	movq	%rdi, 32(%rsp)
	movq	%r8, 40(%rsp)
	movq	%r9, 48(%rsp)
	movq	%r10, 56(%rsp)
.endm

.macro CALL_FIXUP_AND_JUMP restore
	movq	8(%rbx), %rdi
	movq	16(%rbx), %rsi
	call	RtldLazyFixup
	movq	%rax, %r11
	\restore
	movq	0(%rsp), %rax
	movq	8(%rsp), %rcx
	movq	16(%rsp), %rdx
	movq	24(%rsp), %rsi
	movq	32(%rsp), %rdi
	movq	40(%rsp), %r8
	movq	48(%rsp), %r9
	movq	56(%rsp), %r10
	movq	%rbx, %rsp
	popq	%rbx
	addq	$16, %rsp
	jmp	*%r11
.endm

	.globl	RtldLazyXsave
	.hidden	RtldLazyXsave
	.type	RtldLazyXsave, @function
RtldLazyXsave:
	SAVE_GPRS
	subq	RtldXsaveSize(%rip), %rsp	/* a multiple of 64 */
	CLEAR_XSAVE_HEADER
	movl	$-1, %eax
	movl	$-1, %edx
	xsave	(%rsp)
	.macro RESTORE_XSAVE
	movl	$-1, %eax
	movl	$-1, %edx
	xrstor	(%rsp)
	addq	RtldXsaveSize(%rip), %rsp
	.endm
	CALL_FIXUP_AND_JUMP RESTORE_XSAVE
	.size	RtldLazyXsave, . - RtldLazyXsave

/* xsavec: the compacted format skips components in their initial state.
   It writes only the first 16 bytes of the header; xrstor faults unless
   the rest is zero, so the header is cleared first as for xsave. */
	.globl	RtldLazyXsavec
	.hidden	RtldLazyXsavec
	.type	RtldLazyXsavec, @function
RtldLazyXsavec:
	SAVE_GPRS
	subq	RtldXsaveSize(%rip), %rsp	/* a multiple of 64 */
	CLEAR_XSAVE_HEADER
	movl	$-1, %eax
	movl	$-1, %edx
	xsavec	(%rsp)
	CALL_FIXUP_AND_JUMP RESTORE_XSAVE
	.size	RtldLazyXsavec, . - RtldLazyXsavec

	.globl	RtldLazyFxsave
	.hidden	RtldLazyFxsave
	.type	RtldLazyFxsave, @function
RtldLazyFxsave:
	SAVE_GPRS
	subq	$512, %rsp
	fxsave	(%rsp)
	.macro RESTORE_FXSAVE
	fxrstor	(%rsp)
	addq	$512, %rsp
	.endm
	CALL_FIXUP_AND_JUMP RESTORE_FXSAVE
	.size	RtldLazyFxsave, . - RtldLazyFxsave

	.section .note.GNU-stack, "", @progbits
