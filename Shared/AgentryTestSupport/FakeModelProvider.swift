import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A scriptable stand-in for the OpenAI chat completions and Anthropic Messages APIs on 127.0.0.1,
/// for tests and benchmarks of the model gateway.
///
/// It speaks both wire formats, buffered and streamed (server-sent events), including their error
/// bodies. Each request takes the next scripted ``Behavior`` for its model; once a model's script is
/// used up its default applies, which initially is a reply echoing the last user message.
/// ```swift
/// let provider = try await FakeModelProvider.start()
/// provider.script("gpt-test", [.status(429, retryAfter: "1"), .reply(content: "Hello")])
/// // point the gateway at provider.openAIBaseURL / provider.anthropicBaseURL, run the test
/// #expect(provider.requestCount("gpt-test") == 2)
/// await provider.stop()
/// ```
public final class FakeModelProvider: Sendable {
    /// The wire format a request used.
    public enum API: String, Sendable, Hashable {
        /// `POST /openai/v1/chat/completions`.
        case openAI
        /// `POST /anthropic/v1/messages`.
        case anthropic
    }

    /// What the fake does with one request.
    public enum Behavior: Sendable {
        /// A normal answer. `finishReason` nil means `tool_calls`/`tool_use` when there are tool calls and
        /// `stop`/`end_turn` otherwise; either API's vocabulary is accepted and translated (`length` ↔
        /// `max_tokens`). If `promptTokens` or `completionTokens` is nil the usage block is omitted entirely.
        case reply(
            content: String, toolCalls: [FakeToolCall] = [], finishReason: String? = nil,
            promptTokens: Int? = 12, completionTokens: Int? = 7)
        /// The built-in reply: "fake reply from <model>: <first 40 characters of the last user message>",
        /// with usage estimated from the request (see ``setDefault(_:_:)``).
        case echo
        /// An error status with the provider's error JSON; `retryAfter` sets the `Retry-After` header.
        case status(Int, message: String = "scripted failure", retryAfter: String? = nil)
        /// Accepts the request and never answers, until the client closes the connection or the server stops.
        case hang
        /// A 200 whose body is not the wire format: truncated JSON, or for streams an event whose data is
        /// truncated JSON followed by the normal end of the stream.
        case malformed
        /// Streams: sends the first `afterEvents` events of the echo reply, then closes the connection
        /// without the end (`[DONE]` / `message_stop`). Buffered requests: a 200 whose `Content-Length`
        /// announces the whole echo reply but whose connection closes after half of its JSON.
        case cutStream(afterEvents: Int)
        /// Streams: sends the first `afterEvents` events of the echo reply, then sends nothing more until
        /// the client closes the connection or the server stops (for idle-timeout tests). Buffered
        /// requests behave as ``hang``.
        case stall(afterEvents: Int)
        /// Waits this long (cut short if the client closes the connection), then behaves as `then`.
        indirect case delayed(Duration, then: Behavior)
    }

    /// A tool call in a scripted reply.
    public struct FakeToolCall: Sendable, Equatable {
        /// The call's id; empty means the fake assigns `call_fake<n>_<i>` (OpenAI) or `toolu_fake<n>_<i>`
        /// (Anthropic), where `n` is the request's sequence number and `i` the call's position.
        public var id: String
        /// The function (tool) name.
        public var name: String
        /// The arguments as JSON text; for Anthropic it is embedded verbatim as `input`, so it must be an
        /// object. Empty means `{}`.
        public var argumentsJSON: String

        /// Creates a tool call.
        public init(id: String = "", name: String, argumentsJSON: String = "{}") {
            self.id = id
            self.name = name
            self.argumentsJSON = argumentsJSON
        }
    }

    /// One request as the fake received it.
    public struct RecordedRequest: Sendable {
        /// 1 for the first request the fake received, counting every request.
        public var sequence: Int
        /// The wire format (from the path).
        public var api: API
        /// The body's `model`, or empty if the body had none.
        public var model: String
        /// The header fields with lower-cased names; repeated fields are joined with ", ".
        public var headers: [String: String]
        /// The raw request body.
        public var body: Data
        /// Whether the body asked for a stream (`"stream": true`).
        public var stream: Bool

        /// The body parsed as a JSON object, or nil if it is not one.
        public var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        }

