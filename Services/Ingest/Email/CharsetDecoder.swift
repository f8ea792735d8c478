import Foundation

/// Decodes text bytes in a MIME charset (RFC 2045 `charset` parameter, RFC 2047/2231 labels) to a String.
///
/// UTF-8 and US-ASCII are decoded natively; every other charset goes through ``IconvConverter``
/// (glibc iconv). Decoding never fails:
/// - declared UTF-8 with invalid bytes keeps the valid text and shows U+FFFD for the rest;
/// - a known charset with invalid bytes shows U+FFFD for each invalid byte;
/// - an absent, unknown or unusable label decodes as UTF-8 when the bytes are valid UTF-8, else as Latin-1.
///
/// Labels are mapped the way mail clients read them in practice: ISO-8859-1 and ASCII labels
/// as Windows-1252 (the WHATWG rule), GB2312/GBK as GB18030, Shift_JIS as CP932, EUC-KR as CP949.
enum CharsetDecoder {
    /// How a charset label is decoded.
    enum Decoding: Equatable {
        /// UTF-8 (invalid bytes become U+FFFD).
        case utf8
        /// Label absent or ASCII: UTF-8 when valid, else Windows-1252.
        case asciiCompatible
        /// Through iconv under this name.
        case iconv(String)
    }

    /// `bytes` decoded from `charset` (a label as found in a message; nil when none was given).
    static func decode(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        switch decoding(for: charset) {
        case .utf8:
            return utf8(bytes)
        case .asciiCompatible:
            if let text = String(validating: bytes, as: UTF8.self) { return withoutByteOrderMark(text) }
            return viaIconv(Array(bytes), name: "WINDOWS-1252") ?? latin1(bytes)
        case .iconv(let name):
            if let text = viaIconv(Array(bytes), name: name) { return text }
            return fallback(bytes)
        case nil:
            return fallback(bytes)
        }
    }

    /// UTF-8 when valid, Latin-1 otherwise: for bytes whose charset is unknown.
    static func fallback(_ bytes: some Collection<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return withoutByteOrderMark(text) }
        return latin1(bytes)
    }

    /// Each byte as the Unicode scalar of the same value (ISO-8859-1); never fails.
    static func latin1(_ bytes: some Collection<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// UTF-8 with U+FFFD for invalid sequences and without a leading byte-order mark.
    static func utf8(_ bytes: some Collection<UInt8>) -> String {
        withoutByteOrderMark(String(decoding: bytes, as: UTF8.self))
    }

    /// How `label` is decoded, or nil when the label is absent-but-given garbage (not a charset name).
    static func decoding(for label: String?) -> Decoding? {
        guard let label else { return .asciiCompatible }
        var name = label.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'"))
        if let cut = name.firstIndex(where: { $0 == " " || $0 == "(" || $0 == ";" }) { name = String(name[..<cut]) }
        name = name.lowercased()
        if name.isEmpty { return .asciiCompatible }
        guard name.utf8.count <= 40,
            name.utf8.allSatisfy({ byte in
                (0x30...0x39).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
                    || byte == 0x2E || byte == 0x3A || byte == 0x2B
            })
        else { return nil }
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8":
            return .utf8
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "default", "x-unknown", "unknown-8bit":
            return .asciiCompatible
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "windows-1252", "cp1252", "x-cp1252":
            return .iconv("WINDOWS-1252")
        case "gb2312", "gbk", "x-gbk", "cp936", "gb_2312-80", "csgb2312", "euc-cn", "x-euc-cn", "gb18030":
            return .iconv("GB18030")
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "cp932", "csshiftjis":
            return .iconv("CP932")
        case "euc-kr", "ks_c_5601-1987", "ks_c_5601", "cp949", "windows-949", "x-windows-949":
            return .iconv("CP949")
        case "big5", "big-5", "cn-big5", "x-x-big5", "csbig5":
            return .iconv("BIG5")
        case "iso-8859-8-i", "iso-8859-6-i", "iso-8859-8-e", "iso-8859-6-e":
            return .iconv(String(name.dropLast(2)).uppercased())
        case "x-mac-roman", "macintosh", "mac":
            return .iconv("MACINTOSH")
        case "unicode-1-1-utf-7", "utf-7", "utf7":
            return .iconv("UTF-7")
        default:
            return .iconv(name.uppercased())
        }
    }

    /// `bytes` through iconv, or nil when iconv does not know `name`.
    private static func viaIconv(_ bytes: [UInt8], name: String) -> String? {
        guard let converter = IconvConverter(from: name) else { return nil }
        return withoutByteOrderMark(String(decoding: converter.convert(bytes), as: UTF8.self))
    }

    /// `text` without a leading U+FEFF.
    private static func withoutByteOrderMark(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    }
}
