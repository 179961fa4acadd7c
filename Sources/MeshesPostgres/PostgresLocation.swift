internal import Foundation
internal import NIOSSL
internal import PostgresNIO
public import SharedCore

/// Where a PostgreSQL store lives: `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`
/// (also `postgresql://`). Parsing never echoes the URL, so no message can carry its password.
public struct PostgresLocation: Sendable, Equatable {
    /// Transport security, as libpq's `sslmode` of the same names: `prefer` and `require` encrypt without
    /// checking the server's certificate; `verify-ca`/`verify-full` are not offered in v1.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// The default port of PostgreSQL.
    public static let defaultPort = 5432

    public init(host: String, port: Int = PostgresLocation.defaultPort, username: String, password: String?, database: String, tls: TLSMode)
    {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Whether `text` names a PostgreSQL store rather than a SQLite file.
    public static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Parses a store URL; throws `DATABASE_URL_INVALID` saying what is wrong (never quoting the URL).
    public init(url text: String) throws(ToolError) {
        func invalid(_ reason: String) -> ToolError {
            ToolError(PostgresErrorCode.invalidURL, "invalid PostgreSQL URL: \(reason)")
        }
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("postgres://") {
            rest = text.dropFirst("postgres://".count)
        } else if lowered.hasPrefix("postgresql://") {
            rest = text.dropFirst("postgresql://".count)
        } else {
            throw invalid("the scheme must be postgres:// or postgresql://")
        }
        var main = rest
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            main = rest[..<mark]
            query = rest[rest.index(after: mark)...]
        }
        guard let slash = main.firstIndex(of: "/") else { throw invalid("the database name is missing (…/DATABASE)") }
        let authority = main[..<slash]
        guard let databaseName = PostgresLocation.decode(main[main.index(after: slash)...]), !databaseName.isEmpty,
            !databaseName.contains("/")
        else { throw invalid("the database name is missing or malformed (…/DATABASE)") }
        guard let at = authority.lastIndex(of: "@") else { throw invalid("the user name is missing (USER@HOST)") }
        let userInfo = authority[..<at]
        let hostPort = authority[authority.index(after: at)...]
        var userPart = userInfo
        var passwordPart: Substring?
        if let colon = userInfo.firstIndex(of: ":") {
            userPart = userInfo[..<colon]
            passwordPart = userInfo[userInfo.index(after: colon)...]
        }
        guard let user = PostgresLocation.decode(userPart), !user.isEmpty else { throw invalid("the user name is missing (USER@HOST)") }
        var secret: String?
        if let passwordPart {
            guard let decoded = PostgresLocation.decode(passwordPart) else {
                throw invalid("the password is not correctly percent-encoded")
            }
            secret = decoded
        }
        var hostText = hostPort
        var portText: Substring?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw invalid("an IPv6 host must be closed with ]") }
            hostText = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            let after = hostPort[hostPort.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected characters after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = hostPort.lastIndex(of: ":") {
            hostText = hostPort[..<colon]
            portText = hostPort[hostPort.index(after: colon)...]
        }
        guard !hostText.isEmpty, let hostName = PostgresLocation.decode(hostText) else { throw invalid("the host is missing") }
        var portNumber = PostgresLocation.defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw invalid("the port must be a number in 1…65535") }
            portNumber = value
        }
        var mode = TLSMode.prefer
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? String(parts[1]) : ""
            guard name == "sslmode" else { throw invalid("unsupported parameter '\(PostgresLocation.printable(name))' (only sslmode)") }
            guard let parsed = TLSMode(rawValue: value) else {
                throw invalid("sslmode must be disable, prefer or require")
            }
            mode = parsed
        }
        self.init(host: hostName, port: portNumber, username: user, password: secret, database: databaseName, tls: mode)
    }

    /// The URL without its password: what messages and logs may show.
    public var redacted: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)@\(shownHost):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    /// `host:port/database`, for error messages.
    public var endpoint: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }

    /// Percent-decoding; nil when an escape is malformed.
    static func decode(_ text: Substring) -> String? {
        guard text.contains("%") else { return String(text) }
        return String(text).removingPercentEncoding
    }

    /// A parameter name safe to quote: printable ASCII only, at most 32 characters.
    static func printable(_ text: String) -> String {
        String(String(text.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }).prefix(32))
    }

    /// The TLS settings of libpq's modes: no certificate check (see `TLSMode`).
    private static func clientTLS() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }

    /// The pool's configuration.
    func clientConfiguration(maximumConnections: Int) -> PostgresClient.Configuration {
        let security: PostgresClient.Configuration.TLS
        switch tls {
        case .disable: security = .disable
        case .prefer: security = .prefer(PostgresLocation.clientTLS())
        case .require: security = .require(PostgresLocation.clientTLS())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: security)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }

    /// The configuration of one direct connection (used at open, where errors must be precise).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let security: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable: security = .disable
        case .prefer: security = .prefer(try NIOSSLContext(configuration: PostgresLocation.clientTLS()))
        case .require: security = .require(try NIOSSLContext(configuration: PostgresLocation.clientTLS()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: security)
        configuration.options.connectTimeout = .seconds(10)
        return configuration
    }
}

/// The stable codes of the PostgreSQL store's own failures.
public enum PostgresErrorCode {
    /// The store URL cannot be parsed.
    public static let invalidURL = "DATABASE_URL_INVALID"
    /// No connection could be made (refused, unreachable, timed out, TLS unavailable).
    public static let unreachable = "DATABASE_UNREACHABLE"
    /// The server refused the user name or password.
    public static let authenticationFailed = "DATABASE_AUTH_FAILED"
    /// The server answered but the store cannot be used (missing database, no permission, query failure).
    public static let unavailable = "DATABASE_UNAVAILABLE"
    /// The schema was written by a newer engine.
    public static let newerSchema = "DATABASE_SCHEMA_NEWER"
}
