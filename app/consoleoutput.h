#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSocketNotifier>

#include <functional>

// The console's standard output, written without ever waiting for the terminal: a terminal that stops reading
// (Ctrl+S, a pager, a slow ssh link, a pipe nobody reads) must not hold back storing and acknowledging messages.
// What the terminal has not taken yet waits in a buffer of at most `limit` bytes (plus one line). When it is full:
// - messages (which are in the history) are not copied: the output falls behind and remembers the last message it
//   printed, a cursor into the history. Once the terminal has taken the buffer, the messages stored since are read
//   back from the history page by page and printed, in the order they arrived, each exactly once; then printing
//   goes on live.
// - other lines (delivery and presence notes) are dropped and counted; the count is printed when the terminal reads
//   again ("N notes not shown").
// So memory stays bounded whatever the terminal does, and no message is lost or printed twice.
class ConsoleOutput : public QObject {
    Q_OBJECT
public:
    // One message line read back from the history: its id and the bytes to write.
    struct Line {
        qint64 id = 0;
        QByteArray bytes;
    };
    // Reads back the message lines with afterId < id <= upToId, at most `limit` of them, oldest first.
    using Backlog = std::function<QList<Line>(qint64 afterId, qint64 upToId, int limit)>;

    static constexpr qsizetype DefaultLimit = 256 * 1024; // bytes
    static constexpr int BacklogPage = 256;               // messages read back at a time

    // Writes to `fd` (normally STDOUT_FILENO). A pipe, FIFO or terminal is opened again as its own non-blocking file
    // description (/proc/self/fd), so the flags of the terminal the shell shares are never changed; a socket is
    // switched to non-blocking and back in the destructor; a regular file is written directly.
    ConsoleOutput(int fd, Backlog backlog, qsizetype limit = DefaultLimit, QObject* parent = nullptr);
    ~ConsoleOutput() override;

    // A line that is not stored anywhere: dropped (and counted) when the buffer is full.
    void note(const QByteArray& bytes);
    // The line of stored message `id` (ids grow from one call to the next): buffered, or read back from the history
    // later when the buffer is full.
    void message(qint64 id, const QByteArray& bytes);
    // Nothing waits: everything given so far has been written.
    bool isIdle() const { return m_pending.isEmpty() && !m_behind && m_dropped == 0; }
    // The reader went away (EPIPE): what is left is dropped.
    bool isBroken() const { return m_broken; }
    // Whether messages are being read back from the history rather than printed as they come.
    bool isBehind() const { return m_behind; }
    qsizetype pendingBytes() const { return m_pending.size(); }

Q_SIGNALS:
    // Everything given so far has been written (isIdle()).
    void idle();

private:
    void flush();
    void append(const QByteArray& bytes);
    // Once the buffer is empty: the dropped-notes marker, then the next page of messages from the history.
    void refill();

    int m_fd;
    bool m_ownFd = false;
    int m_restoreFlags = -1; // the flags to put back on a socket made non-blocking; -1: none changed
    Backlog m_backlog;
    qsizetype m_limit;
    QByteArray m_pending;
    qsizetype m_written = 0; // bytes of m_pending already written
    QSocketNotifier* m_writable = nullptr;
    bool m_behind = false;
    qint64 m_printed = 0;  // the last message id written or buffered
    qint64 m_newest = 0;   // the last message id given
    qint64 m_dropped = 0;  // notes not shown since the buffer filled
    bool m_broken = false; // the reader went away (EPIPE): nothing more can be written
};
