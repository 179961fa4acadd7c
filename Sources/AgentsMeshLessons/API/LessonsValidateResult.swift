public import SharedCore

/// Result of `lessons validate` (§6.6): `{valid, errors, warnings, diagnostics}`.
public struct LessonsValidateResult: Sendable, Equatable {
    /// Findings, errors first, each group in path order.
    public var diagnostics: [LessonsDiagnostic]

    /// Number of errors.
    public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
    /// Number of warnings.
    public var warningCount: Int { diagnostics.filter { $0.severity == .warning }.count }
    /// True when there is no error (exit 0).
    public var isValid: Bool { errorCount == 0 }

    /// The result object.
    public var json: JSONValue {
        [
            "valid": .bool(isValid), "errors": .int(errorCount), "warnings": .int(warningCount),
            "diagnostics": .array(diagnostics.map(\.json)),
        ]
    }

    /// The gate failure the CLI reports when there are errors: `LINT_FAILED` with this result in `details`.
    public var failure: ToolError? {
        guard !isValid else { return nil }
        return ToolError(
            ErrorCode.lintFailed, "lessons graph has \(errorCount) error(s); see details", details: json)
    }
}
