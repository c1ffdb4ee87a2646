// The linker matrix's library (libmatrix_CELL.so): the interface the
// program and the plugin use. Every cell builds the same three sources with
// its own linker and options (tests/compat/linker_matrix.py).
#pragma once
#include <stdexcept>
#include <string>

struct MatrixError : std::runtime_error {
  int code;
  MatrixError(const std::string &what, int code);
  ~MatrixError() override;  // key function: typeinfo and vtable in the library
};

// Throws MatrixError("matrix_throw(N)", N) when n > 0; returns 0 otherwise.
int matrix_throw(int n);

// An IFUNC (STT_GNU_IFUNC): its resolver picks one of two implementations.
extern "C" int matrix_ifunc(int x);
// &matrix_ifunc as the library itself sees it.
void *matrix_ifunc_address();

// Data: a non-PIE program's direct references copy it (R_X86_64_COPY).
extern int matrix_table[8];
int *matrix_table_address();
int matrix_table_sum();  // through the library's own references

// TLS: an int initialised to 42 (.tdata), read from the program (initial-
// exec) and from the library (global-dynamic or TLS descriptors).
extern thread_local int matrix_tls;
int matrix_tls_bump();  // ++matrix_tls inside the library
// A thread_local object with a constructor and a destructor (counted).
int matrix_tl_object(int add);
extern int matrix_tl_destroyed;  // destructor runs so far (atomic adds)