        /// The `anthropic-version` header, if sent.
        public var anthropicVersion: String? { headers["anthropic-version"] }
    }

    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    private let engine: Engine
    private let task: Task<Void, any Error>

    /// The OpenAI base URL to configure clients with (`baseURL + "/openai/v1"`); clients append
    /// `/chat/completions`.
    public var openAIBaseURL: String { baseURL + "/openai/v1" }

    /// The Anthropic base URL to configure clients with (`baseURL + "/anthropic"`); clients append
    /// `/v1/messages`.
    public var anthropicBaseURL: String { baseURL + "/anthropic" }

    private init(baseURL: String, engine: Engine, task: Task<Void, any Error>) {
        self.baseURL = baseURL
        self.engine = engine
        self.task = task
    }

    /// Starts the fake on 127.0.0.1 with an ephemeral port and returns once it listens.
    ///
    /// - Parameter recordLimit: how many of the most recent requests ``requests`` keeps.
    public static func start(recordLimit: Int = 1_000) async throws -> FakeModelProvider {
        let engine = Engine(recordLimit: max(recordLimit, 0))
        let router = Router(context: ProviderRequestContext.self)
        router.post("/openai/v1/chat/completions") { request, context in
            await engine.respond(to: request, api: .openAI, channel: context.channel)
        }
        router.post("/anthropic/v1/messages") { request, context in
            await engine.respond(to: request, api: .anthropic, channel: context.channel)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-model-provider")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [CloseWhenClientCloses()])),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), backlog: 4_096),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let task = Task {
            // A server that fails to start ends the wait below instead of leaving it hanging.
            defer { continuation.finish() }
            try await app.run()
        }
        guard let port = await ports.first(where: { _ in true }), port > 0 else {
            task.cancel()
            throw StartFailure(description: "the fake model provider did not start")
        }
        return FakeModelProvider(baseURL: "http://127.0.0.1:\(port)", engine: engine, task: task)
    }

    /// Queues behaviours for a model: each request for that model takes the next one, and once the
    /// queue is empty the model's default applies. Appends to any behaviours still queued.
    public func script(_ model: String, _ behaviors: [Behavior]) {
        engine.state.withLock { $0.scripts[model, default: []].append(contentsOf: behaviors) }
    }

    /// Sets what a model does once its script is used up.
    ///
    /// Without one, the global default (``setDefault(_:)``) applies, and without that ``Behavior/echo``:
    /// content "fake reply from <model>: <first 40 characters of the last user message>", usage prompt
    /// tokens = characters of all message text (Anthropic's `system` included) / 4 rounded up, completion
    /// tokens = characters of the content / 4 rounded up.
    public func setDefault(_ model: String, _ behavior: Behavior) {
        engine.state.withLock { $0.defaults[model] = behavior }
    }

    /// Sets what models without a script entry or a default of their own do; ``Behavior/echo`` initially.
    public func setDefault(_ behavior: Behavior) {
        engine.state.withLock { $0.globalDefault = behavior }
    }

    /// The most recent requests (up to the record limit given to ``start(recordLimit:)``), oldest first.
    public var requests: [RecordedRequest] {
        engine.state.withLock { state in
            state.ring.count < state.recordLimit || state.ringNext == 0
                ? state.ring
                : Array(state.ring[state.ringNext...] + state.ring[..<state.ringNext])
        }
    }

    /// How many requests named `model`, counting every request received, recorded or not.
    public func requestCount(_ model: String) -> Int {
        engine.state.withLock { $0.counts[model] ?? 0 }
    }

    /// How many requests the fake received in all.
    public var totalRequestCount: Int {
        engine.state.withLock { $0.total }
    }

    /// How many requests are being held right now by ``Behavior/hang``, ``Behavior/stall(afterEvents:)``
    /// or ``Behavior/delayed(_:then:)``; a hold ends early when the client closes the connection, so
    /// this shows whether a client really abandoned a request.
    public var heldRequests: Int {
        engine.held.load(ordering: .relaxed)
    }

    /// Requires an API key, or with nil stops requiring one. OpenAI requests must then send
    /// `Authorization: Bearer <key>` and Anthropic requests `x-api-key: <key>`, or get 401 with the
    /// provider's error JSON; Anthropic requests without `anthropic-version` get 400, as from the real API.
    /// Rejected requests are counted and recorded but take nothing from the script.
    public func requireKey(_ key: String?) {
        engine.state.withLock { $0.requiredKey = key }
    }

    /// Stops the server; held requests end and their connections close.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

