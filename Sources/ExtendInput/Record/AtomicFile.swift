import ExtendCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file as one step: a temporary file beside it, flushed to disk,
/// then renamed over it. Whoever reads the path (a concurrent run, a crash
/// halfway) sees the old content or the new, never a mixture.
enum AtomicFile {
    /// - Parameter what: how messages name the file ("the managed hosts record").
    static func replace(_ path: String, with bytes: [UInt8], mode: mode_t, what: String) throws(InputError) {
        func failure(_ step: String, _ code: Int32) -> InputError {
            InputError(diagnostics: [.error(path, "cannot write \(what): \(step): \(String(cString: strerror(code)))")])
        }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("creating \(temporary)", errno) }
        var done = false
        defer {
            if !done { unlink(temporary) }
        }
        // open() applies the umask; the mode is meant as given (0600: the owner only).
        guard fchmod(fd, mode) == 0 else {
            let e = errno
            close(fd)
            throw failure("setting the mode of \(temporary)", e)
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let e = n < 0 ? errno : EIO
                close(fd)
                throw failure("writing \(temporary)", e)
            }
            written += n
        }
        guard fsync(fd) == 0 else {
            let e = errno
            close(fd)
            throw failure("flushing \(temporary)", e)
        }
        guard close(fd) == 0 else { throw failure("closing \(temporary)", errno) }
        guard rename(temporary, path) == 0 else { throw failure("renaming \(temporary) to \(path)", errno) }
        done = true
        // The rename itself reaches the disk with the folder (best effort: some file systems refuse).
        let dir = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }
}
