/* Valid base program of the malformed tier: libc-free PIE that needs
 * libbad.so. It prints "ok\n" only when the loader really loaded and
 * relocated it and its libraries, so an accepted mutation is visible:
 *  - bad_message@PLT: a JUMP_SLOT relocation and a versioned reference
 *    (BAD_1), which gives the program a DT_VERNEED;
 *  - bad_ready@GOTPCREL: a GLOB_DAT relocation in .rela.dyn (a relocation
 *    with a symbol, which the symbol-index mutation needs);
 *  - self_ptr: an R_X86_64_RELATIVE relocation;
 *  - prog_tls: a PT_TLS segment for the TLS-alignment mutation. */
        .text
        .globl  _start
        .type   _start, @function
_start:
        and     $-16, %rsp
        lea     self_ptr(%rip), %rcx
        cmp     (%rcx), %rcx                /* RELATIVE relocation applied? */
        jne     fail
        mov     bad_ready@GOTPCREL(%rip), %rcx
        cmpl    $1, (%rcx)                  /* GLOB_DAT resolved into libbad.so? */
        jne     fail
        call    bad_message@PLT             /* "ok\n" from libbad.so */
        mov     %rax, %rsi
        mov     $1, %edi
        mov     $3, %edx
        mov     $1, %eax                    /* write(1, msg, 3) */
        syscall
        xor     %edi, %edi
        mov     $231, %eax                  /* exit_group(0) */
        syscall
fail:
        lea     fail_text(%rip), %rsi
        mov     $1, %edi
        mov     $5, %edx
        mov     $1, %eax
        syscall
        mov     $1, %edi
        mov     $231, %eax
        syscall
        .size   _start, .-_start

        .section .rodata
fail_text:
        .ascii  "fail\n"

        .section .data.rel.local, "aw"
        .balign 8
self_ptr:
        .quad   self_ptr

        .section .tdata, "awT", @progbits
        .balign 4
        .globl  prog_tls
prog_tls:
        .long   3

        .section .note.GNU-stack, "", @progbits
