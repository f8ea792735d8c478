import AgentryContracts
import AgentryHTTP
import Foundation

/// What the provider adapters share: building JSON requests, coding JSON, the structured-output
/// instruction, mapping transport errors and HTTP statuses onto ``ProviderFailure``, and driving a
/// buffered or streamed call.
///
/// Every message that leaves here passes ``sanitize(_:apiKey:)``: the provider's key is replaced
/// by `[redacted]` and the text is cut to ``maxMessageLength`` characters.
enum ProviderHTTP {
    /// The longest failure message, in characters.
    static let maxMessageLength = 300
    /// The most bytes of an error response body read to find the provider's message.
    static let maxErrorBodySize = 64 * 1024
    /// What replaces the key wherever it appears in a message.
    static let redaction = "[redacted]"

    // MARK: Requests

    /// `baseURL` without trailing slashes, followed by `path`.
    static func endpoint(_ baseURL: String, path: String) -> String {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// A JSON `POST` to `url` whose total time is bounded by `timeout`.
    ///
    /// `headers` come after `Content-Type` and `Accept` and replace fields of the same name, so
    /// configured extra headers can override the defaults.
    static func jsonRequest(
        url: String, headers: [(String, String)], body: Data, timeout: Duration, stream: Bool
    ) -> HTTPRequest {
        var request = HTTPRequest(url: url, method: .post, body: body)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: stream ? "text/event-stream" : "application/json")
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.timeouts.total = timeout
        return request
    }

