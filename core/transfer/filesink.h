#pragma once

#include "filewire.h"
#include "hashworker.h"
#include "sha256.h"

#include <QList>
#include <QString>

#include <memory>
#include <vector>

// Where a receiver writes one transfer: a temporary name in the download folder (".pigeon-<id>.part", a file, or a
// folder holding the offered folder's tree), then, once every file's SHA-256 matches the sender's and is flushed to
// disk, a rename to the offered name, or "name (1)", "name (2)"... if that exists: nothing is ever overwritten
// (renameat2 RENAME_NOREPLACE). Names must have passed safename::checkManifest. Files are opened with O_NOFOLLOW
// and folders are created by this class only, so no symlink is followed or created. Errors name the file and the
// reason (disk full, file too large, permission). An entry without a SHA-256 (from an IP Messenger-family peer, whose
// protocol carries none) is checked by its size instead.
class FileSink {
public:
    // `manifestBytes`: where file contents start in the stream.
    FileSink(QString folder, quint64 id, QList<filewire::Entry> entries, quint64 manifestBytes);
    ~FileSink();
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;

    QString temporaryPath() const { return m_temp; }
    // Creates the temporary folder tree and every file (keeping what a resumed transfer already wrote).
    bool prepare(QString* error);
    // Writes stream bytes at `offset` (>= manifestBytes, inside one file). In-order data is gathered into one
    // write of up to WriteBufferBytes (one system call instead of one per datagram), so an error of the disk may
    // surface on a later write, sync() or finish(); each names the file and the reason.
    bool write(quint64 offset, QByteArrayView bytes, QString* error);
    // Bytes gathered before they are written out.
    static constexpr qsizetype WriteBufferBytes = 256 * 1024;
    // Adds an entry at the end of the stream and creates it (a folder stream that says what it holds as it goes,
    // ipmsgtransfers.h); its path must have passed safename::checkPath and lie under the first entry.
    bool append(const filewire::Entry& entry, QString* error);
    // Where the stream ends: the start of the next appended file's bytes.
    quint64 end() const { return m_starts.last(); }
    // Writes out what is gathered and flushes it to the disk (fdatasync), so that progress recorded after it
    // survives a power cut.
    bool sync(QString* error);
    // Checks every file's SHA-256, flushes, and renames to the final name; *saved is where it went. A file's bytes
    // written in order from its start were hashed as they were written out (on a HashWorker's thread); only the rest
    // is read back.
    bool finish(QString* saved, QString* error);
    // Removes the temporary file or folder.
    void discard();

    // The final name for `name` in `folder` that does not exist yet: "name", "name (1).ext", "name (2).ext"...
    static QString freeName(const QString& folder, const QString& name, int n);

private:
    QString pathOf(int entry) const;
    bool create(int entry, QString* error);
    int fileAt(quint64 offset) const;
    int open(int entry, QString* error);
    bool flush(QString* error);
    QString writeError(int entry) const;
    void closeAll();

    QString m_folder;
    QString m_temp;
    QList<filewire::Entry> m_entries;
    QList<int> m_files;      // entry index of each file, in stream order
    QList<quint64> m_starts; // stream offset of each file in m_files, and the stream's end
    int m_openEntry = -1;
    int m_fd = -1;
    QByteArray m_pending; // gathered bytes for m_pendingEntry from file offset m_pendingAt
    int m_pendingEntry = -1;
    int m_pendingFile = -1; // m_pendingEntry's index in m_files
    quint64 m_pendingAt = 0;
    // A file's SHA-256 over its first `hashed` bytes, fed by flush() while the data comes in order (null once bytes
    // below that point were written again: finish() then reads the whole file).
    struct Stream {
        std::unique_ptr<Sha256> hash = std::make_unique<Sha256>();
        quint64 hashed = 0;
    };
    std::vector<Stream> m_streams; // by index in m_files
    // Hashes what flush() wrote in order; made at the first such write. Declared after m_streams, so it ends (and
    // lets go of their digests) before they do.
    std::unique_ptr<HashWorker> m_hasher;
};
