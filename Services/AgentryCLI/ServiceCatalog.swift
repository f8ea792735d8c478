/// One service executable that `agentry up` starts.
struct ServiceDefinition: Sendable, Hashable {
    /// The service's name, e.g. `ingest`; also its log and pid file names.
    let name: String
    /// The executable, found next to `agentry`, e.g. `agentry-ingest`.
    let executable: String
    /// Its operations port (`/healthz`, `/readyz`, `/metrics`) is the base port plus this.
    let portOffset: Int
}

/// The services of a local Agentry, in start order, with their operations ports (DESIGN.md).
enum ServiceCatalog {
    /// The first operations port: ingest 9100, director 9101, ... notifier 9108.
    static let defaultOpsPortBase = 9100

    static let all: [ServiceDefinition] = [
        ServiceDefinition(name: "ingest", executable: "agentry-ingest", portOffset: 0),
        ServiceDefinition(name: "director", executable: "agentry-director", portOffset: 1),
        ServiceDefinition(name: "model-gateway", executable: "agentry-model-gateway", portOffset: 2),
        ServiceDefinition(name: "code-worker", executable: "agentry-code-worker", portOffset: 3),
        ServiceDefinition(name: "data-worker", executable: "agentry-data-worker", portOffset: 4),
        ServiceDefinition(name: "comm-worker", executable: "agentry-comm-worker", portOffset: 5),
        ServiceDefinition(name: "browser-worker", executable: "agentry-browser-worker", portOffset: 6),
        ServiceDefinition(name: "audit-writer", executable: "agentry-audit-writer", portOffset: 7),
        ServiceDefinition(name: "notifier", executable: "agentry-notifier", portOffset: 8),
    ]
}
