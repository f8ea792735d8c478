extension Sequence where Element: Hashable {
    /// The elements in their order, each once (its first occurrence kept).
    ///
    /// ```swift
    /// ["<a@x>", "<b@x>", "<a@x>"].uniquedInOrder()  // ["<a@x>", "<b@x>"]
    /// ```
    public func uniquedInOrder() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
