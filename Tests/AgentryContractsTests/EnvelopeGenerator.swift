import AgentryContracts
import Foundation

/// Builds random but valid envelopes of every type from a seeded generator.
struct EnvelopeGenerator {
    var random: SeededGenerator

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func envelope(of type: EnvelopeType) -> Envelope {
        Envelope(
            id: uuid(),
            occurredAt: date(),
            tenant: word(),
            runId: maybe { $0.uuid() },
            stepId: maybe { $0.word() },
            correlationId: maybe { $0.uuid() },
            causationId: maybe { $0.uuid() },
            traceparent: maybe { $0.traceparent() },
            attempt: int(1...10),
            payload: payload(of: type)
        )
    }

    mutating func payload(of type: EnvelopeType) -> EnvelopePayload {
        switch type {
        case .runRequested:
            return .runRequested(RunRequested(
                request: text(), source: pick(RunSource.allCases), sourceReference: maybe { $0.sourceReference() },
                externalEventId: maybe { $0.word() }, requestedBy: maybe { $0.text() },
                budgetUSD: maybe { $0.double() }, workflow: maybe { $0.word() },
                inputs: maybe { $0.object(depth: 2) }, threadRunId: maybe { $0.uuid() }
            ))
        case .runControl:
            return .runControl(RunControl(
                action: pick(RunControl.Action.allCases), reason: maybe { $0.text() }, requestedBy: maybe { $0.word() }
            ))
        case .runPlanned:
            return .runPlanned(RunPlanned(plan: plan()))
        case .runCompleted:
            return .runCompleted(RunCompleted(
                status: pick(RunCompleted.Status.allCases), summary: text(), outputs: object(depth: 3),
                costUSD: double(), promptTokens: int(0...1_000_000), completionTokens: int(0...1_000_000)
            ))
        case .runFailed:
            return .runFailed(RunFailed(reason: text(), failedStepId: maybe { $0.word() }, code: maybe { $0.word() }))
        case .workItem:
            return .workItem(WorkItem(
                stepId: word(), specialist: pick(Specialist.allCases), tool: word(), input: json(depth: 3),
                limits: limits(), idempotencyKey: text(), risk: pick(RiskClass.allCases)
            ))
        case .stepCompleted:
            return .stepCompleted(StepCompleted(output: json(depth: 4), durationMs: int(0...3_600_000), idempotencyKey: text()))
        case .stepFailed:
            return .stepFailed(StepFailed(
                error: text(), code: word(), retryable: bool(), durationMs: maybe { $0.int(0...3_600_000) }
            ))
        case .approvalRequested:
            return .approvalRequested(ApprovalRequested(
                approvalId: uuid(), kind: pick(ApprovalRequested.Kind.allCases), stepId: maybe { $0.word() },
                summary: text(), risk: pick(RiskClass.allCases), approverRoles: list(0...3) { $0.word() },
                deadline: maybe { $0.date() }, plan: maybe { $0.plan() }
            ))
        case .approvalDecided:
            return .approvalDecided(ApprovalDecided(
                approvalId: uuid(), decision: pick(ApprovalDecided.Decision.allCases), decidedBy: text(),
                comment: maybe { $0.text() }, editedPlan: maybe { $0.plan() }, via: pick(ApprovalDecided.Channel.allCases)
            ))
        case .modelRequest:
            return .modelRequest(ModelRequest(
                alias: word(), messages: list(1...4) { $0.message() }, responseFormat: responseFormat(),
                maxTokens: maybe { $0.int(1...100_000) }, temperature: maybe { $0.double() },
                complexity: maybe { $0.pick(ModelRequest.Complexity.allCases) }, purpose: maybe { $0.word() },
                cache: bool()
            ))
        case .modelReply:
            return .modelReply(ModelReply(
                content: text(), finishReason: maybe { $0.word() }, entry: maybe { $0.word() },
                tried: list(0...3) { $0.word() }, promptTokens: int(0...100_000), completionTokens: int(0...100_000),
                costUSD: double(), cached: bool(),
                error: maybe { ModelError(code: $0.pick(ModelError.Code.allCases), message: $0.text()) }
            ))
        }
    }

    // MARK: Pieces

