#include "consoleoutput.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

ConsoleOutput::ConsoleOutput(int fd, Backlog backlog, qsizetype limit, QObject* parent)
    : QObject(parent)
    , m_fd(fd)
    , m_backlog(std::move(backlog))
    , m_limit(limit)
{
    struct stat st {};
    if (fstat(fd, &st) != 0 || S_ISREG(st.st_mode))
        return; // a file on disk takes what is written without waiting for anyone
    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        const QByteArray self = "/proc/self/fd/" + QByteArray::number(fd);
        const int own = ::open(self.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (own >= 0) {
            m_fd = own;
            m_ownFd = true;
        }
    }
    if (!m_ownFd) {
        const int flags = fcntl(fd, F_GETFL);
        if (flags >= 0 && !(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0)
            m_restoreFlags = flags;
    }
    m_writable = new QSocketNotifier(m_fd, QSocketNotifier::Write, this);
    m_writable->setEnabled(false);
    connect(m_writable, &QSocketNotifier::activated, this, &ConsoleOutput::flush);
}

ConsoleOutput::~ConsoleOutput()
{
    delete m_writable;
    if (m_ownFd)
        ::close(m_fd);
    if (m_restoreFlags >= 0)
        fcntl(m_fd, F_SETFL, m_restoreFlags);
}

void ConsoleOutput::note(const QByteArray& bytes)
{
    if (m_behind || m_pending.size() - m_written >= m_limit) {
        ++m_dropped;
        return;
    }
    append(bytes);
}

void ConsoleOutput::message(qint64 id, const QByteArray& bytes)
{
    if (id <= m_printed)
        return; // already read back from the history
    m_newest = id;
    if (!m_behind && m_pending.size() - m_written >= m_limit)
        m_behind = true; // from here on the history holds what is to be printed, not memory
    if (m_behind)
        return;
    m_printed = id;
    append(bytes);
}

void ConsoleOutput::append(const QByteArray& bytes)
{
    if (m_broken)
        return;
    m_pending.append(bytes);
    flush();
}

void ConsoleOutput::flush()
{
    for (;;) {
        while (m_written < m_pending.size() && !m_broken) {
            const ssize_t n = ::write(m_fd, m_pending.constData() + m_written, size_t(m_pending.size() - m_written));
            if (n > 0)
                m_written += n;
            else if (n < 0 && errno == EINTR)
                continue;
            else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            else
                m_broken = true; // EPIPE (SIGPIPE ignored) or an I/O error: nobody will read what is left
        }
        if (m_written == m_pending.size() || m_broken) {
            m_pending.clear();
            m_written = 0;
        } else if (m_written >= m_limit) {
            m_pending.remove(0, m_written); // keep the buffer from growing by what was written
            m_written = 0;
        }
        if (!m_pending.isEmpty() || m_broken || (!m_behind && m_dropped == 0))
            break;
        refill();
    }
    if (m_writable)
        m_writable->setEnabled(!m_pending.isEmpty());
    if (isIdle() || m_broken)
        Q_EMIT idle();
}

void ConsoleOutput::refill()
{
    if (m_dropped > 0) {
        m_pending.append(
            tr("  (%n note(s) not shown while the terminal was not reading)", nullptr, int(m_dropped)).toUtf8() + '\n');
        m_dropped = 0;
    }
    if (!m_behind)
        return;
    const QList<Line> page = m_backlog(m_printed, m_newest, BacklogPage);
    for (const Line& line : page) {
        m_pending.append(line.bytes);
        m_printed = line.id;
    }
    // An empty page means the rest is not in the history (a rolled-back write): nothing more to read back.
    if (page.isEmpty() || m_printed >= m_newest) {
        m_printed = m_newest;
        m_behind = false;
    }
}
