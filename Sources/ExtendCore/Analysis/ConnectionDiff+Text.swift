/// The connection diff as people read it: one line per group of connections
/// opened or closed, with its causes, then the members of every class the
/// lines name by number. `extend diff --connections` prints these lines; the
/// controller's dry run logs them.
extension ConnectionDiff {
    /// `opened  live/reporting-01 -> live/billing-db-01  TCP 5432  (new policy live/allow-reporting)`, opened first.
    public var changeLines: [String] {
        var lines: [String] = []
        for (verb, changes) in [("opened", opened), ("closed", closed)] {
            for c in changes {
                lines.append("\(verb)  \(c.from.map { name(classes[$0]) }.joined(separator: ", ")) -> "
                             + "\(c.to.map { name(classes[$0]) }.joined(separator: ", "))  "
                             + MatrixGroups.PortRange.text(c.ports) + "  (" + c.because.joined(separator: "; ") + ")")
            }
        }
        return lines
    }

    /// The classes of more than one endpoint that the change lines name, in id order.
    public var namedClasses: [JointClass] {
        Set((opened + closed).flatMap { $0.from + $0.to }).sorted().map { classes[$0] }.filter { $0.members.count > 1 }
    }

    /// `c3: live/a, live/b`: the members of a class the change lines name as `[c3]`.
    public static func legend(_ c: JointClass) -> String { "c\(c.id): \(c.members.joined(separator: ", "))" }

    /// The whole text: the change lines, then the legend of the classes they name.
    public var text: String {
        guard !isEmpty else { return "no connection opened or closed\n" }
        return (changeLines + namedClasses.map(Self.legend)).joined(separator: "\n") + "\n"
    }

    /// A class by its member when it has one, else its members' shared namespace and count.
    func name(_ c: JointClass) -> String {
        if c.members.count == 1 { return c.members[0] }
        let namespaces = Set(c.members.map { $0.split(separator: "/").first.map(String.init) ?? "" })
        return namespaces.count == 1 ? "\(namespaces.first!)/{\(c.members.count) endpoints: \(c.members[0]), …} [c\(c.id)]"
            : "{\(c.members.count) endpoints: \(c.members[0]), …} [c\(c.id)]"
    }
}

extension MatrixGroups.PortRange {
    /// "TCP 5432, UDP"; every port of every protocol is "all ports".
    public static func text(_ ports: [Self]) -> String {
        ports == Proto.allCases.sorted().map { Self(proto: $0, range: nil) } ? "all ports" : ports.map(\.text).joined(separator: ", ")
    }
}