extension FakeModelProvider {
    /// Raised by ``FakeModelProvider/start(recordLimit:)`` when the server does not listen.
    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Thrown inside a response body to make the server drop the connection mid-response.
    struct DropConnection: Error {}

    /// Closes a connection as soon as the client closes its side. The server allows half-closed
    /// connections, so a client closing its socket only ends the server's input and the connection stays
    /// open; a held request, which waits for the connection to close, would never learn that its client left.
    final class CloseWhenClientCloses: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = Any

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            context.fireUserInboundEventTriggered(event)
            if let event = event as? ChannelEvent, event == .inputClosed {
                context.close(promise: nil)
            }
        }
    }

    /// The request context: Hummingbird's basics plus the connection, to notice when the client leaves.
    struct ProviderRequestContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let channel: any Channel

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            channel = source.channel
        }
    }

    /// The scripts, defaults and records, guarded by one lock.
    struct State {
        var scripts: [String: [Behavior]] = [:]
        var defaults: [String: Behavior] = [:]
        var globalDefault: Behavior?
        var requiredKey: String?
        var counts: [String: Int] = [:]
        var total = 0
        let recordLimit: Int
        /// A ring of the last `recordLimit` requests; `ringNext` is the oldest once it is full.
        var ring: [RecordedRequest] = []
        var ringNext = 0

        init(recordLimit: Int) {
            self.recordLimit = recordLimit
        }

        /// Counts and records a request; returns its sequence number and the key required at this moment.
        mutating func receive(
            api: API, model: String, headers: [String: String], body: Data, stream: Bool
        ) -> (sequence: Int, requiredKey: String?) {
            total += 1
            counts[model, default: 0] += 1
            if recordLimit > 0 {
                let record = RecordedRequest(
                    sequence: total, api: api, model: model, headers: headers, body: body, stream: stream)
                if ring.count < recordLimit {
                    ring.append(record)
                } else {
                    ring[ringNext] = record
                    ringNext = (ringNext + 1) % recordLimit
                }
            }
            return (total, requiredKey)
        }

        /// Takes the behaviour for the next request of `model`.
        mutating func nextBehavior(for model: String) -> Behavior {
            if var queue = scripts[model], !queue.isEmpty {
                let behavior = queue.removeFirst()
                scripts[model] = queue.isEmpty ? nil : queue
                return behavior
            }
            return defaults[model] ?? globalDefault ?? .echo
        }
    }

    /// The shared part of the fake that the route handlers use.
    final class Engine: Sendable {
        let state: Mutex<State>
        let held = Atomic<Int>(0)

        init(recordLimit: Int) {
            state = Mutex(State(recordLimit: recordLimit))
        }

        /// Answers one request of `api`.
        func respond(to request: Request, api: API, channel: any Channel) async -> Response {
            let body: Data
            do {
                body = Data(buffer: try await request.body.collect(upTo: 64 << 20))
            } catch {
                return Wire.error(api: api, status: 413, message: "request body too large", sequence: 0)
            }
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { "\($0), \(field.value)" } ?? field.value
            }
            let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
            let model = object?["model"] as? String ?? ""
            let stream = object?["stream"] as? Bool ?? false
            let (sequence, requiredKey) = state.withLock {
                $0.receive(api: api, model: model, headers: headers, body: body, stream: stream)
            }
            if let rejection = Wire.authenticationFailure(
                api: api, headers: headers, requiredKey: requiredKey, sequence: sequence)
            {
                return rejection
            }
            guard let object else {
                return Wire.error(
                    api: api, status: 400, message: "the request body is not a JSON object", sequence: sequence)
            }
            let exchange: Exchange
            switch Exchange.parse(object, api: api, sequence: sequence) {
            case .success(let parsed): exchange = parsed
            case .failure(let failure):
                return Wire.error(api: api, status: 400, message: failure.message, sequence: sequence)
            }
            let behavior = state.withLock { $0.nextBehavior(for: model) }
            return await perform(behavior, exchange: exchange, request: request, channel: channel)
        }

        /// Produces the response `behavior` calls for.
        private func perform(
            _ behavior: Behavior, exchange: Exchange, request: Request, channel: any Channel
        ) async -> Response {
            switch behavior {
            case .reply(let content, let toolCalls, let finishReason, let promptTokens, let completionTokens):
                let usage = promptTokens.flatMap { prompt in completionTokens.map { (prompt, $0) } }
                let reply = Reply(content: content, toolCalls: toolCalls, finishReason: finishReason, usage: usage)
                return exchange.stream ? streamResponse(exchange, reply) : Wire.json(exchange.body(reply), exchange)
            case .echo:
                let reply = exchange.echo
                return exchange.stream ? streamResponse(exchange, reply) : Wire.json(exchange.body(reply), exchange)
            case .status(let code, let message, let retryAfter):
                return Wire.error(
                    api: exchange.api, status: code, message: message, retryAfter: retryAfter,
                    sequence: exchange.sequence)
            case .hang:
                _ = await hold(for: .seconds(3_600), on: channel)
                return Wire.error(
                    api: exchange.api, status: 504, message: "held request released", sequence: exchange.sequence)
            case .malformed:
                return exchange.stream ? streamResponse(exchange, malformed: true) : Wire.malformedJSON()
            case .cutStream(let afterEvents):
                guard exchange.stream else { return Wire.cutJSON(exchange.body(exchange.echo), exchange) }
                return streamResponse(exchange, exchange.echo, interruption: .cut(afterEvents), channel: channel)
            case .stall(let afterEvents):
                guard exchange.stream else {
                    return await perform(.hang, exchange: exchange, request: request, channel: channel)
                }
                return streamResponse(exchange, exchange.echo, interruption: .stall(afterEvents), channel: channel)
            case .delayed(let duration, let then):
                guard await hold(for: duration, on: channel) else {
                    return Wire.error(
                        api: exchange.api, status: 504, message: "client left", sequence: exchange.sequence)
                }
                return await perform(then, exchange: exchange, request: request, channel: channel)
            }
        }

        /// Where a stream stops early.
        enum Interruption {
            case cut(Int)
            case stall(Int)
        }

        /// A `text/event-stream` response with the events of `reply` (or a malformed stream), possibly interrupted.
        private func streamResponse(
            _ exchange: Exchange, _ reply: Reply? = nil, malformed: Bool = false,
            interruption: Interruption? = nil, channel: (any Channel)? = nil
        ) -> Response {
            let frames = malformed ? exchange.malformedFrames() : exchange.frames(reply ?? exchange.echo)
            // The end marker is never sent when interrupted.
            let stopIndex: Int? = switch interruption {
            case .cut(let count), .stall(let count): min(max(count, 0), frames.count - 1)
            case nil: nil
            }
            let stalls = if case .stall = interruption { true } else { false }
            var headers = Wire.headers(exchange, contentType: "text/event-stream")
            headers[.cacheControl] = "no-cache"
            let body = ResponseBody { [self] writer in
                for (index, frame) in frames.enumerated() {
                    if index == stopIndex {
                        if stalls, let channel { _ = await hold(for: .seconds(3_600), on: channel) }
                        throw DropConnection()
                    }
                    try await writer.write(ByteBuffer(string: frame))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: headers, body: body)
        }

        /// Suspends for `duration`, or less if the connection closes or the task is cancelled (the server
        /// stops). Returns whether the whole duration passed.
        func hold(for duration: Duration, on channel: any Channel) async -> Bool {
            held.add(1, ordering: .relaxed)
            defer { held.subtract(1, ordering: .relaxed) }
            let sleeper = Task { try await Task.sleep(for: duration) }
            channel.closeFuture.whenComplete { _ in sleeper.cancel() }
            return await withTaskCancellationHandler {
                (try? await sleeper.value) != nil
            } onCancel: {
                sleeper.cancel()
            }
        }
    }
}

