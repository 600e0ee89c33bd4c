import ExtendController
import ExtendCore
import Testing

/// When the controller reuses a host's kept SSH connection, and when it
/// closes it: the pure policy, with strings standing in for connections.
@Suite struct KeptConnectionsTests {
    typealias Kept = KeptConnections<String>

    static func key(_ address: String = "198.18.0.10", port: Int = 22, user: String = "root",
                    identity: String = "~/.ssh/id_ed25519", mode: SSHMode = .shell, sudo: Bool = false) -> Kept.Key {
        var ssh = SSHSettings()
        ssh.port = port
        ssh.user = user
        ssh.identityFile = identity
        ssh.mode = mode
        ssh.sudo = sudo
        return Kept.Key(ssh: ssh, address: address)
    }

    static func closed(_ out: [(String, Kept.Reason)]) -> [String] { out.map { "\($0.0) \($0.1.rawValue)" } }

    @Test("a host's next run reuses the connection its last run left, and no two runs hold it at once")
    func reuse() {
        var kept = Kept(idleLimit: .seconds(60))
        #expect(kept.inventory(["db": Self.key()]).isEmpty)
        #expect(kept.take("db", key: Self.key()).reuse == nil, "nothing kept before a first run")
        #expect(kept.give("db", key: Self.key(), connection: "c1", idleSince: .seconds(1)).isEmpty)
        #expect(kept.count == 1)
        let first = kept.take("db", key: Self.key())
        #expect(first.reuse == "c1" && first.close.isEmpty)
        // Taken: a second run at the same time (never scheduled by the loop) gets none.
        #expect(kept.take("db", key: Self.key()).reuse == nil)
        #expect(kept.count == 0)
        // A failed run gives nothing back: nothing is kept.
        #expect(kept.give("db", key: Self.key(), connection: nil, idleSince: .seconds(2)).isEmpty)
        #expect(kept.take("db", key: Self.key()).reuse == nil)
    }

    @Test("a connection kept for other ssh settings is closed, never reused", arguments: [
        ("address", key("198.18.0.11")), ("port", key(port: 2222)), ("user", key(user: "netpol")),
        ("key", key(identity: "/etc/extend/id_ed25519")), ("mode", key(mode: .restricted)), ("sudo", key(sudo: true)),
    ])
    func settingsChanged(_ what: String, _ changed: Kept.Key) {
        var kept = Kept(idleLimit: .seconds(60))
        _ = kept.give("db", key: Self.key(), connection: "c1", idleSince: .zero)
        // The inventory changes the host's settings: its connection goes at once.
        #expect(Self.closed(kept.inventory(["db": changed])) == ["c1 settings"], "\(what)")
        #expect(kept.take("db", key: changed).reuse == nil)

        // A run still under the old settings ends after the change: not kept either.
        #expect(Self.closed(kept.give("db", key: Self.key(), connection: "c2", idleSince: .zero)) == ["c2 settings"])
        // A run told the new settings before the inventory was (the take checks the key itself).
        var other = Kept(idleLimit: .seconds(60))
        _ = other.give("db", key: Self.key(), connection: "c3", idleSince: .zero)
        let t = other.take("db", key: changed)
        #expect(t.reuse == nil && Self.closed(t.close) == ["c3 settings"])
    }

    @Test("a host that left the inventory has its connection closed, and its last run's is not kept")
    func removed() {
        var kept = Kept(idleLimit: .seconds(60))
        _ = kept.inventory(["db": Self.key(), "web": Self.key("198.18.0.12")])
        _ = kept.give("db", key: Self.key(), connection: "c-db", idleSince: .zero)
        _ = kept.give("web", key: Self.key("198.18.0.12"), connection: "c-web", idleSince: .zero)
        #expect(Self.closed(kept.inventory(["web": Self.key("198.18.0.12")])) == ["c-db removed"])
        #expect(kept.count == 1)
        // Its removal run connects afresh and gives back a connection: closed.
        #expect(Self.closed(kept.give("db", key: Self.key(), connection: "c-db2", idleSince: .seconds(1))) == ["c-db2 removed"])
        #expect(kept.take("web", key: Self.key("198.18.0.12")).reuse == "c-web")
    }

    @Test("a connection idle for the limit is closed; a keepalive does not count as use")
    func idle() {
        var kept = Kept(idleLimit: .seconds(60))
        _ = kept.give("a", key: Self.key(), connection: "ca", idleSince: .seconds(0))
        _ = kept.give("b", key: Self.key("198.18.0.11"), connection: "cb", idleSince: .seconds(30))
        #expect(kept.expire(now: .seconds(59)).isEmpty)
        // A keepalive pass takes them out and gives each back with the instant it had.
        for c in kept.takeIdle() { #expect(kept.give(c.host, key: c.key, connection: c.connection, idleSince: c.idleSince).isEmpty) }
        #expect(Self.closed(kept.expire(now: .seconds(60))) == ["ca idle"])
        #expect(Self.closed(kept.expire(now: .seconds(90))) == ["cb idle"])
        #expect(kept.count == 0)
    }

    @Test("at shutdown every kept connection is closed and none is kept after")
    func shutdown() {
        var kept = Kept(idleLimit: .seconds(60))
        _ = kept.give("a", key: Self.key(), connection: "ca", idleSince: .zero)
        _ = kept.give("b", key: Self.key("198.18.0.11"), connection: "cb", idleSince: .zero)
        #expect(Self.closed(kept.stop()) == ["ca shutdown", "cb shutdown"])
        #expect(Self.closed(kept.give("a", key: Self.key(), connection: "ca2", idleSince: .seconds(1))) == ["ca2 shutdown"])
        #expect(kept.count == 0)
    }

    @Test("a run that connected while the kept connection was out for a keepalive: the one used last is kept, the other closed")
    func duplicate() {
        var kept = Kept(idleLimit: .seconds(60))
        _ = kept.give("a", key: Self.key(), connection: "old", idleSince: .zero)
        let out = kept.takeIdle()
        #expect(kept.take("a", key: Self.key()).reuse == nil)
        #expect(kept.give("a", key: Self.key(), connection: "new", idleSince: .seconds(5)).isEmpty)
        #expect(Self.closed(kept.give("a", key: out[0].key, connection: out[0].connection, idleSince: out[0].idleSince)) == ["old duplicate"])
        #expect(kept.take("a", key: Self.key()).reuse == "new")
    }
}
