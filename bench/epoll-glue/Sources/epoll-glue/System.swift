import Glibc

/// RESULT of a system call, or the program ends with WHAT and errno's message when it is negative.
func check(_ result: Int32, _ what: String) -> Int32 {
    if result < 0 { fail(what) }
    return result
}

/// Ends the program with WHAT and errno's message.
func fail(_ what: String) -> Never {
    perror("epoll-glue: \(what)")
    exit(1)
}
