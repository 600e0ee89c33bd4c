import ExtendCore
import Foundation
import Testing

/// render --output json writes its values by hand: what it writes must read
/// back as the same values, whatever a name or a drop-log prefix holds.
@Suite struct JSONTextTests {
    @Test(arguments: ["plain", "", "quote \" and \\ backslash", "line\nbreak\ttab\r", "\u{01}\u{1F}\u{7F}", "héllo ✓", "a/b"])
    func stringsReadBack(_ s: String) throws {
        let text = JSONText.object([("b", JSONText.quote(s)), ("a", JSONText.array([s, "x"]))])
        #expect(text.hasPrefix("{\"a\":"), "keys sorted as JSONEncoder's .sortedKeys sorts them")
        let back = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(back["b"] as? String == s)
        #expect(back["a"] as? [String] == [s, "x"])
    }
}
