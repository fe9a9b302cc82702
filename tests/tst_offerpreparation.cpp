// Offering a large file does not stop the program (issue 10): Transfers::offer lists and hashes on a worker thread
// (OfferPreparation) while the event loop goes on, shows how far hashing got, can be cancelled meanwhile, fails with
// the reason when a file changes or is deleted while it is read, and stores nothing half-made that a restart would
// resume. Two engines over the fake network; the large files are sparse (no disk space, read as zeros).

#include "contactbook.h"
#include "faketransport.h"
#include "filewire.h"
#include "history.h"
#include "ipmsg.h"
#include "messenger.h"
#include "testfiles.h"
#include "transfers.h"
#include "transferside.h"

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {

const Endpoint AliceAt{QHostAddress(QStringLiteral("127.0.3.21")), 2425};
const Endpoint BobAt{QHostAddress(QStringLiteral("127.0.3.22")), 2425};

constexpr qint64 Large = qint64(512) << 20; // bytes: seconds of hashing without SHA extensions, most of one with

// One Pigeon over the fake network, its stores in `dir` (kept across a restart), started at once.
struct Side : TransferSide {
    Side(FakeTransport* wire, const QString& dir, const QString& nick, const Contact& other)
        : TransferSide(wire, dir, nick, other)
    {
        start();
    }
};

// A file of `size` zero bytes that takes no disk space.
bool sparseFile(const QString& path, qint64 size)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.resize(size);
}

// The transfers `wire` sent an Offer datagram of (an offer is repeated until it is answered).
QSet<quint64> offersSent(const FakeTransport& wire)
{
    QSet<quint64> ids;
    for (const FakeTransport::Sent& s : wire.sent) {
        const auto packet = ipmsg::decode(s.data).packet;
        if (!packet || packet->mode() != filewire::Mode)
            continue;
        if (const auto payload = filewire::decode(packet->extension);
            payload && std::holds_alternative<filewire::Offer>(*payload))
            ids.insert(std::get<filewire::Offer>(*payload).id);
    }
    return ids;
}

} // namespace

class TestOfferPreparation final : public QObject, TransferPair<Side> {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void largeFileLeavesTheEventLoopFree();
    void smallFolderIsOfferedWithItsHashes();
    void cancelWhilePreparing();
    void fileChangedWhilePrepared_data();
    void fileChangedWhilePrepared();
    void restartWhilePreparingResumesNothing();

private:
    void remakeAlice();
    // Waits for Alice's first report of hashing progress on `id` (in `changes`, her changed() signals).
    static bool hashingStarted(const QSignalSpy& changes, quint64 id);
};

void TestOfferPreparation::init()
{
    const QString error = openWires(AliceAt, BobAt);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    remakeAlice();
    m_bob = std::make_unique<Side>(m_bobWire.get(), m_bobDir, QStringLiteral("Bob"),
                                   Contact{QStringLiteral("Alice"), AliceAt.address.toString(), AliceAt.port});
    QTRY_VERIFY(m_alice->messenger.route(QStringLiteral("Bob")).isPigeon);
}

void TestOfferPreparation::cleanup()
{
    closePair();
}

void TestOfferPreparation::remakeAlice()
{
    m_alice.reset();
    m_alice = std::make_unique<Side>(m_aliceWire.get(), m_aliceDir, QStringLiteral("Alice"),
                                     Contact{QStringLiteral("Bob"), BobAt.address.toString(), BobAt.port});
}

bool TestOfferPreparation::hashingStarted(const QSignalSpy& changes, quint64 id)
{
    for (const QList<QVariant>& signal : changes) {
        const auto info = signal.first().value<Transfers::Info>();
        if (info.id == id && info.state == TransferState::Preparing && info.doneBytes > 0)
            return true;
    }
    return false;
}

