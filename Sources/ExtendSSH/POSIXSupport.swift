#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text of an errno value, for messages.
func systemErrorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}

/// Sets O_NONBLOCK and FD_CLOEXEC on a descriptor.
@discardableResult
func makeNonBlockingCloseOnExec(_ descriptor: Int32) -> Bool {
    let flags = fcntl(descriptor, F_GETFL)
    guard flags >= 0, fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) == 0 else { return false }
    let descriptorFlags = fcntl(descriptor, F_GETFD)
    guard descriptorFlags >= 0 else { return false }
    return fcntl(descriptor, F_SETFD, descriptorFlags | FD_CLOEXEC) == 0
}

/// The text before the first NUL of a C character buffer.
func stringFromCBuffer(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
