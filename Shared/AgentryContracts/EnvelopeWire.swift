import Foundation

/// The JSON form of an ``Envelope``: the header fields plus a payload typed by `type`.
struct EnvelopeWire: Codable {
    let envelope: Envelope

    init(_ envelope: Envelope) {
        self.envelope = envelope
    }

    private enum CodingKeys: String, CodingKey {
        case id, type, version, occurredAt, tenant, runId, stepId, correlationId, causationId, traceparent
        case attempt, payload
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let idText = try? container.decode(String.self, forKey: .id)
        let typeName = try container.decode(String.self, forKey: .type)
        guard let type = EnvelopeType(rawValue: typeName) else {
            throw EnvelopeDecodingError(.unknownType(typeName), envelopeId: idText)
        }
        let version = try container.decode(Int.self, forKey: .version)
        guard version == type.currentVersion else {
            throw EnvelopeDecodingError(.unsupportedVersion(type, version), envelopeId: idText)
        }
        envelope = Envelope(
            id: try container.decode(UUID.self, forKey: .id),
            version: version,
            occurredAt: try container.decode(Date.self, forKey: .occurredAt),
            tenant: try container.decode(String.self, forKey: .tenant),
            runId: try container.decodeIfPresent(UUID.self, forKey: .runId),
            stepId: try container.decodeIfPresent(String.self, forKey: .stepId),
            correlationId: try container.decodeIfPresent(UUID.self, forKey: .correlationId),
            causationId: try container.decodeIfPresent(UUID.self, forKey: .causationId),
            traceparent: try container.decodeIfPresent(String.self, forKey: .traceparent),
            attempt: try container.decodeIfPresent(Int.self, forKey: .attempt) ?? 1,
            payload: try Self.decodePayload(type, from: container)
        )
    }

    private static func decodePayload(
        _ type: EnvelopeType,
        from container: KeyedDecodingContainer<CodingKeys>
    ) throws -> EnvelopePayload {
        func body<Body: EnvelopePayloadBody>(_: Body.Type) throws -> Body {
            try container.decode(Body.self, forKey: .payload)
        }
        switch type {
        case .runRequested: return .runRequested(try body(RunRequested.self))
        case .runControl: return .runControl(try body(RunControl.self))
        case .runPlanned: return .runPlanned(try body(RunPlanned.self))
        case .runCompleted: return .runCompleted(try body(RunCompleted.self))
        case .runFailed: return .runFailed(try body(RunFailed.self))
        case .workItem: return .workItem(try body(WorkItem.self))
        case .stepCompleted: return .stepCompleted(try body(StepCompleted.self))
        case .stepFailed: return .stepFailed(try body(StepFailed.self))
        case .approvalRequested: return .approvalRequested(try body(ApprovalRequested.self))
        case .approvalDecided: return .approvalDecided(try body(ApprovalDecided.self))
        case .modelRequest: return .modelRequest(try body(ModelRequest.self))
        case .modelReply: return .modelReply(try body(ModelReply.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(envelope.id.wireString, forKey: .id)
        try container.encode(envelope.type.rawValue, forKey: .type)
        try container.encode(envelope.version, forKey: .version)
        try container.encode(envelope.occurredAt, forKey: .occurredAt)
        try container.encode(envelope.tenant, forKey: .tenant)
        try container.encodeIfPresent(envelope.runId?.wireString, forKey: .runId)
        try container.encodeIfPresent(envelope.stepId, forKey: .stepId)
        try container.encodeIfPresent(envelope.correlationId?.wireString, forKey: .correlationId)
        try container.encodeIfPresent(envelope.causationId?.wireString, forKey: .causationId)
        try container.encodeIfPresent(envelope.traceparent, forKey: .traceparent)
        try container.encode(envelope.attempt, forKey: .attempt)
        try container.encode(envelope.payload.body, forKey: .payload)
    }
}