extension FakeModelProvider {
    /// An answer ready to render in either wire format.
    struct Reply: Sendable {
        var content: String
        var toolCalls: [FakeToolCall]
        var finishReason: String?
        var usage: (prompt: Int, completion: Int)?
    }

    /// Why a request body is not a valid request, in the provider's words.
    struct ParseFailure: Error {
        let message: String
    }

    /// A valid request reduced to what the responses need.
    struct Exchange: Sendable {
        let api: API
        let model: String
        let stream: Bool
        /// OpenAI's `stream_options.include_usage`.
        let includeUsage: Bool
        let sequence: Int
        let created: Int
        /// The built-in reply to this request.
        let echo: Reply

        /// Checks the fields each API requires and computes the echo reply.
        static func parse(_ object: [String: Any], api: API, sequence: Int) -> Result<Exchange, ParseFailure> {
            guard let model = object["model"] as? String, !model.isEmpty else {
                return .failure(ParseFailure(
                    message: api == .openAI ? "you must provide a model parameter" : "model: Field required"))
            }
            guard let messages = object["messages"] as? [Any], !messages.isEmpty else {
                return .failure(ParseFailure(
                    message: api == .openAI
                        ? "Missing required parameter: 'messages'." : "messages: Field required"))
            }
            if api == .anthropic, !(object["max_tokens"] is Int) {
                return .failure(ParseFailure(message: "max_tokens: Field required"))
            }
            var characters = api == .anthropic ? textParts(object["system"]).reduce(0) { $0 + $1.count } : 0
            var lastUserText = ""
            for case let message as [String: Any] in messages {
                let parts = textParts(message["content"])
                characters += parts.reduce(0) { $0 + $1.count }
                if message["role"] as? String == "user" { lastUserText = parts.joined(separator: " ") }
            }
            let content = "fake reply from \(model): \(lastUserText.prefix(40))"
            let echo = Reply(
                content: content, toolCalls: [], finishReason: nil,
                usage: ((characters + 3) / 4, (content.count + 3) / 4))
            let streamOptions = object["stream_options"] as? [String: Any]
            return .success(Exchange(
                api: api, model: model, stream: object["stream"] as? Bool ?? false,
                includeUsage: api == .openAI && streamOptions?["include_usage"] as? Bool == true,
                sequence: sequence, created: Int(Date().timeIntervalSince1970), echo: echo))
        }

