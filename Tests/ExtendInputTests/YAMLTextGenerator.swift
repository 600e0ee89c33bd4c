/// Random YAML for comparing readers: streams of documents in block and
/// flow styles, with plain, quoted, literal and folded scalars, anchors and
/// aliases (some undefined), tags, complex keys, comments, Unicode, tabs and
/// CRLF line ends; and texts broken by a random edit. Not always valid YAML:
/// the readers must agree on the errors too.
enum YAMLTextGenerator {
    static let words = [
        "a", "b", "c", "name", "kind", "metadata", "x y", "10.0.0.0/8", "true", "null", "~", "", "-1", "0x1F", "1e3",
        "é", "e\u{301}", "日本", "🙂", "a#b", "a: b", "tab\there", "'q'", "\"dq\"", "- d", "[f]", "{m}", "*s", "&t",
        "!u", "%v", "@w", "`x", "|", ">", "?", "line\nbreak", "trailing ", " leading", "\u{FEFF}bom", "\u{85}nel",
        "back\\slash", "\u{2028}ls",
    ]

    static func stream(_ rng: inout SplitMix) -> String {
        var out = ""
        var anchors: [String] = []
        let documents = Int.random(in: 1...3, using: &rng)
        for d in 0..<documents {
            if d > 0 || Bool.random(using: &rng) {
                out += "---"
                if Int.random(in: 0..<5, using: &rng) == 0 {
                    out += "\n"
                    if Bool.random(using: &rng) { out += "...\n" }
                    continue
                }
            }
            node(depth: 0, indent: 0, flow: false, &out, &anchors, &rng)
            if Int.random(in: 0..<4, using: &rng) == 0 { out += "...\n" }
        }
        if Int.random(in: 0..<6, using: &rng) == 0 { out = out.replacingOccurrences(of: "\n", with: "\r\n") }
        return out
    }

