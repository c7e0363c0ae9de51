import Glibc
import Reactor
import Testing

/// SystemCallError: what a failed call reads like in the log ("call: strerror").
@Suite struct SystemCallErrorTests {
    @Test func descriptionIsTheCallThenTheSystemMessage() {
        let error = SystemCallError("bind(127.0.0.1:8080)", code: EADDRINUSE)
        #expect(error.call == "bind(127.0.0.1:8080)")
        #expect(error.code == EADDRINUSE)
        #expect(error.description == "bind(127.0.0.1:8080): Address already in use")
        #expect(SystemCallError("open", code: ENOENT).description == "open: No such file or directory")
    }

    @Test func capturesErrnoWhenNoCodeIsGiven() {
        #expect(close(-1) == -1)
        let error = SystemCallError("close")
        #expect(error.code == EBADF)
        #expect(error.description == "close: Bad file descriptor")
    }

    @Test func unknownCodeStillNamesTheNumber() {
        let error = SystemCallError("ioctl", code: 123_456)
        #expect(error.description.hasPrefix("ioctl: "))
        #expect(error.description.contains("123456"))
    }
}
