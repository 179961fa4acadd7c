internal import AgentsMeshGeneration
internal import AgentsMeshPacks
internal import ArgumentParser
internal import SharedCore

struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Project .agentsmesh/ into each target's native files.")

    @OptionGroup var selection: TargetedOptions
    @Flag(help: "Print what would change and write nothing.")
    var dryRun = false
    @Flag(help: "Exit 1 (DRIFT) when generated files are out of date; write nothing.")
    var check = false
    @Flag(help: "Generate even when locked features changed.")
    var force = false
    @Option(help: "Seconds to wait for another generate to finish.")
    var lockTimeout: Double = 30
    @Flag(help: "Fetch remote extends again instead of reading them from the cache.")
    var refreshCache = false
    @Flag(help: "Fetch remote extends into a temporary folder; leave the cache alone.")
    var noCache = false

    func run() async throws {
        try await selection.run("generate") { (targets) throws(ToolError) in
            let root = try projectRoot()
            guard !(refreshCache && noCache) else {
                throw ToolError(ErrorCode.usage, "--refresh-cache and --no-cache cannot be combined")
            }
            var options = GenerateOptions(targets: targets, dryRun: dryRun, check: check, force: force, lockTimeout: lockTimeout)
            options.command = "generate"
            options.extendsMode = noCache ? .uncached : refreshCache ? .refresh : .cached
            let result = try await Generator(root: root).generate(options)
            return VerbOutput(result.json, GenerateText.render(result))
        }
    }
}

/// Human output of generate.
enum GenerateText {
    static func render(_ result: GenerateResult) -> String {
        // One line per change (thousands on a first run): appended as bytes.
        var bytes = Array(warningLines(result.warnings).utf8)
        var counts: [FileStatus: Int] = [:]
        for file in result.files {
            counts[file.status, default: 0] += 1
            guard file.status != .unchanged else { continue }
            if result.dryRun { bytes += "[dry-run] ".utf8 }
            bytes += file.status.rawValue.utf8
            bytes.append(0x20)
            bytes += file.path.utf8
            bytes += " (".utf8
            bytes += file.target.utf8
            bytes += ")\n".utf8
        }
        let written = counts[.create, default: 0] + counts[.update, default: 0]
        bytes += "Generated \(written) file(s), \(counts[.unchanged, default: 0]) unchanged, \(counts[.delete, default: 0]) deleted".utf8
        return String(decoding: bytes, as: UTF8.self)
    }
}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Fail when canonical files or generated outputs drifted from .agentsmesh/.lock.")

    @Flag(help: "Only compare canonical checksums; skip generated outputs.")
    var noOutputs = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("check", json: output.json) { () throws(ToolError) in
            let result = try Checker.check(root: try projectRoot(), verifyOutputs: !noOutputs)
            guard result.inSync else {
                throw ToolError(ErrorCode.drift, "out of sync with .agentsmesh/.lock:\n" + result.advice, details: result.json)
            }
            var text = "In sync."
            if !result.outputsChecked { text += " (old-format lock: outputs not verified)" }
            return VerbOutput(result.json, text)
        }
    }
}

struct MatrixCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "matrix", abstract: "Show what each target supports.")

    @OptionGroup var selection: TargetedOptions

    func run() async throws {
        try await selection.run("matrix") { (ids) throws(ToolError) in
            VerbOutput(CapabilityMatrix.data(targets: ids), CapabilityMatrix.table(targets: ids))
        }
    }
}
