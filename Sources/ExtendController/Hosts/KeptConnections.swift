import ExtendCore

/// Which SSH connection the controller keeps open for each host between its
/// runs, and when one must go: pure (time comes in with each call), generic
/// over the connection so that tests use stand-ins. The cache that holds the
/// real connections (`SSHConnectionCache`) does the closing.
///
/// - A host has at most one kept connection, and a run takes it out while it
///   works: no two runs ever share one.
/// - A connection is kept only for a host still in the inventory, reached the
///   same way (address, port, user, key, known_hosts, sudo, mode): any change
///   of the host's ssh settings, or its removal, closes it.
/// - A connection idle for `idleLimit` is closed; so is every one at shutdown,
///   after which nothing is kept.
public struct KeptConnections<Connection> {
    /// How a host is reached: a kept connection serves only the same.
    public struct Key: Hashable, Sendable {
        public var ssh: SSHSettings
        public var address: String

        public init(ssh: SSHSettings, address: String) {
            self.ssh = ssh
            self.address = address
        }

        public init(_ host: LegacyHost) {
            self.init(ssh: host.ssh, address: host.connectAddress)
        }
    }

    /// Why a connection is closed (the metric's `reason`).
    public enum Reason: String, Sendable, CaseIterable {
        /// It failed (dropped, timed out, an SSH error) or its run failed.
        case failed
        /// Unused for `idleLimit`.
        case idle
        /// The host's ssh settings changed.
        case settings
        /// The host left the inventory.
        case removed
        /// The controller stops.
        case shutdown
        /// A second one for the same host (a run connected while the kept one was out for a keepalive).
        case duplicate
    }

    public typealias Instant = Duration

    struct Entry {
        var key: Key
        var connection: Connection
        var idleSince: Instant
    }

    public let idleLimit: Duration
    private var idle: [String: Entry] = [:]
    /// The inventory as last told: nil until then (every host counts as present).
    private var current: [String: Key]?
    private var stopped = false

    public init(idleLimit: Duration) {
        self.idleLimit = idleLimit
    }

    /// How many connections are kept now (idle, not taken).
    public var count: Int { idle.count }

    /// For a run of `host`, reached as `key`: the kept connection to reuse, if
    /// any is fit, and those to close (one kept for other settings).
    public mutating func take(_ host: String, key: Key) -> (reuse: Connection?, close: [(Connection, Reason)]) {
        guard let e = idle.removeValue(forKey: host) else { return (nil, []) }
        if e.key == key && !stopped { return (e.connection, []) }
        return (nil, [(e.connection, stopped ? .shutdown : .settings)])
    }

    /// A run of `host` ended with `connection` fit to keep (nil: none). It
    /// is kept unless the controller stops or the host left the inventory or
    /// is reached otherwise now; what is not kept is returned to close.
    /// `idleSince` is now, for a run; a keepalive gives back the instant it had.
    public mutating func give(_ host: String, key: Key, connection: Connection?, idleSince: Instant) -> [(Connection, Reason)] {
        guard let connection else { return [] }
        if stopped { return [(connection, .shutdown)] }
        if let current {
            guard let now = current[host] else { return [(connection, .removed)] }
            if now != key { return [(connection, .settings)] }
        }
        if let other = idle[host], other.idleSince > idleSince {
            // The other was used more recently: keep it.
            return [(connection, .duplicate)]
        }
        let replaced = idle.updateValue(Entry(key: key, connection: connection, idleSince: idleSince), forKey: host)
        return replaced.map { [($0.connection, .duplicate)] } ?? []
    }

    /// The inventory changed (or is first told): the kept connections of hosts
    /// that left it or are reached otherwise now, to close.
    public mutating func inventory(_ hosts: [String: Key]) -> [(Connection, Reason)] {
        current = hosts
        var out: [(Connection, Reason)] = []
        for host in idle.keys.sorted() {
            guard let e = idle[host] else { continue }
            guard let now = hosts[host] else {
                idle[host] = nil
                out.append((e.connection, .removed))
                continue
            }
            if now != e.key {
                idle[host] = nil
                out.append((e.connection, .settings))
            }
        }
        return out
    }

    /// The connections idle for `idleLimit` or more at `now`, to close.
    public mutating func expire(now: Instant) -> [(Connection, Reason)] {
        var out: [(Connection, Reason)] = []
        for host in idle.keys.sorted() where now - (idle[host]?.idleSince ?? now) >= idleLimit {
            if let e = idle.removeValue(forKey: host) { out.append((e.connection, .idle)) }
        }
        return out
    }

    /// Takes every idle connection out, for a keepalive: each is given back
    /// with its `idleSince` (a keepalive is not use) or closed if it failed.
    public mutating func takeIdle() -> [(host: String, key: Key, connection: Connection, idleSince: Instant)] {
        let out = idle.keys.sorted().compactMap { h in idle[h].map { (host: h, key: $0.key, connection: $0.connection, idleSince: $0.idleSince) } }
        idle = [:]
        return out
    }

    /// The controller stops: every kept connection, to close; none is kept after.
    public mutating func stop() -> [(Connection, Reason)] {
        stopped = true
        let out = idle.keys.sorted().compactMap { h in idle[h].map { ($0.connection, Reason.shutdown) } }
        idle = [:]
        return out
    }
}
