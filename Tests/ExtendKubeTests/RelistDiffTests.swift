import ExtendCore
import ExtendInput
import Testing
@testable import ExtendKube

/// The informer's cache and the difference a relist hands on: pure.
@Suite struct RelistDiffTests {
    static func pod(_ name: String, rv: String, app: String = "web", ip: String? = nil, decodes: Bool = true) -> APIObject {
        let value = Pod(namespace: "ns", name: name, labels: ["app": app], ips: ip.flatMap { IPAddress($0) }.map { [$0] } ?? [],
                        origin: "list:\(rv)")
        return APIObject(kind: "Pod", namespace: "ns", name: name, resourceVersion: rv, value: decodes ? .pod(value) : nil)
    }

    static func names(_ changes: [ClusterChange]) -> [String] {
        changes.map {
            switch $0 {
            case .pod(let p): "+\(p.name)"
            case .podDeleted(_, let name): "-\(name)"
            default: "?"
            }
        }
    }

    @Test func relistGivesNewChangedAndVanishedOnce() {
        var cache = InformerCache()
        _ = cache.replace(with: [Self.pod("a", rv: "1"), Self.pod("b", rv: "2"), Self.pod("c", rv: "3"), Self.pod("d", rv: "4")])
        let changes = cache.replace(with: [
            Self.pod("a", rv: "1"),                 // unchanged
            Self.pod("b", rv: "9", app: "db"),      // relabelled
            Self.pod("d", rv: "10"),                // new resourceVersion, same content (an annotation changed)
            Self.pod("e", rv: "11"),                // new
        ])
        #expect(Self.names(changes) == ["+b", "+e", "-c"])
        #expect(cache.count == 4)
        // Relisting the same state again hands on nothing.
        #expect(cache.replace(with: [Self.pod("a", rv: "1"), Self.pod("b", rv: "9", app: "db"), Self.pod("d", rv: "10"), Self.pod("e", rv: "11")]).isEmpty)
    }

    @Test func firstListIsEveryObject() {
        let result = RelistDiff.diff(cached: [:], listed: [Self.pod("a", rv: "1"), Self.pod("b", rv: "2")])
        #expect(Self.names(result.changes) == ["+a", "+b"])
    }

    /// An object that stops decoding keeps its last good state: it still exists.
    @Test func undecodableObjectKeepsItsCachedState() {
        let cached = RelistDiff.diff(cached: [:], listed: [Self.pod("a", rv: "1")]).objects
        let result = RelistDiff.diff(cached: cached, listed: [Self.pod("a", rv: "5", decodes: false)])
        #expect(result.changes.isEmpty)
        #expect(result.objects["ns/a"]?.resourceVersion == "1")
    }

    @Test func cacheDropsRedeliveredAndEmptyChanges() {
        var cache = InformerCache()
        #expect(cache.upsert(Self.pod("a", rv: "1")) != nil)
        #expect(cache.upsert(Self.pod("a", rv: "1")) == nil)                 // re-delivered
        #expect(cache.upsert(Self.pod("a", rv: "2")) == nil)                 // same content
        #expect(cache.upsert(Self.pod("a", rv: "3", ip: "10.0.0.1")) != nil) // readdressed
        #expect(cache.delete(Self.pod("a", rv: "4")) == .podDeleted(namespace: "ns", name: "a"))
        #expect(cache.delete(Self.pod("a", rv: "4")) == nil)                 // deleted twice
        #expect(cache.upsert(Self.pod("b", rv: "5", decodes: false)) == nil)
        #expect(cache.count == 0)
    }
}
