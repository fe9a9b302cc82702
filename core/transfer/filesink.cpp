#include "filesink.h"

#include "sha256.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("FileSink", text);
}

QString systemError(const QString& path)
{
    return QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(path), QString::fromLocal8Bit(std::strerror(errno)));
}

bool syncPath(const QString& path, int flags)
{
    const int fd = ::open(QFile::encodeName(path).constData(), flags | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
}

} // namespace

FileSink::FileSink(QString folder, quint64 id, QList<filewire::Entry> entries, quint64 manifestBytes)
    : m_folder(std::move(folder))
    , m_temp(QDir(m_folder).filePath(QStringLiteral(".pigeon-%1.part").arg(id, 16, 16, QLatin1Char('0'))))
    , m_entries(std::move(entries))
{
    quint64 at = manifestBytes;
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].folder)
            continue;
        m_files.append(i);
        m_starts.append(at);
        at += m_entries[i].size;
    }
    m_starts.append(at);
    m_streams.resize(size_t(m_files.size()));
}

FileSink::~FileSink()
{
    closeAll();
}

QString FileSink::pathOf(int entry) const
{
    // The first component is the offered name; the temporary path stands in for it.
    const QString& path = m_entries[entry].path;
    const qsizetype slash = path.indexOf(u'/');
    return slash < 0 ? m_temp : m_temp + path.mid(slash);
}

bool FileSink::prepare(QString* error)
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (!create(i, error))
            return false;
    return true;
}

bool FileSink::create(int i, QString* error)
{
    const QByteArray path = QFile::encodeName(pathOf(i));
    if (m_entries[i].folder) {
        if (::mkdir(path.constData(), 0755) != 0) {
            struct stat st {};
            // A folder made by an earlier run of this transfer is fine; anything else there (a symlink) is not.
            if (errno != EEXIST || ::lstat(path.constData(), &st) != 0 || !S_ISDIR(st.st_mode)) {
                *error = systemError(pathOf(i));
                return false;
            }
        }
        return true;
    }
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        *error = systemError(pathOf(i));
        return false;
    }
    ::close(fd);
    return true;
}

bool FileSink::append(const filewire::Entry& entry, QString* error)
{
    m_entries.append(entry);
    if (!entry.folder) {
        m_files.append(int(m_entries.size() - 1));
        m_starts.append(m_starts.last() + entry.size);
        m_streams.emplace_back();
    }
    return create(int(m_entries.size() - 1), error);
}

int FileSink::fileAt(quint64 offset) const
{
    const auto it = std::upper_bound(m_starts.cbegin(), m_starts.cend(), offset);
    return int(it - m_starts.cbegin()) - 1;
}

int FileSink::open(int entry, QString* error)
{
    if (entry == m_openEntry)
        return m_fd;
    closeAll();
    m_fd = ::open(QFile::encodeName(pathOf(entry)).constData(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (m_fd < 0) {
        *error = systemError(pathOf(entry));
        return -1;
    }
    m_openEntry = entry;
    return m_fd;
}

void FileSink::closeAll()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_openEntry = -1;
}

bool FileSink::write(quint64 offset, QByteArrayView bytes, QString* error)
{
    const int file = fileAt(offset);
    if (file < 0 || file >= m_files.size() || offset + quint64(bytes.size()) > m_starts[file + 1]) {
        *error = tr("data outside the offered files");
        return false;
    }
    const int entry = m_files[file];
    const quint64 at = offset - m_starts[file];
    // Data that goes on where the buffer ends joins it; anything else writes the buffer out first.
    if (!m_pending.isEmpty() && (entry != m_pendingEntry || at != m_pendingAt + quint64(m_pending.size())) &&
        !flush(error))
        return false;
    Stream& stream = m_streams[size_t(file)];
    if (at < stream.hashed) {
        // Bytes already hashed written again: the hash no longer tells what is on the disk.
        if (m_hasher)
            m_hasher->wait();
        stream.hash.reset();
        stream.hashed = 0;
    }
    if (m_pending.isEmpty()) {
        m_pendingEntry = entry;
        m_pendingFile = file;
        m_pendingAt = at;
    }
    m_pending.append(bytes.data(), bytes.size());
    return m_pending.size() < WriteBufferBytes || flush(error);
}

QString FileSink::writeError(int entry) const
{
    // The offered name first (the temporary one means nothing to the user), then the system's words.
    return QStringLiteral("%1: %2").arg(m_entries[entry].path, systemError(pathOf(entry)));
}

bool FileSink::flush(QString* error)
{
    if (m_pending.isEmpty())
        return true;
    const int entry = m_pendingEntry;
    const int fd = open(entry, error);
    if (fd < 0)
        return false;
    qsizetype done = 0;
    while (done < m_pending.size()) {
        const ssize_t n =
            ::pwrite(fd, m_pending.constData() + done, size_t(m_pending.size() - done), off_t(m_pendingAt) + done);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0)
                errno = ENOSPC;
            *error = writeError(entry);
            m_pending.clear();
            closeAll();
            return false;
        }
        done += n;
    }
    // The disk starts on these bytes now, so that finish()'s flush does not wait for the whole file at the end
    // (advice only: an error here shows again at that flush).
    ::sync_file_range(fd, off_t(m_pendingAt), off_t(done), SYNC_FILE_RANGE_WRITE);
    // Data that goes on where the file's hash stops goes to the hashing thread (the buffer with it; a new one here).
    Stream& stream = m_streams[size_t(m_pendingFile)];
    if (stream.hash && m_pendingAt == stream.hashed && !m_entries[entry].sha256.isEmpty()) {
        if (!m_hasher)
            m_hasher = std::make_unique<HashWorker>();
        stream.hashed += quint64(m_pending.size());
        m_hasher->add(stream.hash.get(), std::exchange(m_pending, {}));
        m_pending.reserve(WriteBufferBytes);
    } else {
        m_pending.resize(0); // keeps the capacity for the next run of data
    }
    return true;
}

