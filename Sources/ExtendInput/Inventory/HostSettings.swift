import ExtendCore

/// The settings a host inherits from `defaults` and may override key by key.
struct HostSettings {
    var ssh = SSHSettings()
    var management: [CIDR] = []
    var logDrops = false
    var persist = false
    var enforcement = Enforcement.enforce

    static let keys = ["ssh", "management", "logDrops", "persist", "enforcement"]
    static let sshKeys = ["user", "port", "identityFile", "knownHostsFile", "sudo", "mode", "connectTimeoutSeconds"]
    /// A host's ssh may also say where to connect.
    static let hostSSHKeys = sshKeys + ["address"]

    /// Applies the keys `fields` gives (other keys of `fields` are the caller's).
    mutating func apply(_ fields: Fields, sshKeys: [String]) {
        if let c = fields["ssh"], let f = c.fields(allowed: sshKeys) { applySSH(f) }
        if let c = fields["management"], let list = c.list() {
            management = list.compactMap { $0.cidr(allowBareAddress: true) }
        }
        if let c = fields["logDrops"], let b = c.bool() { logDrops = b }
        if let c = fields["persist"], let b = c.bool() { persist = b }
        if let c = fields["enforcement"], let m = c.enforcement() { enforcement = m }
    }

    /// Merges ssh keys one by one over what is inherited.
    private mutating func applySSH(_ f: Fields) {
        if let c = f["user"], let s = c.nonEmptyString() { ssh.user = s }
        if let c = f["port"], let n = c.portNumber() { ssh.port = n }
        if let c = f["identityFile"], let s = c.nonEmptyString() { ssh.identityFile = s }
        if let c = f["knownHostsFile"], let s = c.nonEmptyString() { ssh.knownHostsFile = s }
        if let c = f["sudo"], let b = c.bool() { ssh.sudo = b }
        if let c = f["mode"], let m = c.sshMode() { ssh.mode = m }
        if let c = f["connectTimeoutSeconds"], let n = c.int() {
            if n > 0 { ssh.connectTimeoutSeconds = n } else { c.error("must be a positive number of seconds, such as 10") }
        }
        if let c = f["address"], let s = c.nonEmptyString() {
            if IPAddress(s) != nil || NetworkText.isHostname(s) {
                ssh.address = s
            } else {
                c.error("\(ScalarValue.quote(s)) must be an IP address (198.18.1.10, 2001:db8::10) or a host name (db-01.example.com)")
            }
        }
    }
}
