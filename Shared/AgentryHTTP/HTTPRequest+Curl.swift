internal import CCurl
import Foundation

extension HTTPRequest {
    /// Translates the request into libcurl options.
    ///
    /// - Parameters:
    ///   - userAgent: sent when the request has no `User-Agent` header.
    ///   - buffered: whether ``maxResponseBodySize`` applies (it does not to streamed bodies).
    /// - Throws: ``HTTPClientError/Code/invalidURL`` or ``HTTPClientError/Code/invalidRequest``.
    func transferSpec(userAgent: String?, buffered: Bool) throws(HTTPClientError) -> TransferSpec {
        let scheme = url.prefix { $0 != ":" }.lowercased()
        guard scheme == "http" || scheme == "https", url.contains("://") else {
            throw HTTPClientError(.invalidURL, url: url, detail: "only absolute http and https URLs are supported")
        }
        guard !url.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw HTTPClientError(.invalidURL, url: url, detail: "the URL contains a control character")
        }
        var options: [TransferSpec.Option] = [
            .string(CURLOPT_URL, url),
            .string(CURLOPT_PROTOCOLS_STR, "http,https"),
            .string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
            .long(CURLOPT_TCP_KEEPALIVE, 1),
            .long(CURLOPT_SSL_VERIFYPEER, verifyTLS ? 1 : 0),
            .long(CURLOPT_SSL_VERIFYHOST, verifyTLS ? 2 : 0),
        ]
        if let caFile { options.append(.string(CURLOPT_CAINFO, caFile)) }
        if let connect = timeouts.connect { options.append(.long(CURLOPT_CONNECTTIMEOUT_MS, connect.curlMilliseconds)) }
        if let total = timeouts.total { options.append(.long(CURLOPT_TIMEOUT_MS, total.curlMilliseconds)) }
        switch redirectPolicy {
        case .none:
            options.append(.long(CURLOPT_FOLLOWLOCATION, 0))
        case .follow(let max):
            options.append(.long(CURLOPT_FOLLOWLOCATION, 1))
            options.append(.long(CURLOPT_MAXREDIRS, Swift.max(0, max)))
        }
        if buffered { options.append(.offT(CURLOPT_MAXFILESIZE_LARGE, Int64(maxResponseBodySize))) }
        options += methodOptions()
        options.append(.stringList(CURLOPT_HTTPHEADER, try headerLines()))
        if let userAgent, !headers.contains(name: "User-Agent") {
            options.append(.string(CURLOPT_USERAGENT, userAgent))
        }

        let sendsBody = body != nil || method == .post
        var followsRedirects = false
        if case .follow = redirectPolicy { followsRedirects = true }
        return TransferSpec(
            url: url,
            options: options,
            upload: sendsBody ? (body ?? Data()) : nil,
            parsesHTTPHead: true,
            followsRedirects: followsRedirects
        )
    }

    /// The method: bodies go through the read callback as a POST with a known length (relabelled
    /// with `CURLOPT_CUSTOMREQUEST` for PUT, PATCH, ...).
    private func methodOptions() -> [TransferSpec.Option] {
        if body != nil || method == .post {
            var options: [TransferSpec.Option] = [
                .long(CURLOPT_POST, 1),
                .offT(CURLOPT_POSTFIELDSIZE_LARGE, Int64(body?.count ?? 0)),
            ]
            if method != .post { options.append(.string(CURLOPT_CUSTOMREQUEST, method.rawValue)) }
            return options
        }
        switch method {
        case .get: return [.long(CURLOPT_HTTPGET, 1)]
        case .head: return [.long(CURLOPT_NOBODY, 1)]
        default: return [.string(CURLOPT_CUSTOMREQUEST, method.rawValue)]
        }
    }

    /// Header lines for `CURLOPT_HTTPHEADER`. An empty value is written `Name;` (libcurl's way to
    /// send it), and `Expect:` switches off libcurl's automatic `Expect: 100-continue`.
    private func headerLines() throws(HTTPClientError) -> [String] {
        var lines: [String] = []
        for field in headers {
            let badName = field.name.isEmpty || field.name.contains { $0 == ":" || $0 == ";" || $0.isWhitespace }
            let badText = (field.name + field.value).unicodeScalars.contains {
                $0 == "\r" || $0 == "\n" || $0 == "\0"
            }
            guard !badName, !badText else {
                let detail = "invalid header field named \(field.name.debugDescription)"
                throw HTTPClientError(.invalidRequest, url: url, detail: detail)
            }
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if !headers.contains(name: "Expect") { lines.append("Expect:") }
        return lines
    }
}
