import Glibc

/// A private temporary directory (mode 0700) that one script runs in, removed with everything in it
/// afterwards.
///
/// Blocking file-system calls: used only on a supervisor thread, never on Swift's cooperative pool.
struct WorkingDirectory {
    /// The directory's absolute path.
    let path: String

    /// The start of every working directory's name; the worker's pid follows.
    static let namePrefix = "agentry-code-"

    /// Creates `<root>/agentry-code-<worker pid>-XXXXXX`.
    static func create(under root: String) throws(SpawnFailure) -> WorkingDirectory {
        var template = Array((root.hasSuffix("/") ? root : root + "/").utf8CString.dropLast())
            + Array("\(namePrefix)\(getpid())-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw SpawnFailure(call: "mkdtemp", code: errno) }
        return WorkingDirectory(path: String(cString: created))
    }

    /// Removes the working directories under `root` that a code worker which no longer runs left
    /// behind (it was killed in the middle of a run), and returns their paths. Directories of
    /// running workers, of other users, and anything that is not a directory are left alone.
    ///
    /// Blocking: call it at start-up, before the worker takes work.
    static func removeAbandoned(under root: String) -> [String] {
        guard let directory = opendir(root) else { return [] }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            names.append(name)
        }
        closedir(directory)
        var removed: [String] = []
        for name in names where name.hasPrefix(namePrefix) {
            let rest = name.dropFirst(namePrefix.count)
            guard let dash = rest.firstIndex(of: "-"), let owner = pid_t(rest[..<dash]), owner > 0,
                  kill(owner, 0) == -1, errno == ESRCH
            else { continue }
            let path = (root.hasSuffix("/") ? root : root + "/") + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == getuid() else { continue }
            if WorkingDirectory(path: path).remove() { removed.append(path) }
        }
        return removed
    }

    /// Creates the file `name` in the directory (mode 0600) holding `contents`.
    func createFile(named name: String, containing contents: [UInt8]) throws(SpawnFailure) {
        let descriptor = open(path + "/" + name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpawnFailure(call: "open", code: errno) }
        defer { close(descriptor) }
        try Self.writeAll(contents, to: descriptor)
    }

    /// A descriptor reading `contents` from its start, backed by a file that is already unlinked,
    /// so the script never sees it in its directory.
    func anonymousFile(holding contents: [UInt8]) throws(SpawnFailure) -> Int32 {
        let name = path + "/.agentry-stdin"
        let descriptor = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpawnFailure(call: "open", code: errno) }
        unlink(name)
        do {
            try Self.writeAll(contents, to: descriptor)
        } catch {
            close(descriptor)
            throw error
        }
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            let code = errno
            close(descriptor)
            throw SpawnFailure(call: "lseek", code: code)
        }
        return descriptor
    }

    /// Removes the directory and everything in it without following symbolic links, making
    /// directories the script locked (`chmod 0`) writable first. Iterative, so a deeply nested
    /// tree cannot exhaust the thread's stack.
    ///
    /// - Returns: true when the directory is gone.
    @discardableResult
    func remove() -> Bool {
        for _ in 0..<3 {
            removeContents()
            if rmdir(path) == 0 || errno == ENOENT { return true }
        }
        return false
    }

    private struct Frame {
        let stream: OpaquePointer
        let name: [CChar]
        var descriptor: Int32 { dirfd(stream) }
    }

    private func removeContents() {
        _ = chmod(path, 0o700)
        let root = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0, let rootStream = fdopendir(root) else {
            if root >= 0 { close(root) }
            return
        }
        var stack = [Frame(stream: rootStream, name: [])]
        while let top = stack.last {
            guard let entry = readdir(top.stream) else {
                closedir(top.stream)
                stack.removeLast()
                if let parent = stack.last { _ = unlinkat(parent.descriptor, top.name, AT_REMOVEDIR) }
                continue
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.bindMemory(to: CChar.self).prefix { $0 != 0 }) + [0]
            }
            if name == [46, 0] || name == [46, 46, 0] { continue }  // "." and ".."
            var info = stat()
            guard fstatat(top.descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                _ = unlinkat(top.descriptor, name, 0)
                continue
            }
            _ = fchmodat(top.descriptor, name, 0o700, 0)
            let child = openat(top.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { continue }
            guard let stream = fdopendir(child) else {
                close(child)
                continue
            }
            stack.append(Frame(stream: stream, name: name))
        }
    }

    private static func writeAll(_ contents: [UInt8], to descriptor: Int32) throws(SpawnFailure) {
        var offset = 0
        while offset < contents.count {
            let written = contents[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SpawnFailure(call: "write", code: errno)
            }
            offset += written
        }
    }
}
