// SQLite's C API from Debian's libsqlite3-dev, plus the few Linux calls the SQLite history store needs that
// Swift's Glibc module does not export.
#pragma once
#include <sqlite3.h>
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

/// SQLITE_TRANSIENT (SQLite copies the bound value): a cast macro Swift cannot import.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// errno as a function, so Swift reads it without touching glibc's thread-local macro.
static inline int csqlite_errno(void) { return errno; }

/// A non-blocking, close-on-exec eventfd starting at zero: the history writer's completion signal.
static inline int csqlite_completion_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

/// Names the calling thread (as `top -H` and `/proc/<pid>/task/*/comm` show it); at most 15 characters.
static inline void csqlite_name_this_thread(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }
