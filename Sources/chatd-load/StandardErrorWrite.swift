import Glibc

/// Writes raw bytes to descriptor 2 (no buffering, so errors interleave correctly with stdout).
func fwriteStandardError(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    write(2, bytes.baseAddress, bytes.count)
}
