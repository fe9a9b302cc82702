#pragma once

#include "history.h"

#include <csignal>
#include <sys/resource.h>

// History files for the tests of damage and full disks (tst_history, tst_corruption).

// A file-size limit (bytes) for this process, lifted again when it goes out of scope. Past it, write() fails with
// EFBIG, as on a full disk, instead of the process being killed by SIGXFSZ.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        std::signal(SIGXFSZ, SIG_IGN);
        getrlimit(RLIMIT_FSIZE, &m_saved);
        rlimit limit = m_saved;
        limit.rlim_cur = bytes;
        m_ok = setrlimit(RLIMIT_FSIZE, &limit) == 0;
    }
    ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &m_saved); }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;
    bool ok() const { return m_ok; }

private:
    rlimit m_saved{};
    bool m_ok = false;
};

// Writes a history at `path` with `count` messages from Alice of about 200 characters each (about 600 KB for 2 000),
// committed and closed. Empty on success, else History's error.
inline QString fillHistory(const QString& path, int count)
{
    History history;
    if (!history.open(path))
        return history.error();
    for (int i = 0; i < count; ++i) {
        Message m;
        m.peer = QStringLiteral("Alice");
        m.remote = QStringLiteral("127.0.0.1:2425");
        m.text = QString(200, u'x') + QString::number(i);
        if (!history.append(m))
            return history.error();
    }
    return history.commit() ? QString() : history.error();
}
