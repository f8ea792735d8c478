extension PostgresClient {
    /// Runs `body` with this client, then closes it, whether `body` returned or threw.
    ///
    /// ```swift
    /// let rows = try await PostgresClient(url: url, poolSize: 1).closing { try await $0.query("SELECT 1") }
    /// ```
    public func closing<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            await close()
            return result
        } catch {
            await close()
            throw error
        }
    }
}
