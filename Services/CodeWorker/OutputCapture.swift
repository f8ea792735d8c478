/// Collects one output stream of a child up to a byte limit, counting (but dropping) the rest.
///
/// Standard output keeps its first `limit` bytes (``Keep/head``); standard error keeps its last
/// `limit` bytes (``Keep/tail``), where a failing program says what went wrong.
struct OutputCapture: Sendable {
    /// Which part of an over-long stream to keep.
    enum Keep: Sendable {
        case head
        case tail
    }

    /// The most bytes kept.
    let limit: Int
    /// Which part is kept.
    let keep: Keep
    /// Every byte the stream produced, kept or not.
    private(set) var totalBytes = 0
    private var buffer: [UInt8] = []

    init(limit: Int, keep: Keep) {
        self.limit = max(0, limit)
        self.keep = keep
    }

    /// True when the stream produced more than ``limit`` bytes.
    var truncated: Bool { totalBytes > limit }

    /// The kept bytes.
    var bytes: [UInt8] {
        switch keep {
        case .head: buffer
        case .tail: buffer.count > limit ? Array(buffer.suffix(limit)) : buffer
        }
    }

    /// The kept bytes as text: a multi-byte character cut at the edge of the kept part is dropped
    /// whole, and any other invalid UTF-8 becomes U+FFFD.
    var text: String {
        let kept = bytes
        let clean = keep == .head ? UTF8Trimming.droppingIncompleteSuffix(kept[...])
            : UTF8Trimming.droppingContinuationPrefix(kept[...])
        return String(decoding: clean, as: UTF8.self)
    }

    /// Appends what the stream produced next.
    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        totalBytes += chunk.count
        switch keep {
        case .head:
            let room = limit - buffer.count
            if room > 0 { buffer.append(contentsOf: chunk.prefix(room)) }
        case .tail:
            buffer.append(contentsOf: chunk.suffix(limit))
            // Trim now and then rather than on every chunk: at most twice the limit is held.
            if buffer.count > 2 * limit { buffer.removeFirst(buffer.count - limit) }
        }
    }
}

/// Cutting UTF-8 text at byte positions without leaving half a character at the cut.
enum UTF8Trimming {
    /// `bytes` without a trailing multi-byte sequence that the cut left incomplete.
    static func droppingIncompleteSuffix(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.endIndex
        var continuation = 0
        // Find the last lead byte within the final four bytes.
        while start > bytes.startIndex, continuation < 4 {
            start -= 1
            let byte = bytes[start]
            if byte & 0b1100_0000 != 0b1000_0000 {
                let length = sequenceLength(lead: byte)
                return bytes.endIndex - start < length ? bytes[..<start] : bytes
            }
            continuation += 1
        }
        return bytes
    }

    /// `bytes` without leading continuation bytes (the rest of a character cut at the front).
    static func droppingContinuationPrefix(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        while start < bytes.endIndex, start - bytes.startIndex < 3, bytes[start] & 0b1100_0000 == 0b1000_0000 {
            start += 1
        }
        return bytes[start...]
    }

    /// How many bytes the sequence that `lead` starts has (1 for ASCII or an invalid lead byte).
    private static func sequenceLength(lead: UInt8) -> Int {
        switch lead {
        case 0b1111_0000...0b1111_0111: 4
        case 0b1110_0000...0b1110_1111: 3
        case 0b1100_0000...0b1101_1111: 2
        default: 1
        }
    }
}
