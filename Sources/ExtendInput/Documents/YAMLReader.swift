/// YAML into a `DocumentTree`, straight from libyaml's events
/// (`YAMLEventParser`): the tree that copying Yams' composed documents gave,
/// node for node, with the same positions, quoting and errors, without
/// building Yams' nodes first (for a 10,000-pod list that was most of the time).
///
/// What Yams' composer did is done here: an alias gives a copy of the node
/// its anchor names (anchors hold across the documents of a stream, a later
/// one of the same name replaces), a key given twice in a mapping is an
/// error, and an alias that names no anchor is one.
struct YAMLReader {
    typealias ID = DocumentTree.ID

    private let parser: YAMLEventParser
    private let text: String
    /// Aliases make a document a graph: copying follows every alias, so a
    /// few lines of nested aliases ("billion laughs") could expand without
    /// end. No document without aliases comes near this.
    let budget: Int
    private(set) var builder: TreeBuilder
    private var anchors: [String: ID] = [:]
    /// The anchor of each open collection, named when it closes (as Yams
    /// registered it, so an alias inside it names an earlier anchor).
    private var openAnchors: [String?] = []
    /// Tags that make two keys differ (Yams resolves an untagged node, and
    /// one tagged `!`, to str, seq or map): nodes have them rarely.
    private(set) var tags: [ID: String] = [:]
    /// Where the budget ran out. Yams composed a whole document before it
    /// was copied, so the document is read on to its end, and an error later
    /// in it is the one reported.
    private var overBudget: SyntaxError?
    /// Past the budget, aliases and the copies cut short stand for the node
    /// they name, for the duplicate-key check (the tree is not used).
    private(set) var standsFor: [ID: ID] = [:]

    static func read(_ text: String, file: String) throws(SyntaxError) -> DocumentTree {
        var reader = YAMLReader(text)
        try reader.readStream()
        return reader.builder.finish(file: file)
    }

    private init(_ text: String) {
        self.text = text
        parser = YAMLEventParser(text)
        budget = 4 * text.utf8.count + 1024
        // kubectl's YAML has a node in every eight bytes or so.
        builder = TreeBuilder(expectedNodes: text.utf8.count / 7)
    }

    private mutating func readStream() throws(SyntaxError) {
        while true {
            let event: YAMLEventParser.Event
            do {
                event = try parser.next()
            } catch {
                throw Self.describe(error, text: text)
            }
            switch event {
            case .streamStart, .documentStart:
                continue
            case .streamEnd:
                return
            case .documentEnd:
                if let overBudget { throw overBudget }
            case .scalar(let value, let quoted, let anchor, let tag, let at):
                count(at.line, at.column)
                let id = builder.scalar(value, quoted: quoted, line: at.line, column: at.column)
                if let tag { note(tag, of: id, standard: "tag:yaml.org,2002:str") }
                if let anchor { anchors[anchor] = id }
            case .sequenceStart(let anchor, let tag, let at):
                count(at.line, at.column)
                let id = builder.begin(.sequence, line: at.line, column: at.column)
                if let tag { note(tag, of: id, standard: "tag:yaml.org,2002:seq") }
                openAnchors.append(anchor)
            case .mappingStart(let anchor, let tag, let at):
                count(at.line, at.column)
                let id = builder.begin(.mapping, line: at.line, column: at.column)
                if let tag { note(tag, of: id, standard: "tag:yaml.org,2002:map") }
                openAnchors.append(anchor)
            case .sequenceEnd:
                close()
            case .mappingEnd:
                if let duplicate = duplicateKeys() { throw duplicate }
                close()
            case .alias(let anchor, let at):
                guard let named = anchors[anchor] else {
                    throw SyntaxError(line: at.line, column: at.column, message: "invalid YAML: found undefined alias")
                }
                copy(named)
            }
        }
    }

    private mutating func close() {
        let id = builder.end()
        if let id, let anchor = openAnchors.popLast() ?? nil { anchors[anchor] = id }
    }

    private mutating func note(_ tag: String, of id: ID, standard: String) {
        guard tag != "!", tag != standard else { return }
        tags[id] = tag
    }

    /// Counts a node about to be added against the budget.
    private mutating func count(_ line: Int, _ column: Int) {
        guard overBudget == nil, builder.count >= budget else { return }
        overBudget = SyntaxError(line: line, column: column,
                                 message: "aliases expand this file to more than \(budget) nodes (each alias copies what it names); write the content out instead")
    }

    /// A copy of a closed node where an alias names it, node by node, each
    /// at the position of the node it copies.
    private mutating func copy(_ source: ID) {
        let at = builder.position(source)
        count(at.line, at.column)
        guard overBudget == nil else {
            standsFor[builder.scalar("", quoted: false, line: at.line, column: at.column)] = source
            return
        }
        let kind = builder.kind(source)
        switch kind {
        case .plainScalar, .quotedScalar:
            let id = builder.scalar(builder.text(source) ?? "", quoted: kind == .quotedScalar, line: at.line, column: at.column)
            if let tag = tags[source] { tags[id] = tag }
        case .mapping, .sequence:
            let id = builder.begin(kind, line: at.line, column: at.column)
            if let tag = tags[source] { tags[id] = tag }
            // By slot: the builder grows as the children are copied.
            for slot in builder.childSlots(source) {
                copy(builder.child(at: slot))
                if overBudget != nil { break }
            }
            builder.end()
            if overBudget != nil { standsFor[id] = source }
        }
    }
}
