internal import CCurl
import Foundation

/// One easy handle while it is attached to the multi handle.
///
/// Confined to the driver thread: created, called back by libcurl, completed and cleaned up there.
/// libcurl reaches it through the `userdata` pointer of its callbacks; the driver's table keeps it
/// alive until ``close()``.
final class ActiveTransfer {
    let id: TransferID
    let easy: UnsafeMutableRawPointer
    let delegate: any TransferDelegate
    private let url: String
    private let upload: Data?
    private var uploadOffset = 0
    private let parsesHTTPHead: Bool
    private let followsRedirects: Bool
    private var headParser = HTTPResponseHeadParser()
    private var lastHead: HTTPResponseHead?
    private var headDelivered = false
    /// A failure decided by us (such as an oversized body), reported instead of libcurl's code.
    private var failure: HTTPClientError?
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private let errorBuffer: UnsafeMutablePointer<CChar>

    /// Creates and configures an easy handle, or returns the error that prevents it.
    static func make(
        id: TransferID, spec: TransferSpec, delegate: any TransferDelegate
    ) -> Result<ActiveTransfer, HTTPClientError> {
        guard let easy = curl_easy_init() else {
            return .failure(HTTPClientError(.transferFailed(Int(CURLE_OUT_OF_MEMORY.rawValue)), url: spec.url))
        }
        let transfer = ActiveTransfer(id: id, easy: easy, spec: spec, delegate: delegate)
        if let error = transfer.configure(spec) {
            transfer.close()
            return .failure(error)
        }
        return .success(transfer)
    }

    private init(id: TransferID, easy: UnsafeMutableRawPointer, spec: TransferSpec, delegate: any TransferDelegate) {
        self.id = id
        self.easy = easy
        self.delegate = delegate
        self.url = spec.url
        self.upload = spec.upload
        self.parsesHTTPHead = spec.parsesHTTPHead
        self.followsRedirects = spec.followsRedirects
        errorBuffer = .allocate(capacity: Int(CCURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CCURL_ERROR_SIZE) + 1)
    }

    /// Releases the easy handle and everything it points at. The handle must already be removed
    /// from the multi handle.
    func close() {
        curl_easy_cleanup(easy)
        for list in lists { curl_slist_free_all(list) }
        lists = []
    }

    deinit {
        errorBuffer.deallocate()
    }

    // MARK: Configuration

