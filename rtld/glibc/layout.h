// glibc 2.36's private data structures (Debian 12, x86-64), laid out exactly
// as that build lays them out, for the glibc personality (DESIGN §2).
//
// libc.so.6 reads and writes these at fixed offsets (contract §2), so every
// byte here is a fact about one glibc build, taken from its debug information
// (`gdb -batch -ex 'ptype /o struct rtld_global' <ld.so's .debug file>`).
// tests/layout (suite 'layout') checks every member's offset and size, every
// bitfield's bit position and width and every structure's size against that
// debug information on the machine; change nothing here without running it.
//
// Member names are glibc's, so that code reads like glibc's own field
// accesses (`GL(dl_ns)[ns]._ns_loaded` becomes `gl._dl_ns[ns]._ns_loaded`).
// Types are plain: ELF structures are rtld::elf's (forward-declared here),
// pointers to types this loader never looks into are void*, and glibc's
// unnamed enums are unsigned integers plus the enumerators as constants.
// Bitfields are declared in glibc's order with glibc's widths so gcc packs
// them identically. Bytes this header does not name are `pad_<offset>`.
//
// Freestanding-safe: <stdint.h> and <stddef.h> only.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rtld::elf {
struct Ehdr;
struct Phdr;
struct Dyn;
struct Sym;
}  // namespace rtld::elf

