/// Recognises mail sent by a program rather than a person, which the gateway must not answer
/// (RFC 3834 section 2 and the conventions that predate it).
///
/// A message is automatic when any of these holds:
/// - `Auto-Submitted` is present and not `no` (RFC 3834);
/// - `Precedence` is `bulk`, `junk`, `list` or `auto_reply`;
/// - `X-Autoreply` or `X-Autorespond` is present;
/// - the top-level media type is `multipart/report` (delivery and disposition reports, RFC 6522);
/// - `Return-Path` is the null path `<>` (bounces and auto-replies are sent without a return path);
/// - the From local part is `mailer-daemon` or `postmaster`.
enum AutomaticMail {
    /// Whether the message described by `headers`, `from` and `mediaType` is automatic.
    static func isAutomatic(headers: MIMEHeaderFields, from: EmailAddress?, mediaType: String?) -> Bool {
        if let autoSubmitted = headers.first("Auto-Submitted") {
            let keyword = MIMEParameterizedValue(parsing: autoSubmitted).value
            if keyword != "no" { return true }
        }
        if let precedence = headers.first("Precedence") {
            let keyword = MIMEParameterizedValue(parsing: precedence).value
            if ["bulk", "junk", "list", "auto_reply"].contains(keyword) { return true }
        }
        if headers.contains("X-Autoreply") || headers.contains("X-Autorespond") { return true }
        if mediaType == "multipart/report" { return true }
        if let returnPath = headers.first("Return-Path"), returnPath.filter({ !$0.isWhitespace }) == "<>" {
            return true
        }
        if let local = from?.localPart.lowercased(), local == "mailer-daemon" || local == "postmaster" { return true }
        return false
    }
}
