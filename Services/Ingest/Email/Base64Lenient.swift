/// Base64 decoding (RFC 2045 section 6.8) that accepts what mail actually contains: line breaks
/// and other characters outside the alphabet are skipped, padding may be missing, and `=` in the
/// middle (concatenated encodings) ends one quantum and decoding continues after it.
enum Base64Lenient {
    /// The 6-bit values of the base64 alphabet by byte; 0xFF for everything else.
    private static let table: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

    /// The 6-bit value of a base64 alphabet character, or nil.
    @inline(__always)
    static func value(of byte: UInt8) -> UInt8? {
        let value = table[Int(byte)]
        return value == 0xFF ? nil : value
    }

    /// The bytes encoded in `text`; a trailing lone character (6 bits) is dropped.
    static func decode(_ text: some Collection<UInt8>) -> [UInt8] {
        if let output = text.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return output }
        return Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    /// ``decode(_:)`` over contiguous bytes.
    private static func decode(buffer text: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3 + 3)
        var accumulator: UInt32 = 0
        var count = 0
        table.withUnsafeBufferPointer { table in
            for byte in text {
                let value = table[Int(byte)]
                if value != 0xFF {
                    accumulator = accumulator << 6 | UInt32(value)
                    count += 1
                    if count == 4 {
                        output.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                        output.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                        output.append(UInt8(truncatingIfNeeded: accumulator))
                        accumulator = 0
                        count = 0
                    }
                } else if byte == 0x3D {
                    flush(&output, accumulator, count)
                    accumulator = 0
                    count = 0
                }
            }
        }
        flush(&output, accumulator, count)
        return output
    }

    /// Appends the whole bytes held by a partial quantum of `count` characters.
    private static func flush(_ output: inout [UInt8], _ accumulator: UInt32, _ count: Int) {
        switch count {
        case 2:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            output.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            output.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default:
            break
        }
    }
}
