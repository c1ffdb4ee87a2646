// Version requirements (DT_VERNEED) checked against the definitions
// (DT_VERDEF) of the objects that provide them, before relocation.
#pragma once

namespace rtld {

// Checks every loaded object's requirements; prints glibc's message for
// each missing version and exits with status 1 if any is missing.
void CheckVersions();

}  // namespace rtld
