// The loader an executable of the symbol cache tools runs by default
// (common.h, DefaultLoader), compiled once per executable: the build tree's
// copies name the loader this build made, the installed ones the loader
// meson installs (meson_options.txt: loader_dir).
#include "tools/symcache/common.h"

#if !defined(RTLD_LOADER_BESIDE_TOOL) || !defined(RTLD_LOADER_PATH)
#error "meson defines RTLD_LOADER_BESIDE_TOOL and RTLD_LOADER_PATH"
#endif

namespace symcache {

extern const char kLoaderBesideTool[] = RTLD_LOADER_BESIDE_TOOL;
extern const char kLoaderPath[] = RTLD_LOADER_PATH;

}  // namespace symcache
