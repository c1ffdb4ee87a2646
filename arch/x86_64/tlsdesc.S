/* TLS descriptor functions (x86-64 TLSDESC ABI): called with %rax pointing
   at the descriptor {function, argument}; return in %rax the variable's
   offset from the thread pointer; every other register is preserved. */
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

	.section .note.GNU-stack, "", @progbits
