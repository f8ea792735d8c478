import Foundation

/// A run in `GET /v1/runs`.
struct RunSummary: Codable, Sendable, Equatable {
    var id: String
    var tenant: String
    var source: String
    var status: String
    var request: String
    var error: String?
    var costUSD: Double
    var createdAt: Date
    var updatedAt: Date
    var finishedAt: Date?
    /// The first run of the conversation this run continues, if it continues one.
    var threadRunId: String? = nil
}
