import AgentryContracts
import Crypto
import Foundation

/// What the gateway derives from a request's text: the cache key and token estimates.
enum RequestDigest {
    /// The cache key: SHA-256 (hex) of the normalised request — the alias in lower case, message
    /// text with surrounding whitespace trimmed, and every field that changes the answer (format,
    /// tools, tool choice, token limit, temperature, complexity) as JSON with sorted keys. The
    /// purpose, the cache flag and the deadline do not change the answer and are left out.
    static func cacheKey(for request: ModelRequest) -> String {
        var normalised = request
        normalised.alias = request.alias.lowercased()
        normalised.messages = request.messages.map { message in
            var message = message
            message.content = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
            return message
        }
        normalised.purpose = nil
        normalised.cache = true
        normalised.timeoutSeconds = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(normalised)) ?? Data(String(describing: normalised).utf8)
        return SHA256.hash(data: data).hexString
    }

    /// Tokens estimated from text: one per four UTF-8 bytes, rounded up (close for English,
    /// generous for most other scripts).
    static func estimatedTokens(_ text: String) -> Int {
        (text.utf8.count + 3) / 4
    }

    /// The prompt's estimated tokens: every message's text and tool calls, four tokens of framing
    /// per message, and the tool definitions and response schema as JSON.
    static func estimatedPromptTokens(for request: ModelRequest) -> Int {
        var tokens = 0
        for message in request.messages {
            tokens += 4 + estimatedTokens(message.content)
            for call in message.toolCalls ?? [] {
                tokens += estimatedTokens(call.name) + estimatedTokens(call.arguments)
            }
        }
        let encoder = JSONEncoder()
        if !request.tools.isEmpty, let data = try? encoder.encode(request.tools) {
            tokens += (data.count + 3) / 4
        }
        if case .jsonSchema = request.responseFormat, let data = try? encoder.encode(request.responseFormat) {
            tokens += (data.count + 3) / 4
        }
        return tokens
    }
}
