import ExtendCore
import ExtendInput
import Foundation

/// A NetworkPolicy as read from the API just before a write: its metadata,
/// and its spec decoded as the informers decode it (so "the same" means what
/// the plan means by it).
struct StoredCompanion {
    private struct Head: Decodable { var metadata: CompanionObject.Metadata }

    var metadata: CompanionObject.Metadata
    /// nil when the spec does not decode (it is replaced, if the object is ours).
    var policy: NetworkPolicy?

    /// `body`: one NetworkPolicy, as GET answers. `source` names it in messages.
    init(json body: Data, source: String) throws {
        metadata = try JSONDecoder().decode(Head.self, from: body).metadata
        // The reader takes list pages: this object as the one item of one.
        let page = APIObjectReader.page("{\"items\":[" + String(decoding: body, as: UTF8.self) + "]}", name: source,
                                        kind: "NetworkPolicy", apiVersion: Companion.apiVersion)
        if case .policy(let p)? = page.objects.first?.value { policy = p }
    }

    /// Ours: both labels. Nothing else is ever written or deleted.
    var isOurs: Bool { Companion.marked(metadata.labels ?? [:]) }

    /// Holds `c` already: the same spec, source annotations and owner.
    func holds(_ c: Companion) -> Bool {
        guard let policy, policy.sameSpec(as: c.policy) else { return false }
        let annotations = metadata.annotations ?? [:]
        guard annotations[Companion.sourcePolicyAnnotation] == c.sourceName,
              annotations[Companion.sourceUIDAnnotation] == c.sourceUID else { return false }
        let owners = (metadata.ownerReferences ?? []).filter(\.isPolicy)
        return owners == [CompanionObject.OwnerReference.source(of: c)].compactMap { $0 }
    }
}
