import AgentryBus
import AgentryServiceKit
import Foundation

/// The audit writer's own settings (the shared ones are in `ServiceConfiguration`).
struct AuditWriterConfiguration: Sendable, Equatable {
    /// The most envelopes appended in one transaction.
    /// `AGENTRY_AUDIT_BATCH_SIZE`; default 200, 1–10000.
    var batchSize: Int
    /// How long a batch may wait for more envelopes after its first one arrived before it is appended.
    /// `AGENTRY_AUDIT_BATCH_MILLISECONDS`; default 50, 1–60000.
    var batchWindow: Duration
    /// Unacknowledged deliveries the writer may hold: a full batch being appended plus the next one
    /// filling meanwhile. `AGENTRY_AUDIT_PREFETCH`; default twice the batch size, 1–65535.
    var prefetch: Int
    /// The queue consumed. `AGENTRY_AUDIT_QUEUE`; default `audit.log` (bound to `#` on `agentry.events`).
    var queue: String

    init(batchSize: Int = 200, batchWindow: Duration = .milliseconds(50), prefetch: Int? = nil,
         queue: String = "audit.log") {
        self.batchSize = batchSize
        self.batchWindow = batchWindow
        self.prefetch = prefetch ?? min(65535, batchSize * 2)
        self.queue = queue
    }

    /// Reads the settings from `environment` (and `<NAME>_FILE` files).
    init(environment: [String: String]) throws(ConfigurationError) {
        let reader = ConfigurationReader(environment: environment)
        let batchSize = try reader.integer("AGENTRY_AUDIT_BATCH_SIZE", default: 200, in: 1...10_000)
        let milliseconds = try reader.integer("AGENTRY_AUDIT_BATCH_MILLISECONDS", default: 50, in: 1...60_000)
        let prefetch = try reader.integer(
            "AGENTRY_AUDIT_PREFETCH", default: min(65535, batchSize * 2), in: 1...65535)
        let queue = try reader.string("AGENTRY_AUDIT_QUEUE", default: "audit.log")
        self.init(batchSize: batchSize, batchWindow: .milliseconds(milliseconds), prefetch: prefetch, queue: queue)
    }
}
