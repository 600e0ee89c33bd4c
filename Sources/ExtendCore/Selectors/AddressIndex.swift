/// Every workload's addresses, sorted: the workloads inside an ipBlock are a
/// binary search away instead of a scan of the world. Many policies name
/// blocks, and a cluster has many pods: the scans grew with both. An entry
/// keeps only what blocks ask of a workload (its named ports), so reading
/// one copies two references, not a whole workload.
struct AddressIndex {
    struct Entry {
        var address: IPAddress
        var ports: [NamedPort]
        /// `kind namespace/name`: which workload, to remove it again.
        var owner: String

        /// "the port name is resolved on each pod", as `Workload.resolve` does.
        func resolve(portName: String, proto: Proto) -> Int? {
            ports.first { $0.name == portName && $0.proto == proto }?.port
        }
    }
    private var entries: [Entry] = []
    /// Per named port, the addresses of the workloads that have it, with the
    /// number it resolves to there, sorted by address: a block asks for one
    /// port name, which few workloads have, and a block such as 10.0.0.0/8
    /// holds the whole cluster. Made when first asked for; a workload that
    /// comes or goes with the port drops it.
    private var byPortName: [NamespaceMembers.PortName: [(address: IPAddress, port: Int)]] = [:]

    /// The workloads of the world's namespaces (as `World.forEachWorkload` gives them).
    init(_ world: World) {
        world.forEachWorkload { w in entries += Self.entries(w) }
        entries.sort { $0.address < $1.address }
    }

    private static func entries(_ w: Workload) -> [Entry] {
        let owner = Self.owner(w)
        return w.addresses.map { Entry(address: $0, ports: w.namedPorts, owner: owner) }
    }

    static func owner(_ w: Workload) -> String { "\(w.kind.rawValue) \(w.namespace)/\(w.name)" }

    /// The first entry at or after `address`.
    private func lowerBound(_ address: IPAddress) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].address < address { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Each entry whose address lies inside `cidr`, in address order; stops when `body` returns false.
    func forEach(in cidr: CIDR, _ body: (Entry) -> Bool) {
        var i = lowerBound(cidr.address)
        while i < entries.count, cidr.contains(entries[i].address) {
            guard body(entries[i]) else { return }
            i += 1
        }
    }

    /// Each address inside `cidr` of a workload that has this named port, in
    /// address order, with the number the name resolves to there.
    mutating func forEach(in cidr: CIDR, portName: String, proto: Proto, _ body: (IPAddress, Int) -> Void) {
        let key = NamespaceMembers.PortName(name: portName, proto: proto)
        let having = byPortName[key] ?? entries.compactMap { e in e.resolve(portName: portName, proto: proto).map { (e.address, $0) } }
        byPortName[key] = having
        var lo = 0, hi = having.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if having[mid].address < cidr.address { lo = mid + 1 } else { hi = mid }
        }
        while lo < having.count, cidr.contains(having[lo].address) {
            body(having[lo].address, having[lo].port)
            lo += 1
        }
    }

    mutating func insert(_ w: Workload) {
        forgetPorts(of: w)
        for e in Self.entries(w) { entries.insert(e, at: lowerBound(e.address)) }
    }

    private mutating func forgetPorts(of w: Workload) {
        for p in w.namedPorts { byPortName[NamespaceMembers.PortName(name: p.name, proto: p.proto)] = nil }
    }

    mutating func remove(_ w: Workload) {
        forgetPorts(of: w)
        let owner = Self.owner(w)
        for a in w.addresses {
            var i = lowerBound(a)
            while i < entries.count, entries[i].address == a {
                if entries[i].owner == owner {
                    entries.remove(at: i)
                    break
                }
                i += 1
            }
        }
    }
}
