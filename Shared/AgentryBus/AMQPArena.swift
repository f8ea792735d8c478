internal import CAMQP
import Foundation

/// Scratch C memory for one librabbitmq call: strings, bodies and tables that must outlive the
/// Swift values they came from until the call has serialised them. Lane-confined; freed by
/// ``release()``.
final class AMQPArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { release() }

    func release() {
        for pointer in allocations { free(pointer) }
        allocations.removeAll(keepingCapacity: true)
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        var utf8 = Array(string.utf8)
        return utf8.withUnsafeMutableBytes { bytes(copying: UnsafeRawBufferPointer($0)) }
    }

    func bytes(_ data: Data) -> amqp_bytes_t {
        data.withUnsafeBytes { bytes(copying: $0) }
    }

    private func bytes(copying buffer: UnsafeRawBufferPointer) -> amqp_bytes_t {
        guard buffer.count > 0, let pointer = malloc(buffer.count) else { return amqp_empty_bytes }
        pointer.copyMemory(from: buffer.baseAddress!, byteCount: buffer.count)
        allocations.append(pointer)
        return amqp_bytes_t(len: buffer.count, bytes: pointer)
    }

    /// An AMQP field table for `values`, or the empty table.
    func table(_ values: [String: AMQPHeaderValue]) -> amqp_table_t {
        guard !values.isEmpty else { return amqp_empty_table }
        let size = MemoryLayout<amqp_table_entry_t>.stride * values.count
        let raw = malloc(size)!
        allocations.append(raw)
        let entries = raw.bindMemory(to: amqp_table_entry_t.self, capacity: values.count)
        for (index, (key, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
            var field = amqp_field_value_t()
            switch value {
            case .string(let text):
                field.kind = UInt8(AMQP_FIELD_KIND_UTF8.rawValue)
                field.value.bytes = bytes(text)
            case .int(let number):
                field.kind = UInt8(AMQP_FIELD_KIND_I64.rawValue)
                field.value.i64 = number
            case .bool(let flag):
                field.kind = UInt8(AMQP_FIELD_KIND_BOOLEAN.rawValue)
                field.value.boolean = flag ? 1 : 0
            }
            entries.advanced(by: index).initialize(to: amqp_table_entry_t(key: bytes(key), value: field))
        }
        return amqp_table_t(num_entries: Int32(values.count), entries: entries)
    }
}

extension amqp_bytes_t {
    /// The bytes as a UTF-8 string (lossy), or "" when empty.
    var string: String {
        guard len > 0, let bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: bytes, count: len), as: UTF8.self)
    }

    /// A copy of the bytes.
    var data: Data {
        guard len > 0, let bytes else { return Data() }
        return Data(bytes: bytes, count: len)
    }
}

extension amqp_table_t {
    /// The scalar entries of the table as header values; nested tables and arrays are skipped.
    var headerValues: [String: AMQPHeaderValue] {
        var result: [String: AMQPHeaderValue] = [:]
        guard num_entries > 0, let entries else { return result }
        for index in 0..<Int(num_entries) {
            let entry = entries[index]
            let value = entry.value
            let kind = UInt32(value.kind)
            let converted: AMQPHeaderValue?
            switch kind {
            case AMQP_FIELD_KIND_UTF8.rawValue, AMQP_FIELD_KIND_BYTES.rawValue:
                converted = .string(value.value.bytes.string)
            case AMQP_FIELD_KIND_BOOLEAN.rawValue:
                converted = .bool(value.value.boolean != 0)
            case AMQP_FIELD_KIND_I8.rawValue: converted = .int(Int64(value.value.i8))
            case AMQP_FIELD_KIND_U8.rawValue: converted = .int(Int64(value.value.u8))
            case AMQP_FIELD_KIND_I16.rawValue: converted = .int(Int64(value.value.i16))
            case AMQP_FIELD_KIND_U16.rawValue: converted = .int(Int64(value.value.u16))
            case AMQP_FIELD_KIND_I32.rawValue: converted = .int(Int64(value.value.i32))
            case AMQP_FIELD_KIND_U32.rawValue: converted = .int(Int64(value.value.u32))
            case AMQP_FIELD_KIND_I64.rawValue: converted = .int(value.value.i64)
            case AMQP_FIELD_KIND_U64.rawValue, AMQP_FIELD_KIND_TIMESTAMP.rawValue:
                converted = .int(Int64(truncatingIfNeeded: value.value.u64))
            default:
                converted = nil
            }
            if let converted { result[entry.key.string] = converted }
        }
        return result
    }
}
