/// A payload struct: the typed body of one ``EnvelopeType`` at one schema version.
///
/// Changing a payload's JSON shape incompatibly means a new `version`; adding an optional
/// field does not (readers ignore unknown fields).
public protocol EnvelopePayloadBody: Codable, Sendable, Equatable {
    /// The envelope type that carries this payload.
    static var envelopeType: EnvelopeType { get }
    /// The schema version this build writes and reads.
    static var version: Int { get }
}
