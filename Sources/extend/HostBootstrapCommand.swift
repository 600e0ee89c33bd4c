import ArgumentParser
import ExtendCore
import ExtendInput
import ExtendSSH
import Foundation
import Logging

struct HostBootstrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-bootstrap",
        abstract: "Print, per host, what ssh.mode: restricted needs (account, authorized_keys line, sudoers drop-in, entry point); with --install, install and verify it.",
        discussion: """
        The inventory's ssh settings are the privileged access each host has today (root, or a sudoer with \
        ssh.sudo: true); --install uses it to install the restricted access, then logs in as --restricted-user \
        with --identity and checks that the entry point is this extend's version, that a request works and that \
        a shell is refused. A missing account is created (a system account, as the dry run prints); an existing \
        one is kept as it is (its login shell must be a real shell). Installing again changes nothing and says so; a key listed before for \
        the entry point but not given now is removed from the account (rotation: give old and new, then new alone).

        Afterwards set, for those hosts: ssh: {mode: restricted, user: <restricted user>, identityFile: <identity>}.
        """)

    @OptionGroup var inventory: InventoryOptions
    @OptionGroup var hostOptions: HostOptions
    @Option(name: .long, help: "The account the restricted key logs in as (created with --install when the host has none).")
    var restrictedUser = "netpol-extend"
    @Option(name: .customLong("public-key"), help: ArgumentHelp("The restricted key's public half (an OpenSSH .pub file). Repeatable: every key given is installed.", valueName: "file"))
    var publicKeys: [String] = []
    @Option(name: .long, help: ArgumentHelp("The restricted key's private half, to verify with after --install (default: the first --public-key without .pub).", valueName: "file"))
    var identity: String?
    @Option(name: .customLong("from"), help: ArgumentHelp("An address or prefix the key may be used from. Repeatable (default: the host's management sources and this machine's address towards it).", valueName: "cidr"))
    var from: [String] = []
    @Flag(name: .long, help: "Install (after printing), then verify. Without it nothing is sent to any host.")
    var install = false
    @Flag(name: .long, help: "Say more (each connection's steps).")
    var verbose = false

    func validate() throws {
        guard HostBootstrap.isUserName(restrictedUser) else {
            throw ValidationError("--restricted-user \(restrictedUser): a login name is lower case letters, digits, _ and - (at most 32)")
        }
        guard !publicKeys.isEmpty else { throw ValidationError("--public-key: give the restricted key's public half (FILE.pub)") }
        for f in from where CIDR(f, allowBareAddress: true) == nil {
            throw ValidationError("--from \(f): not an address or prefix (198.18.0.1, 198.18.0.0/24)")
        }
    }

    func run() async throws {
        let console = Console()
        let load = InventoryLoader.load(path: inventory.inventory)
        console.report(load.diagnostics)
        guard let inv = load.inventory, !load.hasErrors else { throw ExitCode(1) }
        let hosts = try select(inv, console: console)
        let keys = try readKeys(console: console)
        var failed = false
        for host in hosts {
            failed = await bootstrap(host, keys: keys, console: console) || failed
        }
        console.out("\nThen set, for these hosts: ssh: {mode: restricted, user: \(restrictedUser), identityFile: \(identityFile)}\n")
        if failed { throw ExitCode(1) }
    }

    /// Prints the host's plan and, with --install, installs it. Whether it failed.
    private func bootstrap(_ host: LegacyHost, keys: [String], console: Console) async -> Bool {
        let connect = host.connectAddress
        console.out("== \(host.name) (\(connect):\(host.ssh.port)), to install over the access of \(host.ssh.user)\(host.ssh.sudo ? " (through sudo)" : "")\n")
        guard host.ssh.mode == .shell else {
            console.error("\(host.name): the inventory says ssh.mode: restricted for it; host-bootstrap installs over the privileged access the host has today: give it an inventory whose ssh settings for this host are that access (ssh.mode: shell)")
            return true
        }
        let sources = from.isEmpty
            ? host.management + HostAgent.guardSources(connect: connect, port: host.ssh.port, management: host.management)
            : from.compactMap { CIDR($0, allowBareAddress: true) }
        let lines = keys.compactMap { HostBootstrap.authorizedKey($0, from: sources) }
        guard !sources.isEmpty, lines.count == keys.count else {
            console.error("\(host.name): no address to allow the key from: the host has no management sources and this machine's address towards it is unknown; give --from")
            return true
        }
        let plan = HostBootstrap(user: restrictedUser, authorizedKeys: lines)
        var text = "account: \(restrictedUser) (kept as it is if it exists, with a login shell such as /bin/sh; else created: \(HostBootstrap.addUserCommand(restrictedUser)))\n"
        text += "--- ~\(restrictedUser)/.ssh/authorized_keys (these lines replace any for the entry point or for these keys)\n"
        text += lines.map { $0 + "\n" }.joined()
        if let sudoers = plan.sudoers {
            text += "--- \(HostBootstrap.sudoersPath) (0440 root)\n" + sudoers
        }
        text += "--- \(HostBootstrap.entryPointPath) (0755 root)\n" + HostBootstrap.entryPoint
        console.out(text)
        guard install else {
            console.out("(dry run: nothing was sent; --install installs it)\n")
            return false
        }
        let admin = SSHEndpoint(name: host.name, ssh: host.ssh, connect: connect)
        var restricted = admin
        restricted.user = restrictedUser
        restricted.identityFile = HostAgent.expand(identityFile)
        // Only the restricted key: an agent's keys would prove nothing about it.
        restricted.useAgent = false
        var logger = Logger(label: "netpol-extend")
        logger.logLevel = verbose ? .debug : .warning
        do {
            let changed = try await SSHTransport.offload(name: "bootstrap \(host.name)") { [logger, restricted] in
                try plan.install(over: admin, sudo: host.ssh.sudo, verifyingAs: restricted, logger: logger)
            }
            console.out(changed.isEmpty
                ? "\(host.name): already installed; nothing changed. Verified: a request works and a shell is refused.\n"
                : "\(host.name): installed \(changed.joined(separator: ", ")). Verified: a request works and a shell is refused.\n")
            return false
        } catch {
            console.error("\(error)")
            return true
        }
    }

    private var identityFile: String {
        identity ?? (publicKeys[0].hasSuffix(".pub") ? String(publicKeys[0].dropLast(4)) : publicKeys[0])
    }

    private func select(_ inv: Inventory, console: Console) throws -> [LegacyHost] {
        if hostOptions.hosts.isEmpty { return inv.hosts }
        return try hostOptions.hosts.map { name in
            guard let h = inv.host(named: name) else {
                console.error("--host \(name): no such host in \(inv.source)")
                throw ExitCode(1)
            }
            return h
        }
    }

    /// Each --public-key file's key line (comment lines and blank lines skipped).
    private func readKeys(console: Console) throws -> [String] {
        try publicKeys.map { path in
            guard let data = FileManager.default.contents(atPath: HostAgent.expand(path)) else {
                console.error("--public-key \(path): cannot read it")
                throw ExitCode(1)
            }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
            guard lines.count == 1, HostBootstrap.isPublicKey(lines[0]) else {
                console.error("--public-key \(path): not one OpenSSH public key line (TYPE BASE64 [COMMENT]); is it the .pub file?")
                throw ExitCode(1)
            }
            return lines[0]
        }
    }
}
