/// How the client retries what may pass: 429 (after the server's
/// `Retry-After`), 500/502/503/504 (after an exponential backoff with jitter,
/// so many clients do not come back in step). Attempts are bounded. The
/// sleep and the jitter are parameters so tests run fast and can check waits.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A fraction in 0..<1 added on top of each backoff.
    public var jitter: @Sendable () -> Double
    public var sleep: @Sendable (Duration) async -> Void

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(200), maxDelay: Duration = .seconds(30),
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.sleep = sleep
    }

    public static let standard = RetryPolicy()

    /// The wait before attempt `attempt + 1` (attempt counts from 1). The
    /// server's Retry-After, when given, is honoured but capped at maxDelay.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxDelay) }
        let exponent = min(attempt - 1, 20)
        let backoff = baseDelay * (1 << exponent)
        let withJitter = backoff + backoff * jitter()
        return min(withJitter, maxDelay)
    }

    static func isRetryable(_ status: Int) -> Bool {
        status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }
}
