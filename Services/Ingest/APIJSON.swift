import AgentryContracts
import Foundation

/// The API's JSON settings: sorted keys, unescaped slashes and RFC 3339 dates with milliseconds
/// (the settings of the envelopes); unknown fields in requests are ignored.
enum APIJSON {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return encoder
    }

    /// Decodes a request body as `T`.
    ///
    /// - Throws: ``APIError/malformedJSON(_:)`` saying what is wrong and where (`decision: expected String`).
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw .malformedJSON(describe(error))
        } catch {
            throw .malformedJSON("\(error)")
        }
    }

    /// A short account of a decoding failure: what and where.
    static func describe(_ error: DecodingError) -> String {
        let path = CodingPath.text
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "the field \"\(key.stringValue)\"\(parent) is required"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let place = path(context.codingPath)
            return "\(place.isEmpty ? "the body" : place): expected \(describe(type))"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type: "a number"
        case is [String: Any].Type: "an object"
        default: "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
