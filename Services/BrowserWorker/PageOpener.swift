/// Loads a page and reads its text. ``Browser`` is the real one; tests of the tool use doubles.
protocol PageOpener: Sendable {
    /// Loads `request.url` and returns its final URL, title and text.
    ///
    /// - Throws: ``BrowserError`` for every failure.
    func open(_ request: PageRequest) async throws -> PageContent
}