        /// The texts in a message content: a string, or the `text` of content parts, including the
        /// content of Anthropic `tool_result` blocks.
        static func textParts(_ content: Any?) -> [String] {
            if let text = content as? String { return [text] }
            guard let parts = content as? [Any] else { return [] }
            return parts.flatMap { part -> [String] in
                guard let part = part as? [String: Any] else { return [] }
                if let text = part["text"] as? String { return [text] }
                if part["type"] as? String == "tool_result" { return textParts(part["content"]) }
                return []
            }
        }

        /// The id of the response message.
        var responseID: String { api == .openAI ? "chatcmpl-fake\(sequence)" : "msg_fake\(sequence)" }

        /// The id of a tool call: the scripted one, or one in the API's style.
        func toolCallID(_ call: FakeToolCall, at index: Int) -> String {
            guard call.id.isEmpty else { return call.id }
            return api == .openAI ? "call_fake\(sequence)_\(index)" : "toolu_fake\(sequence)_\(index)"
        }

        /// OpenAI's `finish_reason` for `reply`.
        func openAIFinishReason(_ reply: Reply) -> String {
            switch reply.finishReason {
            case nil: reply.toolCalls.isEmpty ? "stop" : "tool_calls"
            case "end_turn", "stop_sequence": "stop"
            case "tool_use": "tool_calls"
            case "max_tokens": "length"
            case let other?: other
            }
        }

        /// Anthropic's `stop_reason` for `reply`.
        func anthropicStopReason(_ reply: Reply) -> String {
            switch reply.finishReason {
            case nil: reply.toolCalls.isEmpty ? "end_turn" : "tool_use"
            case "stop": "end_turn"
            case "tool_calls": "tool_use"
            case "length": "max_tokens"
            case let other?: other
            }
        }

        /// The buffered (non-stream) response body for `reply`.
        func body(_ reply: Reply) -> String {
            switch api {
            case .openAI: openAIBody(reply).rendered
            case .anthropic: anthropicBody(reply).rendered
            }
        }

        /// The server-sent events for `reply`, each a complete frame ending in a blank line.
        func frames(_ reply: Reply) -> [String] {
            switch api {
            case .openAI: openAIFrames(reply)
            case .anthropic: anthropicFrames(reply)
            }
        }

        /// A stream whose first event carries truncated JSON, ended normally.
        func malformedFrames() -> [String] {
            switch api {
            case .openAI:
                ["data: {\"unexpected\": true\n\n", "data: [DONE]\n\n"]
            case .anthropic:
                [
                    "event: message_start\ndata: {\"unexpected\": true\n\n",
                    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
                ]
            }
        }

