import Synchronization

/// Numbers for the incremental compiler's batches, never given twice in one
/// process: state keys (`IncrementalCompiler.StateKey`) outlive the compiler
/// that made them, in the controller's digest memo.
enum BatchNumbers {
    private static let last = Atomic<Int>(0)

    static func next() -> Int { last.wrappingAdd(1, ordering: .relaxed).newValue }
}