namespace rtld::glibc {

struct LinkMap;
struct Pthread;

// ---------------------------------------------------------------------------
// Lists and locks
// ---------------------------------------------------------------------------

// list_t (struct list_head): circular doubly linked list; the stack lists in
// RtldGlobal and Pthread::list.
struct ListT {
  ListT* next;
  ListT* prev;
};
static_assert(sizeof(ListT) == 16);

// __pthread_list_t (struct __pthread_internal_list).
struct PthreadInternalList {
  PthreadInternalList* __prev;
  PthreadInternalList* __next;
};
static_assert(sizeof(PthreadInternalList) == 16);

// pthread_mutex_t (x86-64). PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP is all
// zero except __data.__kind = kPthreadMutexRecursiveNp.
union PthreadMutex {
  struct PthreadMutexData {  // struct __pthread_mutex_s
    int __lock;
    unsigned int __count;
    int __owner;  // tid of the owner
    unsigned int __nusers;
    int __kind;
    short __spins;
    short __elision;
    PthreadInternalList __list;
  } __data;
  char __size[40];
  long __align;
};
static_assert(sizeof(PthreadMutex) == 40);
inline constexpr int kPthreadMutexRecursiveNp = 1;

// __rtld_lock_recursive_t: glibc's recursive loader lock.
struct RtldLockRecursive {
  PthreadMutex mutex;
};
static_assert(sizeof(RtldLockRecursive) == 40);

// ---------------------------------------------------------------------------
// Pieces of struct link_map
// ---------------------------------------------------------------------------

// struct r_scope_elem: one search scope.
struct RScopeElem {
  LinkMap** r_list;
  unsigned int r_nlist;
};
static_assert(sizeof(RScopeElem) == 16);

// struct r_search_path_elem (variable length: `status` has one entry per
// hwcaps subdirectory).
struct RSearchPathElem {
  RSearchPathElem* next;  // chain of all directories (GL(dl_all_dirs))
  const char* what;
  const char* where;
  const char* dirname;
  size_t dirnamelen;
  unsigned int status[];  // enum r_dir_status
};
static_assert(sizeof(RSearchPathElem) == 40);

// struct r_search_path_struct: an RPATH or RUNPATH list.
struct RSearchPath {
  RSearchPathElem** dirs;
  int malloced;
};
static_assert(sizeof(RSearchPath) == 16);

// struct libname_list: the names an object answers to.
struct LibnameList {
  const char* name;
  LibnameList* next;
  int dont_free;
};
static_assert(sizeof(LibnameList) == 24);

// struct r_file_id: identity of a mapped file.
struct RFileId {
  uint64_t dev;  // dev_t
  uint64_t ino;  // ino64_t
};
static_assert(sizeof(RFileId) == 16);

// struct r_found_version: a version requirement, as passed to
// _dl_lookup_symbol_x.
struct RFoundVersion {
  const char* name;
  uint32_t hash;  // Elf64_Word
  int hidden;
  const char* filename;
};
static_assert(sizeof(RFoundVersion) == 24);

// struct link_map_machine (x86-64).
struct LinkMapMachine {
  uint64_t plt;     // Elf64_Addr
  uint64_t gotplt;  // Elf64_Addr
  void* tlsdesc_table;
};
static_assert(sizeof(LinkMapMachine) == 24);

// struct link_map_reldeps: dependencies added at run time (variable length).
struct ReldepList {
  unsigned int act;
  LinkMap* list[];
};
static_assert(sizeof(ReldepList) == 8);

// struct reloc_result: one entry of l_reloc_result (lazy binding, auditing).
struct RelocResult {
  uint64_t addr;  // Elf64_Addr
  LinkMap* bound;
  unsigned int boundndx;
  uint32_t enterexit;
  unsigned int flags;
  unsigned int init;
};
static_assert(sizeof(RelocResult) == 32);

// struct auditstate.
struct AuditState {
  uintptr_t cookie;
  unsigned int bindflags;
};
static_assert(sizeof(AuditState) == 16);

// ---------------------------------------------------------------------------
// struct link_map (glibc's internal one, include/link.h; 1192 bytes)
// ---------------------------------------------------------------------------

// l_type
enum : unsigned int { lt_executable = 0, lt_library = 1, lt_loaded = 2 };
// l_property
enum : unsigned int { lc_property_unknown = 0, lc_property_none = 1, lc_property_valid = 2 };

// l_info[] indices (index = tag for tags below kDtNum).
inline constexpr unsigned kDtNum = 38;  // DT_NUM: up to DT_RELRENT
inline constexpr unsigned kDtVersionTagNum = 16;
inline constexpr unsigned kDtExtraNum = 3;
inline constexpr unsigned kDtValNum = 12;
inline constexpr unsigned kDtAddrNum = 11;
inline constexpr unsigned kLInfoCount = kDtNum + kDtVersionTagNum + kDtExtraNum + kDtValNum + kDtAddrNum;
static_assert(kLInfoCount == 80);
// VERSYMIDX: DT_VERSYM .. DT_VERNEEDNUM (0x6ffffff0 .. 0x6fffffff).
constexpr unsigned versym_idx(int64_t tag) { return kDtNum + static_cast<unsigned>(0x6fffffff - tag); }
// VALIDX: DT_VALRNGLO .. DT_VALRNGHI (0x6ffffd00 .. 0x6ffffdff).
constexpr unsigned val_idx(int64_t tag) {
  return kDtNum + kDtVersionTagNum + kDtExtraNum + static_cast<unsigned>(0x6ffffdff - tag);
}
// ADDRIDX: DT_ADDRRNGLO .. DT_ADDRRNGHI (0x6ffffe00 .. 0x6ffffeff).
constexpr unsigned addr_idx(int64_t tag) {
  return kDtNum + kDtVersionTagNum + kDtExtraNum + kDtValNum + static_cast<unsigned>(0x6ffffeff - tag);
}
// The l_info slot glibc's elf_get_dynamic_info (elf/get-dynamic-info.h)
// gives a dynamic tag, or -1 where it records none. x86-64 has no
// processor-specific slots (DT_THISPROCNUM = 0). The arithmetic is glibc's,
// including for tags no linker writes: DT_EXTRATAGIDX looks only at the low
// 32 bits as a signed word, so a hostile tag lands where glibc's would.
constexpr int LInfoIndex(int64_t tag) {
  const uint64_t t = static_cast<uint64_t>(tag);
  if (t < kDtNum) return static_cast<int>(t);
  // DT_VERSIONTAGIDX: DT_VERNEEDNUM - tag, compared unsigned.
  if (uint64_t{0x6fffffff} - t < kDtVersionTagNum) return static_cast<int>(versym_idx(tag));
  // DT_EXTRATAGIDX: -(((int32_t)tag << 1) >> 1) - 1, as a 32-bit word.
  const int32_t low = static_cast<int32_t>(static_cast<uint32_t>(t) << 1) >> 1;
  const uint32_t extra = static_cast<uint32_t>(-static_cast<int64_t>(low)) - 1u;
  if (extra < kDtExtraNum) return static_cast<int>(kDtNum + kDtVersionTagNum + extra);
  if (uint64_t{0x6ffffdff} - t < kDtValNum) return static_cast<int>(val_idx(tag));    // DT_VALTAGIDX
  if (uint64_t{0x6ffffeff} - t < kDtAddrNum) return static_cast<int>(addr_idx(tag));  // DT_ADDRTAGIDX
  return -1;
}
static_assert(LInfoIndex(0x6ffffef5) == 79);  // DT_GNU_HASH (contract §2.4)
static_assert(LInfoIndex(0x6ffffff0) == 53);  // DT_VERSYM
static_assert(LInfoIndex(0x6ffffffb) == 42);  // DT_FLAGS_1
static_assert(LInfoIndex(37) == 37);          // DT_RELRENT, the last of DT_NUM
static_assert(LInfoIndex(0x7fffffff) == 54);  // DT_FILTER
static_assert(LInfoIndex(0x7ffffffd) == 56);  // DT_AUXILIARY
static_assert(LInfoIndex(0x6ffffdf5) == 67);  // DT_GNU_PRELINKED (a DT_VALTAGIDX)
static_assert(LInfoIndex(38) == -1 && LInfoIndex(0x6ffffef4) == -1);

// l_tls_offset values
inline constexpr ptrdiff_t kNoTlsOffset = 0;
inline constexpr ptrdiff_t kForcedDynamicTlsOffset = -1;

struct LinkMap {
  // The public struct link_map (<link.h>, 40 bytes).
  uint64_t l_addr;  // Elf64_Addr: load bias
  char* l_name;
  elf::Dyn* l_ld;
  LinkMap* l_next;
  LinkMap* l_prev;

