import Foundation

extension FakeAPIServer {
    /// Runs `body` — blocking calls of the stand-in's own client (`send`,
    /// `requests`, which run Python) — on a dispatch queue, so an async test
    /// keeps the cooperative pool's threads free.
    public func offPool<T: Sendable>(_ body: @escaping @Sendable (FakeAPIServer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body(self) }) }
        }
    }
}
