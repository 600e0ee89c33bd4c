import ExtendCore

extension ManagedHostsFile {
    /// The record as JSON: keys in a fixed order, hosts sorted by name, one
    /// line per value, so the same record is the same bytes and a change
    /// reads well in a diff (the file may be committed beside the inventory).
    public static func text(_ record: ManagedHostsRecord) -> String {
        var out = "{\n"
        out += "  \"apiVersion\": \(quote(apiVersion)),\n"
        out += "  \"kind\": \(quote(kind)),\n"
        out += "  \"hosts\": [" + (record.hosts.isEmpty ? "]\n" : "\n")
        for (i, h) in record.hosts.enumerated() {
            let s = h.ssh
            out += "    {\n"
            out += "      \"name\": \(quote(h.name)),\n"
            out += "      \"addresses\": [" + h.addresses.map { quote($0.description) }.joined(separator: ", ") + "],\n"
            out += "      \"ssh\": {\n"
            out += "        \"address\": \(quote(h.connectAddress)),\n"
            out += "        \"port\": \(s.port),\n"
            out += "        \"user\": \(quote(s.user)),\n"
            out += "        \"identityFile\": \(quote(s.identityFile)),\n"
            out += "        \"knownHostsFile\": \(quote(s.knownHostsFile)),\n"
            out += "        \"sudo\": \(s.sudo),\n"
            out += "        \"mode\": \(quote(s.mode.rawValue)),\n"
            out += "        \"connectTimeoutSeconds\": \(s.connectTimeoutSeconds)\n"
            out += "      }\n"
            out += "    }" + (i == record.hosts.count - 1 ? "\n" : ",\n")
        }
        if !record.hosts.isEmpty { out += "  ]\n" }
        return out + "}\n"
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String { JSONText.quote(s) }
}
