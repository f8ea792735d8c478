/// The JSON in the `payload` field of a Slack interactivity request: the parts a `block_actions`
/// payload from the notifier's Approve / Reject buttons needs.
struct SlackInteraction: Decodable, Sendable, Equatable {
    struct User: Decodable, Sendable, Equatable {
        var id: String
        var username: String?
        var name: String?
    }

    struct Team: Decodable, Sendable, Equatable {
        var id: String
    }

    struct Action: Decodable, Sendable, Equatable {
        var actionId: String
        var value: String?

        private enum CodingKeys: String, CodingKey {
            case actionId = "action_id", value
        }
    }

    var type: String
    var user: User?
    var team: Team?
    var actions: [Action]?

    /// The notifier's button action ids and the decisions they stand for.
    static let decisions: [String: String] = ["agentry_approve": "approved", "agentry_reject": "rejected"]
}

/// The answer to an interactivity request (Slack only needs the 200; the body is for people and tests).
struct SlackInteractionAnswer: Codable, Sendable, Equatable {
    var ok: Bool
    var approvalId: String?
    var decision: String?
    var ignored: String?
    var error: String?
}

/// The answer to a slash command, shown to the person who typed it.
struct SlackCommandAnswer: Codable, Sendable, Equatable {
    var responseType: String
    var text: String
    var runId: String?

    private enum CodingKeys: String, CodingKey {
        case responseType = "response_type", text, runId
    }
}
