/* Process entry of the test programs (x86-64 psABI, "Process Initialization").
 * At entry %rsp points at argc (16-byte aligned) and %rdx holds the function
 * the program must register to run at exit (0 if none). Pass both to
 * rt_start_c, which never returns. */
	.text
	.globl	_start
	.type	_start, @function
_start:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%rsp, %rdi		/* initial stack pointer: &argc */
	movq	%rdx, %rsi		/* the ABI fini function */
	andq	$-16, %rsp
	call	rt_start_c
	hlt
	.cfi_endproc
	.size	_start, . - _start

	.section .note.GNU-stack, "", @progbits
