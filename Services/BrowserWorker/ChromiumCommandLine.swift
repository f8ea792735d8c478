/// The command line the worker starts Chromium with.
enum ChromiumCommandLine {
    /// Arguments after the executable: headless, DevTools over fds 3 and 4, no first-run UI, no
    /// GPU, and a private profile directory. `--no-sandbox` only as root, where Chromium refuses
    /// to start with its sandbox.
    static func arguments(profileDirectory: String, runningAsRoot: Bool) -> [String] {
        var arguments = [
            "--headless=new",
            "--remote-debugging-pipe",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--user-data-dir=\(profileDirectory)",
        ]
        if runningAsRoot { arguments.append("--no-sandbox") }
        return arguments
    }

    /// The environment Chromium gets: the worker's own, minus Agentry's settings (broker and
    /// database URLs, keys), which the browser has no use for.
    static func environment(from environment: [String: String]) -> [String: String] {
        environment.filter { !$0.key.hasPrefix("AGENTRY_") }
    }
}
