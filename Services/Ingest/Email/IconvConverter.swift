#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open glibc iconv descriptor converting from one charset to UTF-8.
///
/// Not copyable, so exactly one owner closes the descriptor (in `deinit`). An iconv descriptor
/// carries conversion state and must not be used from two threads at once; this type is not
/// `Sendable` and is meant to live inside one call (``CharsetDecoder/decode(_:charset:)``).
struct IconvConverter: ~Copyable {
    private let descriptor: iconv_t

    /// Opens a converter from `charset` (an iconv name such as "WINDOWS-1252") to UTF-8, or nil
    /// when iconv does not know the charset.
    init?(from charset: String) {
        guard let descriptor = iconv_open("UTF-8", charset), Int(bitPattern: descriptor) != -1 else { return nil }
        self.descriptor = descriptor
    }

    deinit {
        iconv_close(descriptor)
    }

    /// `input` converted to UTF-8 bytes. A byte sequence that is invalid in the source charset
    /// becomes U+FFFD and decoding resumes at the next byte; a truncated sequence at the end
    /// becomes one U+FFFD.
    func convert(_ input: [UInt8]) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        var output = [UInt8](repeating: 0, count: input.count * 3 + 16)
        var produced = 0
        // iconv's input pointer is not const, but it never writes through it: no copy of the input.
        input.withUnsafeBufferPointer { sourceBuffer in
            let base = UnsafeMutableRawPointer(mutating: sourceBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var inPointer: UnsafeMutablePointer<CChar>? = base
            var inLeft = sourceBuffer.count
            while inLeft > 0 {
                // Room for at least one more character and a replacement.
                if output.count - produced < 16 { output.append(contentsOf: repeatElement(0, count: output.count)) }
                var failure: Int32 = 0
                output.withUnsafeMutableBufferPointer { outputBuffer in
                    let start = UnsafeMutableRawPointer(outputBuffer.baseAddress! + produced)
                        .assumingMemoryBound(to: CChar.self)
                    var outPointer: UnsafeMutablePointer<CChar>? = start
                    var outLeft = outputBuffer.count - produced
                    let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    produced = outputBuffer.count - outLeft
                    failure = result == -1 ? errno : 0
                }
                switch failure {
                case 0:
                    break
                case E2BIG:
                    output.append(contentsOf: repeatElement(0, count: output.count))
                case EILSEQ:
                    if output.count - produced < 3 { output.append(contentsOf: repeatElement(0, count: 16)) }
                    output.replaceSubrange(produced..<produced + 3, with: replacement)
                    produced += 3
                    inPointer = inPointer.map { $0 + 1 }
                    inLeft -= 1
                default:
                    // EINVAL: the input ends inside a multi-byte sequence.
                    if output.count - produced < 3 { output.append(contentsOf: repeatElement(0, count: 16)) }
                    output.replaceSubrange(produced..<produced + 3, with: replacement)
                    produced += 3
                    inLeft = 0
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }
}
