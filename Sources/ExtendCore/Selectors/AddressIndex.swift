/// Every workload under each of its addresses, sorted by address: the
/// workloads inside an ipBlock are a binary search away instead of a scan
/// of the world. Many policies name blocks, and a cluster has many pods: the
/// scans grew with both.
struct AddressIndex {
    struct Entry {
        var address: IPAddress
        var workload: Workload
    }
    private var entries: [Entry] = []

    /// The workloads of the world's namespaces (as `World.forEachWorkload` gives them).
    init(_ world: World) {
        world.forEachWorkload { w in
            for a in w.addresses { entries.append(Entry(address: a, workload: w)) }
        }
        entries.sort { $0.address < $1.address }
    }

    /// The first entry at or after `address`.
    private func lowerBound(_ address: IPAddress) -> Int {
        var lo = 0, hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].address < address { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Each address inside `cidr`, with its workload, in address order; stops when `body` returns false.
    func forEach(in cidr: CIDR, _ body: (IPAddress, Workload) -> Bool) {
        var i = lowerBound(cidr.address)
        while i < entries.count, cidr.contains(entries[i].address) {
            guard body(entries[i].address, entries[i].workload) else { return }
            i += 1
        }
    }

    mutating func insert(_ w: Workload) {
        for a in w.addresses { entries.insert(Entry(address: a, workload: w), at: lowerBound(a)) }
    }

    mutating func remove(_ w: Workload) {
        for a in w.addresses {
            var i = lowerBound(a)
            while i < entries.count, entries[i].address == a {
                let e = entries[i].workload
                if e.kind == w.kind && e.namespace == w.namespace && e.name == w.name {
                    entries.remove(at: i)
                    break
                }
                i += 1
            }
        }
    }
}
