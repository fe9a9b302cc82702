#include "offerpreparation.h"

#include "safename.h"
#include "sha256.h"

#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QPromise>
#include <QThreadPool>
#include <QtEndian>

struct OfferPreparation::Shared {
    std::atomic<quint64> hashed{0};
    std::atomic<quint64> total{0};
    std::atomic<quint32> files{0};
};

namespace {

// Bytes per read: few system calls, and a cancel is seen within one read.
constexpr qint64 ReadBytes = 256 * 1024;

// The path of entry `rel` ("name/sub/file") under the offered `root`.
QString pathOf(const QString& root, const QString& rel)
{
    const qsizetype slash = rel.indexOf(u'/');
    return slash < 0 ? root : root + rel.mid(slash);
}

using Result = OfferPreparation::Result;

// The entries without hashes, sizes as listed; false with *error.
bool list(const QString& root, const QString& name, QList<filewire::Entry>* entries, QPromise<Result>& promise,
          QString* error)
{
    const QFileInfo info(root);
    if (!info.isDir()) {
        entries->append({name, false, quint64(info.size()), {}});
        return true;
    }
    entries->append({name, true, 0, {}});
    QStringList paths;
    QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::NoSymLinks,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (promise.isCanceled())
            return false;
        paths.append(QDir(root).relativeFilePath(it.next()));
        if (quint32(paths.size()) >= filewire::MaxEntries) {
            *error =
                OfferPreparation::tr("%1 holds more than %2 files and folders.").arg(name).arg(filewire::MaxEntries);
            return false;
        }
    }
    paths.sort();
    for (const QString& rel : std::as_const(paths)) {
        const QFileInfo entry(QDir(root).filePath(rel));
        const QString entryPath = name + u'/' + rel;
        if (const QString why = safename::checkPath(entryPath); !why.isEmpty()) {
            *error = OfferPreparation::tr("%1 cannot be sent: %2.").arg(rel, why);
            return false;
        }
        entries->append({entryPath, entry.isDir(), entry.isDir() ? 0 : quint64(entry.size()), {}});
    }
    return true;
}

// Hashes one file into *entry; the stamp it had before, or an empty array with *error.
QByteArray hashFile(const QString& path, filewire::Entry* entry, QPromise<Result>& promise,
                    std::atomic<quint64>& hashed, int* reads, QString* error)
{
    const QFileInfo before(path);
    const QByteArray stamp = OfferPreparation::stampOf(before);
    QFile file(path);
    if (!before.exists()) {
        *error = OfferPreparation::tr("%1 was deleted before it was offered.").arg(path);
        return {};
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *error = OfferPreparation::tr("%1: %2").arg(path, file.errorString());
        return {};
    }
    Sha256 hash;
    QByteArray buffer(ReadBytes, Qt::Uninitialized);
    quint64 size = 0;
    for (;;) {
        if (promise.isCanceled())
            return {};
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0) {
            *error = OfferPreparation::tr("%1: %2").arg(path, file.errorString());
            return {};
        }
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        size += quint64(n);
        hashed += quint64(n);
        promise.setProgressValue(++*reads);
    }
    const QFileInfo after(path);
    if (!after.exists()) {
        *error = OfferPreparation::tr("%1 was deleted while it was being prepared.").arg(path);
        return {};
    }
    if (OfferPreparation::stampOf(after) != stamp || size != quint64(before.size())) {
        *error = OfferPreparation::tr("%1 changed while it was being prepared.").arg(path);
        return {};
    }
    entry->size = size;
    entry->sha256 = hash.result();
    return stamp;
}

void prepare(QPromise<Result>& promise, const QString& root, const QString& name, std::atomic<quint64>& hashed,
             std::atomic<quint64>& totalBytes, std::atomic<quint32>& files)
{
    promise.start();
    Result result;
    if (list(root, name, &result.entries, promise, &result.error)) {
        quint64 total = 0;
        quint32 count = 0;
        for (const filewire::Entry& e : std::as_const(result.entries)) {
            total += e.size;
            count += e.folder ? 0 : 1;
        }
        totalBytes = total;
        files = count;
        int reads = 0;
        for (filewire::Entry& e : result.entries) {
            if (e.folder)
                continue;
            const QByteArray stamp = hashFile(pathOf(root, e.path), &e, promise, hashed, &reads, &result.error);
            if (stamp.isEmpty())
                break;
            result.stamps += stamp;
        }
    }
    if (!promise.isCanceled())
        promise.addResult(result);
    promise.finish();
}

} // namespace

OfferPreparation::OfferPreparation(const QString& root, const QString& name, QThreadPool* pool, QObject* parent)
    : QObject(parent)
    , m_root(root)
    , m_shared(std::make_shared<Shared>())
{
    connect(&m_watcher, &QFutureWatcherBase::progressValueChanged, this, &OfferPreparation::progress);
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &OfferPreparation::onFinished);
    // Shared, as QThreadPool (Qt 6.4) copies what it runs.
    auto promise = std::make_shared<QPromise<Result>>();
    // Watched before it starts: its progress and its end arrive in the order the worker reported them.
    m_watcher.setFuture(promise->future());
    pool->start([promise, root, name, shared = m_shared] {
        prepare(*promise, root, name, shared->hashed, shared->total, shared->files);
    });
}

OfferPreparation::~OfferPreparation()
{
    m_watcher.disconnect(this);
    QFuture<Result> future = m_watcher.future();
    future.cancel();
    future.waitForFinished();
}

void OfferPreparation::cancel()
{
    m_watcher.disconnect(this);
    m_watcher.future().cancel();
}

quint64 OfferPreparation::hashedBytes() const
{
    return m_shared->hashed;
}

quint64 OfferPreparation::totalBytes() const
{
    return m_shared->total;
}

quint32 OfferPreparation::files() const
{
    return m_shared->files;
}

QByteArray OfferPreparation::stampOf(const QFileInfo& info)
{
    QByteArray raw(16, Qt::Uninitialized);
    qToLittleEndian(quint64(info.size()), raw.data());
    qToLittleEndian(info.lastModified().toMSecsSinceEpoch(), raw.data() + 8);
    return raw;
}

void OfferPreparation::onFinished()
{
    const QFuture<Result> future = m_watcher.future();
    if (future.isCanceled() || future.resultCount() < 1)
        return;
    Result result = future.result();
    // Again on this thread, after the worker is done: a change since a file was read shows now at the latest.
    qsizetype file = 0;
    for (qsizetype i = 0; result.error.isEmpty() && i < result.entries.size(); ++i) {
        const filewire::Entry& e = result.entries[i];
        if (e.folder)
            continue;
        const QFileInfo info(pathOf(m_root, e.path));
        if (!info.exists())
            result.error = tr("%1 was deleted while it was being prepared.").arg(info.filePath());
        else if (stampOf(info) != result.stamps.mid(file * 16, 16))
            result.error = tr("%1 changed while it was being prepared.").arg(info.filePath());
        ++file;
    }
    Q_EMIT finished(result);
}
