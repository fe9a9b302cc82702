#pragma once

// Files that a test writes, and reads back to compare.

#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QRandomGenerator>
#include <QString>

// `size` bytes of a random stream seeded with `seed`: the same bytes for the same seed.
inline QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QRandomGenerator random(seed);
    QByteArray out(size, Qt::Uninitialized);
    random.fillRange(reinterpret_cast<quint32*>(out.data()), size / 4);
    for (qsizetype i = size / 4 * 4; i < size; ++i)
        out[i] = char(random.bounded(256));
    return out;
}

// Writes `bytes` to `path`, making the folders it needs; whether all was written.
inline bool writeFile(const QString& path, const QByteArray& bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// What is in the file at `path`; empty when it cannot be read.
inline QByteArray readFile(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every entry under `folder`, by its path relative to `folder`, with its SHA-256 ("dir" for a folder).
inline QMap<QString, QByteArray> tree(const QString& folder)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(folder, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        out.insert(QDir(folder).relativeFilePath(path),
                   QFileInfo(path).isDir() ? QByteArray("dir")
                                           : QCryptographicHash::hash(readFile(path), QCryptographicHash::Sha256));
    }
    return out;
}
