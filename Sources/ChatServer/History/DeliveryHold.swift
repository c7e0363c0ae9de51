import Chat
import History

/// Stored before seen: while messages wait to be made durable, what the chat layer decided is held back, in
/// order, and released only once the batch holding those messages has finished. Actions decided after a held
/// one wait too (even when they store nothing), so every member still sees events in the order they happened.
/// Nothing is held when the store has no batch in flight (the memory store never has one).
final class DeliveryHold {
    /// Actions waiting for a batch, in decision order.
    private struct Waiting {
        /// Released once this batch (and every earlier one) has finished.
        let batch: UInt64
        let actions: [ChatAction]
    }

    private let store: any HistoryStore
    /// Actions decided during this pass while holding; they wait for this pass's batch.
    private var open: [ChatAction] = []
    /// Earlier passes' actions, oldest first (`head` is the first not yet released).
    private var waiting: [Waiting] = []
    private var head = 0
    /// The newest batch submitted.
    private(set) var lastSubmitted: UInt64 = 0
    /// Every batch up to this one has finished.
    private(set) var finishedThrough: UInt64 = 0

    /// Holds actions for `store`'s batches.
    init(store: any HistoryStore) {
        self.store = store
    }

    /// True when actions decided now must wait: this pass has stored something, or earlier actions still wait.
    var isHolding: Bool { store.hasUncommittedWork || !open.isEmpty || head < waiting.count }

    /// True when submitted actions wait for a batch to finish.
    var hasWaitingActions: Bool { head < waiting.count }

    /// True when actions of this pass wait for `endOfPass()` to submit them.
    var hasOpenActions: Bool { !open.isEmpty }

    /// Number of actions held back right now.
    var heldCount: Int { open.count &+ waiting[head...].reduce(0) { $0 &+ $1.actions.count } }

    /// Keeps `actions` until the current pass's batch has finished.
    func hold(_ actions: [ChatAction]) {
        open.append(contentsOf: actions)
    }

    /// Ends the pass: submits the pass's appends as one batch, and files the pass's held actions behind it.
    func endOfPass() {
        if store.hasUncommittedWork {
            lastSubmitted = store.submitBatch()
        }
        guard !open.isEmpty else { return }
        waiting.append(Waiting(batch: lastSubmitted, actions: open))
        open = []
    }

    /// Records that every batch up to `batch` finished and returns the actions that may now be carried out,
    /// oldest first.
    func batchesFinished(through batch: UInt64) -> [ChatAction] {
        finishedThrough = max(finishedThrough, batch)
        var released: [ChatAction] = []
        while head < waiting.count, waiting[head].batch <= finishedThrough {
            released.append(contentsOf: waiting[head].actions)
            head &+= 1
        }
        if head == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 64 && head &* 2 > waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
        return released
    }
}
