import Foundation

/// Turns envelopes into JSON and back.
///
/// Writing gives compact JSON with sorted keys (the same envelope always gives the same bytes),
/// lowercase UUIDs and UTC RFC 3339 timestamps with milliseconds; optional fields that are `nil`
/// are left out. Reading ignores unknown fields and accepts any RFC 3339 timestamp.
///
/// ```swift
/// let codec = EnvelopeCodec()
/// let body = try codec.encode(envelope)
/// do {
///     let received = try codec.decode(body)
/// } catch {
///     // error.code is .unknownType, .unsupportedVersion or .malformed: dead-letter the message.
/// }
/// ```
public struct EnvelopeCodec: Sendable {
    public init() {}

    /// Encodes `envelope` as JSON.
    ///
    /// - Throws: `EncodingError` when a number is not finite (JSON cannot express NaN or infinity).
    public func encode(_ envelope: Envelope) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        return try encoder.encode(EnvelopeWire(envelope))
    }

    /// Decodes an envelope from JSON.
    ///
    /// - Throws: ``EnvelopeDecodingError``: `.unknownType` for a type this build does not know,
    ///   `.unsupportedVersion` for a known type at another version, `.malformed` otherwise.
    public func decode(_ data: Data) throws(EnvelopeDecodingError) -> Envelope {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\"\(text)\" is not an RFC 3339 date-time"
                )
            }
            return date
        }
        do {
            return try decoder.decode(EnvelopeWire.self, from: data).envelope
        } catch let error as EnvelopeDecodingError {
            throw error
        } catch let error as DecodingError {
            throw EnvelopeDecodingError(.malformed(Self.describe(error)), envelopeId: Self.peekId(data))
        } catch {
            throw EnvelopeDecodingError(.malformed(String(describing: error)), envelopeId: Self.peekId(data))
        }
    }

    /// A short account of a decoding failure: what and where (`payload.plan.steps[0].risk`).
    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = CodingPath.text(codingPath)
            return text.isEmpty ? "top level" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context.codingPath))"
            return "missing field \"\(key.stringValue)\"\(parent)"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }

    /// The `id` field, if the data is a JSON object with a string id.
    private static func peekId(_ data: Data) -> String? {
        struct IdOnly: Decodable { let id: String }
        return try? JSONDecoder().decode(IdOnly.self, from: data).id
    }
}