        private func openAIBody(_ reply: Reply) -> JSONText {
            var message: [(String, JSONText)] = [
                ("role", "assistant"),
                ("content", reply.content.isEmpty && !reply.toolCalls.isEmpty ? .null : .string(reply.content)),
                ("refusal", .null),
            ]
            if !reply.toolCalls.isEmpty {
                message.append(("tool_calls", .array(reply.toolCalls.enumerated().map { index, call in
                    .object([
                        ("id", .string(toolCallID(call, at: index))), ("type", "function"),
                        ("function", .object([
                            ("name", .string(call.name)),
                            ("arguments", .string(call.argumentsJSON.isEmpty ? "{}" : call.argumentsJSON)),
                        ])),
                    ])
                })))
            }
            var root: [(String, JSONText)] = [
                ("id", .string(responseID)), ("object", "chat.completion"), ("created", .int(created)),
                ("model", .string(model)),
                ("choices", .array([.object([
                    ("index", 0), ("message", .object(message)), ("logprobs", .null),
                    ("finish_reason", .string(openAIFinishReason(reply))),
                ])])),
            ]
            if let usage = reply.usage { root.append(("usage", openAIUsage(usage))) }
            return .object(root)
        }

        private func openAIUsage(_ usage: (prompt: Int, completion: Int)) -> JSONText {
            .object([
                ("prompt_tokens", .int(usage.prompt)), ("completion_tokens", .int(usage.completion)),
                ("total_tokens", .int(usage.prompt + usage.completion)),
            ])
        }

        private func openAIFrames(_ reply: Reply) -> [String] {
            let head: [(String, JSONText)] = [
                ("id", .string(responseID)), ("object", "chat.completion.chunk"), ("created", .int(created)),
                ("model", .string(model)),
            ]
            func frame(_ fields: [(String, JSONText)]) -> String {
                "data: \(JSONText.object(head + fields).rendered)\n\n"
            }
            func chunk(_ delta: [(String, JSONText)], finishReason: String? = nil) -> String {
                var fields: [(String, JSONText)] = [
                    ("choices", .array([.object([
                        ("index", 0), ("delta", .object(delta)), ("logprobs", .null),
                        ("finish_reason", finishReason.map { .string($0) } ?? .null),
                    ])])),
                ]
                if includeUsage { fields.append(("usage", .null)) }
                return frame(fields)
            }
            var frames = [chunk([("role", "assistant"), ("content", "")])]
            for piece in pieces(reply.content, count: 3) { frames.append(chunk([("content", .string(piece))])) }
            for (index, call) in reply.toolCalls.enumerated() {
                let (first, second) = halves(call.argumentsJSON.isEmpty ? "{}" : call.argumentsJSON)
                frames.append(chunk([("tool_calls", .array([.object([
                    ("index", .int(index)), ("id", .string(toolCallID(call, at: index))), ("type", "function"),
                    ("function", .object([("name", .string(call.name)), ("arguments", .string(first))])),
                ])]))]))
                if !second.isEmpty {
                    frames.append(chunk([("tool_calls", .array([.object([
                        ("index", .int(index)), ("function", .object([("arguments", .string(second))])),
                    ])]))]))
                }
            }
            frames.append(chunk([], finishReason: openAIFinishReason(reply)))
            if includeUsage, let usage = reply.usage {
                frames.append(frame([("choices", .array([])), ("usage", openAIUsage(usage))]))
            }
            frames.append("data: [DONE]\n\n")
            return frames
        }

        private func anthropicBody(_ reply: Reply) -> JSONText {
            var content: [JSONText] = []
            if !reply.content.isEmpty || reply.toolCalls.isEmpty {
                content.append(.object([("type", "text"), ("text", .string(reply.content))]))
            }
            for (index, call) in reply.toolCalls.enumerated() {
                content.append(.object([
                    ("type", "tool_use"), ("id", .string(toolCallID(call, at: index))), ("name", .string(call.name)),
                    ("input", .raw(call.argumentsJSON.isEmpty ? "{}" : call.argumentsJSON)),
                ]))
            }
            var root: [(String, JSONText)] = [
                ("id", .string(responseID)), ("type", "message"), ("role", "assistant"), ("model", .string(model)),
                ("content", .array(content)), ("stop_reason", .string(anthropicStopReason(reply))),
                ("stop_sequence", .null),
            ]
            if let usage = reply.usage {
                root.append(("usage", .object([
                    ("input_tokens", .int(usage.prompt)), ("output_tokens", .int(usage.completion)),
                ])))
            }
            return .object(root)
        }

