internal import CCurl

/// Owns one libcurl multi handle.
///
/// Safe to share across threads: every operation except ``wakeup()`` is called only by the
/// driver thread of ``CurlMultiDriver`` (or before that thread starts, or after it exits), and
/// `curl_multi_wakeup` is documented as callable from any thread at any time.
final class CurlMultiHandle: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init() {
        CurlGlobal.ensureInitialized()
        guard let pointer = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.pointer = pointer
    }

    /// Interrupts `curl_multi_poll` on the driver thread. Callable from any thread.
    func wakeup() {
        _ = curl_multi_wakeup(pointer)
    }

    deinit {
        curl_multi_cleanup(pointer)
    }
}
