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
}
