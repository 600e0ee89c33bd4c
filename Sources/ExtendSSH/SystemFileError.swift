#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The whole content of a file, or the errno that stopped the read.
func readWholeFile(_ path: String) -> Result<[UInt8], SystemFileError> {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return .failure(SystemFileError(code: errno)) }
    defer { close(descriptor) }
    var content: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            return .failure(SystemFileError(code: errno))
        }
        if count == 0 { return .success(content) }
        content.append(contentsOf: chunk[0..<count])
    }
}

struct SystemFileError: Error {
    let code: Int32
    var text: String { systemErrorText(code) }
}
