private import CYaml

/// libyaml's parser (the copy Yams vendors, so YAML stays on Yams' libyaml)
/// over one text, handing out its events as Swift values. Reading events,
/// not Yams' composed nodes, saves building a node tree only to copy it into
/// a `DocumentTree`. The parser, its event and the bytes it reads are owned
/// here and freed in `deinit`; no libyaml type leaves this file.
final class YAMLEventParser {
    /// Where an event begins: libyaml's mark counted from 1, as Yams counts
    /// (line and column plus one; the column counts Unicode scalars).
    struct Mark: Equatable {
        let line: Int
        let column: Int
    }

    enum Event {
        case streamStart
        case streamEnd
        case documentStart
        case documentEnd
        case alias(anchor: String, at: Mark)
        /// `quoted`: any style but plain (single, double, literal, folded).
        case scalar(String, quoted: Bool, anchor: String?, tag: String?, at: Mark)
        case sequenceStart(anchor: String?, tag: String?, at: Mark)
        case sequenceEnd
        case mappingStart(anchor: String?, tag: String?, at: Mark)
        case mappingEnd
    }

    /// Why libyaml stopped, in its words.
    struct Failure: Error {
        enum Stage {
            /// The text has a character YAML does not allow.
            case reader(byteOffset: Int, value: Int32)
            case scanner
            case parser
            case memory
        }

        let stage: Stage
        let problem: String
        let mark: Mark
        /// What libyaml was reading when it stopped, and where that began.
        let context: (text: String, mark: Mark)?
    }

    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let event: UnsafeMutablePointer<yaml_event_t>
    /// libyaml reads the text in place: a copy of its UTF-8, owned as long as the parser.
    private let bytes: UnsafeMutableBufferPointer<UInt8>

    init(_ text: String) {
        bytes = .allocate(capacity: max(text.utf8.count, 1))
        _ = bytes.initialize(from: text.utf8)
        parser = .allocate(capacity: 1)
        event = .allocate(capacity: 1)
        event.initialize(to: yaml_event_t())
        yaml_parser_initialize(parser)
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        yaml_parser_set_input_string(parser, bytes.baseAddress, text.utf8.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        event.deallocate()
        bytes.deallocate()
    }

    /// The next event; after `streamEnd`, none.
    func next() throws(Failure) -> Event {
        guard yaml_parser_parse(parser, event) == 1 else { throw failure() }
        defer { yaml_event_delete(event) }
        let e = event.pointee
        let at = Mark(line: Int(e.start_mark.line) + 1, column: Int(e.start_mark.column) + 1)
        switch e.type {
        case YAML_STREAM_START_EVENT:
            return .streamStart
        case YAML_DOCUMENT_START_EVENT:
            return .documentStart
        case YAML_DOCUMENT_END_EVENT:
            return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: Self.string(e.data.alias.anchor) ?? "", at: at)
        case YAML_SCALAR_EVENT:
            let s = e.data.scalar
            // By length: a scalar may hold NUL characters.
            var bytes = UnsafeBufferPointer(start: s.value, count: s.length)
            // Yams decodes with Foundation, which drops one leading byte order mark.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                bytes = UnsafeBufferPointer(rebasing: bytes[3...])
            }
            let value = String(decoding: bytes, as: UTF8.self)
            return .scalar(value, quoted: s.style != YAML_PLAIN_SCALAR_STYLE && s.style != YAML_ANY_SCALAR_STYLE,
                           anchor: Self.string(s.anchor), tag: Self.string(s.tag), at: at)
        case YAML_SEQUENCE_START_EVENT:
            let s = e.data.sequence_start
            return .sequenceStart(anchor: Self.string(s.anchor), tag: Self.string(s.tag), at: at)
        case YAML_SEQUENCE_END_EVENT:
            return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            let m = e.data.mapping_start
            return .mappingStart(anchor: Self.string(m.anchor), tag: Self.string(m.tag), at: at)
        case YAML_MAPPING_END_EVENT:
            return .mappingEnd
        default:
            // YAML_NO_EVENT: libyaml gives it only after the stream's end.
            return .streamEnd
        }
    }

    private func failure() -> Failure {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? ""
        let mark = Mark(line: Int(p.problem_mark.line) + 1, column: Int(p.problem_mark.column) + 1)
        let context = p.context.map {
            (text: String(cString: $0), mark: Mark(line: Int(p.context_mark.line) + 1, column: Int(p.context_mark.column) + 1))
        }
        let stage: Failure.Stage
        switch p.error {
        case YAML_READER_ERROR: stage = .reader(byteOffset: Int(p.problem_offset), value: p.problem_value)
        case YAML_SCANNER_ERROR: stage = .scanner
        case YAML_PARSER_ERROR: stage = .parser
        default: stage = .memory
        }
        return Failure(stage: stage, problem: problem, mark: mark, context: context)
    }

    /// Anchors and tags, as Yams reads them.
    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String.decodeCString(pointer, as: UTF8.self, repairingInvalidCodeUnits: true)?.result
    }
}