void TestOfferPreparation::largeFileLeavesTheEventLoopFree()
{
    const QString source = m_aliceDir + QStringLiteral("/disk.img");
    QVERIFY(sparseFile(source, Large));
    QSignalSpy changes(&m_alice->transfers, &Transfers::changed);
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    QString error;
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source, &error);
    QVERIFY2(id, qPrintable(error));
    // offer() came back before the hash was made: the offer has not gone out.
    QCOMPARE(m_alice->transfers.info(id)->state, TransferState::Preparing);
    QVERIFY(offersSent(*m_aliceWire).isEmpty());
    // A timer keeps firing while the file is hashed.
    int ticksWhilePreparing = 0;
    QTimer timer;
    connect(&timer, &QTimer::timeout, this, [&] {
        if (m_alice->transfers.info(id)->state == TransferState::Preparing)
            ++ticksWhilePreparing;
    });
    timer.start(5);
    QTRY_COMPARE_WITH_TIMEOUT(offered.size(), 1, 60'000);
    QVERIFY2(ticksWhilePreparing >= 1, qPrintable(QString::number(ticksWhilePreparing)));
    // The bubble and the console had the progress: of the whole size, growing.
    QVERIFY(hashingStarted(changes, id));
    quint64 last = 0;
    for (const QList<QVariant>& signal : std::as_const(changes)) {
        const auto info = signal.first().value<Transfers::Info>();
        if (info.state != TransferState::Preparing)
            continue;
        if (info.doneBytes > 0)
            QCOMPARE(info.totalBytes, quint64(Large));
        QVERIFY(info.doneBytes >= last);
        last = info.doneBytes;
    }
    const auto offer = offered.first().first().value<Transfers::Info>();
    QCOMPARE(offer.id, id);
    QCOMPARE(offer.totalBytes, quint64(Large));
    QCOMPARE(m_alice->transfers.info(id)->state, TransferState::Offered);
    QVERIFY(m_alice->transfers.cancel(id));
}

void TestOfferPreparation::smallFolderIsOfferedWithItsHashes()
{
    // The hashes made on the worker thread are the files' own: the folder arrives whole (the receiver checks every
    // file's SHA-256 before it renames it).
    const QString root = m_aliceDir + QStringLiteral("/Minutes");
    const QByteArray monday = QByteArray("agreed\n").repeated(40'000);
    QVERIFY(writeFile(root + QStringLiteral("/monday.txt"), monday));
    QVERIFY(writeFile(root + QStringLiteral("/old/friday.txt"), "postponed\n"));
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), root);
    QVERIFY(id);
    QTRY_COMPARE(offered.size(), 1);
    const auto offer = offered.first().first().value<Transfers::Info>();
    QCOMPARE(offer.files, 2u);
    QCOMPARE(offer.totalBytes, quint64(monday.size() + 10));
    QVERIFY(m_bob->transfers.accept(id));
    QTRY_COMPARE_WITH_TIMEOUT(m_bob->transfers.info(id)->state, TransferState::Done, 20'000);
    QFile saved(m_bob->transfers.info(id)->saved + QStringLiteral("/monday.txt"));
    QVERIFY(saved.open(QIODevice::ReadOnly));
    QCOMPARE(QCryptographicHash::hash(saved.readAll(), QCryptographicHash::Sha256),
             QCryptographicHash::hash(monday, QCryptographicHash::Sha256));
}

void TestOfferPreparation::cancelWhilePreparing()
{
    const QString source = m_aliceDir + QStringLiteral("/disk.img");
    QVERIFY(sparseFile(source, Large));
    QSignalSpy changes(&m_alice->transfers, &Transfers::changed);
    QSignalSpy finished(&m_alice->transfers, &Transfers::finished);
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QVERIFY(id);
    QTRY_VERIFY(hashingStarted(changes, id));
    QVERIFY(m_alice->transfers.cancel(id));
    QCOMPARE(m_alice->transfers.info(id)->state, TransferState::Cancelled);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<Transfers::Info>().state, TransferState::Cancelled);
    QVERIFY(!m_alice->transfers.cancel(id));

    // The next offer goes out; the cancelled one never did.
    const QString small = m_aliceDir + QStringLiteral("/note.txt");
    QVERIFY(writeFile(small, "instead\n"));
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    const quint64 next = m_alice->transfers.offer(QStringLiteral("Bob"), small);
    QTRY_COMPARE(offered.size(), 1);
    QCOMPARE(offered.first().first().value<Transfers::Info>().id, next);
    QCOMPARE(offersSent(*m_aliceWire).size(), 1);
    QCOMPARE(finished.size(), 1);

    // Its conversation keeps it, cancelled, also after a restart, which does not resume it.
    remakeAlice();
    QVERIFY(!m_alice->transfers.info(id));
    const QList<Transfers::Info> thread = m_alice->transfers.transfersWith(QStringLiteral("Bob"));
    QCOMPARE(thread.size(), 2);
    QCOMPARE(thread.first().id, id);
    QCOMPARE(thread.first().state, TransferState::Cancelled);
    QCOMPARE(thread.first().name, QStringLiteral("disk.img"));
}

