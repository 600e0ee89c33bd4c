#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one connected, non-blocking TCP socket; closes it in deinit.
final class TCPSocket {
    let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Makes any further send or receive fail at once (the peer sees EOF).
    func shutdownBothWays() {
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Resolves `address`, then connects to each result in turn until one
    /// answers, all within `deadline`. Sets TCP_NODELAY: libssh2 writes small
    /// packets and Nagle's algorithm meeting delayed ACKs costs ~40 ms a round.
    static func connect(
        to endpoint: SSHEndpoint,
        until deadline: ContinuousClock.Instant,
        wake: WakePipe
    ) throws(SSHError) -> TCPSocket {
        let target = endpoint.label
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_NUMERICSERV
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.address, String(endpoint.port), &hints, &results)
        guard status == 0, let first = results else {
            let reason = status == EAI_SYSTEM ? systemErrorText(errno) : String(cString: gai_strerror(status))
            throw SSHError(.resolve, host: target, "cannot resolve the address of \(target): \(reason)")
        }
        defer { freeaddrinfo(first) }

        var failures: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            let info = entry.pointee
            let where_ = numericAddress(info.ai_addr)
            let descriptor = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
            guard descriptor >= 0 else {
                failures.append("\(where_): \(systemErrorText(errno))")
                continue
            }
            let candidate = TCPSocket(descriptor: descriptor)
            guard makeNonBlockingCloseOnExec(descriptor) else {
                failures.append("\(where_): \(systemErrorText(errno))")
                continue
            }
            if posixConnect(descriptor, info.ai_addr, info.ai_addrlen) != 0 {
                guard errno == EINPROGRESS else {
                    failures.append("\(where_): \(systemErrorText(errno))")
                    continue
                }
                switch SocketWait.wait(on: descriptor, for: .outbound, until: deadline, wake: wake) {
                case .ready:
                    var socketError: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    if getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &socketError, &length) != 0 {
                        socketError = errno
                    }
                    if socketError != 0 {
                        failures.append("\(where_): \(systemErrorText(socketError))")
                        continue
                    }
                case .timedOut:
                    throw SSHError(.timeout, host: target,
                        "connecting to \(target) timed out after \(endpoint.connectTimeout.shortText)")
                case .cancelled:
                    throw SSHError(.cancelled, host: target, "connecting to \(target) was cancelled")
                }
            }
            candidate.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            candidate.setOption(SOL_SOCKET, SO_KEEPALIVE, 1)
            // Data the host's kernel has not acknowledged within this time ends the
            // connection: a host gone dead is found by the next keepalive or command
            // in seconds, not at the command timeout (a connection the controller
            // keeps open then fails fast and the run connects again). A busy host
            // still acknowledges at once: this bounds the network, not the command.
            let unacknowledged = max(endpoint.connectTimeout, .seconds(10))
            candidate.setOption(Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, Int32(clamping: unacknowledged.components.seconds * 1000))
            return candidate
        }
        // Name the address per failure only when a DNS name gave several.
        let reasons = failures.map { failure in
            failure.hasPrefix(endpoint.address + ": ") ? String(failure.dropFirst(endpoint.address.count + 2)) : failure
        }
        throw SSHError(.connect, host: target,
            "cannot connect to \(target): \(reasons.joined(separator: "; "))")
    }

    /// Asks the kernel to acknowledge what arrives next at once instead of
    /// delaying the ACK. sshd leaves Nagle's algorithm on for non-interactive
    /// sessions, so a reply it sends behind an unacknowledged packet waits for
    /// our ACK; a delayed ACK makes that ~40 ms. Quick-ACK mode does not
    /// last, so this is re-armed before every wait for input.
    func requestQuickAcknowledgement() {
        #if os(Linux)
        setOption(Int32(IPPROTO_TCP), TCP_QUICKACK, 1)
        #endif
    }

    private func setOption(_ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        _ = setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The address this side of the connection is bound to: what the host sees us as.
    var localAddress: String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getsockname(descriptor, $0, &length)
            }
        }
        guard status == 0 else { return "" }
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { TCPSocket.numericAddress($0) }
        }
    }

    /// `198.18.4.10` or `2001:db8::1` for a socket address.
    private static func numericAddress(_ address: UnsafePointer<sockaddr>?) -> String {
        guard let address else { return "?" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                guard inet_ntop(AF_INET, &raw, &text, socklen_t(text.count)) != nil else { return "?" }
                return stringFromCBuffer(text)
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return "?" }
                return stringFromCBuffer(text)
            }
        default:
            return "?"
        }
    }
}

/// connect(2), out of reach of `TCPSocket.connect`'s name.
private func posixConnect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}
