import Foundation
import Logging

/// Async doors to the blocking `SSHConnection`: each call runs on a thread of
/// its own, never on Swift's cooperative pool, and task cancellation
/// interrupts the SSH work in flight (it then throws `.cancelled`).
public enum SSHTransport {
    /// Connects on a dedicated thread.
    public static func connect(
        _ endpoint: SSHEndpoint, logger: Logger = SSHConnection.defaultLogger
    ) async throws -> SSHConnection {
        let wake = try makeWake(for: endpoint)
        return try await withTaskCancellationHandler {
            try await offload(name: "ssh connect \(endpoint.name)") {
                try SSHConnection.establish(endpoint, logger: logger, wake: wake)
            }
        } onCancel: {
            wake.signal()
        }
    }

    /// Runs one command over an open connection on a dedicated thread.
    public static func run(
        _ connection: SSHConnection, _ command: String, stdin: [UInt8] = [], timeout: Duration? = nil
    ) async throws -> CommandResult {
        try await withTaskCancellationHandler {
            try await offload(name: "ssh run \(connection.endpoint.name)") {
                try connection.run(command, stdin: stdin, timeout: timeout)
            }
        } onCancel: {
            connection.cancel()
        }
    }

    /// Connects, runs `body` with the connection and closes it, all on one
    /// dedicated thread. `body` is synchronous on purpose: it may block.
    public static func withConnection<T: Sendable>(
        _ endpoint: SSHEndpoint,
        logger: Logger = SSHConnection.defaultLogger,
        _ body: @escaping @Sendable (SSHConnection) throws -> T
    ) async throws -> T {
        let wake = try makeWake(for: endpoint)
        return try await withTaskCancellationHandler {
            try await offload(name: "ssh \(endpoint.name)") {
                let connection = try SSHConnection.establish(endpoint, logger: logger, wake: wake)
                defer { connection.close() }
                return try body(connection)
            }
        } onCancel: {
            wake.signal()
        }
    }

    /// Runs blocking work on a new thread and resumes the caller with its result.
    public static func offload<T: Sendable>(
        name: String = "ssh", _ body: @escaping @Sendable () throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = name
            thread.start()
        }
    }

    private static func makeWake(for endpoint: SSHEndpoint) throws(SSHError) -> WakePipe {
        guard let wake = WakePipe() else {
            throw SSHError(.configuration, host: endpoint.label,
                "cannot create a wake-up pipe to connect to \(endpoint.label): \(systemErrorText(errno))")
        }
        return wake
    }
}
