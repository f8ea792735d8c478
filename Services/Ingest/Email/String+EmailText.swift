extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CRs and LFs.
    func trimmingBlanks() -> String {
        let scalars = String(self).unicodeScalars
        let isBlank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = scalars.firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isBlank($0) })!
        return String(scalars[first...last])
    }
}
