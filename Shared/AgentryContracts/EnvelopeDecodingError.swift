/// Why bytes could not be read as an ``Envelope``. Such a message is dead-lettered, never dropped.
///
/// `code.label` is short and stable, safe as a metric label or dead-letter reason.
public struct EnvelopeDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// The `type` field names no type this build knows.
        case unknownType(String)
        /// The type is known, but not at this schema version.
        case unsupportedVersion(EnvelopeType, Int)
        /// Not JSON, or a field is missing or has the wrong shape.
        case malformed(String)

        /// `unknown_type`, `unsupported_version` or `malformed`.
        public var label: String {
            switch self {
            case .unknownType: "unknown_type"
            case .unsupportedVersion: "unsupported_version"
            case .malformed: "malformed"
            }
        }
    }

    /// What went wrong.
    public let code: Code
    /// The envelope's id, when it could be read (for logs and dead-letter records).
    public let envelopeId: String?

    public init(_ code: Code, envelopeId: String? = nil) {
        self.code = code
        self.envelopeId = envelopeId
    }

    public var description: String {
        let suffix = envelopeId.map { " (envelope \($0))" } ?? ""
        switch code {
        case .unknownType(let type):
            return "unknown envelope type \"\(type)\"" + suffix
        case .unsupportedVersion(let type, let version):
            return "unsupported version \(version) of \(type.rawValue) (this build reads \(type.currentVersion))" + suffix
        case .malformed(let detail):
            return "malformed envelope: \(detail)" + suffix
        }
    }
}
