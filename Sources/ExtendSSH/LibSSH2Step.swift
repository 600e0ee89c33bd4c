/// What one non-blocking libssh2 call came to.
enum LibSSH2Step<Value> {
    case done(Value)
    /// The call needs the socket: wait for `LibSSH2Session.blockDirections`,
    /// then make the same call again with the same arguments.
    case again
    /// libssh2 failed with this (negative) code; `LibSSH2Session.failure` has the text.
    case failed(Int32)
}
