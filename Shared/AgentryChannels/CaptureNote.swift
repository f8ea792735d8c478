/// A notification for a run that came from somewhere with no conversation to answer (the API, the
/// CLI, a generic webhook): it is recorded in the local capture only, where the API shows it.
public struct CaptureNote: Sendable, Hashable {
    /// Where the run came from, e.g. `api`.
    public var source: String
    /// A one-line summary.
    public var subject: String
    /// The full text.
    public var text: String

    public init(source: String, subject: String, text: String) {
        self.source = source
        self.subject = subject
        self.text = text
    }
}