  // glibc's private part.
  LinkMap* l_real;  // self, except for audit proxies
  long l_ns;        // Lmid_t
  LibnameList* l_libname;
  elf::Dyn* l_info[kLInfoCount];
  const elf::Phdr* l_phdr;
  uint64_t l_entry;  // Elf64_Addr
  uint16_t l_phnum;  // Elf64_Half
  uint16_t l_ldnum;
  RScopeElem l_searchlist;
  RScopeElem l_symbolic_searchlist;
  LinkMap* l_loader;
  RFoundVersion* l_versions;
  unsigned int l_nversions;
  uint32_t l_nbuckets;  // Elf_Symndx
  uint32_t l_gnu_bitmask_idxbits;
  uint32_t l_gnu_shift;
  const uint64_t* l_gnu_bitmask;  // Elf64_Addr*
  union {
    const uint32_t* l_gnu_buckets;
    const uint32_t* l_chain;
  };
  union {
    const uint32_t* l_gnu_chain_zero;
    const uint32_t* l_buckets;
  };
  unsigned int l_direct_opencount;
  // One 32-bit unit at offset 820; 23 bits used.
  unsigned int l_type : 2;  // lt_executable / lt_library / lt_loaded
  unsigned int l_dt_relr_ref : 1;
  unsigned int l_relocated : 1;
  unsigned int l_init_called : 1;
  unsigned int l_global : 1;
  unsigned int l_reserved : 2;
  unsigned int l_main_map : 1;
  unsigned int l_visited : 1;
  unsigned int l_map_used : 1;
  unsigned int l_map_done : 1;
  unsigned int l_phdr_allocated : 1;
  unsigned int l_soname_added : 1;
  unsigned int l_faked : 1;
  unsigned int l_need_tls_init : 1;
  unsigned int l_auditing : 1;
  unsigned int l_audit_any_plt : 1;
  unsigned int l_removed : 1;
  unsigned int l_contiguous : 1;
  unsigned int l_free_initfini : 1;
  unsigned int l_ld_readonly : 1;
  unsigned int l_find_object_processed : 1;
  // The bools take the next free bytes (823, 824) of the same unit.
  bool l_nodelete_active;
  bool l_nodelete_pending;
  unsigned int l_property : 2;  // lc_property_*; byte 825
  unsigned int l_x86_feature_1_and;
  unsigned int l_x86_isa_1_needed;
  unsigned int l_1_needed;
  RSearchPath l_rpath_dirs;
  RelocResult* l_reloc_result;
  const uint16_t* l_versyms;  // Elf64_Versym*
  const char* l_origin;       // directory of the object, or (char*)-1
  uint64_t l_map_start;       // Elf64_Addr
  uint64_t l_map_end;
  uint64_t l_text_end;
  RScopeElem* l_scope_mem[4];
  size_t l_scope_max;
  RScopeElem** l_scope;  // NULL-terminated
  RScopeElem* l_local_scope[2];
  RFileId l_file_id;
  RSearchPath l_runpath_dirs;
  LinkMap** l_initfini;
  LinkMap* l_init_called_next;
  ReldepList* l_reldeps;
  unsigned int l_reldepsmax;
  unsigned int l_used;
  uint32_t l_feature_1;  // Elf64_Word
  uint32_t l_flags_1;
  uint32_t l_flags;
  int l_idx;
  LinkMapMachine l_mach;
  struct LookupCache {
    const elf::Sym* sym;
    int type_class;
    LinkMap* value;
    const elf::Sym* ret;
  } l_lookup_cache;
  void* l_tls_initimage;
  size_t l_tls_initimage_size;
  size_t l_tls_blocksize;
  size_t l_tls_align;
  size_t l_tls_firstbyte_offset;
  ptrdiff_t l_tls_offset;  // kNoTlsOffset / kForcedDynamicTlsOffset / offset below TP
  size_t l_tls_modid;
  size_t l_tls_dtor_count;  // atomically updated by libc
  uint64_t l_relro_addr;    // Elf64_Addr
  size_t l_relro_size;
  unsigned long long l_serial;
};
static_assert(sizeof(LinkMap) == 1192);
static_assert(alignof(LinkMap) == 8);
static_assert(offsetof(LinkMap, l_real) == 40);  // end of the public part

// ---------------------------------------------------------------------------
// Debugger interface and namespaces
// ---------------------------------------------------------------------------

// r_state
enum : unsigned int { RT_CONSISTENT = 0, RT_ADD = 1, RT_DELETE = 2 };

// struct r_debug (<link.h>).
struct RDebug {
  int r_version;
  LinkMap* r_map;     // struct link_map_public* in glibc
  uint64_t r_brk;     // Elf64_Addr: &_dl_debug_state
  unsigned int r_state;  // RT_*
  uint64_t r_ldbase;  // Elf64_Addr
};
static_assert(sizeof(RDebug) == 40);

// struct r_debug_extended (_r_debug_extended; _r_debug aliases `base`).
struct RDebugExtended {
  RDebug base;
  RDebugExtended* r_next;
};
static_assert(sizeof(RDebugExtended) == 48);

// struct unique_sym: an STB_GNU_UNIQUE definition.
struct UniqueSym {
  uint32_t hashval;
  const char* name;
  const elf::Sym* sym;
  const LinkMap* map;
};
static_assert(sizeof(UniqueSym) == 32);

// struct unique_sym_table.
struct UniqueSymTable {
  RtldLockRecursive lock;
  UniqueSym* entries;
  size_t size;
  size_t n_elements;
  void (*free)(void*);
};
static_assert(sizeof(UniqueSymTable) == 72);

// struct link_namespaces: one element of GL(dl_ns).
struct LinkNamespaces {
  LinkMap* _ns_loaded;
  unsigned int _ns_nloaded;
  RScopeElem* _ns_main_searchlist;
  unsigned int _ns_global_scope_alloc;
  unsigned int _ns_global_scope_pending_adds;
  LinkMap* libc_map;
  UniqueSymTable _ns_unique_sym_table;
  RDebugExtended _ns_debug;  // unused for namespace 0 (_r_debug_extended is)
};
static_assert(sizeof(LinkNamespaces) == 160);

// ---------------------------------------------------------------------------
// TLS: DTV and slotinfo
// ---------------------------------------------------------------------------

// struct dtv_pointer.
struct DtvPointer {
  void* val;      // kTlsDtvUnallocated if not allocated yet
  void* to_free;  // malloc'd block (libc free()s it) or NULL for static TLS
};
static_assert(sizeof(DtvPointer) == 16);

// dtv_t (union dtv). dtv[-1].counter = length, dtv[0].counter = generation.
union Dtv {
  size_t counter;
  DtvPointer pointer;
};
static_assert(sizeof(Dtv) == 16);

inline constexpr uintptr_t kTlsDtvUnallocated = UINTPTR_MAX;  // TLS_DTV_UNALLOCATED, as a pointer value

// struct dtv_slotinfo.
struct DtvSlotinfo {
  size_t gen;
  LinkMap* map;
};
static_assert(sizeof(DtvSlotinfo) == 16);

// struct dtv_slotinfo_list (variable length).
struct DtvSlotinfoList {
  size_t len;
  DtvSlotinfoList* next;
  DtvSlotinfo slotinfo[];
};
static_assert(sizeof(DtvSlotinfoList) == 16);

// ---------------------------------------------------------------------------
// Smaller structures referenced from rtld_global(_ro)
// ---------------------------------------------------------------------------

// struct dl_scope_free_list.
struct DlScopeFreeList {
  size_t count;
  void* list[50];
};
static_assert(sizeof(DlScopeFreeList) == 408);

// struct dl_exception: a signalled loader error.
struct DlException {
  const char* objname;
  const char* errstring;
  char* message_buffer;  // the malloc'd block holding both strings, or NULL
};
static_assert(sizeof(DlException) == 24);

// struct dl_find_object (<dlfcn.h>), filled by GLRO(dl_find_object).
struct DlFindObject {
  unsigned long long dlfo_flags;
  void* dlfo_map_start;
  void* dlfo_map_end;
  LinkMap* dlfo_link_map;
  void* dlfo_eh_frame;
  unsigned long long __dflo_reserved[7];
};
static_assert(sizeof(DlFindObject) == 96);

// enum dl_x86_cet_control
enum : unsigned int { cet_elf_property = 0, cet_always_on = 1, cet_always_off = 2, cet_permissive = 3 };

// struct dl_x86_feature_control.
struct DlX86FeatureControl {
  unsigned int ibt : 2;    // cet_*
  unsigned int shstk : 2;  // cet_*
};
static_assert(sizeof(DlX86FeatureControl) == 4);

// ---------------------------------------------------------------------------
// struct rtld_global (_rtld_global, 4336 bytes): GL(...)
// ---------------------------------------------------------------------------

inline constexpr unsigned kDlNns = 16;  // DL_NNS

struct RtldGlobal {
  LinkNamespaces _dl_ns[kDlNns];
  size_t _dl_nns;
  RtldLockRecursive _dl_load_lock;
  RtldLockRecursive _dl_load_write_lock;
  RtldLockRecursive _dl_load_tls_lock;
  unsigned long long _dl_load_adds;
  LinkMap* _dl_initfirst;
  LinkMap* _dl_profile_map;
  unsigned long _dl_num_relocations;
  unsigned long _dl_num_cache_relocations;
  RSearchPathElem* _dl_all_dirs;
  LinkMap _dl_rtld_map;  // ld.so's own map
  AuditState _dl_rtld_auditstate[kDlNns];
  unsigned int _dl_x86_feature_1;
  DlX86FeatureControl _dl_x86_feature_control;
  uint32_t _dl_stack_flags;  // Elf64_Word: PT_GNU_STACK p_flags
  bool _dl_tls_dtv_gaps;
  size_t _dl_tls_max_dtv_idx;
  DtvSlotinfoList* _dl_tls_dtv_slotinfo_list;
  size_t _dl_tls_static_nelem;
  size_t _dl_tls_static_used;
  size_t _dl_tls_static_optional;
  void* _dl_initial_dtv;
  size_t _dl_tls_generation;
  DlScopeFreeList* _dl_scope_free_list;
  ListT _dl_stack_used;
  ListT _dl_stack_user;  // the main thread's Pthread::list is on it
  ListT _dl_stack_cache;
  size_t _dl_stack_cache_actsize;
  uintptr_t _dl_in_flight_stack;
  int _dl_stack_cache_lock;
};
static_assert(sizeof(RtldGlobal) == 4336);
static_assert(alignof(RtldGlobal) == 8);

// ---------------------------------------------------------------------------
// struct rtld_global_ro (_rtld_global_ro, 896 bytes, RELRO): GLRO(...)
// ---------------------------------------------------------------------------

// enum dso_sort_algorithm
enum : unsigned int { dso_sort_algorithm_original = 0, dso_sort_algorithm_dfs = 1 };

struct RtldGlobalRo {
  int _dl_debug_mask;
  const char* _dl_platform;
  size_t _dl_platformlen;
  size_t _dl_pagesize;
  size_t _dl_minsigstacksize;
  int _dl_inhibit_cache;
  RScopeElem _dl_initial_searchlist;
  int _dl_clktck;
  int _dl_verbose;
  int _dl_debug_fd;
  int _dl_lazy;
  int _dl_bind_not;
  int _dl_dynamic_weak;
  uint16_t _dl_fpu_control;  // fpu_control_t
  uint64_t _dl_hwcap;
  uint64_t* _dl_auxv;  // Elf64_auxv_t*: {a_type, a_val} pairs
  // struct cpu_features; its layout lives in rtld/glibc/cpu_features.h.
  alignas(8) unsigned char _dl_x86_cpu_features[480];
  char _dl_x86_hwcap_flags[3][9];
  char _dl_x86_platforms[4][9];
  const char* _dl_inhibit_rpath;
  const char* _dl_origin_path;
  size_t _dl_tls_static_size;
  size_t _dl_tls_static_align;
  size_t _dl_tls_static_surplus;
  const char* _dl_profile;
  const char* _dl_profile_output;
  RSearchPathElem* _dl_init_all_dirs;
  const elf::Ehdr* _dl_sysinfo_dso;
  LinkMap* _dl_sysinfo_map;
  // vDSO entry points (NULL when absent); struct timespec*/timeval* as void*.
  int (*_dl_vdso_clock_gettime64)(int clockid, void* ts);
  int (*_dl_vdso_gettimeofday)(void* tv, void* tz);
  int64_t (*_dl_vdso_time)(int64_t* t);
  int (*_dl_vdso_getcpu)(unsigned int* cpu, unsigned int* node, void* cache);
  int (*_dl_vdso_clock_getres_time64)(int clockid, void* ts);
  uint64_t _dl_hwcap2;
  unsigned int _dl_dso_sort_algo;  // dso_sort_algorithm_*
  // Loader functions libc calls (contract §2.2 has their contracts).
  void (*_dl_debug_printf)(const char* fmt, ...);
  void (*_dl_mcount)(uint64_t frompc, uint64_t selfpc);
  LinkMap* (*_dl_lookup_symbol_x)(const char* name, LinkMap* undef_map, const elf::Sym** ref,
                                  RScopeElem* symbol_scope[], const RFoundVersion* version,
                                  int type_class, int flags, LinkMap* skip_map);
  void* (*_dl_open)(const char* file, int mode, const void* caller, long nsid, int argc, char** argv,
                    char** env);
  void (*_dl_close)(void* map);
  int (*_dl_catch_error)(const char** objname, const char** errstring, bool* mallocedp,
                         void (*operate)(void*), void* args);
  void (*_dl_error_free)(void* ptr);
  void* (*_dl_tls_get_addr_soft)(LinkMap* map);
  void (*_dl_libc_freeres)(void);
  int (*_dl_find_object)(void* pc, DlFindObject* result);
  const void* _dl_dlfcn_hook;  // struct dlfcn_hook*: must stay NULL
  void* _dl_audit;             // struct audit_ifaces*
  unsigned int _dl_naudit;
};
static_assert(sizeof(RtldGlobalRo) == 896);
static_assert(alignof(RtldGlobalRo) == 8);
static_assert(offsetof(RtldGlobalRo, _dl_x86_cpu_features) == 112);

// ---------------------------------------------------------------------------
// The thread descriptor: tcbhead_t and struct pthread (nptl/descr.h)
// ---------------------------------------------------------------------------

// __128bits
struct Int128Bits {
  int i[4];
};
static_assert(sizeof(Int128Bits) == 16);

// tcbhead_t (x86-64): the first 704 bytes of struct pthread; %fs points here.
struct Tcbhead {
  void* tcb;  // = the thread pointer itself (%fs:0)
  Dtv* dtv;
  void* self;  // = the thread pointer (%fs:0x10, THREAD_SELF)
  int multiple_threads;
  int gscope_flag;
  uintptr_t sysinfo;
  uintptr_t stack_guard;    // %fs:0x28
  uintptr_t pointer_guard;  // %fs:0x30
  unsigned long unused_vgetcpu_cache[2];
  unsigned int feature_1;  // CET
  int __glibc_unused1;
  void* __private_tm[4];
  void* __private_ss;
  unsigned long long ssp_base;
  alignas(32) Int128Bits __glibc_unused2[8][4];
  void* __padding[8];
};
static_assert(sizeof(Tcbhead) == 704);
static_assert(alignof(Tcbhead) == 32);
static_assert(offsetof(Tcbhead, stack_guard) == 0x28);
static_assert(offsetof(Tcbhead, pointer_guard) == 0x30);

// struct robust_list_head (<linux/futex.h>'s layout).
struct RobustListHead {
  void* list;
  long futex_offset;
  void* list_op_pending;
};
static_assert(sizeof(RobustListHead) == 24);

// struct pthread_key_data.
struct PthreadKeyData {
  uintptr_t seq;
  void* data;
};
static_assert(sizeof(PthreadKeyData) == 16);

// td_thr_events_t
struct TdThrEvents {
  uint32_t event_bits[2];
};
static_assert(sizeof(TdThrEvents) == 8);

// td_eventbuf_t
struct TdEventbuf {
  TdThrEvents eventmask;
  int eventnum;  // td_event_e
  void* eventdata;
};
static_assert(sizeof(TdEventbuf) == 24);

// struct sched_param
struct SchedParam {
  int sched_priority;
};
static_assert(sizeof(SchedParam) == 4);

// struct _Unwind_Exception (gcc's unwind.h; __attribute__((aligned)) = 16).
struct alignas(16) UnwindException {
  union {
    struct {
      uint64_t exception_class;
      void (*exception_cleanup)(int reason, UnwindException* exc);
      uint64_t private_1;
      uint64_t private_2;
    };
    uint64_t unwind_exception_align[2];
  };
};
static_assert(sizeof(UnwindException) == 32);
static_assert(alignof(UnwindException) == 16);

// internal_sigset_t
struct InternalSigset {
  unsigned long __val[1];
};
static_assert(sizeof(InternalSigset) == 8);

// struct tls_internal_t
struct TlsInternal {
  char* strsignal_buf;
  char* strerror_l_buf;
};
static_assert(sizeof(TlsInternal) == 16);

// struct pthread's rseq_area: the struct rseq registered with the kernel
// (rseq(2), 32 bytes, 32-aligned). cpu_id is kRseqCpuIdRegistrationFailed
// when the thread has no registration.
union alignas(32) Rseq {
  struct {
    uint32_t cpu_id_start;
    uint32_t cpu_id;
    uint64_t rseq_cs;
    uint32_t flags;
  };
  char pad[32];
};
static_assert(sizeof(Rseq) == 32);
static_assert(alignof(Rseq) == 32);
inline constexpr uint32_t kRseqCpuIdRegistrationFailed = static_cast<uint32_t>(-2);

// struct pthread (2368 bytes, 64-aligned). The thread pointer points at it.
struct alignas(64) Pthread {
  union {
    Tcbhead header;
    void* __padding[24];
  };
  ListT list;  // on GL(dl_stack_user) or GL(dl_stack_used)
  int tid;     // pid_t; set_tid_address(&tid)
  void* robust_prev;
  RobustListHead robust_head;
  void* cleanup;          // struct _pthread_cleanup_buffer*
  void* cleanup_jmp_buf;  // struct pthread_unwind_buf*
  int cancelhandling;
  int flags;
  PthreadKeyData specific_1stblock[32];
  PthreadKeyData* specific[32];
  bool specific_used;
  bool report_events;
  bool user_stack;
  bool stopped_start;
  int setup_failed;
  int lock;
  unsigned int setxid_futex;
  Pthread* joinid;
  void* result;
  SchedParam schedparam;
  int schedpolicy;
  void* (*start_routine)(void*);
  void* arg;
  TdEventbuf eventbuf;
  Pthread* nextevent;
  UnwindException exc;
  void* stackblock;
  size_t stackblock_size;
  size_t guardsize;
  size_t reported_guardsize;
  void* tpp;  // struct priority_protection_data*
  alignas(8) unsigned char res[568];  // struct __res_state (resolver state)
  InternalSigset sigmask;
  bool c11;
  bool exiting;
  int exit_lock;
  TlsInternal tls_state;
  Rseq rseq_area;
};
static_assert(sizeof(Pthread) == 2368);
static_assert(alignof(Pthread) == 64);
static_assert(offsetof(Pthread, list) == 704);
static_assert(offsetof(Pthread, rseq_area) == 2336);

inline constexpr size_t kTlsTcbSize = sizeof(Pthread);  // TLS_TCB_SIZE
inline constexpr size_t kTcbAlignment = alignof(Pthread);

}  // namespace rtld::glibc
