// swift-tools-version: 6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "netpol-extend",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "extend", targets: ["extend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // The controller: services with graceful shutdown, health and metrics over HTTP.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries, seen only by the targets that wrap them.
        .systemLibrary(
            name: "CLibSSH2", pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]),
        .systemLibrary(
            name: "CLibCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),

        // The pure core: model, selectors, policy semantics, compile, render, plan, explain.
        .target(
            name: "ExtendCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // Files in: inventory and manifests (YAML/JSON) into core values, with file:line:column errors.
        .target(
            name: "ExtendInput",
            dependencies: ["ExtendCore", "Yams"],
            swiftSettings: strict),
        // libssh2, wrapped once; the host transport (observe, apply, rollback).
        .target(
            name: "ExtendSSH",
            dependencies: ["ExtendCore", "CLibSSH2", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // libcurl, wrapped once; kubeconfig, in-cluster config, the API client and paged lists.
        .target(
            name: "ExtendKube",
            dependencies: ["ExtendCore", "ExtendInput", "CLibCurl", "Yams", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // The controller: the reconcile loop and leader election (pure state machines) and, around
        // them, the services; the Kubernetes API through ExtendKube (no curl here).
        .target(
            name: "ExtendController",
            dependencies: [
                "ExtendCore", "ExtendInput", "ExtendSSH", "ExtendKube",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "extend",
            dependencies: [
                "ExtendCore", "ExtendInput", "ExtendSSH", "ExtendKube", "ExtendController",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The scale benchmark (docs/performance.md): generates inputs, runs the real `extend` on them.
        .target(
            name: "BenchSupport",
            swiftSettings: strict),
        .executableTarget(
            name: "extend-bench",
            dependencies: ["BenchSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // The fleet benchmark (docs/performance.md): extend against an Ansible playbook on a lab.
        .executableTarget(
            name: "extend-fleet-bench",
            dependencies: ["ExtendCore", "ExtendInput", "ExtendSSH", "LabSupport"],
            swiftSettings: strict),

        // The controller benchmark (docs/performance.md): `extend controller` from an API change to
        // the rules on lab hosts, and its initial sync of the scale input from the fake API server.
        .executableTarget(
            name: "extend-controller-bench",
            dependencies: ["BenchSupport", "LabSupport", "KubeSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // Lab support for tests: network-namespace hosts with their own sshd, on 198.18.0.0/15.
        .target(
            name: "LabSupport",
            dependencies: [],
            path: "Tests/LabSupport",
            swiftSettings: strict),
        // The stand-in kube-apiserver (k8s-fake/fake_apiserver.py), started and stopped by tests.
        .target(
            name: "KubeSupport",
            dependencies: ["Yams"],
            path: "Tests/KubeSupport",
            exclude: ["k8s-fake"],
            swiftSettings: strict),
        // The conformance cases (policies, universe, probes), shared by the pure
        // suite and the real-kernel suite so both judge the same data.
        .target(
            name: "ConformanceSupport",
            dependencies: ["ExtendCore"],
            path: "Tests/ConformanceSupport",
            swiftSettings: strict),
        .testTarget(name: "ExtendCoreTests", dependencies: ["ExtendCore", "ExtendInput", "ConformanceSupport"], swiftSettings: strict),
        // Yams: the composed-node reader the event reader is checked against.
        .testTarget(name: "ExtendInputTests", dependencies: ["ExtendCore", "ExtendInput", "Yams", "BenchSupport"], swiftSettings: strict),
        .testTarget(name: "ExtendRenderTests", dependencies: ["ExtendCore", "ExtendInput"],
                    exclude: ["Golden", "Fixtures"], swiftSettings: strict),
        .testTarget(name: "ExtendSSHTests", dependencies: ["ExtendCore", "ExtendSSH", "LabSupport"], swiftSettings: strict),
        .testTarget(name: "ExtendHostTests",
                    dependencies: ["ExtendCore", "ExtendInput", "ExtendSSH", "LabSupport", "ConformanceSupport", "KubeSupport"],
                    swiftSettings: strict),
        // Runs the built .build/debug/extend (swift build --build-tests builds it).
        .testTarget(name: "ExtendCLITests", dependencies: ["KubeSupport", "BenchSupport"], swiftSettings: strict),
        .testTarget(name: "ExtendControllerTests",
                    dependencies: ["ExtendController", "ExtendCore", "ExtendKube", "KubeSupport",
                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .testTarget(name: "ExtendKubeTests", dependencies: ["ExtendCore", "ExtendInput", "ExtendKube", "KubeSupport"],
                    swiftSettings: strict),
        .testTarget(name: "BenchSupportTests", dependencies: ["BenchSupport", "ExtendCore", "ExtendInput"], swiftSettings: strict),
        .testTarget(name: "ExtendKernelTests", dependencies: ["ExtendCore", "ConformanceSupport", "LabSupport"], swiftSettings: strict),
    ]
)
