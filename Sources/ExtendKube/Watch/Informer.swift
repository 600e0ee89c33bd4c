import Dispatch
import ExtendCore
import ExtendInput
import Logging

/// Keeps one resource (namespaces, pods or networkpolicies) of the cluster
/// and hands on every change exactly once, as client-go's reflector does:
/// list, then watch from the list's resourceVersion with bookmarks and
/// `timeoutSeconds`; a watch that ends or is cut is opened again from the
/// last event's or bookmark's resourceVersion; a 410 Expired (the history
/// was compacted) makes it list again and hand on the difference from its
/// own cache. Failures back off exponentially with jitter, 429 after the
/// server's Retry-After, and never end the informer: only cancelling the
/// task that runs it does.
public final class Informer: Sendable {
    public let resource: APIResource
    public let client: APIClient
    public let options: InformerOptions
    /// Its own connection and queue: a watch holds them for minutes, and the
    /// client's queue must stay free for lists.
    let transport: CurlTransport
    let queue: DispatchQueue
    let state = Locked(InformerHealth())

    public init(resource: APIResource, client: APIClient, options: InformerOptions = InformerOptions()) {
        self.resource = resource
        self.client = client
        self.options = options
        transport = CurlTransport()
        queue = DispatchQueue(label: "netpol-extend.watch \(resource)")
    }

    public var health: InformerHealth { state.current }

    /// Where the informer is between steps; owned by `run`.
    struct Progress {
        var cache = InformerCache()
        /// nil: list (first, or after 410).
        var resourceVersion: String?
        var synced = false
        var failures = 0
        var events = 0
    }

    /// Lists and watches until the calling task is cancelled, handing each
    /// batch to `emit` in order (the next waits for `emit` to return).
    public func run(emit: @escaping @Sendable (InformerBatch) async -> Void) async {
        var progress = Progress()
        while !Task.isCancelled {
            if progress.resourceVersion == nil {
                guard await list(&progress, emit: emit) else {
                    await backOff(&progress, retryAfter: nil)
                    continue
                }
            }
            let outcome = await watch(&progress, emit: emit)
            guard !Task.isCancelled else { return }
            state.withLock { $0.watchRestarts += 1 }
            switch outcome {
            case .renew:
                continue
            case .relist:
                progress.resourceVersion = nil
            case .retry(let retryAfter):
                await backOff(&progress, retryAfter: retryAfter)
            }
        }
    }

    /// Waits before the next attempt: the server's Retry-After when it gave
    /// one, else exponentially longer with jitter as failures repeat.
    func backOff(_ progress: inout Progress, retryAfter: Duration?) async {
        progress.failures += 1
        let wait = options.backoff.delay(afterAttempt: progress.failures, retryAfter: retryAfter)
        state.withLock { $0.consecutiveFailures = progress.failures }
        client.logger.debug("informer backing off", metadata: ["resource": "\(resource)", "wait": "\(wait)"])
        await options.backoff.sleep(wait)
    }

    /// Records a failure for health and the log.
    func note(_ error: KubeError) {
        state.withLock {
            $0.lastError = error.message
            $0.lastErrorStatus = error.status
        }
        client.logger.warning("\(error.message)", metadata: ["resource": "\(resource)"])
    }

    func succeeded(_ progress: inout Progress) {
        progress.failures = 0
        state.withLock { $0.consecutiveFailures = 0 }
    }

    /// Objects that do not decode are skipped, each reported once with where it came from.
    func problems(_ objects: [APIObject], source: String) -> [ObjectProblem] {
        objects.filter { $0.value == nil }.map {
            ObjectProblem(source: source, object: $0.name.isEmpty ? "a \($0.kind) without a name" : $0.described,
                          diagnostics: $0.diagnostics)
        }
    }

    func report(_ problems: [ObjectProblem]) {
        guard !problems.isEmpty else { return }
        state.withLock { $0.skippedObjects += problems.count }
        for p in problems { client.logger.warning("\(p.description)", metadata: ["resource": "\(resource)"]) }
    }
}
