internal import CCurl
import Foundation

/// Everything the driver thread needs to configure one easy handle, built on the caller's side
/// from an ``HTTPRequest`` or a mail delivery. No C pointer crosses threads: the handle is created
/// on the driver thread from this description.
struct TransferSpec: Sendable {
    /// One `curl_easy_setopt` call.
    enum Option: Sendable {
        case long(CURLoption, Int)
        case offT(CURLoption, Int64)
        case string(CURLoption, String)
        case stringList(CURLoption, [String])
    }

    /// The URL, also used (redacted) in errors.
    var url: String
    var options: [Option]
    /// Bytes fed to libcurl by the read callback (request body or mail message), if any.
    var upload: Data?
    /// Whether header lines are parsed into response heads (HTTP) or ignored (SMTP).
    var parsesHTTPHead: Bool
    /// Whether libcurl follows redirects, so a redirect response is not the final head.
    var followsRedirects: Bool
}
