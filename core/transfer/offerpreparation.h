#pragma once

#include "filewire.h"

#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>

class QFileInfo;
class QThreadPool;

// What an outgoing offer needs before it can go out (issue 10): the entries of a file or folder (parents before what
// they hold, sorted; symbolic links are not followed), each file's SHA-256, and each file's size and modification
// time when it was read. Made on a worker thread of a QThreadPool, reading each file once, so that offering a large
// file or folder leaves the event loop free (2 GiB take seconds to hash). Cancel stops the worker between two reads
// of 256 KiB. A file that changes while it is read (size or modification time differ afterwards, checked on the
// worker after each file and again for all files on the caller's thread before finished()), cannot be read, or is
// deleted ends it with a reason.
class OfferPreparation final : public QObject {
    Q_OBJECT
public:
    struct Result {
        QList<filewire::Entry> entries;
        QByteArray stamps; // per file, in entry order: size (bytes) and mtime (ms since the epoch), 16 bytes LE
        QString error;     // not empty: failed (or cancelled), and why
    };
    // Starts at once on `pool`. `root`: a file or folder Transfers::offer checked (it exists, no link, no pipe);
    // `name`: what the manifest calls it (its file name).
    OfferPreparation(const QString& root, const QString& name, QThreadPool* pool, QObject* parent = nullptr);
    // Cancels, and waits for the worker (at most one read of 256 KiB).
    ~OfferPreparation() override;

    void cancel();
    // Bytes of file contents hashed so far, and of how many (known once a folder is listed; 0 before).
    quint64 hashedBytes() const;
    quint64 totalBytes() const;
    // Files listed (known with totalBytes()).
    quint32 files() const;

    // A file's stamp as Result::stamps holds it: 16 bytes.
    static QByteArray stampOf(const QFileInfo& info);

Q_SIGNALS:
    // hashedBytes() grew; at most 25 times a second, the first after the first read.
    void progress();
    // Once, on the thread that made this object; not after cancel().
    void finished(const OfferPreparation::Result& result);

private:
    struct Shared;
    void onFinished();

    QString m_root;
    std::shared_ptr<Shared> m_shared;
    QFutureWatcher<Result> m_watcher;
};
