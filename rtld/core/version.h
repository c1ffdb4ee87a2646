// Version requirements (DT_VERNEED) checked against the definitions
// (DT_VERDEF) of the objects that provide them, before relocation.
#pragma once

#include "rtld/core/module.h"

namespace rtld {

// Checks every loaded object's requirements; prints glibc's message for
// each missing version and exits with status 1 if any is missing.
void CheckVersions();

// Checks the requirements of `first` and the objects after it in load
// order (dlopen): the first missing version is an error raised with Fatal,
// which dlopen catches.
void CheckVersionsFrom(Module* first);

}  // namespace rtld
