/// One header field of a message or body part: its name as written and its unfolded value.
struct MIMEHeaderField: Sendable, Equatable {
    /// The field name as written (compare with ``EmailBytes/equalsIgnoringCase(_:_:)``).
    var name: String
    /// The value, unfolded (line breaks before folding whitespace removed) and trimmed; not RFC 2047-decoded.
    var value: String
}
