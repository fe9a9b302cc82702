// FileSink (filesink.h): a file's SHA-256 is taken from its bytes as they are written out in order and read back
// only for the rest; whatever the order of the writes, the check is of what is on the disk.

#include "filesink.h"
#include "sha256.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestFileSink final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void checksWhatIsOnTheDisk_data();
    void checksWhatIsOnTheDisk();
};

namespace {

constexpr qsizetype Chunk = 1000;

QByteArray pattern(qsizetype size, char seed)
{
    QByteArray out(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        out[i] = char(seed + i * 7 + i / 251);
    return out;
}

} // namespace

void TestFileSink::checksWhatIsOnTheDisk_data()
{
    // Each write is one chunk of `first` or `second` at chunk index `at`; `offered` says whose bytes the sender's
    // SHA-256 is of.
    QTest::addColumn<QList<int>>("writes"); // chunk index, + 100 for the second content's chunk
    QTest::addColumn<bool>("offeredDisk");  // the offer's hash is of what ends on the disk (else of `first`)
    QTest::addColumn<bool>("ok");
    QTest::newRow("in order") << QList<int>{0, 1, 2, 3, 4} << true << true;
    QTest::newRow("reversed") << QList<int>{4, 3, 2, 1, 0} << true << true;
    QTest::newRow("a gap filled later") << QList<int>{0, 2, 3, 1, 4} << true << true;
    QTest::newRow("duplicates") << QList<int>{0, 1, 1, 2, 0, 3, 4, 4} << true << true;
    QTest::newRow("other bytes than offered") << QList<int>{0, 101, 2, 3, 4} << false << false;
    // Bytes hashed as they were written, then written again with other bytes: the disk is what counts.
    QTest::newRow("hashed bytes rewritten, the disk offered") << QList<int>{0, 1, 2, 3, 4, 101} << true << true;
    QTest::newRow("hashed bytes rewritten, the first offered") << QList<int>{0, 1, 2, 3, 4, 101} << false << false;
}

void TestFileSink::checksWhatIsOnTheDisk()
{
    QFETCH(QList<int>, writes);
    QFETCH(bool, offeredDisk);
    QFETCH(bool, ok);
    const QByteArray first = pattern(5 * Chunk, 'a');
    const QByteArray second = pattern(5 * Chunk, 'q');
    QByteArray disk(first.size(), '\0');
    for (const int w : std::as_const(writes)) {
        const QByteArray& from = w >= 100 ? second : first;
        const qsizetype at = (w % 100) * Chunk;
        disk.replace(at, Chunk, from.mid(at, Chunk));
    }
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray offered = Sha256::hash(offeredDisk ? disk : first);
    FileSink sink(dir.path(), 1, {{QStringLiteral("f.bin"), false, quint64(first.size()), offered}}, 0);
    QString error;
    QVERIFY2(sink.prepare(&error), qPrintable(error));
    for (const int w : std::as_const(writes)) {
        const QByteArray& from = w >= 100 ? second : first;
        const qsizetype at = (w % 100) * Chunk;
        QVERIFY2(sink.write(quint64(at), QByteArrayView(from).sliced(at, Chunk), &error), qPrintable(error));
        // Written out after each chunk, so that each is hashed (or not) on its own.
        QVERIFY2(sink.sync(&error), qPrintable(error));
    }
    QString saved;
    QCOMPARE(sink.finish(&saved, &error), ok);
    if (!ok) {
        QVERIFY(error.contains(QStringLiteral("SHA-256")));
        return;
    }
    QFile file(saved);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), disk);
}

QTEST_GUILESS_MAIN(TestFileSink)
#include "tst_filesink.moc"
