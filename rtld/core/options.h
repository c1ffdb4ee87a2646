// The loader's inputs besides the program: LD_* environment variables and,
// in command mode, `ld.so [OPTIONS] PROGRAM [ARGS]`.
#pragma once

namespace rtld {

// Reads the LD_* variables into g.opt. In secure mode (AT_SECURE) the
// unsafe ones are ignored and removed from the program's environment.
void ReadEnvironment();

// Command mode: parses the options, handles --help/--version, removes the
// loader's own arguments from the stack (argv, envp and auxv move down, as
// glibc 2.36 does) and returns the program's path.
const char* ParseCommandLine();

// The value of environment variable `name` in the program's environment
// (after secure mode removed what it removes), or nullptr.
const char* GetEnv(const char* name);

}  // namespace rtld