    /// Configured extra headers in a stable order (by name).
    static func sorted(_ headers: [String: String]) -> [(String, String)] {
        headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The system instruction asking for a JSON reply, or `nil` for `.text`.
    ///
    /// Used when the provider is not sent the schema natively; a `.jsonSchema` instruction quotes
    /// the schema so the model can follow it and the gateway validates the reply against it.
    static func jsonInstruction(for format: ResponseFormat) -> String? {
        switch format {
        case .text:
            return nil
        case .jsonObject:
            return "Answer with only a JSON object: no other text and no Markdown code fences."
        case .jsonSchema(_, let schema):
            return """
                Answer with only a JSON value that matches the following JSON Schema: no other text \
                and no Markdown code fences.
                JSON Schema:
                \(text(schema))
                """
        }
    }

    /// `messages` with `instruction` appended to the leading system message, or with a new
    /// system message holding it put first when the conversation does not start with one.
    static func addingSystemInstruction(_ instruction: String, to messages: [ChatMessage]) -> [ChatMessage] {
        var messages = messages
        if let first = messages.first, first.role == .system {
            messages[0].content = first.content.isEmpty ? instruction : first.content + "\n\n" + instruction
        } else {
            messages.insert(.system(instruction), at: 0)
        }
        return messages
    }

    // MARK: JSON

    /// Encodes a request body: keys sorted, slashes unescaped.
    ///
    /// - Throws: a request-specific ``ProviderFailure`` (`status(400)`) when the value cannot be
    ///   JSON (a NaN or infinite number), since no provider could accept it.
    static func encode(_ value: JSONValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value)
        } catch {
            throw ProviderFailure(.status(400), message: "the request cannot be encoded as JSON: \(error)")
        }
    }

    /// `value` as compact JSON text with sorted keys (tool arguments, schemas in instructions).
    static func text(_ value: JSONValue) -> String {
        let data = (try? encode(value)) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses JSON text, or `nil` when it is not JSON.
    static func decode(_ data: Data) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Parses JSON text, or `nil` when it is not JSON.
    static func decode(_ text: String) -> JSONValue? {
        decode(Data(text.utf8))
    }

    /// An integer token count, or `nil` when absent or not an integer.
    static func count(_ value: JSONValue?) -> Int? {
        value?.intValue
    }

    // MARK: Failures

    /// `text` with every occurrence of `apiKey` replaced by `[redacted]`, cut to
    /// ``maxMessageLength`` characters (ending with `…` when cut).
    ///
    /// The key is replaced before cutting, so a cut never leaves part of it behind. Applying it
    /// twice gives the same text.
    static func sanitize(_ text: String, apiKey: String?) -> String {
        var text = text
        if let apiKey, !apiKey.isEmpty {
            text = text.replacingOccurrences(of: apiKey, with: redaction)
        }
        if text.count > maxMessageLength {
            text = String(text.prefix(maxMessageLength - 1)) + "…"
        }
        return text
    }

    /// The failure for a response with the non-2xx `status`.
    ///
    /// 429 is `.rateLimited`; 429 and 5xx carry the delay of `retry-after-ms` or `Retry-After`
    /// (delta-seconds or an HTTP-date, measured from `now`). The message is `HTTP <status>`
    /// followed by the provider's error message from its JSON body (or the body text), redacted.
    static func failure(
        status: Int, headers: HTTPHeaders, body: Data, apiKey: String?, now: Date = Date()
    ) -> ProviderFailure {
        var message = "HTTP \(status)"
        if let detail = errorMessage(inBody: body) { message += ": " + detail }
        message = sanitize(message, apiKey: apiKey)
        switch status {
        case 429:
            return ProviderFailure(.rateLimited, retryAfter: retryAfter(headers, now: now), message: message)
        case 500...599:
            return ProviderFailure(.status(status), retryAfter: retryAfter(headers, now: now), message: message)
        default:
            return ProviderFailure(.status(status), message: message)
        }
    }

    /// The provider's error message in an error response body: `error.message` (OpenAI,
    /// Anthropic), a string `error`, a top-level `message` or `detail` (OpenAI-compatible
    /// servers), else the body text itself; `nil` for an empty body. Not yet redacted.
    static func errorMessage(inBody body: Data) -> String? {
        if let json = decode(body), let message = errorMessage(in: json) { return message }
        let text = String(decoding: body.prefix(maxErrorBodySize), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// The message of an error JSON value (a response body, a stream event, or its `error`
    /// member), when it has one.
    static func errorMessage(in json: JSONValue) -> String? {
        if let message = json["error"]?["message"]?.stringValue { return message }
        if let message = json["error"]?.stringValue { return message }
        if let message = json["message"]?.stringValue { return message }
        if let message = json["detail"]?.stringValue { return message }
        return nil
    }

    /// The delay a 429 or 5xx asks for: `retry-after-ms` (milliseconds) when present, else
    /// `Retry-After` as delta-seconds or as an HTTP-date (a date in the past gives zero); at most
    /// ``longestRetryAfter``, so a hostile or mistaken header neither overflows nor benches an entry for days.
    static func retryAfter(_ headers: HTTPHeaders, now: Date) -> Duration? {
        if let milliseconds = headers["retry-after-ms"].flatMap(nonNegativeNumber) {
            return capped(milliseconds / 1000)
        }
        guard let value = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        if let seconds = nonNegativeNumber(value) { return capped(seconds) }
        if let date = httpDate(value) { return capped(max(0, date.timeIntervalSince(now))) }
        return nil
    }

    /// The longest Retry-After taken from a provider: ten minutes.
    static let longestRetryAfter: Double = 600

    private static func capped(_ seconds: Double) -> Duration {
        guard seconds.isFinite else { return .seconds(longestRetryAfter) }
        return .milliseconds(Int64((min(max(seconds, 0), longestRetryAfter) * 1000).rounded()))
    }

    /// A plain non-negative decimal number (`120`, `1.5`), or `nil`.
    private static func nonNegativeNumber(_ text: String) -> Double? {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return nil }
        return Double(text)
    }

    /// Parses an HTTP-date: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), or the obsolete
    /// RFC 850 and asctime forms that RFC 9110 requires recipients to accept.
    static func httpDate(_ text: String) -> Date? {
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) { return date }
        }
        return nil
    }

    /// Translates an error of a transfer into what ``ModelProvider/complete(_:)`` throws:
    /// a `CancellationError` when the calling task was cancelled, else a ``ProviderFailure``.
    ///
    /// Timeouts (of the connection or of the whole call) are `.timeout`; a response larger than
    /// the buffer limit is `.malformed`; every other transport failure (refused, DNS, TLS, reset,
    /// a client that was shut down) is `.connection`.
    static func translate(_ error: any Error, apiKey: String?) -> any Error {
        if error is CancellationError { return error }
        if let failure = error as? ProviderFailure { return failure.redacting(apiKey) }
        guard let error = error as? HTTPClientError else {
            return ProviderFailure(.connection, message: sanitize("\(error)", apiKey: apiKey))
        }
        let message = sanitize(error.description, apiKey: apiKey)
        switch error.code {
        case .cancelled where Task.isCancelled:
            return CancellationError()
        case .timedOut, .connectTimedOut:
            return ProviderFailure(.timeout, message: message)
        case .bodyTooLarge:
            return ProviderFailure(.malformed, message: message)
        default:
            return ProviderFailure(.connection, message: message)
        }
    }

    // MARK: Calls

    /// Sends `request`, buffers the answer and parses a 2xx body with `parse`.
    static func send(
        _ request: HTTPRequest, client: HTTPClient, apiKey: String?,
        parse: (Data) throws -> ProviderResult
    ) async throws -> ProviderResult {
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch {
            throw translate(error, apiKey: apiKey)
        }
        guard (200..<300).contains(response.status) else {
            throw failure(status: response.status, headers: response.headers, body: response.body, apiKey: apiKey)
        }
        do {
            return try parse(response.body)
        } catch {
            throw translate(error, apiKey: apiKey)
        }
    }

    /// Sends `request` expecting a server-sent event stream and feeds its events to
    /// `accumulator` until it is complete.
    ///
    /// A non-2xx status is read as an error body. A 2xx answer with a JSON content type (a server
    /// that does not stream) is parsed with `parseBuffered`. A stream that ends, or whose
    /// connection breaks, before the accumulator saw its end marker fails `.malformed` with the
    /// accumulator's ``ProviderStreamAccumulator/endedEarlyMessage``; a timeout stays `.timeout`.
    static func stream<Accumulator: ProviderStreamAccumulator>(
        _ request: HTTPRequest, client: HTTPClient, apiKey: String?, into accumulator: Accumulator,
        parseBuffered: (Data) throws -> ProviderResult
    ) async throws -> ProviderResult {
        let response: HTTPStreamingResponse
        do {
            response = try await client.stream(request)
        } catch {
            throw translate(error, apiKey: apiKey)
        }
        guard (200..<300).contains(response.status) else {
            let body = (try? await response.body.collect(upTo: maxErrorBodySize)) ?? Data()
            try Task.checkCancellation()
            throw failure(status: response.status, headers: response.headers, body: body, apiKey: apiKey)
        }
        if let type = response.headers["content-type"]?.lowercased(), type.contains("application/json") {
            do {
                return try parseBuffered(try await response.body.collect(upTo: request.maxResponseBodySize))
            } catch {
                throw translate(error, apiKey: apiKey)
            }
        }
        var accumulator = accumulator
        do {
            for try await event in response.body.serverSentEvents() {
                try accumulator.consume(event)
                if accumulator.isComplete { break }
            }
        } catch {
            let translated = translate(error, apiKey: apiKey)
            if let failure = translated as? ProviderFailure, failure.kind == .connection, error is HTTPClientError {
                throw ProviderFailure(.malformed, message: Accumulator.endedEarlyMessage)
            }
            throw translated
        }
        do {
            return try accumulator.result()
        } catch {
            throw translate(error, apiKey: apiKey)
        }
    }
}

