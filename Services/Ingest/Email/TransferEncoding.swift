/// Content-Transfer-Encoding (RFC 2045 section 6) decoding of a body part.
enum TransferEncoding {
    /// `body` decoded per `encoding` (the header value; nil means 7bit). `quoted-printable` and
    /// `base64` are decoded; `7bit`, `8bit`, `binary` and unknown encodings pass through unchanged.
    static func decode(_ body: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding.map(normalized) {
        case "quoted-printable": QuotedPrintable.decode(body)
        case "base64": Base64Lenient.decode(body)
        default: Array(body)
        }
    }

    /// The mechanism token of a Content-Transfer-Encoding value, lowercased, without comments or parameters.
    private static func normalized(_ value: String) -> String {
        MIMEParameterizedValue(parsing: value).value
    }
}