        private func anthropicFrames(_ reply: Reply) -> [String] {
            func event(_ name: String, _ fields: [(String, JSONText)]) -> String {
                "event: \(name)\ndata: \(JSONText.object([("type", .string(name))] + fields).rendered)\n\n"
            }
            var message: [(String, JSONText)] = [
                ("id", .string(responseID)), ("type", "message"), ("role", "assistant"), ("model", .string(model)),
                ("content", .array([])), ("stop_reason", .null), ("stop_sequence", .null),
            ]
            if let usage = reply.usage {
                message.append(("usage", .object([("input_tokens", .int(usage.prompt)), ("output_tokens", 1)])))
            }
            var frames = [event("message_start", [("message", .object(message))])]
            var index = 0
            func startBlock(_ block: JSONText) {
                frames.append(event("content_block_start", [("index", .int(index)), ("content_block", block)]))
                if index == 0 { frames.append(event("ping", [])) }
            }
            func delta(_ delta: JSONText) {
                frames.append(event("content_block_delta", [("index", .int(index)), ("delta", delta)]))
            }
            func stopBlock() {
                frames.append(event("content_block_stop", [("index", .int(index))]))
                index += 1
            }
            if !reply.content.isEmpty || reply.toolCalls.isEmpty {
                startBlock(.object([("type", "text"), ("text", "")]))
                for piece in pieces(reply.content, count: 3) {
                    delta(.object([("type", "text_delta"), ("text", .string(piece))]))
                }
                stopBlock()
            }
            for (position, call) in reply.toolCalls.enumerated() {
                startBlock(.object([
                    ("type", "tool_use"), ("id", .string(toolCallID(call, at: position))),
                    ("name", .string(call.name)), ("input", .object([])),
                ]))
                let (first, second) = halves(call.argumentsJSON.isEmpty ? "{}" : call.argumentsJSON)
                for part in [first, second] where !part.isEmpty {
                    delta(.object([("type", "input_json_delta"), ("partial_json", .string(part))]))
                }
                stopBlock()
            }
            var messageDelta: [(String, JSONText)] = [
                ("delta", .object([("stop_reason", .string(anthropicStopReason(reply))), ("stop_sequence", .null)])),
            ]
            if let usage = reply.usage {
                messageDelta.append(("usage", .object([("output_tokens", .int(usage.completion))])))
            }
            frames.append(event("message_delta", messageDelta))
            frames.append(event("message_stop", []))
            return frames
        }

        /// `text` split into up to `count` non-empty pieces of nearly equal length.
        private func pieces(_ text: String, count: Int) -> [String] {
            let characters = Array(text)
            guard !characters.isEmpty else { return [] }
            let size = (characters.count + count - 1) / count
            return stride(from: 0, to: characters.count, by: size).map {
                String(characters[$0..<min($0 + size, characters.count)])
            }
        }

        /// `text` split into two halves (the second empty for texts under two characters).
        private func halves(_ text: String) -> (String, String) {
            let characters = Array(text)
            let middle = (characters.count + 1) / 2
            return (String(characters[..<middle]), String(characters[middle...]))
        }
    }

    /// HTTP responses in the providers' conventions.
    enum Wire {
        /// Content type plus the provider's request id header.
        static func headers(api: API, sequence: Int, contentType: String) -> HTTPFields {
            var headers = HTTPFields()
            headers[.contentType] = contentType
            headers[HTTPField.Name(api == .openAI ? "x-request-id" : "request-id")!] = "req_fake\(sequence)"
            return headers
        }

        /// The headers of a response to `exchange`.
        static func headers(_ exchange: Exchange, contentType: String) -> HTTPFields {
            headers(api: exchange.api, sequence: exchange.sequence, contentType: contentType)
        }

        /// A 200 with a JSON body.
        static func json(_ text: String, _ exchange: Exchange) -> Response {
            Response(
                status: .ok, headers: headers(exchange, contentType: "application/json"),
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }

        /// A 200 announcing all of `text` whose connection closes after half of it.
        static func cutJSON(_ text: String, _ exchange: Exchange) -> Response {
            let bytes = Array(text.utf8)
            let half = ByteBuffer(bytes: bytes[..<(bytes.count / 2)])
            let body = ResponseBody(contentLength: bytes.count) { writer in
                try await writer.write(half)
                throw DropConnection()
            }
            return Response(status: .ok, headers: headers(exchange, contentType: "application/json"), body: body)
        }

        /// A 200 JSON response whose body is truncated JSON.
        static func malformedJSON() -> Response {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            let body = ResponseBody(byteBuffer: ByteBuffer(string: "{\"unexpected\": true"))
            return Response(status: .ok, headers: headers, body: body)
        }

        /// An error status with the provider's error body.
        static func error(
            api: API, status: Int, message: String, retryAfter: String? = nil, sequence: Int
        ) -> Response {
            let body: JSONText = switch api {
            case .openAI:
                .object([("error", .object([
                    ("message", .string(message)), ("type", .string(openAIErrorType(status))), ("param", .null),
                    ("code", openAIErrorCode(status).map { .string($0) } ?? .null),
                ]))])
            case .anthropic:
                .object([
                    ("type", "error"),
                    ("error", .object([("type", .string(anthropicErrorType(status))), ("message", .string(message))])),
                    ("request_id", .string("req_fake\(sequence)")),
                ])
            }
            var headers = headers(api: api, sequence: sequence, contentType: "application/json")
            if let retryAfter { headers[.retryAfter] = retryAfter }
            return Response(
                status: HTTPResponse.Status(code: status), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: body.rendered)))
        }

