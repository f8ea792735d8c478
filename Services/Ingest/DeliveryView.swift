import AgentryContracts
import Foundation

/// One message a run sent, or captured locally when no endpoint is configured.
struct DeliveryView: Codable, Sendable, Equatable {
    var id: String
    var stepId: String?
    var kind: String
    var channel: String
    var target: String
    var status: String
    var attempts: Int
    var payload: JSONValue
    var response: String?
    var createdAt: Date
    var deliveredAt: Date?
}
