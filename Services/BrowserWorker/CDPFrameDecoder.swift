/// Splits the bytes Chromium writes on its DevTools pipe into messages.
///
/// With `--remote-debugging-pipe` each message is one JSON text followed by a NUL byte. Reads
/// from the pipe end anywhere: in the middle of a message, between messages, or with several
/// messages at once, so the decoder keeps the unfinished tail until its NUL arrives.
///
/// ```swift
/// var decoder = CDPFrameDecoder()
/// let messages = try decoder.append(bytesJustRead)   // zero, one or many complete messages
/// ```
struct CDPFrameDecoder {
    /// The largest message accepted before the stream is declared broken: 64 MiB.
    static let defaultMaximumMessageBytes = 64 << 20

    /// The largest message accepted, in bytes (without its NUL).
    let maximumMessageBytes: Int
    private var pending: [UInt8] = []

    init(maximumMessageBytes: Int = CDPFrameDecoder.defaultMaximumMessageBytes) {
        self.maximumMessageBytes = maximumMessageBytes
    }

    /// Bytes received that do not yet end in a NUL.
    var bufferedByteCount: Int { pending.count }

    /// Adds bytes read from the pipe and returns the messages they complete, oldest first.
    /// Empty messages (two NULs in a row) are skipped.
    ///
    /// - Throws: ``BrowserError/Code/protocolError`` when a message grows past
    ///   ``maximumMessageBytes`` without its NUL.
    mutating func append(_ bytes: some Collection<UInt8>) throws(BrowserError) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var start = bytes.startIndex
        while let end = bytes[start...].firstIndex(of: 0) {
            let piece = bytes[start..<end]
            if pending.isEmpty {
                if !piece.isEmpty { messages.append(Array(piece)) }
            } else {
                pending.append(contentsOf: piece)
                messages.append(pending)
                pending.removeAll(keepingCapacity: true)
            }
            start = bytes.index(after: end)
        }
        pending.append(contentsOf: bytes[start...])
        for message in messages where message.count > maximumMessageBytes {
            throw tooLarge(message.count)
        }
        if pending.count > maximumMessageBytes { throw tooLarge(pending.count) }
        return messages
    }

    private func tooLarge(_ size: Int) -> BrowserError {
        BrowserError(
            .protocolError, "a DevTools message of \(size) bytes exceeds the limit of \(maximumMessageBytes)",
            retryable: true)
    }
}
