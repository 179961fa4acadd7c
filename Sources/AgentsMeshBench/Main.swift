internal import AgentsMeshLessons
internal import Foundation
internal import SharedCore

/// `agentsmesh-bench`: in-process measurements for `Scripts/bench` (no process start-up). Prints one JSON line.
///
///     agentsmesh-bench lessons-query --root DIR [--file P] [--cmd C] [--keyword K] [--runs N]
///
/// `cold` times a fresh `LessonsService` per query (read + decode + index + match + rank), `warm` reuses one
/// service (its index cache holds while lessons.json is unchanged), as a long-lived MCP server does.
@main
enum AgentsMeshBench {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.first == "lessons-query" else {
            FileHandle.standardError.write(
                Data("usage: agentsmesh-bench lessons-query --root DIR [--file P] [--cmd C] [--keyword K] [--runs N]\n".utf8))
            exit(2)
        }
        func option(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        let root = option("--root") ?? FileSystem.currentDirectory()
        let runs = Int(option("--runs") ?? "20") ?? 20
        let input = LessonsQueryInput(
            file: option("--file").map { [$0] } ?? [], command: option("--cmd"), keyword: option("--keyword").map { [$0] } ?? [],
            noDedup: true)
        do {
            var cold: [Double] = []
            var count = 0
            for _ in 0..<runs {
                let start = Clock.now()
                let service = LessonsService(root: root, environment: [:])
                count = try await service.query(input, mode: .json).lessons.count
                cold.append((Clock.now() - start) * 1000)
            }
            let service = LessonsService(root: root, environment: [:])
            _ = try await service.query(input, mode: .json)
            var warm: [Double] = []
            for _ in 0..<runs {
                let start = Clock.now()
                _ = try await service.query(input, mode: .json)
                warm.append((Clock.now() - start) * 1000)
            }
            let result: JSONValue = [
                "lessons": .int(count), "cold_ms": .double(median(cold)), "warm_ms": .double(median(warm)),
            ]
            print(JSONEmitter.compact(result))
        } catch {
            FileHandle.standardError.write(Data("agentsmesh-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
