import Dispatch
import ExtendCore
import Logging
import Synchronization

/// `--log-connection-changes` (on in a dry run): after the cluster or the
/// inventory changes, logs the connections the change opens and closes, with
/// their causes, as `extend diff --connections` prints them.
///
/// The controller's loop hands it the world after each change (`offer`); the
/// matrix and the diff are worked out here, off the loop and off the shared
/// thread pool, so a host run never waits for them. A burst is one
/// comparison: it waits `settle` after the first change, and offers made
/// while it waits or works coalesce into the newest world, compared with the
/// world it judged last.
public final class ConnectionChangeLog: Sendable {
    public struct Settings: Sendable {
        /// How long a burst may go on before it is compared.
        public var settle: Duration
        /// Change lines logged per comparison; the rest are counted.
        public var maxLines: Int
        /// Members listed per class of endpoints; the rest are counted.
        public var maxMembers: Int

        public init(settle: Duration = .seconds(1), maxLines: Int = 100, maxMembers: Int = 10) {
            self.settle = settle
            self.maxLines = maxLines
            self.maxMembers = maxMembers
        }
    }

    /// What the loop has offered and the worker has not taken yet.
    struct Pending {
        /// The world at the sync: what the first change is compared with.
        var first: World?
        /// The newest world after a change, and how many changes made it.
        var latest: World?
        var changes = 0
        var synced = false
    }

    let settings: Settings
    let logger: Logger
    private let pending = Mutex(Pending())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// The matrices are worked out here: the cooperative pool stays free for the loop, watches and host runs.
    private let queue = DispatchQueue(label: "netpol-extend.connections", qos: .utility)

    public init(settings: Settings = Settings(), logger: Logger) {
        self.settings = settings
        self.logger = logger
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wakeups = stream
        wake = continuation
    }

    /// From the controller's loop: the world at the sync (the first offer), then after each change (`changes` of them).
    public func offer(_ world: World, changes: Int) {
        pending.withLock { p in
            if !p.synced {
                p.synced = true
                p.first = world
            } else {
                p.latest = world
                p.changes += changes
            }
        }
        wake.yield()
    }

    /// Judges and logs until the calling task is cancelled.
    public func run() async {
        var judged: (world: World, matrix: ConnectivityMatrix)?
        var wakeups = self.wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            let job = pending.withLock { p -> (first: World?, latest: World?, changes: Int) in
                defer { (p.first, p.latest, p.changes) = (nil, nil, 0) }
                return (p.first, p.latest, p.changes)
            }
            if let world = job.first {
                let started = ContinuousClock.now
                guard let matrix = await offPool({ ConnectivityMatrix(world: world) }) else { return }
                judged = (world, matrix)
                logger.info("connections: \(matrix.classes.classes.reduce(0) { $0 + $1.members.count }) endpoint(s) in \(matrix.classCount) class(es), \(matrix.ports.atoms.count) port atom(s), judged in \(ContinuousClock.now - started); from now on each change logs the connections it opens and closes")
            }
            guard let world = job.latest, let before = judged else {
                if job.first != nil { continue }
                guard await wakeups.next() != nil else { return }
                // A burst: its first change waits for the rest.
                guard (try? await Task.sleep(for: settings.settle)) != nil else { return }
                continue
            }
            let started = ContinuousClock.now
            let settings = self.settings
            guard let (matrix, lines) = await offPool({ () -> (ConnectivityMatrix, [String]) in
                let after = ConnectivityMatrix(world: world)
                let diff = ConnectionDiff(current: before.world, proposed: world, before: before.matrix, after: after)
                return (after, Self.lines(diff, settings))
            }) else { return }
            judged = (world, matrix)
            let took = ContinuousClock.now - started
            if lines.isEmpty {
                logger.debug("connections: \(job.changes) change(s) open and close nothing (judged in \(took))")
                continue
            }
            logger.info("connections: \(job.changes) change(s), judged in \(took):")
            for line in lines { logger.info("connections: \(line)") }
        }
    }

    /// The diff's lines as `extend diff --connections` prints them, at most
    /// `maxLines` groups, and the classes they name with at most `maxMembers` members each.
    static func lines(_ diff: ConnectionDiff, _ settings: Settings) -> [String] {
        guard !diff.isEmpty else { return [] }
        var lines = diff.changeLines
        if lines.count > settings.maxLines {
            let more = lines.count - settings.maxLines
            lines = Array(lines.prefix(settings.maxLines)) + ["… and \(more) more group(s) of connections (extend diff --connections lists them all)"]
        }
        for c in diff.namedClasses {
            var shown = c
            if c.members.count > settings.maxMembers {
                shown.members = Array(c.members.prefix(settings.maxMembers)) + ["… (\(c.members.count - settings.maxMembers) more)"]
            }
            lines.append(ConnectionDiff.legend(shown))
        }
        return lines
    }

    /// `body` on this log's own queue; nil when the calling task is cancelled
    /// first (the work then finishes unobserved, and the caller stops).
    private func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T? {
        let slot = Slot<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<T?, Never>) in
                slot.put(c)
                if Task.isCancelled { slot.resume(nil) }
                queue.async { slot.resume(body()) }
            }
        } onCancel: {
            slot.resume(nil)
        }
    }
}

/// A continuation resumed once, by whichever comes first: the work or the
/// cancellation (a cancellation before `put` is seen by the caller's check after it).
private final class Slot<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T?, Never>?>(nil)

    func put(_ c: CheckedContinuation<T?, Never>) { continuation.withLock { $0 = c } }

    func resume(_ value: T?) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
