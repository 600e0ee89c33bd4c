import ExtendCore

/// NetworkPolicyPeer and IPBlock.
extension ManifestDecoder {
    static let peerKeys = ["podSelector", "namespaceSelector", "ipBlock"]
    static let ipBlockKeys = ["cidr", "except"]

    /// "Exactly one of the fields must be specified" for ipBlock; podSelector
    /// and namespaceSelector may come together ("selects particular Pods
    /// within particular Namespaces"). `namespaceSelector: {}` is every
    /// namespace; an absent one is the policy's own namespace.
    func peer(_ c: Cursor) -> NetworkPolicy.Peer? {
        guard let f = c.isNull ? Fields.empty(at: c) : c.fields() else { return nil }
        f.warnUnknown(known: Self.peerKeys)
        let pod = f["podSelector"]
        let ns = f["namespaceSelector"]
        if let block = f["ipBlock"] {
            if pod != nil || ns != nil {
                c.error("a peer gives either ipBlock or podSelector/namespaceSelector, not both; split it into two peers")
                return nil
            }
            return ipBlock(block).map(NetworkPolicy.Peer.ipBlock)
        }
        guard pod != nil || ns != nil else {
            c.error("a peer must give podSelector, namespaceSelector or ipBlock")
            return nil
        }
        let podSelector = pod.map { $0.labelSelector() }
        let namespaceSelector = ns.map { $0.labelSelector() }
        if podSelector == .some(nil) || namespaceSelector == .some(nil) { return nil }
        return .workloads(podSelector: podSelector ?? nil, namespaceSelector: namespaceSelector ?? nil)
    }

    private func ipBlock(_ c: Cursor) -> NetworkPolicy.IPBlock? {
        guard let f = c.fields() else { return nil }
        f.warnUnknown(known: Self.ipBlockKeys)
        guard let cidrCursor = f["cidr"] else {
            c.error("missing cidr: an ipBlock needs a cidr such as 10.0.0.0/8")
            return nil
        }
        let cidr = cidrCursor.cidr()
        var except: [CIDR] = []
        var ok = true
        for item in f["except"]?.list() ?? [] {
            guard let e = item.cidr() else { ok = false; continue }
            if let cidr, e.family != cidr.family {
                item.error("except \(e) is \(e.family == .inet ? "IPv4" : "IPv6") but cidr \(cidr) is not; except entries must be of the cidr's family")
                ok = false
                continue
            }
            except.append(e)
        }
        // An except outside its cidr is legal but void: PolicyLint warns of it.
        guard let cidr, ok else { return nil }
        return NetworkPolicy.IPBlock(cidr: cidr, except: except)
    }
}