    private func configure(_ spec: TransferSpec) -> HTTPClientError? {
        let this = Unmanaged.passUnretained(self).toOpaque()
        var code = CURLE_OK
        func check(_ result: CURLcode) {
            if code == CURLE_OK, result != CURLE_OK { code = result }
        }
        check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(ccurl_easy_setopt_string(easy, CURLOPT_URL, spec.url))
        check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, this))
        check(ccurl_easy_setopt_write_function(easy) { buffer, size, count, userdata in
            ActiveTransfer.from(userdata).receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
        })
        if spec.parsesHTTPHead {
            check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, this))
            check(ccurl_easy_setopt_header_function(easy) { buffer, size, count, userdata in
                let line = UnsafeRawBufferPointer(start: buffer, count: size * count)
                return ActiveTransfer.from(userdata).receiveHeaderLine(line)
            })
        }
        if spec.upload != nil {
            check(ccurl_easy_setopt_pointer(easy, CURLOPT_READDATA, this))
            check(ccurl_easy_setopt_read_function(easy) { buffer, size, count, userdata in
                let space = UnsafeMutableRawBufferPointer(start: buffer, count: size * count)
                return ActiveTransfer.from(userdata).fillUpload(space)
            })
            check(ccurl_easy_setopt_pointer(easy, CURLOPT_SEEKDATA, this))
            check(ccurl_easy_setopt_seek_function(easy) { userdata, offset, origin in
                ActiveTransfer.from(userdata).seekUpload(offset: offset, origin: origin)
            })
        }
        for option in spec.options {
            switch option {
            case .long(let name, let value):
                check(ccurl_easy_setopt_long(easy, name, value))
            case .offT(let name, let value):
                check(ccurl_easy_setopt_off_t(easy, name, curl_off_t(value)))
            case .string(let name, let value):
                check(ccurl_easy_setopt_string(easy, name, value))
            case .stringList(let name, let values):
                var list: UnsafeMutablePointer<curl_slist>?
                for value in values {
                    guard let appended = curl_slist_append(list, value) else {
                        check(CURLE_OUT_OF_MEMORY)
                        break
                    }
                    list = appended
                }
                if let list { lists.append(list) }
                check(ccurl_easy_setopt_slist(easy, name, list))
            }
        }
        guard code == CURLE_OK else { return error(for: code) }
        return nil
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> ActiveTransfer {
        Unmanaged<ActiveTransfer>.fromOpaque(userdata!).takeUnretainedValue()
    }

    // MARK: Callbacks (driver thread)

    private func receiveHeaderLine(_ line: UnsafeRawBufferPointer) -> Int {
        guard !headDelivered, let head = headParser.consume(line: line) else { return line.count }
        lastHead = head
        let interim = head.status < 200
        let followed = followsRedirects && (300..<400).contains(head.status) && head.headers.contains(name: "Location")
        if !interim && !followed { deliverHead(head) }
        return line.count
    }

    private func deliverHead(_ head: HTTPResponseHead) {
        headDelivered = true
        delegate.transferDidReceiveHead(head)
    }

    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if parsesHTTPHead, !headDelivered, let lastHead { deliverHead(lastHead) }
        switch delegate.transferDidReceiveBody(bytes) {
        case .accepted:
            return bytes.count
        case .pause:
            return Int(CCURL_WRITEFUNC_PAUSE)
        case .abort(let code, let detail):
            failure = HTTPClientError(code, url: url, detail: detail)
            return bytes.count == 0 ? 1 : 0  // any count but the one given fails the transfer
        }
    }

    private func fillUpload(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let upload else { return 0 }
        let count = min(buffer.count, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        let start = upload.startIndex + uploadOffset
        upload.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: start..<(start + count))
        uploadOffset += count
        return count
    }

    private func seekUpload(offset: curl_off_t, origin: Int32) -> Int32 {
        guard let upload, origin == SEEK_SET, offset >= 0, Int(offset) <= upload.count else {
            return CCURL_SEEKFUNC_CANTSEEK
        }
        uploadOffset = Int(offset)
        return CCURL_SEEKFUNC_OK
    }

    // MARK: Completion (driver thread)

    /// Reports libcurl's outcome to the delegate.
    func complete(code: CURLcode) {
        let outcome: HTTPClientError?
        if let failure {
            outcome = failure
        } else if code != CURLE_OK {
            outcome = error(for: code)
        } else if parsesHTTPHead, !headDelivered {
            if let lastHead {
                deliverHead(lastHead)
                outcome = nil
            } else {
                outcome = HTTPClientError(.transferFailed(0), url: url, detail: "no response head received")
            }
        } else {
            outcome = nil
        }
        delegate.transferDidComplete(outcome)
    }

    /// Reports a cancellation decided by the driver to the delegate.
    func cancel(reason: String) {
        delegate.transferDidComplete(HTTPClientError(.cancelled, url: url, detail: reason))
    }

    private func error(for code: CURLcode) -> HTTPClientError {
        var detail = String(cString: errorBuffer)
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        return HTTPClientError(CurlErrorMapping.code(for: code, connected: isConnected), url: url, detail: detail)
    }

    /// Whether a connection was established (distinguishes a connect timeout from a total one).
    private var isConnected: Bool {
        var connectTime: curl_off_t = 0
        guard ccurl_easy_getinfo_off_t(easy, CURLINFO_CONNECT_TIME_T, &connectTime) == CURLE_OK else { return true }
        return connectTime > 0
    }
}