    mutating func plan() -> Plan {
        let ids = (0..<int(1...5)).map { "step-\($0)-\(word())" }
        return Plan(steps: ids.enumerated().map { index, id in
            PlanStep(
                id: id, specialist: pick(Specialist.allCases), tool: word(), input: json(depth: 2),
                dependsOn: Array(ids[..<index].filter { _ in bool() }), risk: pick(RiskClass.allCases),
                limits: limits(), description: maybe { $0.text() }
            )
        })
    }

    mutating func limits() -> StepLimits {
        StepLimits(timeoutSeconds: int(1...3600), maxAttempts: int(1...10), maxOutputBytes: maybe { $0.int(0...10_000_000) })
    }

    mutating func sourceReference() -> SourceReference {
        SourceReference(
            slackTeam: maybe { $0.word() }, slackChannel: maybe { $0.word() }, slackThreadTs: maybe { $0.word() },
            slackUser: maybe { $0.word() }, jiraIssueKey: maybe { $0.word() }, jiraBaseURL: maybe { $0.text() },
            emailMessageId: maybe { $0.text() }, emailFrom: maybe { $0.text() },
            emailReferences: maybe { generator in [generator.text(), generator.text()] }, emailSubject: maybe { $0.text() },
            webhookName: maybe { $0.word() }, url: maybe { $0.text() }
        )
    }

    mutating func message() -> ChatMessage {
        ChatMessage(
            role: pick(ChatMessage.Role.allCases), content: text(), name: maybe { $0.word() },
            toolCallId: maybe { $0.word() }
        )
    }

    mutating func responseFormat() -> ResponseFormat {
        switch int(0...2) {
        case 0: .text
        case 1: .jsonObject
        default: .jsonSchema(name: word(), schema: json(depth: 3))
        }
    }

    mutating func json(depth: Int) -> JSONValue {
        switch int(0...(depth > 0 ? 5 : 3)) {
        case 0: .null
        case 1: .bool(bool())
        case 2: .number(double())
        case 3: .string(text())
        case 4: .array(list(0...4) { $0.json(depth: depth - 1) })
        default: .object(object(depth: depth - 1))
        }
    }

    mutating func object(depth: Int) -> [String: JSONValue] {
        var members: [String: JSONValue] = [:]
        for _ in 0..<int(0...4) { members[text()] = json(depth: depth) }
        return members
    }

    // MARK: Primitives

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

    mutating func bool() -> Bool { Bool.random(using: &random) }

    mutating func pick<T>(_ choices: [T]) -> T { choices[int(0...choices.count - 1)] }

    mutating func maybe<T>(_ make: (inout EnvelopeGenerator) -> T) -> T? {
        bool() ? make(&self) : nil
    }

    mutating func list<T>(_ count: ClosedRange<Int>, _ make: (inout EnvelopeGenerator) -> T) -> [T] {
        (0..<int(count)).map { _ in make(&self) }
    }

    mutating func uuid() -> UUID {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
        ))
    }

    /// A date between 1970 and 2100 at millisecond precision (the precision of the JSON form).
    mutating func date() -> Date {
        Date(timeIntervalSince1970: Double(Int64.random(in: 0...4_102_444_800_000, using: &random)) / 1000)
    }

    mutating func double() -> Double {
        switch int(0...4) {
        case 0: Double(int(0...1_000_000))
        case 1: Double.random(in: 0...1, using: &random)
        case 2: Double.random(in: -1e6...1e6, using: &random)
        case 3: pick([0.1, 0.2, 1e-9, 123_456.789, -0.5, 9_007_199_254_740_991, 1e300, .leastNonzeroMagnitude])
        default: Double(int(0...10_000)) / 100
        }
    }

    mutating func word() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<int(1...12)).map { _ in pick(letters) })
    }

    /// Text with the characters JSON must escape, non-ASCII letters and emoji.
    mutating func text() -> String {
        let pieces = [
            "hello", " ", "world", "\"quoted\"", "back\\slash", "new\nline", "tab\t", "\u{0}", "\u{1F}",
            "é", "日本語", "👩‍💻", "/path/", "{{steps.a.output}}", "</script>", "\u{2028}", "$1", "'",
        ]
        return (0..<int(0...6)).map { _ in pick(pieces) }.joined()
    }

    mutating func traceparent() -> String {
        let hex = Array("0123456789abcdef")
        func run(_ count: Int, _ generator: inout EnvelopeGenerator) -> String {
            String((0..<count).map { _ in generator.pick(hex) })
        }
        return "00-\(run(32, &self))-\(run(16, &self))-01"
    }
}
