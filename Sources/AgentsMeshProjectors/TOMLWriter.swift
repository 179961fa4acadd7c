// Hand-written: the TOML bytes of §3.2; the mirror's TOML library wraps C++ toml++ and formats differently.
internal import AgentsMeshKit
internal import Foundation
internal import SharedCore

/// The TOML emitter of §3.2.
public enum TOMLWriter {
    /// `"basic string"` with `\\ \" \n \t` escapes and `\uXXXX` for other controls.
    public static func basic(_ s: String) -> String {
        EscapedString.doubleQuoted(s) { "\\u00" + Hex.byte($0).uppercased() }
    }

    /// `"""\n<text>\n"""` with `\` doubled and `"""` broken up.
    public static func multiline(_ text: String) -> String {
        let escaped = text.replacingBytes("\\", with: "\\\\").replacingBytes("\"\"\"", with: "\"\"\\\"")
        return "\"\"\"\n" + escaped + "\n\"\"\""
    }
}
