/// One message of a model conversation.
public struct ChatMessage: Codable, Sendable, Equatable, Hashable {
    /// Who speaks.
    public enum Role: String, Codable, Sendable, CaseIterable {
        case system
        case user
        case assistant
        case tool
    }

    /// Who speaks.
    public var role: Role
    /// The text.
    public var content: String
    /// An optional participant or tool name.
    public var name: String?
    /// For a `tool` message: the id of the tool call it answers.
    public var toolCallId: String?
    /// For an `assistant` message: the tool calls the model made (sent back with their results).
    public var toolCalls: [ToolCall]?

    public init(role: Role, content: String, name: String? = nil, toolCallId: String? = nil, toolCalls: [ToolCall]? = nil) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCallId = toolCallId
        self.toolCalls = toolCalls
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    /// An assistant message.
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
    /// The result of the tool call `id`.
    public static func tool(_ content: String, callId: String) -> ChatMessage {
        ChatMessage(role: .tool, content: content, toolCallId: callId)
    }
}
