import Foundation
import SharedCore
import TestSupport
import Testing

@testable import AgentsMeshLessons

/// A throwaway project folder with helpers to seed a lessons graph.
struct LessonsProject {
    let root: String

    init(files: [String: String] = [:]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("am-lessons-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        root = FileSystem.realPath(base.path) ?? base.path
        try write("agentsmesh.yaml", "version: 1\ntargets: [claude-code]\n")
        for (path, text) in files { try write(path, text) }
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: root + "/" + path).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root + "/" + path) }

    func makeFolder(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + path, withIntermediateDirectories: true)
    }

    /// A service with a fixed clock (2026-05-16 12:00 UTC) and an empty environment.
    func service(environment: [String: String] = [:]) -> LessonsService {
        LessonsService(root: root, environment: environment, lockTimeout: 5, now: { 1_778_932_800 })
    }

    /// Writes a graph built from compact lesson specs.
    func seed(_ specs: [LessonSpec], topics: [String: String] = [:]) throws {
        var graph = LessonGraph()
        for spec in specs {
            var triggerIDs: [String] = []
            for (kind, pattern) in spec.triggers {
                let trigger = LessonTrigger(kind: kind, pattern: pattern)
                graph.triggers[trigger.id] = trigger
                triggerIDs.append(trigger.id)
            }
            for topic in spec.topics where graph.topics[topic] == nil {
                graph.topics[topic] = LessonTopic(id: topic, summary: topics[topic] ?? "Topic \(topic)")
            }
            graph.lessons[spec.id] = Lesson(
                id: spec.id, rule: spec.rule, createdAt: spec.createdAt, scope: spec.scope, status: spec.status,
                supersededBy: spec.supersededBy, topics: spec.topics, triggers: triggerIDs)
        }
        try write(LessonsFiles.graph, graph.serialized())
    }
}

/// A lesson for `LessonsProject.seed`.
struct LessonSpec {
    var id: String
    var rule: String
    var createdAt = "2026-01-01"
    var topics: [String]
    var triggers: [(TriggerKind, String)]
    var status = LessonStatus.active
    var supersededBy: String?
    var scope: String?

    static func glob(_ id: String, _ pattern: String, topic: String? = nil, rule: String? = nil, createdAt: String = "2026-01-01")
        -> LessonSpec
    {
        LessonSpec(
            id: id, rule: rule ?? "Lesson \(id) body text", createdAt: createdAt, topics: [topic ?? "t-\(id)"],
            triggers: [(.fileGlob, pattern)])
    }

    static func keyword(_ id: String, _ word: String, topic: String? = nil, rule: String? = nil, createdAt: String = "2026-01-01")
        -> LessonSpec
    {
        LessonSpec(
            id: id, rule: rule ?? "Lesson \(id) body text", createdAt: createdAt, topics: [topic ?? "t-\(id)"], triggers: [(.keyword, word)]
        )
    }
}
