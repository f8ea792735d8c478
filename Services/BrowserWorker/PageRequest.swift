/// What ``PageOpener/open(_:)`` is asked to do: load `url` and read its text.
struct PageRequest: Sendable, Equatable {
    /// An absolute `http`, `https` or `file` URL, already validated.
    var url: String
    /// A CSS selector whose first match's text is read instead of the body's.
    var selector: String?
    /// How long loading and reading may take in all (waiting for a free page included).
    var timeout: Duration
    /// The most characters of text returned; longer text is cut and marked truncated.
    var maxTextCharacters: Int
}
