internal import Foundation
internal import SharedPlatform

/// The one-line progress bar of the long-running verbs on standard error: redrawn in place, shown only when
/// standard error is a terminal (pipes and files get the summary alone).
struct TerminalProgress: Sendable {
    let isShown: Bool

    /// Shown unless `disabled`, and only on a terminal.
    init(disabled: Bool) {
        isShown = !disabled && isatty(2) != 0
    }

    /// Replaces the line with `text`.
    func show(_ text: String) {
        guard isShown else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    /// Ends the bar's line, so what follows starts on a line of its own.
    func finish() {
        guard isShown else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
