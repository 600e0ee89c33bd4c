#if canImport(Glibc)
import Glibc
#endif

/// glibc's malloc gives large blocks their own mappings and returns memory
/// to the kernel as soon as it can, so a one-shot run that reads a cluster
/// maps, zeroes and unmaps the same memory over and over: at 10k pods a sixth
/// of `render`'s samples were page faults clearing fresh pages, and these two
/// settings cut its faults by a third and its CPU time by about 4%. A run
/// that ends in seconds keeps what it freed instead. The controller, which
/// runs for weeks, keeps glibc's defaults.
enum MemoryTuning {
    /// `M_TRIM_THRESHOLD` and `M_MMAP_THRESHOLD` from glibc's <malloc.h>,
    /// which Swift's Glibc module does not import.
    private static let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3

    static func forOneShotRun() {
        #if canImport(Glibc)
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        _ = mallopt(mmapThreshold, 256 << 20)
        _ = mallopt(trimThreshold, 512 << 20)
        #endif
    }
}
