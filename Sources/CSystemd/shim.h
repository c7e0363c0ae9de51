// Exposes libsystemd's daemon and journal APIs to Swift.
#pragma once
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
