import ExtendCore
import ExtendInput
import Foundation
import Testing

@Suite struct InventoryLoaderTests {
    static let full = """
    apiVersion: netpol-extend/v1
    kind: Inventory
    namespaces:
      - name: legacy
        labels: {env: live}
      - name: batch
    defaults:
      ssh:
        user: deploy
        port: 2222
        sudo: true
      management: [198.18.0.1/32, "2001:db8:ffff::/48"]
      logDrops: false
      persist: true
    hosts:
      - name: billing-db-01
        namespace: legacy
        labels: {app: billing-db, tier: data}
        addresses: [198.18.1.10, "2001:db8::10"]
        ports:
          - {name: postgres, port: 5432, protocol: TCP}
          - {name: metrics, port: 9187}
          - {name: syslog, port: 514, protocol: UDP}
        logDrops: true
        ssh:
          address: 198.18.1.10
          port: 22
          identityFile: /etc/extend/id_billing
      - name: batch-01
        namespace: batch
        addresses: [198.18.1.20]
        management: [10.0.0.7]
        persist: false
        ssh:
          address: batch-01.example.com
          connectTimeoutSeconds: 3
    """

    @Test func fullInventoryAppliesDefaultsAndOverrides() throws {
        let inventory = try InventoryLoader.parse(Self.full, path: "inv.yaml").get()
        #expect(inventory.source == "inv.yaml")
        #expect(inventory.namespaces == [
            Namespace(name: "legacy", labels: ["env": "live"], virtual: true, origin: "inv.yaml:4:11"),
            Namespace(name: "batch", virtual: true, origin: "inv.yaml:6:11"),
        ])
        #expect(inventory.namespaces.allSatisfy { $0.virtual })
        #expect(inventory.namespaces[0].labels["kubernetes.io/metadata.name"] == "legacy")

        let db = try #require(inventory.host(named: "billing-db-01"))
        #expect(db.namespace == "legacy")
        #expect(db.labels == ["app": "billing-db", "tier": "data"])
        #expect(db.addresses == [IPAddress("198.18.1.10"), IPAddress("2001:db8::10")].compactMap { $0 })
        #expect(db.ports == [
            NamedPort(name: "postgres", port: 5432, proto: .tcp),
            NamedPort(name: "metrics", port: 9187, proto: .tcp),
            NamedPort(name: "syslog", port: 514, proto: .udp),
        ])
        #expect(db.logDrops == true)      // host override
        #expect(db.persist == true)       // inherited
        #expect(db.management == [CIDR("198.18.0.1/32"), CIDR("2001:db8:ffff::/48")].compactMap { $0 })
        // ssh merges key by key: user and sudo from defaults, port and key from the host.
        #expect(db.ssh.user == "deploy")
        #expect(db.ssh.sudo == true)
        #expect(db.ssh.port == 22)
        #expect(db.ssh.identityFile == "/etc/extend/id_billing")
        #expect(db.ssh.knownHostsFile == "~/.ssh/known_hosts")
        #expect(db.ssh.connectTimeoutSeconds == 10)
        #expect(db.ssh.address == "198.18.1.10")
        #expect(db.origin == "inv.yaml:16")

        let batch = try #require(inventory.host(named: "batch-01"))
        #expect(batch.labels.isEmpty)
        #expect(batch.ports.isEmpty)
        #expect(batch.logDrops == false)
        #expect(batch.persist == false)
        #expect(batch.management == [CIDR("10.0.0.7/32")].compactMap { $0 })
        #expect(batch.ssh.port == 2222)
        #expect(batch.ssh.connectTimeoutSeconds == 3)
        #expect(batch.ssh.address == "batch-01.example.com")
        #expect(batch.origin == "inv.yaml:29")
    }

    @Test func builtInDefaults() throws {
        let inventory = try InventoryLoader.parse("""
            apiVersion: netpol-extend/v1
            kind: Inventory
            hosts:
              - {name: h1, namespace: default, addresses: [198.18.1.1]}
            """).get()
        let host = try #require(inventory.hosts.first)
        #expect(host.ssh == SSHSettings())
        #expect(host.ssh.user == "root")
        #expect(host.ssh.port == 22)
        #expect(host.ssh.identityFile == "~/.ssh/id_ed25519")
        #expect(host.ssh.knownHostsFile == "~/.ssh/known_hosts")
        #expect(host.ssh.sudo == false)
        #expect(host.ssh.mode == .shell)
        #expect(host.ssh.connectTimeoutSeconds == 10)
        #expect(host.ssh.address == nil)
        #expect(host.management.isEmpty)
        #expect(host.logDrops == false)
        #expect(host.persist == false)
        #expect(inventory.namespaces.isEmpty)
    }

    @Test func readsFromFileAndJSON() throws {
        let tmp = try TempFiles()
        let yamlPath = try tmp.write("inventory.yaml", Self.full)
        let fromFile = try InventoryLoader.load(path: yamlPath).get()
        #expect(fromFile.hosts.count == 2)
        #expect(fromFile.source == yamlPath)
        #expect(fromFile.hosts[0].origin == "\(yamlPath):16")

        let jsonPath = try tmp.write("inventory.json", """
            {
              "apiVersion": "netpol-extend/v1",
              "kind": "Inventory",
              "hosts": [
                {"name": "h1", "namespace": "default", "addresses": ["198.18.1.1"],
                 "ports": [{"name": "http", "port": 80}], "ssh": {"sudo": true}}
              ]
            }
            """)
        let fromJSON = try InventoryLoader.load(path: jsonPath).get()
        #expect(fromJSON.hosts.first?.ports == [NamedPort(name: "http", port: 80, proto: .tcp)])
        #expect(fromJSON.hosts.first?.ssh.sudo == true)
        #expect(fromJSON.hosts.first?.origin == "\(jsonPath):5")
    }

    @Test func missingFileIsAnError() {
        let load = InventoryLoader.load(path: "/nonexistent/inventory.yaml")
        #expect(load.inventory == nil)
        #expect(load.diagnostics.map(\.description) == ["/nonexistent/inventory.yaml: error: no such file or directory"])
    }

    @Test func folderIsAnError() throws {
        let tmp = try TempFiles()
        let load = InventoryLoader.load(path: tmp.root)
        #expect(load.diagnostics.map(\.description) == ["\(tmp.root): error: is a directory; expected a YAML or JSON file"])
    }

    @Test func inputErrorListsEveryProblem() {
        let load = InventoryLoader.parse("apiVersion: v2\nkind: Inventry\n", path: "i.yaml")
        #expect(throws: InputError.self) { try load.get() }
        do {
            _ = try load.get()
        } catch {
            #expect(error.description == """
                i.yaml:1:13: error: apiVersion: must be netpol-extend/v1, not "v2"
                i.yaml:2:7: error: kind: must be Inventory, not "Inventry"
                """)
        }
    }

    @Test("ssh.mode: restricted in defaults reaches every host; a host may say shell")
    func sshMode() throws {
        let inventory = try InventoryLoader.parse("""
            apiVersion: netpol-extend/v1
            kind: Inventory
            defaults:
              ssh: {mode: restricted, user: netpol-extend}
            hosts:
              - {name: h1, namespace: default, addresses: [198.18.1.1]}
              - {name: h2, namespace: default, addresses: [198.18.1.2], ssh: {mode: shell, user: root}}
            """).get()
        #expect(inventory.hosts.map(\.ssh.mode) == [.restricted, .shell])
        #expect(inventory.hosts.map(\.ssh.user) == ["netpol-extend", "root"])
    }

    @Test("enforcement: audit in defaults reaches every host; a host may say enforce; unset means enforce")
    func enforcement() throws {
        let audit = try InventoryLoader.parse("""
            apiVersion: netpol-extend/v1
            kind: Inventory
            defaults:
              enforcement: audit
            hosts:
              - {name: h1, namespace: default, addresses: [198.18.1.1]}
              - {name: h2, namespace: default, addresses: [198.18.1.2], enforcement: enforce}
            """).get()
        #expect(audit.hosts.map(\.enforcement) == [.audit, .enforce])
        let plain = try InventoryLoader.parse("""
            apiVersion: netpol-extend/v1
            kind: Inventory
            hosts:
              - {name: h1, namespace: default, addresses: [198.18.1.1]}
              - {name: h2, namespace: default, addresses: [198.18.1.2], enforcement: audit}
            """).get()
        #expect(plain.hosts.map(\.enforcement) == [.enforce, .audit])
    }
}
