import ExtendCore
import Foundation

/// The address this machine would use to reach a host, found without sending
/// anything (a connected UDP socket only consults the routing table). It goes
/// into the host's lockout guard, so the machine running `extend apply` keeps
/// its SSH access even when it is not listed under `management`.
public enum SourceAddress {
    public static func towards(_ address: String, port: Int) -> IPAddress? {
        guard let target = IPAddress(address) else { return nil }
        switch target {
        case .v4:
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, address, &sa.sin_addr) == 1 else { return nil }
            return probe(family: AF_INET, &sa, socklen_t(MemoryLayout<sockaddr_in>.size))
        case .v6:
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, address, &sa.sin6_addr) == 1 else { return nil }
            return probe(family: AF_INET6, &sa, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
    }

    private static func probe<T>(family: Int32, _ sa: inout T, _ len: socklen_t) -> IPAddress? {
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let ok = withUnsafePointer(to: &sa) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) == 0 }
        }
        guard ok else { return nil }
        var local = sockaddr_storage()
        var llen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &local) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &llen) == 0 }
        }
        guard got else { return nil }
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let text: String? = withUnsafePointer(to: &local) { p in
            if family == AF_INET {
                return p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var a = sin.pointee.sin_addr
                    return inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count)).map { _ in String(cString: buf) }
                }
            }
            return p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                var a = sin.pointee.sin6_addr
                return inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count)).map { _ in String(cString: buf) }
            }
        }
        return text.flatMap { IPAddress($0) }
    }
}
