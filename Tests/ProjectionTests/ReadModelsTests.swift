import JSON
import Logging
import ServiceLifecycle
import TestSupport
import Testing

@testable import Projections

@Suite("Read models facade")
struct ReadModelsTests {
    /// A rebuild started through the facade is a job of its service: queued while the service does
    /// not run, run once it does (a new generation swaps in), and the service ends on a graceful
    /// shutdown.
    @Test func aStartedRebuildRunsAsAJobOfTheService() async throws {
        let log = try await SalesLog.make()
        try await RebuildTests().seed(log)
        try await log.catchUp()
        let readModels = ReadModels(
            pool: log.database.pool, personalData: log.personalData, logger: TestDatabase.logger)
        let before = try await log.query { try ProjectionRegistry.live(.aging, on: $0).generation }

        let accepted = try await readModels.startRebuild(named: "aging")
        #expect(accepted.state == "rebuilding" && accepted.rebuild?.eventsDone == 0)
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await log.query { try ProjectionRegistry.live(.aging, on: $0).generation } == before)

        let group = ServiceGroup(configuration: .init(services: [readModels.rebuilds], logger: TestDatabase.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var swapped = false
            for _ in 0..<300 where !swapped {
                swapped = try await log.query { try ProjectionRegistry.live(.aging, on: $0).generation } > before
                if !swapped { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(swapped, "the queued rebuild of aging never swapped in")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await #expect(throws: ProjectionError.unknownProjection("nothing")) {
            try await readModels.startRebuild(named: "nothing")
        }
    }
}
