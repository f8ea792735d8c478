import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the Chromium executable.
enum ChromiumLocator {
    /// Names tried on `PATH`, in order, when `AGENTRY_CHROMIUM_PATH` is not set.
    static let candidates = ["chromium", "chromium-browser", "google-chrome"]

    /// Where executables are looked for when `PATH` is unset.
    static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

    /// The path of the first of `names` found as an executable file in a directory of `searchPath`
    /// (a `PATH`-style list). A name containing a slash is taken as a path itself.
    static func locate(_ names: [String] = candidates, searchPath: String?) -> String? {
        let directories = (searchPath ?? defaultSearchPath).split(separator: ":").map(String.init)
        for name in names {
            if name.contains("/") {
                if isExecutableFile(name) { return name }
                continue
            }
            for directory in directories where !directory.isEmpty {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                if isExecutableFile(path) { return path }
            }
        }
        return nil
    }

    /// True when `path` is a regular file (after following links) that this process may execute.
    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }
}