/// Assembles a ``ProviderResult`` from a provider's server-sent events, one event at a time.
///
/// A pure state machine: the adapters' tests feed it fixture events without any I/O.
protocol ProviderStreamAccumulator: Sendable {
    /// The message of the `.malformed` failure for a stream that ended before its end marker.
    static var endedEarlyMessage: String { get }
    /// Whether the end marker arrived; later events are not read.
    var isComplete: Bool { get }
    /// Takes the next event. Throws a ``ProviderFailure`` for an error event or an event that
    /// is not the provider's format.
    mutating func consume(_ event: ServerSentEvent) throws
    /// The assembled reply. Throws `.malformed` with ``endedEarlyMessage`` when incomplete.
    func result() throws -> ProviderResult
    /// An empty accumulator.
    init()
}

extension ProviderFailure {
    /// This failure with the key removed from its message (see ``ProviderHTTP/sanitize(_:apiKey:)``).
    func redacting(_ apiKey: String?) -> ProviderFailure {
        var copy = self
        copy.message = ProviderHTTP.sanitize(message, apiKey: apiKey)
        return copy
    }

    /// A `.malformed` failure: the answer is not the provider's wire format.
    static func malformed(_ message: String) -> ProviderFailure {
        ProviderFailure(.malformed, message: message)
    }

    /// The failure for an error a provider reported inside a 2xx stream or body: `.rateLimited`
    /// when its `error.type` or `error.code` says so (`rate_limit_error`, `rate_limit_exceeded`),
    /// else `.malformed` (the answer ended without a reply).
    static func reported(_ error: JSONValue) -> ProviderFailure {
        let kinds = [error["error"]?["type"], error["error"]?["code"]].compactMap { $0?.stringValue }
        let detail = ProviderHTTP.errorMessage(in: error) ?? ProviderHTTP.text(error)
        let message = "the provider reported an error: \(detail)"
        if kinds.contains(where: { $0.contains("rate_limit") }) { return ProviderFailure(.rateLimited, message: message) }
        return ProviderFailure(.malformed, message: message)
    }
}

/// A provider key that never shows in descriptions, debug output or reflection.
struct ProviderAPIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key itself, for the request header only.
    let value: String

    /// A key, or `nil` for a missing or empty one (local servers need none).
    init?(_ value: String?) {
        guard let value, !value.isEmpty else { return nil }
        self.value = value
    }

    var description: String { ProviderHTTP.redaction }
    var debugDescription: String { ProviderHTTP.redaction }
    var customMirror: Mirror { Mirror(self, children: [:]) }
}
