/// How an informer lists and watches.
public struct InformerOptions: Sendable {
    /// `limit` of each list page.
    public var pageSize: Int
    /// `timeoutSeconds` of each watch: the server ends it cleanly after this
    /// long and the informer opens the next from where it got to, so no
    /// stream (or a proxy's idle limit) lasts forever.
    public var watchTimeout: Duration
    /// The client's own limit on a watch is `watchTimeout` plus this: a
    /// server that never ends the stream is noticed.
    public var watchMargin: Duration
    /// No byte for this long and the connection is taken for dead. Real
    /// servers send a bookmark about once a minute on an idle watch.
    public var idleTimeout: Duration
    /// Backoff after failures (exponential, jittered; `Retry-After` on 429
    /// honoured); `maxAttempts` is not used, an informer never gives up.
    /// Its `sleep` and `jitter` are what tests inject.
    public var backoff: RetryPolicy
    /// A watch that ends cleanly sooner than this without any event counts
    /// as a failure (backoff), so a server that ends every watch at once is
    /// not hammered.
    public var minimumWatch: Duration

    public init(pageSize: Int = 500, watchTimeout: Duration = .seconds(300), watchMargin: Duration = .seconds(30),
                idleTimeout: Duration = .seconds(90),
                backoff: RetryPolicy = RetryPolicy(baseDelay: .milliseconds(500), maxDelay: .seconds(30)),
                minimumWatch: Duration = .seconds(1)) {
        self.pageSize = pageSize
        self.watchTimeout = watchTimeout
        self.watchMargin = watchMargin
        self.idleTimeout = idleTimeout
        self.backoff = backoff
        self.minimumWatch = minimumWatch
    }
}
