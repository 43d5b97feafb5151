import CVipdSys

/// Gives the heap pages that are free again back to the kernel. glibc's allocator keeps the memory a
/// thread freed in that thread's arena; start-up's one-off work (reading the config, the /proc scans
/// of the listener preflight, the first checks) would otherwise stay resident in an idle daemon.
/// Call after such work, not on a data path: it walks every arena.
public func releaseFreedHeapPages() {
    _ = malloc_trim(0)
}
