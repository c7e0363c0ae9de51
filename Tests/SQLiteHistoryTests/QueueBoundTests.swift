import Glibc
import History
import XCTest

@testable import SQLiteHistory

/// The store handed to another thread in a test that checks `submitBatch()` blocks (the store itself is used
/// by one thread at a time: the helper thread submits while the test thread only watches the flag).
private final class Handover: @unchecked Sendable {
    let history: SQLiteHistoryStore
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var returned = false

    init(_ history: SQLiteHistoryStore) {
        self.history = history
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    var hasReturned: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return returned
    }

    func markReturned() {
        pthread_mutex_lock(mutex)
        returned = true
        pthread_mutex_unlock(mutex)
    }
}

/// The bound on queued messages: `submitBatch()` blocks beyond it and proceeds once the writer catches up.
final class QueueBoundTests: StoreTestCase {
    func testSubmitBlocksWhileTheQueueIsOverTheBoundThenProceeds() throws {
        let history = try open(maxQueuedMessages: 10)
        history.pauseWriterForTesting(true)
        for id in UInt64(1)...8 {
            history.append(message(id), room: "dev")
        }
        _ = history.submitBatch()  // 8 queued: under the bound, returns at once.
        for id in UInt64(9)...16 {
            history.append(message(id), room: "dev")
        }
        let handover = Handover(history)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(handover).toOpaque()
        XCTAssertEqual(
            pthread_create(
                &thread, nil,
                { raw in
                    guard let raw else { return nil }
                    let handover = Unmanaged<Handover>.fromOpaque(raw).takeRetainedValue()
                    _ = handover.history.submitBatch()  // 16 queued: over the bound, blocks.
                    handover.markReturned()
                    return nil
                }, context), 0)
        usleep(300_000)
        XCTAssertFalse(handover.hasReturned, "submitBatch() must wait while 16 > 10 messages are queued")
        history.pauseWriterForTesting(false)
        XCTAssertTrue(eventually { handover.hasReturned })
        pthread_join(thread, nil)
        history.waitForSubmittedBatches()
        XCTAssertEqual(history.takeOutcomes().map(\.batch), [1, 2])
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 100).count, 16)
    }

    func testOneBatchLargerThanTheBoundReturnsOnlyOnceCommitted() throws {
        let history = try open(maxQueuedMessages: 10)
        for id in UInt64(1)...100 {
            history.append(message(id), room: "dev")
        }
        let batch = history.submitBatch()
        // No wait: over the bound, submitBatch() returned only after the writer finished the batch.
        XCTAssertEqual(history.takeOutcomes(), [BatchOutcome(batch: batch)])
    }
}
