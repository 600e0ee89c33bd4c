@testable import ExtendCore
import Testing

/// ipBlock peers are answered from an address index, kept up to date as
/// workloads come, go and move.
@Suite struct AddressIndexTests {
    static func pod(_ ns: String, _ name: String, _ ips: [String]) -> Workload {
        Workload(kind: .pod, namespace: ns, name: name, addresses: ips.compactMap { IPAddress($0) })
    }

    static func inside(_ index: AddressIndex, _ cidr: String) -> [String] {
        var out: [String] = []
        index.forEach(in: CIDR(cidr)!) { e in
            out.append("\(e.owner)@\(e.address)")
            return true
        }
        return out
    }

    @Test func answersTheAddressesInsideABlockAsAScanWould() throws {
        var world = World.build(cluster: ClusterState(namespaces: [Namespace(name: "a")]),
                                inventory: Inventory()).0
        var index = AddressIndex(world)
        var workloads: [Workload] = []
        var rng = SystemRandomNumberGenerator()
        for i in 0..<60 {
            let w = Self.pod("a", "p\(i)", ["10.0.\(Int.random(in: 0..<4, using: &rng)).\(i)", "fd00::\(i)"])
            workloads.append(w)
            _ = world.replaceWorkload(namespace: "a", name: w.name, kind: Workload.Kind.pod, with: w as Workload?)
            index.insert(w)
        }
        // Move and drop some.
        for i in stride(from: 0, to: 60, by: 7) {
            _ = world.replaceWorkload(namespace: "a", name: workloads[i].name, kind: Workload.Kind.pod, with: nil as Workload?)
            index.remove(workloads[i])
        }
        for i in stride(from: 3, to: 60, by: 11) {
            let moved = Self.pod("a", workloads[i].name, ["10.0.9.\(i)"])
            _ = world.replaceWorkload(namespace: "a", name: moved.name, kind: Workload.Kind.pod, with: moved as Workload?)
            index.remove(workloads[i])
            index.insert(moved)
        }
        for block in ["10.0.0.0/8", "10.0.1.0/24", "10.0.9.0/24", "10.0.2.0/23", "fd00::/64", "0.0.0.0/0", "192.168.0.0/16"] {
            let cidr = try #require(CIDR(block))
            var scan: [String] = []
            world.forEachWorkload { w in for a in w.addresses where cidr.contains(a) { scan.append("pod \(w.ref)@\(a)") } }
            #expect(Self.inside(index, block).sorted() == scan.sorted(), "\(block)")
            #expect(Self.inside(AddressIndex(world), block).sorted() == scan.sorted(), "\(block), built afresh")
        }
    }

    @Test func answersANamedPortInsideABlockAsAScanWouldAsWorkloadsGainAndLoseIt() throws {
        let http = NamedPort(name: "http", port: 80, proto: .tcp), alt = NamedPort(name: "http", port: 8080, proto: .tcp)
        func pod(_ i: Int, _ ip: String, _ ports: [NamedPort]) -> Workload {
            Workload(kind: .pod, namespace: "a", name: "p\(i)", addresses: [IPAddress(ip)!], namedPorts: ports)
        }
        var workloads = (0..<40).map { i in pod(i, "10.0.\(i % 3).\(i)", i % 4 == 0 ? [] : [i % 2 == 0 ? http : alt]) }
        var index = AddressIndex(World.build(cluster: ClusterState(namespaces: [Namespace(name: "a")]), inventory: Inventory()).0)
        for w in workloads { index.insert(w) }
        func check(_ step: String) throws {
            for block in ["10.0.0.0/8", "10.0.1.0/24", "10.0.2.0/23", "192.168.0.0/16"] {
                let cidr = try #require(CIDR(block))
                var scan: [String] = []
                for w in workloads {
                    for a in w.addresses where cidr.contains(a) {
                        if let n = w.resolve(portName: "http", proto: .tcp) { scan.append("\(a)=\(n)") }
                    }
                }
                var got: [String] = []
                index.forEach(in: cidr, portName: "http", proto: .tcp) { a, n in got.append("\(a)=\(n)") }
                #expect(got.sorted() == scan.sorted(), "\(step): \(block)")
                var none: [String] = []
                index.forEach(in: cidr, portName: "http", proto: .udp) { a, n in none.append("\(a)=\(n)") }
                #expect(none.isEmpty, "\(step): \(block) over UDP")
            }
        }
        try check("built")
        // Asked once, then ports come, go and change under it.
        for i in [0, 4, 8] {
            index.remove(workloads[i])
            workloads[i] = pod(i, "10.0.1.\(100 + i)", [alt])
            index.insert(workloads[i])
        }
        for i in [1, 2, 3] {
            index.remove(workloads[i])
            workloads[i] = pod(i, workloads[i].addresses[0].description, [])
            index.insert(workloads[i])
        }
        index.remove(workloads[5])
        workloads.remove(at: 5)
        try check("after changes")
    }
}
