extension HTTPRequest {
    /// What to do when the server answers with a redirect (a 3xx status with a `Location`).
    public enum RedirectPolicy: Sendable, Hashable {
        /// Return the redirect response itself.
        case none
        /// Follow up to `max` redirects; one more fails with ``HTTPClientError/Code/tooManyRedirects``.
        case follow(max: Int)
    }
}
