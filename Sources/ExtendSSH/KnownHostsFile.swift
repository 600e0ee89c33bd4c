import Foundation

/// An OpenSSH known_hosts file, read once per connect.
///
/// Host lines go to libssh2; `@revoked` lines we check ourselves (libssh2 1.10
/// does not read markers); `@cert-authority` lines are skipped, since we do
/// not verify host certificates.
struct KnownHostsFile {
    struct Line {
        let number: Int
        let text: String
    }

    let path: String
    let hostLines: [Line]
    /// Base64 key blobs marked `@revoked`, with their line numbers.
    let revoked: [(line: Int, blob: String)]
    let skipped: [Line]

    static func load(_ path: String, for target: String) throws(SSHError) -> KnownHostsFile {
        let bytes: [UInt8]
        switch readWholeFile(path) {
        case .success(let content):
            bytes = content
        case .failure(let error):
            throw SSHError(.configuration, host: target,
                "known_hosts file \(path) for \(target) cannot be read: \(error.text)")
        }
        var hostLines: [Line] = []
        var revoked: [(line: Int, blob: String)] = []
        var skipped: [Line] = []
        let text = String(decoding: bytes, as: UTF8.self)
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let entry = Line(number: index + 1, text: line)
            if line.hasPrefix("@revoked") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if fields.count >= 4 { revoked.append((index + 1, String(fields[3]))) }
            } else if line.hasPrefix("@") {
                skipped.append(entry)
            } else {
                hostLines.append(entry)
            }
        }
        return KnownHostsFile(path: path, hostLines: hostLines, revoked: revoked, skipped: skipped)
    }
}
