import ExtendCore
import ExtendInput

extension Informer {
    /// Lists the resource and hands on the initial state (first time) or the
    /// difference from the cache (after 410). False when the list failed.
    func list(_ progress: inout Progress, emit: @Sendable (InformerBatch) async -> Void) async -> Bool {
        let result: ListResult
        do {
            result = try await client.list(resource, limit: options.pageSize)
        } catch {
            note(error)
            return false
        }
        var objects: [APIObject] = []
        var problems: [ObjectProblem] = []
        for page in result.pages {
            let read = APIObjectReader.page(page.text, name: page.name, kind: resource.objectKind, apiVersion: resource.apiVersion)
            objects += read.objects
            problems += self.problems(read.objects, source: page.name)
            let pageErrors = read.diagnostics.filter { $0.severity == .error }
            if read.objects.isEmpty && !pageErrors.isEmpty {
                problems.append(ObjectProblem(source: page.name, object: "the page", diagnostics: pageErrors))
            }
        }
        let changes = progress.cache.replace(with: objects)
        let marker: InformerBatch.Marker = progress.synced ? .relisted : .synced
        progress.synced = true
        progress.resourceVersion = result.resourceVersion
        succeeded(&progress)
        state.withLock {
            $0.synced = true
            $0.lists += 1
            if marker == .relisted { $0.relists += 1 }
            $0.resourceVersion = result.resourceVersion
            $0.objects = progress.cache.count
        }
        report(problems)
        await emit(InformerBatch(resource: resource, changes: changes, marker: marker, problems: problems))
        return true
    }
}