        /// The response to a request without the required key, or nil if it may pass.
        static func authenticationFailure(
            api: API, headers: [String: String], requiredKey: String?, sequence: Int
        ) -> Response? {
            guard let requiredKey else { return nil }
            switch api {
            case .openAI:
                guard let authorization = headers["authorization"] else {
                    return error(
                        api: api, status: 401, sequence: sequence,
                        message: "You didn't provide an API key. You need to provide your API key in an "
                            + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
                }
                guard authorization == "Bearer \(requiredKey)" else {
                    return error(api: api, status: 401, message: "Incorrect API key provided.", sequence: sequence)
                }
                return nil
            case .anthropic:
                guard headers["x-api-key"] == requiredKey else {
                    return error(api: api, status: 401, message: "invalid x-api-key", sequence: sequence)
                }
                guard headers["anthropic-version"] != nil else {
                    return error(
                        api: api, status: 400, message: "anthropic-version: header is required", sequence: sequence)
                }
                return nil
            }
        }

        private static func error(api: API, status: Int, sequence: Int, message: String) -> Response {
            error(api: api, status: status, message: message, retryAfter: nil, sequence: sequence)
        }

        /// OpenAI's `error.type` for a status.
        static func openAIErrorType(_ status: Int) -> String {
            switch status {
            case 429: "requests"
            case 500...: "server_error"
            default: "invalid_request_error"
            }
        }

        /// OpenAI's `error.code` for a status.
        static func openAIErrorCode(_ status: Int) -> String? {
            switch status {
            case 401: "invalid_api_key"
            case 404: "model_not_found"
            case 429: "rate_limit_exceeded"
            default: nil
            }
        }

        /// Anthropic's `error.type` for a status.
        static func anthropicErrorType(_ status: Int) -> String {
            switch status {
            case 401: "authentication_error"
            case 402: "billing_error"
            case 403: "permission_error"
            case 404: "not_found_error"
            case 413: "request_too_large"
            case 429: "rate_limit_error"
            case 504: "timeout_error"
            case 529: "overloaded_error"
            case 500...: "api_error"
            default: "invalid_request_error"
            }
        }
    }

    /// A JSON value written with its object keys in the given order, as the providers write them.
    indirect enum JSONText: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case string(String)
        case int(Int)
        case null
        /// JSON text embedded as it is.
        case raw(String)
        case array([JSONText])
        case object([(String, JSONText)])

        init(stringLiteral value: String) { self = .string(value) }
        init(integerLiteral value: Int) { self = .int(value) }

        /// The compact JSON text.
        var rendered: String {
            var output = ""
            write(to: &output)
            return output
        }

        private func write(to output: inout String) {
            switch self {
            case .string(let text): Self.writeString(text, to: &output)
            case .int(let number): output += String(number)
            case .null: output += "null"
            case .raw(let text): output += text
            case .array(let elements):
                output += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { output += "," }
                    element.write(to: &output)
                }
                output += "]"
            case .object(let fields):
                output += "{"
                for (index, (key, value)) in fields.enumerated() {
                    if index > 0 { output += "," }
                    Self.writeString(key, to: &output)
                    output += ":"
                    value.write(to: &output)
                }
                output += "}"
            }
        }

        private static func writeString(_ text: String, to output: inout String) {
            output += "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\r": output += "\\r"
                case "\t": output += "\\t"
                case _ where scalar.value < 0x20:
                    output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16)
                default: output.unicodeScalars.append(scalar)
                }
            }
            output += "\""
        }
    }
}