    /// A node after `key:`, `-`, `---` or at the start of a line, to the end of its last line.
    static func node(depth: Int, indent: Int, flow: Bool, _ out: inout String, _ anchors: inout [String],
                     _ rng: inout SplitMix) {
        let roll = Int.random(in: 0..<10, using: &rng)
        if roll == 0, !anchors.isEmpty || Bool.random(using: &rng) {
            out += " *" + (anchors.randomElement(using: &rng) ?? "undefined")
            comment(&out, &rng)
            return
        }
        let anchor = Int.random(in: 0..<6, using: &rng) == 0 ? "n\(Int.random(in: 0..<4, using: &rng))" : nil
        if let anchor { out += " &" + anchor }
        if Int.random(in: 0..<12, using: &rng) == 0 { out += [" !!str", " !foo", " !", " !!map", " !!seq"].randomElement(using: &rng)! }
        defer { if let anchor { anchors.append(anchor) } }
        if depth >= 4 || roll < 5 {
            out += " " + scalar(flow: false, indent: indent, &rng)
            comment(&out, &rng)
            return
        }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            out += " " + flowNode(depth: depth, &anchors, &rng)
            comment(&out, &rng)
            return
        }
        comment(&out, &rng)
        let count = Int.random(in: 0...4, using: &rng)
        if roll < 8 {
            for _ in 0..<max(count, 1) {
                out += String(repeating: " ", count: indent)
                if Int.random(in: 0..<15, using: &rng) == 0 {
                    out += "? " + flowNode(depth: depth + 1, &anchors, &rng) + "\n" + String(repeating: " ", count: indent) + ":"
                } else {
                    out += key(&rng) + ":"
                }
                // Kubernetes writes a mapping's sequences at the mapping's indent.
                let inner = Bool.random(using: &rng) ? indent + 2 : indent
                node(depth: depth + 1, indent: inner, flow: false, &out, &anchors, &rng)
            }
        } else {
            for _ in 0..<max(count, 1) {
                out += String(repeating: " ", count: indent) + "-"
                node(depth: depth + 1, indent: indent + 2, flow: false, &out, &anchors, &rng)
            }
        }
    }

    static func key(_ rng: inout SplitMix) -> String {
        let name = ["a", "b", "c", "k", "name", "é", "e\u{301}", "1", "x y"].randomElement(using: &rng)!
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return "'" + name + "'"
        case 1: return "\"" + name + "\""
        case 2: return "!!str " + name
        default: return name
        }
    }

    static func flowNode(depth: Int, _ anchors: inout [String], _ rng: inout SplitMix) -> String {
        var out = ""
        if Int.random(in: 0..<8, using: &rng) == 0 {
            let anchor = "f\(Int.random(in: 0..<3, using: &rng))"
            out += "&" + anchor + " "
            // Named before the node is read: an alias inside it names an earlier one, or none.
            anchors.append(anchor)
        }
        switch depth >= 3 ? 0 : Int.random(in: 0..<4, using: &rng) {
        case 0, 1:
            if Int.random(in: 0..<8, using: &rng) == 0, let a = anchors.randomElement(using: &rng) { return "*" + a }
            return out + scalar(flow: true, indent: 0, &rng)
        case 2:
            let items = (0..<Int.random(in: 0...3, using: &rng)).map { _ in flowNode(depth: depth + 1, &anchors, &rng) }
            return out + "[" + items.joined(separator: Bool.random(using: &rng) ? ", " : ",") + "]"
        default:
            let entries = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                key(&rng) + ": " + flowNode(depth: depth + 1, &anchors, &rng)
            }
            return out + "{" + entries.joined(separator: ", ") + "}"
        }
    }

    static func scalar(flow: Bool, indent: Int, _ rng: inout SplitMix) -> String {
        let word = words.randomElement(using: &rng)!
        switch Int.random(in: 0..<(flow ? 3 : 5), using: &rng) {
        case 0:
            return "'" + word.replacingOccurrences(of: "'", with: "''") + "'"
        case 1:
            let escaped = word.unicodeScalars.map { s -> String in
                switch s {
                case "\\": return "\\\\"
                case "\"": return "\\\""
                case "\n": return "\\n"
                case "\t": return Bool.random(using: &rng) ? "\\t" : "\t"
                default: return s.value > 0x7F && s.value < 0x10000 && Bool.random(using: &rng) ? "\\u" + hex(s.value) : String(s)
                }
            }
            return "\"" + escaped.joined() + "\""
        case 2:
            return word
        default:
            let pad = String(repeating: " ", count: indent + 2)
            let header = ["|", ">", "|-", ">+", "|2"].randomElement(using: &rng)!
            return header + "\n" + word.split(separator: "\n", omittingEmptySubsequences: false)
                .map { pad + $0 }.joined(separator: "\n")
        }
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func comment(_ out: inout String, _ rng: inout SplitMix) {
        if Int.random(in: 0..<8, using: &rng) == 0 { out += " # note: [x]" }
        out += "\n"
    }

    static let edits: [String] = [
        ":", "-", "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "'", "\"", "#", "?", "%", "@", "`", "\t", "\n",
        "\r", " ", "  ", "a", "é", "\u{0}", "\u{7}", "---\n", "...\n", "*n0", "&n0 ", "\\",
    ]

    /// The text with one random edit: a character deleted, inserted or
    /// replaced, a line repeated, or the text cut short.
    static func mutate(_ text: String, _ rng: inout SplitMix) -> String {
        var scalars = Array(text.unicodeScalars)
        let at = Int.random(in: 0...scalars.count, using: &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0 where at < scalars.count:
            scalars.remove(at: at)
        case 1 where at < scalars.count:
            scalars.replaceSubrange(at...at, with: edits.randomElement(using: &rng)!.unicodeScalars)
        case 2:
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let i = Int.random(in: 0..<lines.count, using: &rng)
            var copy = Array(lines)
            copy.insert(lines[i], at: i)
            return copy.joined(separator: "\n")
        case 3:
            scalars.removeSubrange(at...)
        default:
            scalars.insert(contentsOf: edits.randomElement(using: &rng)!.unicodeScalars, at: at)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }
}