void TestOfferPreparation::fileChangedWhilePrepared_data()
{
    QTest::addColumn<bool>("folder");
    QTest::addColumn<bool>("remove");
    QTest::addColumn<QString>("reason"); // what the failure must say, English
    QTest::newRow("file changed") << false << false << "changed while it was being prepared";
    QTest::newRow("file deleted") << false << true << "deleted while it was being prepared";
    QTest::newRow("a folder's file changed") << true << false << "changed while it was being prepared";
}

void TestOfferPreparation::fileChangedWhilePrepared()
{
    QFETCH(bool, folder);
    QFETCH(bool, remove);
    QFETCH(QString, reason);
    const QString root = m_aliceDir + QStringLiteral("/Box");
    // In a folder, the large file is listed (and hashed) first.
    const QString big = folder ? root + QStringLiteral("/a.img") : m_aliceDir + QStringLiteral("/a.img");
    QVERIFY(sparseFile(big, 64 << 20));
    if (folder)
        QVERIFY(writeFile(root + QStringLiteral("/b.txt"), "beside\n"));
    QSignalSpy finished(&m_alice->transfers, &Transfers::finished);
    // The file changes when the first progress shows: after it was first read, before the offer can go out (the
    // worker's end is reported after its progress, and checked again then).
    bool touched = false;
    connect(&m_alice->transfers, &Transfers::changed, this, [&](const Transfers::Info& info) {
        if (touched || info.state != TransferState::Preparing || info.doneBytes == 0)
            return;
        touched = true;
        if (remove) {
            QVERIFY(QFile::remove(big));
            return;
        }
        QFile f(big);
        QVERIFY(f.open(QIODevice::Append));
        QVERIFY(f.write("appended") > 0);
        QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(5), QFileDevice::FileModificationTime));
    });
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), folder ? root : big);
    QVERIFY(id);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30'000);
    QVERIFY(touched);
    const auto info = finished.first().first().value<Transfers::Info>();
    QCOMPARE(info.state, TransferState::Failed);
    QVERIFY2(info.error.contains(reason) && info.error.contains(big), qPrintable(info.error));
    QVERIFY(offersSent(*m_aliceWire).isEmpty());
    // Stored as failed, not as an offer a restart would send.
    remakeAlice();
    QVERIFY(!m_alice->transfers.info(id));
    const QList<Transfers::Info> thread = m_alice->transfers.transfersWith(QStringLiteral("Bob"));
    QCOMPARE(thread.size(), 1);
    QCOMPARE(thread.first().state, TransferState::Failed);
    QCOMPARE(thread.first().error, info.error);
    QVERIFY(offersSent(*m_aliceWire).isEmpty());
}

void TestOfferPreparation::restartWhilePreparingResumesNothing()
{
    const QString source = m_aliceDir + QStringLiteral("/disk.img");
    QVERIFY(sparseFile(source, Large));
    QSignalSpy changes(&m_alice->transfers, &Transfers::changed);
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QVERIFY(id);
    QTRY_VERIFY(hashingStarted(changes, id));
    // Pigeon quits half way through the hash (the worker stops), and starts again.
    remakeAlice();
    QVERIFY(!m_alice->transfers.info(id));
    QVERIFY(m_alice->transfers.transfers().isEmpty());
    QVERIFY(m_alice->transfers.transfersWith(QStringLiteral("Bob")).isEmpty());
    // Nothing was offered, then or now; the next offer goes out as usual.
    QTRY_VERIFY(m_alice->messenger.route(QStringLiteral("Bob")).isPigeon);
    const QString small = m_aliceDir + QStringLiteral("/note.txt");
    QVERIFY(writeFile(small, "again\n"));
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    QVERIFY(m_alice->transfers.offer(QStringLiteral("Bob"), small));
    QTRY_COMPARE(offered.size(), 1);
    QCOMPARE(offered.first().first().value<Transfers::Info>().name, QStringLiteral("note.txt"));
    QCOMPARE(offersSent(*m_aliceWire).size(), 1);
}

QTEST_GUILESS_MAIN(TestOfferPreparation)
#include "tst_offerpreparation.moc"
