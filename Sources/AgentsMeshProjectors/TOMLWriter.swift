// Hand-written: the TOML bytes of §3.2; the mirror's TOML library wraps C++ toml++ and formats differently.
internal import Foundation
internal import SharedCore

/// The TOML emitter of §3.2.
public enum TOMLWriter {
    /// `"basic string"` with `\\ \" \n \t` escapes and `\uXXXX` for other controls.
    public static func basic(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `"""\n<text>\n"""` with `\` doubled and `"""` broken up.
    public static func multiline(_ text: String) -> String {
        let escaped = text.replacingBytes("\\", with: "\\\\").replacingBytes("\"\"\"", with: "\"\"\\\"")
        return "\"\"\"\n" + escaped + "\n\"\"\""
    }
}
