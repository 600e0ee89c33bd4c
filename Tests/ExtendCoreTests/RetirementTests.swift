import ExtendCore
import Testing

/// Hosts that left the inventory: which are cleaned, which are never touched
/// because they look like a listed host, and what the record says afterwards.
@Suite("Retired hosts and the managed hosts record")
struct RetirementTests {
    static func host(_ name: String, _ addresses: [String], connect: String? = nil, port: Int = 22,
                     user: String = "root") -> LegacyHost {
        var ssh = SSHSettings()
        ssh.address = connect
        ssh.port = port
        ssh.user = user
        return LegacyHost(name: name, namespace: "legacy", addresses: addresses.map { IPAddress($0)! }, ssh: ssh)
    }

    static func recorded(_ name: String, _ addresses: [String], connect: String? = nil, port: Int = 22) -> ManagedHost {
        ManagedHost(host(name, addresses, connect: connect, port: port))
    }

    @Test("the record keeps the address a host is reached at, even when the inventory leaves it to the first address")
    func recordWritesOutTheConnectAddress() {
        let h = ManagedHost(Self.host("db-01", ["198.18.1.10", "2001:db8::10"]))
        #expect(h.ssh.address == "198.18.1.10")
        #expect(h.addressAndPort == "198.18.1.10:22")
        #expect(ManagedHost(Self.host("db-02", ["2001:db8::11"], port: 2222)).addressAndPort == "[2001:db8::11]:2222")
    }

    @Test("a recorded host the inventory no longer lists is retired; listed ones are not")
    func hostLeftTheInventory() {
        let record = ManagedHostsRecord(hosts: [Self.recorded("db-01", ["198.18.1.10"]),
                                                Self.recorded("old-01", ["198.18.1.20"]),
                                                Self.recorded("web-01", ["198.18.1.30"])])
        let inventory = [Self.host("db-01", ["198.18.1.10"]), Self.host("web-01", ["198.18.1.30"])]
        let plan = Retirement.plan(record: record, inventory: inventory)
        #expect(plan.retired.map(\.name) == ["old-01"])
        #expect(plan.retired.first?.connectAddress == "198.18.1.20")
        #expect(plan.stillListed == ["db-01", "web-01"])
        #expect(plan.collisions.isEmpty && plan.untouched.isEmpty)
    }

    @Test("no record (a first run) retires nothing")
    func noRecord() {
        let plan = Retirement.plan(record: ManagedHostsRecord(), inventory: [Self.host("db-01", ["198.18.1.10"])])
        #expect(plan == Retirement())
    }

