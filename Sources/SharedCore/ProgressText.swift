/// The text pieces of the progress bars and summaries of long-running verbs (`meshes backfill`, `meshes migrate`):
/// one rendering, so every bar looks the same.
public enum ProgressText {
    /// Characters between the brackets of a bar.
    public static let barWidth = 12

    /// `[#####-------]` for `fraction` (clamped to 0…1).
    public static func bar(fraction: Double) -> String {
        let filled = Int((min(1, max(0, fraction)) * Double(barWidth)).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: barWidth - filled) + "]"
    }

    /// `41%` for a fraction, rounded down so that 100% means done.
    public static func percent(fraction: Double) -> String {
        "\(Int((min(1, max(0, fraction)) * 100).rounded(.down)))%"
    }

    /// `HH:MM:SS` until `remaining` units are done at `perSecond`, `--:--:--` while the rate is unknown.
    public static func eta(remaining: Double, perSecond: Double) -> String {
        guard perSecond > 0, remaining.isFinite else { return "--:--:--" }
        let seconds = Int((max(0, remaining) / perSecond).rounded())
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
    }

    /// `48200` → `48,200`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// Two decimals (`12.5` → `12.50`), without Foundation's formatting.
    public static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}
