import ExtendCore
import Foundation

extension HostAgent {
    /// What arrives at the host for `seconds`: the sources of the packets
    /// addressed to `addresses` (to `port` only, when given), this run's own
    /// SSH session left out. Reads only; blocking (run it off the pool).
    public func capture(seconds: Int, port: Int?, addresses: [IPAddress]) throws(SSHError) -> [ObservedSource] {
        guard options.mode == .shell else {
            // The restricted key runs the entry point's firewall requests and nothing else.
            throw SSHError(.configuration, host: endpoint.label,
                           "\(endpoint.label): ssh.mode is restricted, and its key can only manage the firewall; the doctor's capture needs shell access (ssh.mode: shell, e.g. an inventory describing the privileged access), or run tcpdump on the host by hand (docs/both-directions.md)")
        }
        let me = SourceAddress.towards(endpoint.address, port: endpoint.port)
        let request = "\(seconds) \(port ?? 0) \(endpoint.port) \(me?.description ?? "-")\n"
            + addresses.map { "\($0)\n" }.joined()
        let conn = try connectFirst()
        defer { conn.close() }
        let r = try conn.run(HostScripts.command(HostScripts.capture, sudo: options.sudo), stdin: Array(request.utf8),
                             timeout: .seconds(seconds + 30))
        guard r.succeeded else {
            let why = r.stderr.trimmedLastLine
            throw SSHError(.remote, host: endpoint.label,
                           "\(endpoint.label): the capture failed (exit \(r.exitStatus))" + (why.isEmpty ? "" : ": \(why)"))
        }
        do {
            return try PacketCapture(r.stdout).sources(to: Set(addresses), excluding: me.map { ($0, endpoint.port) })
        } catch {
            throw SSHError(.remote, host: endpoint.label, "\(endpoint.label): cannot read the capture: \(error.description)")
        }
    }
}