    struct CollisionCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var retired: ManagedHost
        var listed: LegacyHost
        /// nil: not a collision, the retired host is cleaned.
        var shared: String?
    }

    static let collisionCases: [CollisionCase] = [
        CollisionCase(testDescription: "renamed: same address",
                      retired: recorded("db-old", ["198.18.1.10"]), listed: host("db-new", ["198.18.1.10"]),
                      shared: "SSH endpoint 198.18.1.10:22"),
        CollisionCase(testDescription: "reused machine: one address in common, reached differently",
                      retired: recorded("db-old", ["198.18.1.10", "2001:db8::10"], connect: "db-old.example.com"),
                      listed: host("cache-01", ["198.18.1.99", "2001:db8::10"]),
                      shared: "address 2001:db8::10"),
        CollisionCase(testDescription: "same SSH endpoint, written differently (IPv6)",
                      retired: recorded("old", ["2001:db8::1"], connect: "2001:DB8:0::7", port: 2201),
                      listed: host("new", ["2001:db8::2"], connect: "2001:db8::7", port: 2201),
                      shared: "SSH endpoint [2001:db8::7]:2201"),
        CollisionCase(testDescription: "same SSH endpoint by host name, in another case",
                      retired: recorded("old", ["198.18.1.1"], connect: "Bastion.example.com"),
                      listed: host("new", ["198.18.1.2"], connect: "bastion.example.com"),
                      shared: "SSH endpoint bastion.example.com:22"),
        CollisionCase(testDescription: "one forwarding address, another port: two machines",
                      retired: recorded("old", ["198.18.1.1"], connect: "198.18.0.5", port: 2201),
                      listed: host("new", ["198.18.1.2"], connect: "198.18.0.5", port: 2202),
                      shared: nil),
        CollisionCase(testDescription: "nothing in common",
                      retired: recorded("old", ["198.18.1.1"]), listed: host("new", ["198.18.1.2"]),
                      shared: nil),
    ]

    @Test("a retired host that shares an SSH endpoint or an address with a listed host is never cleaned",
          arguments: collisionCases)
    func renamedHostGuard(_ c: CollisionCase) {
        let plan = Retirement.plan(record: ManagedHostsRecord(hosts: [c.retired]), inventory: [c.listed])
        if let shared = c.shared {
            #expect(plan.retired.isEmpty)
            #expect(plan.collisions == [Retirement.Collision(host: c.retired, listed: c.listed.name, shared: shared)])
            // And it is dropped from the record, whatever the run did.
            let next = plan.nextRecord(inventory: [c.listed], worked: [c.listed], cleaned: [])
            #expect(next.names == [c.listed.name])
        } else {
            #expect(plan.retired == [c.retired])
            #expect(plan.collisions.isEmpty)
        }
    }

    @Test("with --host, only retired hosts it names are worked on; the others stay recorded as they are")
    func hostFilter() {
        let record = ManagedHostsRecord(hosts: [Self.recorded("db-01", ["198.18.1.10"]),
                                                Self.recorded("gone-a", ["198.18.1.20"]),
                                                Self.recorded("gone-b", ["198.18.1.21"])])
        let inventory = [Self.host("db-01", ["198.18.1.10"]), Self.host("web-01", ["198.18.1.30"])]
        let plan = Retirement.plan(record: record, inventory: inventory, only: ["gone-b", "web-01"])
        #expect(plan.retired.map(\.name) == ["gone-b"])
        #expect(plan.untouched.map(\.name) == ["gone-a"])
        #expect(plan.stillListed == ["db-01"])

        // web-01 worked on, gone-b cleaned: gone-a is kept exactly as recorded, db-01 stays.
        let next = plan.nextRecord(inventory: inventory, worked: [inventory[1]], cleaned: ["gone-b"])
        #expect(next.names == ["db-01", "gone-a", "web-01"])
        #expect(next.host(named: "gone-a") == record.host(named: "gone-a"))
    }

    @Test("the next record: worked and still-listed hosts with current settings, failed cleanups kept, cleaned ones dropped")
    func nextRecord() {
        let record = ManagedHostsRecord(hosts: [Self.recorded("db-01", ["198.18.1.10"]),
                                                Self.recorded("gone-ok", ["198.18.1.20"]),
                                                Self.recorded("gone-down", ["198.18.1.21"]),
                                                Self.recorded("quiet-01", ["198.18.1.40"])])
        // db-01 now logs in as another user on another port; quiet-01 is listed but not worked on (--host);
        // new-01 is new; spare-01 is listed, never worked on, never recorded.
        let db = Self.host("db-01", ["198.18.1.10"], port: 2222, user: "deploy")
        let quiet = Self.host("quiet-01", ["198.18.1.40"], user: "ops")
        let new = Self.host("new-01", ["198.18.1.50"])
        let spare = Self.host("spare-01", ["198.18.1.60"])
        let inventory = [db, new, quiet, spare]
        let plan = Retirement.plan(record: record, inventory: inventory, only: ["db-01", "new-01", "gone-ok", "gone-down"])
        #expect(plan.retired.map(\.name) == ["gone-down", "gone-ok"])

        let next = plan.nextRecord(inventory: inventory, worked: [db, new], cleaned: ["gone-ok"])
        #expect(next.names == ["db-01", "gone-down", "new-01", "quiet-01"])
        #expect(next.host(named: "db-01") == ManagedHost(db))
        #expect(next.host(named: "db-01")?.ssh.user == "deploy")
        #expect(next.host(named: "db-01")?.addressAndPort == "198.18.1.10:2222")
        #expect(next.host(named: "quiet-01")?.ssh.user == "ops")
        #expect(next.host(named: "gone-down") == record.host(named: "gone-down"))
    }

    @Test("a host is recorded once the run works on it, whatever the outcome")
    func firstRunRecordsWorkedHosts() {
        let inventory = [Self.host("db-01", ["198.18.1.10"]), Self.host("web-01", ["198.18.1.30"])]
        let plan = Retirement.plan(record: ManagedHostsRecord(), inventory: inventory)
        #expect(plan.nextRecord(inventory: inventory, worked: inventory, cleaned: []).hosts == inventory.map(ManagedHost.init))
    }

    @Test("--forget: a retired host is dropped from the record without being worked on; the rest of the plan is as without it")
    func forgetRetiredHost() throws {
        let record = ManagedHostsRecord(hosts: [Self.recorded("db-01", ["198.18.1.10"]),
                                                Self.recorded("gone-down", ["198.18.1.20"]),
                                                Self.recorded("gone-dead", ["198.18.1.21"])])
        let inventory = [Self.host("db-01", ["198.18.1.10"])]
        let plan = try Retirement.plan(record: record, inventory: inventory, forget: ["gone-dead"])
        #expect(plan.forgotten == [record.host(named: "gone-dead")!])
        #expect(plan.retired.map(\.name) == ["gone-down"])
        #expect(plan.stillListed == ["db-01"])
        #expect(plan.collisions.isEmpty && plan.untouched.isEmpty)

        // Neither cleanup succeeded: the forgotten host is dropped all the same, the other kept to be retried.
        let next = plan.nextRecord(inventory: inventory, worked: inventory, cleaned: [])
        #expect(next.names == ["db-01", "gone-down"])

        // Without --forget (or with none) the same record plans both for cleaning.
        #expect(try Retirement.plan(record: record, inventory: inventory, forget: [])
                == Retirement.plan(record: record, inventory: inventory))
        #expect(Retirement.plan(record: record, inventory: inventory).retired.map(\.name) == ["gone-dead", "gone-down"])
    }

    @Test("--forget names a host outside the --host filter, or one that looks like a listed host: it is forgotten all the same")
    func forgetWinsOverFilterAndCollision() throws {
        let record = ManagedHostsRecord(hosts: [Self.recorded("db-old", ["198.18.1.10"]),
                                                Self.recorded("gone-a", ["198.18.1.20"]),
                                                Self.recorded("gone-b", ["198.18.1.21"])])
        // db-new is db-old renamed (same address).
        let inventory = [Self.host("db-new", ["198.18.1.10"])]
        let plan = try Retirement.plan(record: record, inventory: inventory, only: ["gone-b"], forget: ["gone-a", "db-old"])
        #expect(plan.forgotten.map(\.name) == ["db-old", "gone-a"])
        #expect(plan.retired.map(\.name) == ["gone-b"])
        #expect(plan.collisions.isEmpty && plan.untouched.isEmpty)

        // --host naming the forgotten host only: nothing is worked on, it is forgotten, the others kept as they are.
        let alone = try Retirement.plan(record: record, inventory: inventory, only: ["gone-a"], forget: ["gone-a", "gone-a"])
        #expect(alone.forgotten.map(\.name) == ["gone-a"])
        #expect(alone.retired.isEmpty && alone.collisions.isEmpty)
        #expect(alone.untouched.map(\.name) == ["db-old", "gone-b"])
        #expect(alone.nextRecord(inventory: inventory, worked: [], cleaned: []).names == ["db-old", "gone-b"])
    }

    struct RefusalCase: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var forget: [String]
        /// nil: no record file yet.
        var record: ManagedHostsRecord?
        var refused: [Retirement.Refusal.Refused]
    }

    static let refusalRecord = ManagedHostsRecord(hosts: [recorded("db-01", ["198.18.1.10"]), recorded("gone-01", ["198.18.1.20"])])

    static let refusalCases: [RefusalCase] = [
        RefusalCase(testDescription: "a recorded host still in the inventory", forget: ["db-01"], record: refusalRecord,
                    refused: [.init(name: "db-01", reason: .stillListed)]),
        RefusalCase(testDescription: "an inventory host never recorded", forget: ["web-01"], record: refusalRecord,
                    refused: [.init(name: "web-01", reason: .stillListed)]),
        RefusalCase(testDescription: "a name neither knows", forget: ["never-01"], record: refusalRecord,
                    refused: [.init(name: "never-01", reason: .notRecorded)]),
        RefusalCase(testDescription: "no record yet", forget: ["gone-01"], record: nil,
                    refused: [.init(name: "gone-01", reason: .notRecorded)]),
        RefusalCase(testDescription: "one good name among bad ones: all bad ones, in order, once each",
                    forget: ["never-01", "gone-01", "db-01", "never-01"], record: refusalRecord,
                    refused: [.init(name: "never-01", reason: .notRecorded), .init(name: "db-01", reason: .stillListed)]),
    ]

    @Test("--forget refuses a host still in the inventory and a name the record does not know", arguments: refusalCases)
    func forgetRefused(_ c: RefusalCase) {
        let inventory = [Self.host("db-01", ["198.18.1.10"]), Self.host("web-01", ["198.18.1.30"])]
        #expect(throws: Retirement.Refusal(c.refused)) {
            try Retirement.plan(record: c.record ?? ManagedHostsRecord(), inventory: inventory, forget: c.forget)
        }
    }
}
