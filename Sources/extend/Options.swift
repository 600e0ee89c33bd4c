import ArgumentParser
import ExtendCore
import ExtendInput

/// Where cluster state comes from: exactly one source (spec/cli.md).
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A file or folder of YAML/JSON manifests (kubectl -o yaml output, kind: List, or multi-document). Repeatable.", valueName: "path"))
    var manifests: [String] = []

    @Option(name: .long, help: ArgumentHelp("Read the cluster through the Kubernetes API with this kubeconfig (one file, not merged). Without --manifests or --kubeconfig: the pod's service account in a pod, else $KUBECONFIG, else ~/.kube/config.", valueName: "path"))
    var kubeconfig: String?

    @Option(name: .long, help: "The kubeconfig context to use (default: its current-context).")
    var context: String?

    func validate() throws {
        if !manifests.isEmpty && (kubeconfig != nil || context != nil) {
            throw ValidationError("give cluster state from one source: --manifests, or --kubeconfig/--context, not both")
        }
    }
}

struct InventoryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The inventory of hosts outside the cluster (YAML).", valueName: "path"))
    var inventory: String
}

/// Where diff and apply find the managed hosts record, the memory that lets a
/// host deleted from the inventory still be cleaned.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The managed hosts record: the hosts apply has worked on, so that those removed from the inventory get our rules removed. Written by apply only. (default: the inventory's path + .state.json)",
        valueName: "path"))
    var state: String?

    /// Per inventory by default: two inventories on one machine never clean each other's hosts.
    func path(inventory: String) -> String { state ?? ManagedHostsFile.defaultPath(inventory: inventory) }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "text for people, json for scripts (one document on stdout).")
    var output: OutputFormat = .text

    @Flag(name: .long, help: "Say more: skipped manifest kinds, timings, each step.")
    var verbose = false

    @Flag(name: .long, help: "List every warning (by default a kind with more than three is shown as its first three and a count).")
    var allWarnings = false
}

struct HostOptions: ParsableArguments {
    @Option(name: .customLong("host"), help: ArgumentHelp("Limit to this host (repeatable).", valueName: "name"))
    var hosts: [String] = []

    func validate() throws {
        for h in hosts where !LabelValidation.isDNS1123Label(h) {
            throw ValidationError("--host \(h): host names are DNS-1123 labels")
        }
    }
}

/// Retired hosts to drop from the managed hosts record without contacting
/// them: the way out for a machine that is gone and so can never be cleaned.
struct ForgetOptions: ParsableArguments {
    @Option(name: .customLong("forget"), help: ArgumentHelp(
        "Drop this host, which has left the inventory but cannot be cleaned (the machine is gone), from the managed hosts record without contacting it; rules of ours on it, if any, are left. Repeatable. diff and apply --dry-run only show it.",
        valueName: "name"))
    var names: [String] = []

    func validate() throws {
        for h in names where !LabelValidation.isDNS1123Label(h) {
            throw ValidationError("--forget \(h): host names are DNS-1123 labels")
        }
    }
}

struct FleetOptions: ParsableArguments {
    @Option(name: .long, help: "Hosts worked on at once.")
    var concurrency: Int = 32

    func validate() throws {
        guard (1...512).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 512") }
    }
}
