// libsystemd's API for Swift (Debian package libsystemd-dev): sd_notify and the native journal.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