bool FileSink::sync(QString* error)
{
    if (!flush(error))
        return false;
    if (m_fd >= 0 && ::fdatasync(m_fd) != 0) {
        *error = writeError(m_openEntry);
        return false;
    }
    return true;
}

bool FileSink::finish(QString* saved, QString* error)
{
    if (!flush(error))
        return false;
    closeAll();
    if (m_hasher)
        m_hasher->wait();
    for (qsizetype i = 0; i < m_files.size(); ++i) {
        const int entry = m_files[i];
        QFile file(pathOf(entry));
        Stream& stream = m_streams[size_t(i)];
        if (!stream.hash)
            stream = Stream();
        // What was not hashed as it was written is read back.
        if (!file.open(QIODevice::ReadOnly) || (!m_entries[entry].sha256.isEmpty() &&
                                                (!file.seek(qint64(stream.hashed)) || !stream.hash->addData(&file)))) {
            *error = tr("%1: cannot be read back: %2").arg(file.fileName(), file.errorString());
            return false;
        }
        if (m_entries[entry].sha256.isEmpty()) {
            if (quint64(file.size()) != m_entries[entry].size) {
                *error = tr("%1: %2 bytes arrived, the sender offered %3")
                             .arg(m_entries[entry].path)
                             .arg(file.size())
                             .arg(m_entries[entry].size);
                return false;
            }
        } else if (stream.hash->result() != m_entries[entry].sha256) {
            *error = tr("%1: its SHA-256 differs from the sender's").arg(m_entries[entry].path);
            return false;
        }
        if (!syncPath(file.fileName(), O_RDONLY)) {
            *error = systemError(file.fileName());
            return false;
        }
    }
    const QString name = m_entries.first().path;
    for (int n = 0; n < 10'000; ++n) {
        const QString target = freeName(m_folder, name, n);
        const int r = ::renameat2(AT_FDCWD, QFile::encodeName(m_temp).constData(), AT_FDCWD,
                                  QFile::encodeName(target).constData(), RENAME_NOREPLACE);
        if (r == 0) {
            syncPath(m_folder, O_RDONLY | O_DIRECTORY);
            *saved = target;
            return true;
        }
        if (errno != EEXIST) {
            *error = systemError(target);
            return false;
        }
    }
    *error = tr("%1: no free name for it in %2").arg(name, m_folder);
    return false;
}

void FileSink::discard()
{
    m_pending.clear();
    closeAll();
    const QFileInfo info(m_temp);
    if (info.isDir() && !info.isSymLink())
        QDir(m_temp).removeRecursively();
    else
        QFile::remove(m_temp);
}

QString FileSink::freeName(const QString& folder, const QString& name, int n)
{
    if (n == 0)
        return QDir(folder).filePath(name);
    // "photo (1).jpg"; a name whose only dot leads it (".profile") keeps it: ".profile (1)".
    const qsizetype dot = name.lastIndexOf(u'.');
    const QString stem = dot > 0 ? name.left(dot) : name;
    const QString suffix = dot > 0 ? name.mid(dot) : QString();
    return QDir(folder).filePath(QStringLiteral("%1 (%2)%3").arg(stem).arg(n).arg(suffix));
}
