import ExtendCore
import ExtendInput
import Testing

/// Problems in an inventory, each with its exact `FILE:LINE:COLUMN`.
@Suite struct InventoryErrorTests {
    static let header = "apiVersion: netpol-extend/v1\nkind: Inventory\n"

    /// The diagnostics of `body` (appended to a valid header) as text.
    static func problems(_ body: String) -> [String] {
        let load = InventoryLoader.parse(header + body, path: "inv.yaml")
        if load.hasErrors { #expect(load.inventory == nil) }
        return load.diagnostics.map(\.description)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let expected: [String]
        var testDescription: String { name }
        init(_ name: String, _ body: String, _ expected: [String]) {
            self.name = name
            self.body = body
            self.expected = expected
        }
    }

    static let unknownKeys: [Case] = [
        Case("top level", "hosts: []\nhost: []\n", [
            #"inv.yaml:4:1: error: unknown key "host" in the top level (allowed: apiVersion, kind, namespaces, defaults, hosts); did you mean "hosts"?"#,
        ]),
        Case("host", """
            hosts:
              - name: h1
                namespace: default
                adress: 198.18.1.1
                addresses: [198.18.1.1]
            """, [
            #"inv.yaml:6:5: error: unknown key "adress" in hosts[0] (allowed: name, namespace, labels, addresses, ports, logDrops, persist, enforcement, management, ssh); did you mean "addresses"?"#,
        ]),
        Case("host ssh", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ssh: {usr: admin}
            """, [
            #"inv.yaml:7:11: error: unknown key "usr" in hosts[0].ssh (allowed: user, port, identityFile, knownHostsFile, sudo, mode, connectTimeoutSeconds, address); did you mean "user"?"#,
        ]),
        Case("defaults ssh refuses address", """
            defaults:
              ssh:
                address: 10.0.0.1
            """, [
            #"inv.yaml:5:5: error: unknown key "address" in defaults.ssh (allowed: user, port, identityFile, knownHostsFile, sudo, mode, connectTimeoutSeconds)"#,
        ]),
        Case("defaults", "defaults:\n  logdrops: true\n", [
            #"inv.yaml:4:3: error: unknown key "logdrops" in defaults (allowed: ssh, management, logDrops, persist, enforcement); did you mean "logDrops"?"#,
        ]),
        Case("port", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ports:
                  - {name: http, port: 80, proto: TCP}
            """, [
            #"inv.yaml:8:32: error: unknown key "proto" in hosts[0].ports[0] (allowed: name, port, protocol); did you mean "protocol"?"#,
        ]),
        Case("namespace", "namespaces:\n  - name: legacy\n    label: {a: b}\n", [
            #"inv.yaml:5:5: error: unknown key "label" in namespaces[0] (allowed: name, labels); did you mean "labels"?"#,
        ]),
    ]

    @Test(arguments: unknownKeys)
    func unknownKey(_ c: Case) {
        #expect(Self.problems(c.body) == c.expected)
    }

    static let wrongTypes: [Case] = [
        Case("hosts is a string", "hosts: h1\n", [
            #"inv.yaml:3:8: error: hosts: expected a list, got the string "h1""#,
        ]),
        Case("addresses is a string", "hosts:\n  - {name: h1, namespace: default, addresses: 198.18.1.1}\n", [
            #"inv.yaml:4:47: error: hosts[0].addresses: expected a list, got the string "198.18.1.1""#,
        ]),
        Case("quoted port", "defaults:\n  ssh: {port: \"22\"}\n", [
            #"inv.yaml:4:15: error: defaults.ssh.port: expected an integer, got the string "22"; write it without quotes: 22"#,
        ]),
        Case("fractional port", "defaults:\n  ssh: {port: 22.5}\n", [
            "inv.yaml:4:15: error: defaults.ssh.port: expected a whole number written in decimal, got the number 22.5",
        ]),
        Case("yes is not a boolean", "defaults:\n  ssh: {sudo: yes}\n", [
            "inv.yaml:4:15: error: defaults.ssh.sudo: expected true or false, got yes (a boolean to YAML 1.1 readers such as kubectl)",
        ]),
        Case("quoted boolean", "defaults:\n  persist: \"true\"\n", [
            #"inv.yaml:4:12: error: defaults.persist: expected true or false, got the string "true""#,
        ]),
        Case("defaults is a list", "defaults: []\n", [
            "inv.yaml:3:11: error: defaults: expected a mapping, got a list",
        ]),
        Case("label value is a number", "namespaces:\n  - {name: legacy, labels: {tier: 1}}\n", [
            #"inv.yaml:4:35: error: namespaces[0].labels.tier: expected a string, got the number 1; quote it if it is meant as text: "1""#,
        ]),
        Case("user is a mapping", "defaults:\n  ssh:\n    user: {name: root}\n", [
            "inv.yaml:5:11: error: defaults.ssh.user: expected a string, got a mapping",
        ]),
        Case("management is a string", "defaults:\n  management: 10.0.0.0/8\n", [
            #"inv.yaml:4:15: error: defaults.management: expected a list, got the string "10.0.0.0/8""#,
        ]),
    ]

    @Test(arguments: wrongTypes)
    func wrongType(_ c: Case) {
        #expect(Self.problems(c.body) == c.expected)
    }

    static let semantic: [Case] = [
        Case("duplicate host name", """
            hosts:
              - {name: h1, namespace: default, addresses: [198.18.1.1]}
              - {name: h1, namespace: default, addresses: [198.18.1.2]}
            """, [
            #"inv.yaml:5:12: error: hosts[1].name: host name "h1" is already used by the host at inv.yaml:4; host names must be unique"#,
        ]),
        Case("host name not a DNS label", "hosts:\n  - {name: DB_01, namespace: default, addresses: [198.18.1.1]}\n", [
            #"inv.yaml:4:12: error: hosts[0].name: host name "DB_01" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit"#,
        ]),
        Case("namespace name not a DNS label", "namespaces:\n  - name: Legacy\n", [
            #"inv.yaml:4:11: error: namespaces[0].name: namespace name "Legacy" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit"#,
        ]),
        Case("duplicate namespace", "namespaces:\n  - name: legacy\n  - name: legacy\n", [
            #"inv.yaml:5:11: error: namespaces[1].name: namespace "legacy" is declared twice (first at inv.yaml:4); declare each namespace once"#,
        ]),
        Case("address is a CIDR", "hosts:\n  - {name: h1, namespace: default, addresses: [198.18.1.0/24]}\n", [
            #"inv.yaml:4:48: error: hosts[0].addresses[0]: "198.18.1.0/24" is a prefix; expected a single IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10"#,
        ]),
        Case("address is junk", "hosts:\n  - {name: h1, namespace: default, addresses: [198.18.1.256]}\n", [
            #"inv.yaml:4:48: error: hosts[0].addresses[0]: "198.18.1.256" is not an IP address; expected an IPv4 or IPv6 address such as 198.18.1.10 or 2001:db8::10"#,
        ]),
        Case("no addresses", "hosts:\n  - {name: h1, namespace: default, addresses: []}\n", [
            "inv.yaml:4:47: error: hosts[0].addresses: a host needs at least one address",
        ]),
        Case("addresses missing", "hosts:\n  - {name: h1, namespace: default}\n", [
            #"inv.yaml:4:5: error: hosts[0]: missing key "addresses": list every address of the host, e.g. [198.18.1.10]"#,
        ]),
        Case("address used by two hosts", """
            hosts:
              - {name: h1, namespace: default, addresses: ["2001:db8::1"]}
              - {name: h2, namespace: default, addresses: ["2001:DB8:0::0001"]}
            """, [
            #"inv.yaml:5:48: error: hosts[1].addresses[0]: address 2001:db8::1 is already used by host "h1" (inv.yaml:4); an address belongs to one host"#,
        ]),
        Case("duplicate named port", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ports:
                  - {name: http, port: 80}
                  - {name: http, port: 8080}
            """, [
            #"inv.yaml:9:16: error: hosts[0].ports[1].name: port name "http" is used twice on this host (first at inv.yaml:8:16); each name must be unique"#,
        ]),
        Case("port out of range", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ports: [{name: http, port: 65536}, {name: zero, port: 0}]
            """, [
            "inv.yaml:7:32: error: hosts[0].ports[0].port: port 65536 is out of range; must be 1-65535",
            "inv.yaml:7:59: error: hosts[0].ports[1].port: port 0 is out of range; must be 1-65535",
        ]),
        Case("bad protocol", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ports: [{name: dns, port: 53, protocol: udp}, {name: x, port: 1, protocol: ICMP}]
            """, [
            #"inv.yaml:7:45: error: hosts[0].ports[0].protocol: protocol "udp" is not supported; must be TCP, UDP or SCTP (in upper case)"#,
            #"inv.yaml:7:80: error: hosts[0].ports[1].protocol: protocol "ICMP" is not supported; must be TCP, UDP or SCTP"#,
        ]),
        Case("bad port names", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ports:
                  - {name: "8080", port: 8080}
                  - {name: Http, port: 80}
                  - {name: -web, port: 81}
                  - {name: a--b, port: 82}
                  - {name: very-long-port-name, port: 83}
            """, [
            #"inv.yaml:8:16: error: hosts[0].ports[0].name: port name "8080" must contain at least one letter (IANA service name, e.g. "postgres" or "http-alt")"#,
            #"inv.yaml:9:16: error: hosts[0].ports[1].name: port name "Http" must consist of lower case letters, digits and '-' (IANA service name, e.g. "postgres" or "http-alt")"#,
            #"inv.yaml:10:16: error: hosts[0].ports[2].name: port name "-web" must not start or end with '-' nor contain "--" (IANA service name, e.g. "postgres" or "http-alt")"#,
            #"inv.yaml:11:16: error: hosts[0].ports[3].name: port name "a--b" must not start or end with '-' nor contain "--" (IANA service name, e.g. "postgres" or "http-alt")"#,
            #"inv.yaml:12:16: error: hosts[0].ports[4].name: port name "very-long-port-name" must be 1 to 15 characters long (IANA service name, e.g. "postgres" or "http-alt")"#,
        ]),
        Case("invalid labels", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                labels: {"-bad": ok, app: "not valid!"}
            """, [
            #"inv.yaml:7:13: error: hosts[0].labels: label key "-bad" must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric"#,
            #"inv.yaml:7:13: error: hosts[0].labels: label value "not valid!" must consist of alphanumerics, '-', '_' or '.', and start and end with an alphanumeric"#,
        ]),
        Case("management not a CIDR", "defaults:\n  management: [10.0.0.0/33, example.com, 10.1.2.3/8]\n", [
            #"inv.yaml:4:16: error: defaults.management[0]: "10.0.0.0/33" must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32 or a single address"#,
            #"inv.yaml:4:29: error: defaults.management[1]: "example.com" must be a valid CIDR, e.g. 10.0.0.0/8 or 2001:db8::/32 or a single address"#,
            #"inv.yaml:4:42: error: defaults.management[2]: "10.1.2.3/8" has bits set after the prefix length; must be a valid CIDR such as 10.0.0.0/8"#,
        ]),
        Case("ssh mode", """
            defaults:
              ssh: {mode: Restricted}
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ssh: {mode: true}
            """, [
            #"inv.yaml:4:15: error: defaults.ssh.mode: ssh mode "Restricted" is not known; must be shell (extend runs its scripts in a shell) or restricted (the key runs only netpol-extend-host; see extend host-bootstrap)"#,
            #"inv.yaml:9:17: error: hosts[0].ssh.mode: expected a string, got the boolean true; quote it if it is meant as text: "true""#,
        ]),
        Case("enforcement", """
            defaults:
              enforcement: Audit
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                enforcement: true
              - name: h2
                namespace: default
                addresses: [198.18.1.2]
                enforcement: dry-run
            """, [
            #"inv.yaml:4:16: error: defaults.enforcement: enforcement "Audit" is not known; must be enforce (drop what the policies deny) or audit (count it against the policies, log it with logDrops, and let it through)"#,
            #"inv.yaml:9:18: error: hosts[0].enforcement: expected a string, got the boolean true; quote it if it is meant as text: "true""#,
            #"inv.yaml:13:18: error: hosts[1].enforcement: enforcement "dry-run" is not known; must be enforce (drop what the policies deny) or audit (count it against the policies, log it with logDrops, and let it through)"#,
        ]),
        Case("ssh port and timeout", "defaults:\n  ssh: {port: 70000, connectTimeoutSeconds: 0}\n", [
            "inv.yaml:4:15: error: defaults.ssh.port: port 70000 is out of range; must be 1-65535",
            "inv.yaml:4:45: error: defaults.ssh.connectTimeoutSeconds: must be a positive number of seconds, such as 10",
        ]),
        Case("ssh address", """
            hosts:
              - name: h1
                namespace: default
                addresses: [198.18.1.1]
                ssh: {address: "10.0.0.300"}
              - name: h2
                namespace: default
                addresses: [198.18.1.2]
                ssh: {address: "bad_host!"}
            """, [
            #"inv.yaml:7:20: error: hosts[0].ssh.address: "10.0.0.300" must be an IP address (198.18.1.10, 2001:db8::10) or a host name (db-01.example.com)"#,
            #"inv.yaml:11:20: error: hosts[1].ssh.address: "bad_host!" must be an IP address (198.18.1.10, 2001:db8::10) or a host name (db-01.example.com)"#,
        ]),
    ]

    @Test(arguments: semantic)
    func semanticError(_ c: Case) {
        #expect(Self.problems(c.body) == c.expected)
    }

    @Test func missingHeader() {
        let load = InventoryLoader.parse("hosts: []\n", path: "inv.yaml")
        #expect(load.diagnostics.map(\.description) == [
            "inv.yaml:1:1: error: missing apiVersion; an inventory begins with apiVersion: netpol-extend/v1 and kind: Inventory",
            "inv.yaml:1:1: error: missing kind; an inventory begins with apiVersion: netpol-extend/v1 and kind: Inventory",
        ])
    }

    @Test func everyProblemIsReportedTogether() {
        let problems = Self.problems("""
            namespaces:
              - name: legacy
              - name: legacy
            defaults:
              ssh: {sudo: "no"}
            hosts:
              - name: h1
                namespace: legacy
                addresses: [198.18.1.1, 198.18.1.1]
                ports: [{name: http, port: http}]
              - name: h1
                namespace: Legacy
                addresses: [198.18.1.1]
                colour: blue
            """)
        #expect(problems == [
            #"inv.yaml:5:11: error: namespaces[1].name: namespace "legacy" is declared twice (first at inv.yaml:4); declare each namespace once"#,
            #"inv.yaml:7:15: error: defaults.ssh.sudo: expected true or false, got the string "no""#,
            #"inv.yaml:11:29: error: hosts[0].addresses[1]: address 198.18.1.1 is listed twice for this host"#,
            #"inv.yaml:12:32: error: hosts[0].ports[0].port: expected an integer, got the string "http""#,
            #"inv.yaml:16:5: error: unknown key "colour" in hosts[1] (allowed: name, namespace, labels, addresses, ports, logDrops, persist, enforcement, management, ssh)"#,
            #"inv.yaml:13:11: error: hosts[1].name: host name "h1" is already used by the host at inv.yaml:9; host names must be unique"#,
            #"inv.yaml:14:16: error: hosts[1].namespace: namespace "Legacy" must be a DNS-1123 label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit"#,
            #"inv.yaml:15:17: error: hosts[1].addresses[0]: address 198.18.1.1 is already used by host "h1" (inv.yaml:9); an address belongs to one host"#,
        ])
    }

    @Test func extraDocumentIsAnError() {
        let load = InventoryLoader.parse(Self.header + "hosts: []\n---\nhosts: []\n", path: "inv.yaml")
        #expect(load.diagnostics.map(\.description) == [
            "inv.yaml:5:1: error: an inventory is a single YAML document, but another document begins here; merge them into one",
        ])
    }
}
