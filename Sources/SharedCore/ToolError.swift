internal import SharedPlatform

/// A user-facing failure with a stable wire code, shared by the CLI, the MCP servers and the library.
public struct ToolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The stable machine-readable code, e.g. `VALIDATION_FAILED`.
    public var code: String
    /// A human message; never contains absolute paths or credentials.
    public var message: String
    /// Optional structured details (`{"issues": [...]}`, `{"pid": 1}`, ...).
    public var details: JSONValue?

    /// Creates an error with a code, a message and optional details.
    public init(_ code: String, _ message: String, details: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code): \(message)" }

    /// The `{code, message, details?}` object used in envelopes and MCP results.
    public var json: JSONValue {
        var object = JSONObject()
        object["code"] = .string(code)
        object["message"] = .string(message)
        if let details { object["details"] = details }
        return .object(object)
    }
}

/// The stable error codes of the agentsmesh specification.
public enum ErrorCode {
    public static let notFound = "NOT_FOUND"
    public static let alreadyExists = "ALREADY_EXISTS"
    public static let validationFailed = "VALIDATION_FAILED"
    public static let invalidName = "INVALID_NAME"
    public static let pathTraversal = "PATH_TRAVERSAL"
    public static let protectedFile = "PROTECTED_FILE"
    public static let lockHeld = "LOCK_HELD"
    public static let noProject = "NO_PROJECT"
    public static let ioError = "IO_ERROR"
    public static let limitExceeded = "LIMIT_EXCEEDED"
    public static let usage = "USAGE"
    public static let drift = "DRIFT"
    public static let lintFailed = "LINT_FAILED"
    public static let lockedFeature = "LOCKED_FEATURE"
    public static let importRequired = "IMPORT_REQUIRED"
    public static let aborted = "ABORTED"
}

extension ToolError {
    /// A `VALIDATION_FAILED` error naming one file, with line and column when known.
    public static func syntax(path: String, line: Int?, column: Int?, message: String) -> ToolError {
        var location = path
        if let line { location += ":\(line)" }
        if let line, let column, line > 0 { location += ":\(column)" }
        var issue = JSONObject()
        issue["path"] = .string(path)
        if let line { issue["line"] = .int(line) }
        if let column { issue["column"] = .int(column) }
        issue["message"] = .string(message)
        return ToolError(
            ErrorCode.validationFailed, "\(location): \(message)",
            details: .object(["issues": .array([.object(issue)])]))
    }

    /// An `IO_ERROR` for a failed filesystem call, with the errno name in details.
    public static func io(_ what: String, path: String, errno code: Int32) -> ToolError {
        ToolError(
            ErrorCode.ioError, "\(what) \(path): \(String(cString: strerror(code)))",
            details: .object(["errno": .string(ErrnoName.name(code))]))
    }
}

/// Symbolic names of the errno values users meet most.
enum ErrnoName {
    static func name(_ code: Int32) -> String {
        switch code {
        case EACCES: return "EACCES"
        case ENOENT: return "ENOENT"
        case EEXIST: return "EEXIST"
        case ENOTDIR: return "ENOTDIR"
        case EISDIR: return "EISDIR"
        case ENOSPC: return "ENOSPC"
        case EROFS: return "EROFS"
        case EPERM: return "EPERM"
        case ENOTEMPTY: return "ENOTEMPTY"
        case ELOOP: return "ELOOP"
        case ENAMETOOLONG: return "ENAMETOOLONG"
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        case EDQUOT: return "EDQUOT"
        case EIO: return "EIO"
        case EBUSY: return "EBUSY"
        case EXDEV: return "EXDEV"
        case EAGAIN: return "EAGAIN"
        case EINVAL: return "EINVAL"
        case EFBIG: return "EFBIG"
        default: return "E\(code)"
        }
    }
}
