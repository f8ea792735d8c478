/// A transaction isolation level for ``PostgresClient/withTransaction(isolation:_:_:)``.
public enum PostgresIsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}
