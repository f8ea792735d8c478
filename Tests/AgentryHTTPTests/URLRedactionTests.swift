@testable import AgentryHTTP
import Testing

@Suite struct URLRedactionTests {
    @Test(arguments: [
        ("https://user:pa@ss@api.example.com:8443/v1/x?key=1#frag", "https://api.example.com:8443/v1/x"),
        ("smtp://login:secret@mail.example.com:587", "smtp://mail.example.com:587"),
        ("http://example.com/a@b", "http://example.com/a@b"),
        ("http://example.com", "http://example.com"),
    ])
    func stripsCredentialsQueryAndFragment(url: String, expected: String) {
        #expect(URLRedaction.redact(url) == expected)
        #expect(HTTPClientError(.timedOut, url: url).url == expected)
    }

    @Test func shortDescriptionsAreMetricLabels() {
        #expect(HTTPClientError(.transferFailed(56)).shortDescription == "transfer_failed")
        #expect(HTTPClientError(.transferFailed(56)).code == .transferFailed(56))
        #expect(HTTPClientError(.transferFailed(56)).code != .transferFailed(7))
        #expect(HTTPClientError(.connectTimedOut).shortDescription == "connect_timed_out")
        #expect("\(HTTPClientError(.transferFailed(56), url: "http://h/p", detail: "Recv failure"))"
            == "HTTPClientError.transfer_failed (curl code 56) for http://h/p: Recv failure")
    }
}
