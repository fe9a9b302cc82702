// HashWorker (transfer/hashworker.h): blocks given for several digests, interleaved and more than it queues at once,
// end up in each digest in the order they were given; QCryptographicHash of the same bytes is the reference.

#include "hashworker.h"
#include "sha256.h"

#include <QCryptographicHash>
#include <QTest>

#include <memory>
#include <vector>

class TestHashWorker final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void digestsMatch_data();
    void digestsMatch();
    void waitWithNothingQueued();
};

void TestHashWorker::digestsMatch_data()
{
    QTest::addColumn<int>("digests");
    QTest::addColumn<int>("blocks");     // per digest
    QTest::addColumn<int>("blockBytes"); // the last block of each digest is one byte shorter
    QTest::newRow("one digest, one block") << 1 << 1 << 1000;
    QTest::newRow("one digest, empty blocks") << 1 << 3 << 1;
    QTest::newRow("three digests interleaved") << 3 << 40 << 4096;
    // 3 x 20 x 256 KiB: more than MaxQueuedBytes, so add() waits for the worker.
    QTest::newRow("more than the queue holds") << 3 << 20 << 256 * 1024;
}

void TestHashWorker::digestsMatch()
{
    QFETCH(int, digests);
    QFETCH(int, blocks);
    QFETCH(int, blockBytes);
    std::vector<std::unique_ptr<Sha256>> hashes;
    QList<QByteArray> given(digests); // every byte each digest was given, in order
    for (int d = 0; d < digests; ++d)
        hashes.push_back(std::make_unique<Sha256>());
    HashWorker worker;
    for (int b = 0; b < blocks; ++b) {
        for (int d = 0; d < digests; ++d) {
            QByteArray block(blockBytes - (b == blocks - 1 ? 1 : 0), Qt::Uninitialized);
            for (qsizetype i = 0; i < block.size(); ++i)
                block[i] = char(d * 31 + b * 7 + i);
            given[d] += block;
            worker.add(hashes[size_t(d)].get(), block);
        }
    }
    worker.wait();
    for (int d = 0; d < digests; ++d)
        QCOMPARE(hashes[size_t(d)]->result(), QCryptographicHash::hash(given[d], QCryptographicHash::Sha256));
}

void TestHashWorker::waitWithNothingQueued()
{
    HashWorker worker;
    worker.wait();
    Sha256 hash;
    worker.add(&hash, QByteArray());
    worker.wait();
    QCOMPARE(hash.result(), QCryptographicHash::hash(QByteArray(), QCryptographicHash::Sha256));
}

QTEST_GUILESS_MAIN(TestHashWorker)
#include "tst_hashworker.moc"
