import Chat
import Logging
import Reactor
import WebSocket
import WebSocketServer

/// `/chat/ROOM`: joins each connection to its room and carries out what the chat layer decides, encoding each
/// broadcast frame once and queueing the same bytes to every member. A member's id is its connection's id.
final class ChatApplication: WebSocketApplication {
    /// Rooms, members and both chat protocols (sans-I/O).
    let service: ChatService
    /// Largest message a member may send: what a chat request can be, within `[limits] max_message_bytes`.
    var maxMessageBytes: Int
    /// The table, which outlives the application (the server owns both). `unowned(unsafe)`: reached once per
    /// message or delivery, where a checked unowned reference costs a retain and a release each time.
    private unowned(unsafe) let connections: ConnectionTable
    /// What waits for the store before anyone may see it.
    let hold: DeliveryHold
    /// Logs unstored messages and the store's health changes.
    let historyReport: HistoryReport

    /// Serves `service`'s rooms over `connections`.
    init(service: ChatService, connections: ConnectionTable, maxMessageBytes: Int) {
        self.service = service
        self.connections = connections
        self.maxMessageBytes = maxMessageBytes
        self.hold = DeliveryHold(store: service.store)
        self.historyReport = HistoryReport(log: connections.log)
    }

    /// The end of a pass, before the connections write: the pass's messages go to the store as one batch, and
    /// whatever earlier batches released is carried out.
    func endOfPass() {
        hold.endOfPass()
        guard service.store.completionDescriptor == nil else {
            // The descriptor's handler takes finished batches; here only actions filed behind a batch that has
            // already finished are released (no system call per pass).
            let released = hold.batchesFinished(through: hold.finishedThrough)
            if !released.isEmpty { perform(released) }
            return
        }
        batchesMayHaveFinished()
    }

    /// After the connections wrote everything else: waits up to `samePassWaitMicroseconds` for the batch just
    /// submitted, and when it finished, carries out what it releases (the caller writes again). Most commits take
    /// less than that, so a message reaches members in the pass that read it rather than one wake-up later;
    /// a slower disk costs the loop this much at most and the completion descriptor takes over. True when
    /// something was released.
    func finishBatchesInThisPass() -> Bool {
        guard hold.hasWaitingActions, service.store.completionDescriptor != nil,
            service.store.waitForSubmittedBatches(atMostMicroseconds: Self.samePassWaitMicroseconds)
        else { return false }
        let before = hold.finishedThrough
        batchesMayHaveFinished()
        return hold.finishedThrough != before
    }

    /// How long the end of a pass waits for its commit (see `finishBatchesInThisPass`).
    static let samePassWaitMicroseconds = 1000

    /// Takes the store's finished batches (reporting what could not be stored) and carries out the actions
    /// they release. Called at the end of each pass and when the store's completion descriptor is readable.
    func batchesMayHaveFinished() {
        let outcomes = service.store.takeOutcomes()
        for outcome in outcomes {
            historyReport.record(outcome, now: connections.loop.nowMilliseconds)
        }
        if !outcomes.isEmpty { historyReport.observe(service.store.health, now: connections.loop.nowMilliseconds) }
        let released = hold.batchesFinished(through: outcomes.last?.batch ?? hold.finishedThrough)
        if !released.isEmpty { perform(released) }
    }

    /// Submits what waits, waits until the store finished every batch, and carries out everything held: before
    /// the shutdown closes every connection, so what was decided reaches members first.
    func settleHeldActions() {
        hold.endOfPass()
        service.store.waitForSubmittedBatches()
        batchesMayHaveFinished()
    }

    /// Settles what is held, closes the store and logs what could not be stored (shutdown).
    func closeHistory() {
        settleHeldActions()
        service.store.close()
        historyReport.logUnstored(now: connections.loop.nowMilliseconds)
    }

    /// The member limit for a configuration: `maxFrameBytes` of the chat limits, at most the message limit.
    static func maxMessageBytes(maxMessageBytes: Int, limits: ChatLimits) -> Int {
        min(maxMessageBytes, limits.maxFrameBytes)
    }

    /// Joins the room named by the path; `?name=`, `?since=` and `?epoch=` come from the query string. A full room
    /// or too many rooms close the connection with 1013.
    func connectionOpened(_ connection: ConnectionID, request: HTTPRequestHead, subprotocol: String?) {
        guard let room = RoomPath.roomName(forPath: request.path) else { return }
        let query = request.query
        let join = JoinRequest(
            room: room,
            requestedName: RoomPath.queryValue("name", in: query),
            chatProtocol: subprotocol == "chatd.v1" ? .json : .plainText,
            since: RoomPath.queryValue("since", in: query).flatMap { UInt64($0) },
            epoch: RoomPath.queryValue("epoch", in: query))
        do {
            carryOut(try service.join(member: MemberID(connection), request: join, now: WallClock.milliseconds()))
        } catch {
            let reason =
                switch error {
                case .roomFull: "room is full"
                case .tooManyRooms: "too many rooms"
                case .historyUnavailable: "room history unavailable"
                }
            connections.log.limitHit(
                "join_refused", "chat join refused: \(reason)",
                metadata: ["client": "\(connections.peer(of: connection) ?? "-")", "room": "\(room)"],
                now: connections.loop.nowMilliseconds)
            connections.requestClose(connection, code: CloseCode.tryAgainLater, reason: reason)
        }
    }

    /// A text message is a chat request; binary gets `binary_unsupported`.
    func connection(_ connection: ConnectionID, received kind: WebSocketMessageKind, payload: [UInt8]) {
        let member = MemberID(connection)
        guard kind == .text else {
            carryOut(service.receiveBinary(from: member))
            return
        }
        let text = String(decoding: payload, as: UTF8.self)
        carryOut(service.receive(text: text, from: member, now: WallClock.milliseconds()))
    }

    /// The member leaves its room; the others see it unless the server is stopping.
    func connectionDeparted(_ connection: ConnectionID, announce: Bool) {
        carryOut(service.leave(member: MemberID(connection), now: WallClock.milliseconds(), announce: announce))
    }

    /// Carries out what the chat layer decided, or holds it back while messages wait to be stored (stored
    /// before seen; see `DeliveryHold`).
    func carryOut(_ actions: [ChatAction]) {
        if hold.isHolding {
            hold.hold(actions)
            // Stopping: closes follow at once, so nothing may wait for a later pass (a joiner gets its welcome).
            if connections.isShuttingDown { settleHeldActions() }
        } else {
            perform(actions)
        }
    }

    /// Sends and closes: a broadcast frame is encoded once and shared.
    func perform(_ actions: [ChatAction]) {
        for action in actions {
            switch action {
            case .send(let text, let member):
                connections.deliver(FrameChunks.text(text), to: ConnectionID(member))
            case .broadcast(let text, let members):
                let frame = FrameChunks.text(text)
                for member in members {
                    connections.deliver(frame, to: ConnectionID(member))
                }
            case .disconnect(let member, let code, let reason):
                connections.requestClose(ConnectionID(member), code: code, reason: reason)
            }
        }
    }
}

extension MemberID {
    /// The member id of the chat member on `connection`: the connection id's raw value.
    init(_ connection: ConnectionID) { self.init(connection.rawValue) }
}

extension ConnectionID {
    /// The connection a member id names.
    init(_ member: MemberID) { self.init(rawValue: member.rawValue) }
}
