/// Which hosts of the managed hosts record have left the inventory, what
/// becomes of each, and what the record says after an apply. Pure: the record
/// and the inventory in, the decision out.
///
/// A recorded host whose name the inventory no longer lists is *retired*: the
/// next apply removes every chain, jump and set of ours from it, as from a
/// listed host no policy selects. Unless it shares an SSH endpoint or an
/// address with a host still listed: then it is most likely that host (renamed,
/// or the machine reused), and cleaning it would strip the listed host's rules.
///
/// A retired host that cannot be cleaned (the machine is gone) stays recorded
/// and fails every apply; `--forget` names it: it is *forgotten*, dropped from
/// the record without being contacted, whatever of ours is left on it.
public struct Retirement: Hashable, Sendable {
    public struct Collision: Hashable, Sendable {
        public var host: ManagedHost
        /// The inventory host it shares something with.
        public var listed: String
        /// What they share, for messages: `address 198.18.1.10` or `SSH endpoint 198.18.1.10:22`.
        public var shared: String

        public init(host: ManagedHost, listed: String, shared: String) {
            self.host = host
            self.listed = listed
            self.shared = shared
        }
    }

    /// Left the inventory and within this run's scope: to be cleaned. Sorted by name.
    public var retired: [ManagedHost]
    /// Left the inventory but look like a listed host: never cleaned, dropped from the record. Sorted by name.
    public var collisions: [Collision]
    /// Left the inventory, outside this run's `--host` filter: kept in the record as they are.
    public var untouched: [ManagedHost]
    /// Recorded hosts the inventory still lists.
    public var stillListed: [String]
    /// Left the inventory and named by `--forget`: never contacted, dropped from
    /// the record (whatever the `--host` filter, and even if they look like a
    /// listed host). Sorted by name.
    public var forgotten: [ManagedHost]

    public init(retired: [ManagedHost] = [], collisions: [Collision] = [], untouched: [ManagedHost] = [],
                stillListed: [String] = [], forgotten: [ManagedHost] = []) {
        self.retired = retired
        self.collisions = collisions
        self.untouched = untouched
        self.stillListed = stillListed
        self.forgotten = forgotten
    }

    /// Why `--forget` cannot be done as asked. Any refused name refuses the
    /// whole run: nothing is done to any host, the record is left as it is.
    public struct Refusal: Error, Hashable, Sendable {
        public enum Reason: Hashable, Sendable {
            /// The inventory still lists it: apply would work on it, not forget it.
            case stillListed
            /// The record does not know it (or there is no record yet).
            case notRecorded
        }
        public struct Refused: Hashable, Sendable {
            public var name: String
            public var reason: Reason
            public init(name: String, reason: Reason) {
                self.name = name
                self.reason = reason
            }
        }
        /// In the order `--forget` gave them, each name once.
        public var refused: [Refused]
        public init(_ refused: [Refused]) { self.refused = refused }
    }

    /// - Parameter names: the run's `--host` filter; empty means every host.
    public static func plan(record: ManagedHostsRecord, inventory: [LegacyHost], only names: [String] = []) -> Retirement {
        classify(record: record, inventory: inventory, only: names, forgetting: [])
    }

    /// As `plan(record:inventory:only:)`, with the run's `--forget` names: each
    /// must be a recorded host the inventory no longer lists, or nothing is planned.
    public static func plan(record: ManagedHostsRecord, inventory: [LegacyHost], only names: [String] = [],
                            forget: [String]) throws(Refusal) -> Retirement {
        let listedNames = Set(inventory.map(\.name))
        var refused: [Refusal.Refused] = []
        for n in unique(forget) {
            if listedNames.contains(n) {
                refused.append(.init(name: n, reason: .stillListed))
            } else if record.host(named: n) == nil {
                refused.append(.init(name: n, reason: .notRecorded))
            }
        }
        guard refused.isEmpty else { throw Refusal(refused) }
        return classify(record: record, inventory: inventory, only: names, forgetting: Set(forget))
    }

    /// Each recorded host in one place; `forgetting` holds only recorded names the inventory does not list.
    static func classify(record: ManagedHostsRecord, inventory: [LegacyHost], only names: [String],
                         forgetting: Set<String>) -> Retirement {
        let listedNames = Set(inventory.map(\.name))
        let listed = inventory.sorted { $0.name < $1.name }
        var out = Retirement()
        for h in record.hosts {
            if listedNames.contains(h.name) {
                out.stillListed.append(h.name)
            } else if forgetting.contains(h.name) {
                out.forgotten.append(h)
            } else if !names.isEmpty && !names.contains(h.name) {
                out.untouched.append(h)
            } else if let c = collision(h, listed) {
                out.collisions.append(c)
            } else {
                out.retired.append(h)
            }
        }
        return out
    }

    /// `names` without repeats, in their order.
    static func unique(_ names: [String]) -> [String] { names.uniqued }

    /// The first listed host (by name) that `h` could be: same SSH endpoint, or an address in common.
    static func collision(_ h: ManagedHost, _ listed: [LegacyHost]) -> Collision? {
        let endpoint = (normalised(h.connectAddress), h.ssh.port)
        let addresses = Set(h.addresses)
        for other in listed {
            if (normalised(other.connectAddress), other.ssh.port) == endpoint {
                return Collision(host: h, listed: other.name,
                                 shared: "SSH endpoint \(ManagedHost.endpoint(other.connectAddress, other.ssh.port))")
            }
            if let a = other.addresses.sorted().first(where: addresses.contains) {
                return Collision(host: h, listed: other.name, shared: "address \(a)")
            }
        }
        return nil
    }

    /// An address as one machine is named: IP literals in canonical form, host names in lower case.
    static func normalised(_ address: String) -> String {
        if let ip = IPAddress(address) { return ip.description }
        var s = address.lowercased()
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// The record after an apply:
    /// - every inventory host the run worked on (whatever came of it: if it
    ///   was attempted, something of ours may be on it), with its current settings;
    /// - every recorded host still listed, with the inventory's current settings;
    /// - retired hosts outside the `--host` filter, as they were;
    /// - retired hosts whose cleanup did not succeed (not in `cleaned`), to be retried.
    ///
    /// Retired hosts cleaned (or found holding nothing of ours), colliding
    /// hosts and forgotten hosts are dropped.
    public func nextRecord(inventory: [LegacyHost], worked: [LegacyHost], cleaned: Set<String>) -> ManagedHostsRecord {
        var hosts: [ManagedHost] = []
        let keep = Set(stillListed)
        hosts += inventory.filter { keep.contains($0.name) }.map(ManagedHost.init)
        hosts += worked.map(ManagedHost.init)
        hosts += untouched
        hosts += retired.filter { !cleaned.contains($0.name) }
        return ManagedHostsRecord(hosts: hosts)
    }
}
