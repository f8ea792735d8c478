import Foundation

/// A typed message between services: the only contract between them.
///
/// The JSON form (``EnvelopeCodec``) is
/// ```
/// { "id": "<uuid>", "type": "step.completed", "version": 1, "occurredAt": "<RFC 3339>",
///   "tenant": "acme", "runId": "<uuid>", "stepId": "fetch", "correlationId": "<uuid>",
///   "causationId": "<uuid>", "traceparent": "00-<trace>-<span>-01", "attempt": 1,
///   "payload": { ... typed by "type" ... } }
/// ```
///
/// ```swift
/// let request = Envelope(tenant: "acme", payload: .runRequested(
///     RunRequested(request: "Summarise yesterday's incidents", source: .api)))
/// let data = try EnvelopeCodec().encode(request)
///
/// // Later, the director answers with an envelope caused by the request:
/// let planned = Envelope.caused(by: request, payload: .runPlanned(RunPlanned(plan: plan)))
/// ```
public struct Envelope: Sendable, Equatable {
    /// Unique per envelope; the AMQP `message_id` and the key for idempotent consumption.
    public var id: UUID
    /// The payload's schema version, as written by the sender.
    public let version: Int
    /// When the fact happened, kept at millisecond precision (the precision of the JSON form).
    public var occurredAt: Date {
        didSet { occurredAt = occurredAt.roundedToMilliseconds }
    }
    /// The tenant (team or company) the envelope belongs to.
    public var tenant: String
    /// The run, when the envelope belongs to one.
    public var runId: UUID?
    /// The step within the run, when the envelope is about one.
    public var stepId: String?
    /// Ties a conversation together (the run's first envelope, or a request and its reply).
    public var correlationId: UUID?
    /// The id of the envelope that caused this one.
    public var causationId: UUID?
    /// W3C trace context (`00-<trace id>-<span id>-<flags>`).
    public var traceparent: String?
    /// Which attempt at delivering this work this is; 1 for the first.
    public var attempt: Int
    /// The typed payload.
    public let payload: EnvelopePayload

    /// The envelope's type, given by its payload.
    public var type: EnvelopeType { payload.type }

    /// Creates an envelope whose type and version come from `payload`.
    public init(
        id: UUID = UUID(),
        occurredAt: Date = Date(),
        tenant: String,
        runId: UUID? = nil,
        stepId: String? = nil,
        correlationId: UUID? = nil,
        causationId: UUID? = nil,
        traceparent: String? = nil,
        attempt: Int = 1,
        payload: EnvelopePayload
    ) {
        self.init(
            id: id, version: payload.version, occurredAt: occurredAt, tenant: tenant, runId: runId, stepId: stepId,
            correlationId: correlationId, causationId: causationId, traceparent: traceparent, attempt: attempt,
            payload: payload
        )
    }

    /// Creates an envelope with an explicit version (used when decoding).
    init(
        id: UUID,
        version: Int,
        occurredAt: Date,
        tenant: String,
        runId: UUID?,
        stepId: String?,
        correlationId: UUID?,
        causationId: UUID?,
        traceparent: String?,
        attempt: Int,
        payload: EnvelopePayload
    ) {
        self.id = id
        self.version = version
        self.occurredAt = occurredAt.roundedToMilliseconds
        self.tenant = tenant
        self.runId = runId
        self.stepId = stepId
        self.correlationId = correlationId
        self.causationId = causationId
        self.traceparent = traceparent
        self.attempt = attempt
        self.payload = payload
    }

    /// Creates the envelope that `parent` caused: same tenant, run, step, correlation and trace
    /// context, `causationId` set to the parent's id, first attempt.
    ///
    /// When the parent has no `correlationId`, its own id becomes the correlation id, so the whole
    /// chain can be found from its first envelope. Set `stepId` to `nil` afterwards when the
    /// new envelope is not about the parent's step.
    public static func caused(
        by parent: Envelope,
        payload: EnvelopePayload,
        id: UUID = UUID(),
        occurredAt: Date = Date()
    ) -> Envelope {
        Envelope(
            id: id,
            occurredAt: occurredAt,
            tenant: parent.tenant,
            runId: parent.runId,
            stepId: parent.stepId,
            correlationId: parent.correlationId ?? parent.id,
            causationId: parent.id,
            traceparent: parent.traceparent,
            attempt: 1,
            payload: payload
        )
    }
}

extension Date {
    /// The date rounded to the nearest millisecond, computed as ``RFC3339`` parsing does.
    var roundedToMilliseconds: Date {
        Date(timeIntervalSince1970: (timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
