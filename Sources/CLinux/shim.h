// Linux interfaces that Swift's Glibc module does not export.
#pragma once
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <errno.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

/// accept4(2) is a GNU extension that Glibc's module map hides; declare it for Swift.
extern int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/// errno as a function, so Swift reads it without touching glibc's thread-local macro.
static inline int clinux_errno(void) { return errno; }

/// Accepts one connection as a non-blocking, close-on-exec socket.
static inline int clinux_accept_nonblocking(int fd, struct sockaddr *addr, socklen_t *len) {
    return accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

/// Reads the file descriptor stored in an epoll event (the struct is packed, which Swift dislikes).
static inline int clinux_epoll_event_fd(const struct epoll_event *event) { return event->data.fd; }

/// Reads the event mask of an epoll event.
static inline uint32_t clinux_epoll_event_mask(const struct epoll_event *event) { return event->events; }

/// Registers, modifies or removes `fd` in an epoll set with the given event mask.
static inline int clinux_epoll_ctl(int epfd, int op, int fd, uint32_t events) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &event);
}

/// Blocks `count` signals for this thread and returns a non-blocking signalfd that reports them.
static inline int clinux_signalfd_for(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int index = 0; index < count; index++) sigaddset(&set, signals[index]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/// Ignores SIGPIPE so writes to a closed peer return EPIPE instead of killing the process.
static inline void clinux_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

/// Creates a non-blocking periodic timerfd firing every `interval_ms` milliseconds.
static inline int clinux_periodic_timerfd(long interval_ms) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0) return -1;
    struct itimerspec spec;
    spec.it_interval.tv_sec = interval_ms / 1000;
    spec.it_interval.tv_nsec = (interval_ms % 1000) * 1000000L;
    spec.it_value = spec.it_interval;
    if (timerfd_settime(fd, 0, &spec, NULL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/// Milliseconds on the monotonic clock.
static inline long long clinux_monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000LL + ts.tv_nsec / 1000000L;
}
