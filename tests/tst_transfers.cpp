// Files between two engines over the fake network (issue 10): the transfer state machine with loss, duplication and
// reordering, folders, names that exist already, resume after a restart of either side, a file changed while it is
// sent, hostile manifests, strangers, and a full disk in a child process with a file-size limit.

#include "contactbook.h"
#include "faketransport.h"
#include "filewire.h"
#include "history.h"
#include "ipmsg.h"
#include "messenger.h"
#include "packets.h"
#include "testfiles.h"
#include "transferside.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QProcess>
#include <QSignalSpy>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

namespace {

const Endpoint AliceAt{QHostAddress(QStringLiteral("127.0.3.1")), 2425};
const Endpoint BobAt{QHostAddress(QStringLiteral("127.0.3.2")), 2425};

// The lossy layer over a Pigeon's socket, made before the Pigeon above it.
struct LossyWire {
    LossyWire(FakeTransport* wire, LossyTransport::Faults faults, quint32 seed)
        : net(wire, faults, seed)
    {
    }
    LossyTransport net;
};

// One Pigeon: its socket stays across restarts (as a port would), everything above it can be made again.
struct Side : LossyWire, TransferSide {
    Side(FakeTransport* wire, const QString& dir, const QString& nick, const Contact& other,
         LossyTransport::Faults faults, quint32 seed)
        : LossyWire(wire, faults, seed)
        , TransferSide(&net, dir, nick, other)
    {
        Messenger::Timing timing;
        timing.initialRtoMs = 20;
        timing.minRtoMs = 5;
        timing.maxRtoMs = 40;
        messenger.setTiming(timing);
        transfers.setTiming({50, 20, 400});
        start();
    }
};

} // namespace

class TestTransfers final : public QObject, private TransferPair<Side> {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void fileOverFaultyNetwork_data();
    void fileOverFaultyNetwork();
    void lostDoneAfterPendingIsAskedForSoon();
    void folder();
    void existingNameIsNeverOverwritten();
    void resumesAfterRestart_data();
    void resumesAfterRestart();
    void fileChangedWhileSent();
    void declined();
    void strangerOfferIsNeverAcceptedAutomatically();
    void hostileManifestIsRefused_data();
    void hostileManifestIsRefused();
    void fullDiskLeavesNothingUnderTheFinalName();
    void offerLargerThanTheFreeSpaceIsRefused();

private:
    void makeSides(LossyTransport::Faults faults = {});
    void remakeAlice();
    void remakeBob();
    quint64 waitingOffer();
    // Stream bytes that left Alice in Data datagrams.
    qint64 dataBytesSent() const;

    LossyTransport::Faults m_faults;
};

void TestTransfers::init()
{
    QCOMPARE(openWires(AliceAt, BobAt), QString());
}

void TestTransfers::cleanup()
{
    closePair();
}

void TestTransfers::makeSides(LossyTransport::Faults faults)
{
    m_faults = faults;
    remakeAlice();
    remakeBob();
    QTRY_VERIFY(m_alice->messenger.route(QStringLiteral("Bob")).isPigeon);
}

void TestTransfers::remakeAlice()
{
    m_alice.reset();
    m_alice = std::make_unique<Side>(m_aliceWire.get(), m_aliceDir, QStringLiteral("Alice"),
                                     contact(QStringLiteral("Bob"), BobAt), m_faults, 11);
}

void TestTransfers::remakeBob()
{
    m_bob.reset();
    m_bob = std::make_unique<Side>(m_bobWire.get(), m_bobDir, QStringLiteral("Bob"),
                                   contact(QStringLiteral("Alice"), AliceAt), m_faults, 12);
}

quint64 TestTransfers::waitingOffer()
{
    for (const Transfers::Info& i : m_bob->transfers.transfers())
        if (!i.outgoing && i.state == TransferState::Offered)
            return i.id;
    return 0;
}

// The file payloads of kind T in what `wire` sent.
template <class T>
int payloadsSent(const FakeTransport& wire)
{
    int count = 0;
    for (const FakeTransport::Sent& s : wire.sent) {
        const auto packet = ipmsg::decode(s.data).packet;
        if (!packet || packet->mode() != filewire::Mode)
            continue;
        const auto payload = filewire::decode(packet->extension);
        count += payload && std::holds_alternative<T>(*payload) ? 1 : 0;
    }
    return count;
}

qint64 TestTransfers::dataBytesSent() const
{
    qint64 bytes = 0;
    for (const FakeTransport::Sent& s : std::as_const(m_aliceWire->sent)) {
        const auto packet = ipmsg::decode(s.data).packet;
        if (!packet || packet->mode() != filewire::Mode)
            continue;
        const auto payload = filewire::decode(packet->extension);
        if (payload && std::holds_alternative<filewire::Data>(*payload))
            bytes += std::get<filewire::Data>(*payload).bytes.size();
    }
    return bytes;
}

void TestTransfers::fileOverFaultyNetwork_data()
{
    QTest::addColumn<double>("loss");
    QTest::addColumn<double>("duplicate");
    QTest::addColumn<double>("reorder");
    QTest::newRow("clean") << 0.0 << 0.0 << 0.0;
    QTest::newRow("5 % loss each way") << 0.05 << 0.0 << 0.0;
    QTest::newRow("duplicates") << 0.0 << 0.2 << 0.0;
    QTest::newRow("reordered") << 0.0 << 0.0 << 0.3;
    QTest::newRow("all at once") << 0.05 << 0.1 << 0.2;
}

void TestTransfers::fileOverFaultyNetwork()
{
    QFETCH(double, loss);
    QFETCH(double, duplicate);
    QFETCH(double, reorder);
    makeSides({loss, duplicate, reorder, 10});
    const QByteArray content = randomBytes(700'000, 1);
    const QString source = m_aliceDir + QStringLiteral("/picture.png");
    QVERIFY(writeFile(source, content));
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    QString error;
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source, &error);
    QVERIFY2(id, qPrintable(error));
    QTRY_COMPARE(offered.size(), 1);
    const auto offer = offered.first().first().value<Transfers::Info>();
    QCOMPARE(offer.name, QStringLiteral("picture.png"));
    QCOMPARE(offer.totalBytes, quint64(content.size()));
    QCOMPARE(offer.files, 1u);
    QCOMPARE(offer.peer, QStringLiteral("Alice"));
    QVERIFY(m_bob->transfers.accept(id, &error));
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->transfers.info(id)->state, TransferState::Done, 20000);
    const auto done = m_bob->transfers.info(id);
    QCOMPARE(done->state, TransferState::Done);
    const QString saved = m_bobDir + QStringLiteral("/downloads/picture.png");
    QCOMPARE(done->saved, saved);
    QCOMPARE(readFile(saved), content);
    // Nothing else is left in the download folder (no temporary file).
    QCOMPARE(
        QDir(m_bobDir + QStringLiteral("/downloads")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
        QStringList{QStringLiteral("picture.png")});
    // Every datagram fits an Ethernet MTU once sealed (an envelope and its outer header), and the receiver's
    // ChunkSize made the sender use whole chunks (when it was not lost).
    qsizetype largest = 0;
    for (const FakeTransport::Sent& s : std::as_const(m_aliceWire->sent)) {
        QVERIFY(s.data.size() <= filewire::MaxDatagramBytes - 49 - filewire::MaxFileHeaderBytes);
        largest = std::max(largest, s.data.size());
    }
    if (loss == 0)
        QVERIFY(largest > filewire::LegacyChunkBytes + filewire::DataHeaderBytes + filewire::MaxFileHeaderBytes);
}

// A Pending answer (the offer waits for the user) puts the sender's next offer probe 30 s ahead. Once everything is
// acknowledged, a lost Done must be asked for again within a probe interval (500 ms), not when that probe falls due.
void TestTransfers::lostDoneAfterPendingIsAskedForSoon()
{
    makeSides();
    const QByteArray content = randomBytes(100'000, 3);
    const QString source = m_aliceDir + QStringLiteral("/notes.bin");
    QVERIFY(writeFile(source, content));
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QVERIFY(id);
    QTRY_COMPARE(offered.size(), 1);
    QTRY_VERIFY(payloadsSent<filewire::Pending>(*m_bobWire) >= 1); // Alice asked again; Bob: the user decides
    bool lost = false;
    m_bobWire->lose = [&lost](const QByteArray& data) {
        const auto packet = ipmsg::decode(data).packet;
        const auto payload =
            packet && packet->mode() == filewire::Mode ? filewire::decode(packet->extension) : std::nullopt;
        const bool done = payload && std::holds_alternative<filewire::Done>(*payload);
        if (!done || lost)
            return false;
        lost = true;
        return true;
    };
    QVERIFY(m_bob->transfers.accept(id));
    QTRY_COMPARE(m_bob->transfers.info(id)->state, TransferState::Done);
    QVERIFY(lost);
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->transfers.info(id)->state, TransferState::Done, 5000);
    m_bobWire->lose = nullptr;
}

void TestTransfers::folder()
{
    makeSides();
    const QString root = m_aliceDir + QStringLiteral("/Report");
    QVERIFY(writeFile(root + QStringLiteral("/a.txt"), "alpha"));
    QVERIFY(writeFile(root + QStringLiteral("/data/b.bin"), randomBytes(50'000, 2)));
    QVERIFY(writeFile(root + QStringLiteral("/data/deeper/empty"), QByteArray()));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/nothing here")));
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    QString error;
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), root, &error);
    QVERIFY2(id, qPrintable(error));
    QTRY_COMPARE(offered.size(), 1);
    QCOMPARE(offered.first().first().value<Transfers::Info>().files, 3u);
    QVERIFY(m_bob->transfers.accept(id, &error));
    QTRY_COMPARE_WITH_TIMEOUT(m_bob->transfers.info(id)->state, TransferState::Done, 10000);
    QCOMPARE(tree(m_bob->transfers.info(id)->saved), tree(root));
    // a.txt, data, data/b.bin, data/deeper, data/deeper/empty, nothing here.
    QCOMPARE(tree(m_bob->transfers.info(id)->saved).size(), 6);
}

void TestTransfers::existingNameIsNeverOverwritten()
{
    makeSides();
    const QString source = m_aliceDir + QStringLiteral("/notes.txt");
    QVERIFY(writeFile(source, "new"));
    const QString downloads = m_bobDir + QStringLiteral("/downloads");
    QVERIFY(writeFile(downloads + QStringLiteral("/notes.txt"), "mine"));
    QVERIFY(writeFile(downloads + QStringLiteral("/notes (1).txt"), "mine too"));
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QTRY_VERIFY(waitingOffer());
    QVERIFY(m_bob->transfers.accept(id));
    QTRY_COMPARE(m_bob->transfers.info(id)->state, TransferState::Done);
    QCOMPARE(m_bob->transfers.info(id)->saved, downloads + QStringLiteral("/notes (2).txt"));
    QCOMPARE(readFile(downloads + QStringLiteral("/notes.txt")), QByteArray("mine"));
    QCOMPARE(readFile(downloads + QStringLiteral("/notes (1).txt")), QByteArray("mine too"));
    QCOMPARE(readFile(downloads + QStringLiteral("/notes (2).txt")), QByteArray("new"));
}

void TestTransfers::resumesAfterRestart_data()
{
    QTest::addColumn<bool>("restartReceiver");
    QTest::newRow("receiver restarts") << true;
    QTest::newRow("sender restarts") << false;
}

void TestTransfers::resumesAfterRestart()
{
    QFETCH(bool, restartReceiver);
    makeSides();
    constexpr qsizetype Size = 24 << 20;
    const QByteArray content = randomBytes(Size, 3);
    const QString source = m_aliceDir + QStringLiteral("/big.bin");
    QVERIFY(writeFile(source, content));
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QVERIFY(id);
    QTRY_VERIFY(waitingOffer());
    QVERIFY(m_bob->transfers.accept(id));
    // Past the first recorded progress, then one side goes away and comes back.
    QTRY_VERIFY_WITH_TIMEOUT(m_bob->transfers.info(id)->doneBytes > quint64(10 << 20), 20000);
    QVERIFY(m_bob->transfers.info(id)->state == TransferState::Moving);
    if (restartReceiver)
        remakeBob();
    else
        remakeAlice();
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->transfers.info(id).value_or(Transfers::Info{}).state, TransferState::Done,
                              30000);
    QTRY_COMPARE(m_bob->transfers.info(id).value_or(Transfers::Info{}).state, TransferState::Done);
    QCOMPARE(readFile(m_bobDir + QStringLiteral("/downloads/big.bin")), content);
    // It went on from what was on disk, not from zero: well under twice the file was sent in all.
    const qint64 sent = dataBytesSent();
    QVERIFY2(sent < Size * 3 / 2, qPrintable(QString::number(sent)));
}

void TestTransfers::fileChangedWhileSent()
{
    makeSides();
    const QByteArray content = randomBytes(8 << 20, 4);
    const QString source = m_aliceDir + QStringLiteral("/log.txt");
    QVERIFY(writeFile(source, content));
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QTRY_VERIFY(waitingOffer());
    // The file changes when the first data datagram reaches Bob, so while the sender's window is still a few
    // segments and the file open: the transfer cannot have finished in between, however fast it runs.
    bool appended = false;
    connect(m_bobWire.get(), &Transport::received, this, [&](const Datagram& d) {
        const auto packet = ipmsg::decode(d.data).packet;
        if (appended || !packet || packet->mode() != filewire::Mode)
            return;
        const auto payload = filewire::decode(packet->extension);
        if (!payload || !std::holds_alternative<filewire::Data>(*payload))
            return;
        appended = true;
        QFile f(source);
        QVERIFY(f.open(QIODevice::Append));
        QVERIFY(f.write("appended") > 0);
        QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(5), QFileDevice::FileModificationTime));
    });
    QVERIFY(m_bob->transfers.accept(id));
    QTRY_VERIFY(appended);
    QTRY_COMPARE_WITH_TIMEOUT(m_alice->transfers.info(id)->state, TransferState::Failed, 10000);
    QVERIFY2(m_alice->transfers.info(id)->error.contains(QStringLiteral("changed")),
             qPrintable(m_alice->transfers.info(id)->error));
    QTRY_COMPARE(m_bob->transfers.info(id)->state, TransferState::Failed);
    QVERIFY(m_bob->transfers.info(id)->error.contains(QStringLiteral("changed")));
    QCOMPARE(
        QDir(m_bobDir + QStringLiteral("/downloads")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
        QStringList());
}

void TestTransfers::declined()
{
    makeSides();
    const QString source = m_aliceDir + QStringLiteral("/x.txt");
    QVERIFY(writeFile(source, "x"));
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QTRY_VERIFY(waitingOffer());
    QVERIFY(m_bob->transfers.decline(id));
    QTRY_COMPARE(m_alice->transfers.info(id)->state, TransferState::Declined);
    QVERIFY(!m_bob->transfers.accept(id));
}

void TestTransfers::strangerOfferIsNeverAcceptedAutomatically()
{
    makeSides();
    m_bob->transfers.setAutoAccept(true);
    // A stranger's offer: a Pigeon at an address that is no contact of Bob's.
    const Endpoint stranger{QHostAddress(QStringLiteral("127.0.3.9")), 2425};
    filewire::Offer offer{77, QStringLiteral("gift.exe"), 10, 1, 40, QByteArray(32, 'x')};
    QSignalSpy offered(&m_bob->transfers, &Transfers::offered);
    m_bobWire->deliver(ipmsgPacket(1, filewire::Mode, filewire::encode(offer), "mallory", "far", "1_pigeon 0.1.0"),
                       stranger);
    QTRY_COMPARE(offered.size(), 1);
    QCOMPARE(m_bob->transfers.info(77)->state, TransferState::Offered);
    QCOMPARE(m_bob->messenger.tables().strangers, 1);

    // An offer from a contact is accepted automatically.
    const QString source = m_aliceDir + QStringLiteral("/y.txt");
    QVERIFY(writeFile(source, "y"));
    const quint64 id = m_alice->transfers.offer(QStringLiteral("Bob"), source);
    QTRY_COMPARE(m_bob->transfers.info(id).value_or(Transfers::Info{}).state, TransferState::Done);
    QCOMPARE(m_bob->transfers.info(77)->state, TransferState::Offered);
}

void TestTransfers::hostileManifestIsRefused_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("paths");
    QTest::newRow("dot-dot") << u"box"_qs << QStringList{u"box"_qs, u"box/../../evil"_qs};
    QTest::newRow("absolute") << u"box"_qs << QStringList{u"box"_qs, u"/etc/evil"_qs};
    QTest::newRow("outside the folder") << u"box"_qs << QStringList{u"box"_qs, u"other/evil"_qs};
    QTest::newRow("drive letter") << u"box"_qs << QStringList{u"box"_qs, u"box/C:evil"_qs};
    QTest::newRow("device name") << u"box"_qs << QStringList{u"box"_qs, u"box/NUL.txt"_qs};
    QTest::newRow("control character") << u"box"_qs << QStringList{u"box"_qs, u"box/a\nb"_qs};
    QTest::newRow("backslash") << u"box"_qs << QStringList{u"box"_qs, u"box\\..\\evil"_qs};
    QTest::newRow("too long") << u"box"_qs << QStringList{u"box"_qs, u"box/"_qs + QString(256, u'a')};
    QTest::newRow("file in no folder") << u"box"_qs << QStringList{u"box/a/b"_qs};
    QTest::newRow("twice, by case") << u"box"_qs << QStringList{u"box"_qs, u"box/A"_qs, u"box/a"_qs};
}

void TestTransfers::hostileManifestIsRefused()
{
    QFETCH(QString, name);
    QFETCH(QStringList, paths);
    makeSides();
    // A Pigeon that is no contact (Alice would answer that she knows no such transfer) offers a manifest holding the
    // hostile path; Bob accepts and fetches it.
    const Endpoint mallory{QHostAddress(QStringLiteral("127.0.3.8")), 2425};
    QList<filewire::Entry> entries;
    for (const QString& path : std::as_const(paths)) {
        const bool folder = path == name;
        entries.append({path, folder, folder ? 0u : 1u,
                        folder ? QByteArray() : QCryptographicHash::hash("x", QCryptographicHash::Sha256)});
    }
    const QByteArray manifest = filewire::encodeManifest(entries);
    quint64 total = 0;
    quint32 files = 0;
    for (const filewire::Entry& e : std::as_const(entries)) {
        total += e.size;
        files += e.folder ? 0 : 1;
    }
    const auto deliver = [&](const filewire::Payload& payload) {
        m_bobWire->deliver(ipmsgPacket(5, filewire::Mode, filewire::encode(payload), "alice", "a", "1_pigeon 0.1.0"),
                           mallory);
    };
    constexpr quint64 Id = 99;
    deliver(filewire::Offer{Id, name, total, files, quint32(manifest.size()),
                            QCryptographicHash::hash(manifest, QCryptographicHash::Sha256)});
    QTRY_VERIFY(m_bob->transfers.info(Id));
    QString error;
    QVERIFY2(m_bob->transfers.accept(Id, &error), qPrintable(error));
    for (qsizetype at = 0; at < manifest.size(); at += filewire::ChunkBytes)
        deliver(filewire::Data{Id, quint64(at), manifest.mid(at, filewire::ChunkBytes)});
    QTRY_COMPARE(m_bob->transfers.info(Id)->state, TransferState::Failed);
    QVERIFY(!m_bob->transfers.info(Id)->error.isEmpty());
    // Nothing was created, inside the download folder or beside it.
    QCOMPARE(
        QDir(m_bobDir + QStringLiteral("/downloads")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
        QStringList());
    QVERIFY(!QFileInfo::exists(m_bobDir + QStringLiteral("/evil")));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("evil"))));
}

void TestTransfers::fullDiskLeavesNothingUnderTheFinalName()
{
    // The receiving side runs in a child process whose files may not grow past 2 MiB (RLIMIT_FSIZE): its writes
    // fail with EFBIG as on a full disk.
    QProcess child;
    child.setProgram(QCoreApplication::applicationFilePath());
    child.setArguments({QStringLiteral("--full-disk-child"), m_dir->path()});
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    child.start();
    QVERIFY(child.waitForFinished(60000));
    QCOMPARE(child.exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.exitCode(), 0);
    const QString downloads = m_dir->filePath(QStringLiteral("bob/downloads"));
    QVERIFY(QDir(downloads).exists());
    QCOMPARE(QDir(downloads).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
}

void TestTransfers::offerLargerThanTheFreeSpaceIsRefused()
{
    // An offer (straight from Alice's engine: no such file exists) one byte larger than the whole file system that
    // holds Bob's download folder: whatever is free there, it cannot fit.
    makeSides();
    const QString downloads = m_bobDir + QStringLiteral("/downloads");
    QVERIFY(QDir().mkpath(downloads));
    const QStorageInfo storage(downloads);
    QVERIFY(storage.isValid() && storage.bytesTotal() > 0);
    const quint64 size = quint64(storage.bytesTotal()) + 1;
    const QByteArray manifest =
        filewire::encodeManifest({{QStringLiteral("huge.iso"), false, size, QByteArray(32, 'h')}});
    constexpr quint64 Id = 0x5eed'0001;
    // Bob accepts as the offer shows (Alice's engine knows no such transfer and soon says so to Bob's Pending).
    QString error;
    bool accepted = true;
    int offered = 0;
    TransferState after = TransferState::Done;
    connect(&m_bob->transfers, &Transfers::offered, this, [&](const Transfers::Info& i) {
        ++offered;
        accepted = m_bob->transfers.accept(i.id, &error);
        after = m_bob->transfers.info(i.id)->state;
    });
    m_alice->messenger.sendFilePayload(
        filewire::encode(filewire::Offer{Id, QStringLiteral("huge.iso"), size, 1, quint32(manifest.size()),
                                         QCryptographicHash::hash(manifest, QCryptographicHash::Sha256)}),
        BobAt);
    QTRY_COMPARE(offered, 1);
    QVERIFY(!accepted);
    // The reason names the file, what it needs and what is free.
    QVERIFY2(error.contains(QStringLiteral("huge.iso")) && error.contains(QString::number(size)) &&
                 error.contains(QStringLiteral("free")),
             qPrintable(error));
    // Still an offer (the user may free space, or choose another folder), and nothing was created for it.
    QCOMPARE(after, TransferState::Offered);
    QCOMPARE(QDir(downloads).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
    // Nothing was asked of Alice: no Accept left Bob.
    for (const FakeTransport::Sent& sent : std::as_const(m_bobWire->sent)) {
        const auto packet = ipmsg::decode(sent.data).packet;
        if (!packet || packet->mode() != filewire::Mode)
            continue;
        const auto payload = filewire::decode(packet->extension);
        QVERIFY(payload && !std::holds_alternative<filewire::Accept>(*payload));
    }
}

// The child of fullDiskLeavesNothingUnderTheFinalName: both sides in one process under the file-size limit (the
// source is written before the limit). Exit 0 when the receiver failed with the write error and nothing is under the
// final name.
static int fullDiskChild(const QString& dir)
{
    const QByteArray content = randomBytes(6 << 20, 5);
    const QString source = dir + QStringLiteral("/alice/full.bin");
    if (!writeFile(source, content))
        return 2;
    FakeNetwork network;
    FakeTransport aliceWire(AliceAt, &network);
    FakeTransport bobWire(BobAt, &network);
    network.attach(&aliceWire);
    network.attach(&bobWire);
    Side alice(&aliceWire, dir + QStringLiteral("/alice"), QStringLiteral("Alice"),
               contact(QStringLiteral("Bob"), BobAt), {}, 1);
    Side bob(&bobWire, dir + QStringLiteral("/bob"), QStringLiteral("Bob"), contact(QStringLiteral("Alice"), AliceAt),
             {}, 2);
    QDir().mkpath(dir + QStringLiteral("/bob/downloads"));
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{2 << 20, 2 << 20};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0)
        return 3;
    if (!QTest::qWaitFor([&] { return alice.messenger.route(QStringLiteral("Bob")).isPigeon; }, 5000))
        return 4;
    const quint64 id = alice.transfers.offer(QStringLiteral("Bob"), source);
    if (!QTest::qWaitFor([&] { return bob.transfers.info(id).has_value(); }, 5000) || !bob.transfers.accept(id))
        return 5;
    if (!QTest::qWaitFor([&] { return bob.transfers.info(id)->state == TransferState::Failed; }, 20000))
        return 6;
    // A clear reason: the file and the system's words for the write error (EFBIG under the limit).
    const QString reason = bob.transfers.info(id)->error;
    qInfo("receiver: %s", qPrintable(reason));
    if (!reason.contains(QStringLiteral("full.bin")) || !reason.contains(QString::fromLocal8Bit(strerror(EFBIG))))
        return 9;
    if (!QTest::qWaitFor([&] { return alice.transfers.info(id)->state == TransferState::Failed; }, 5000))
        return 7;
    // The sender is told why.
    if (alice.transfers.info(id)->error != reason)
        return 10;
    return QFileInfo::exists(dir + QStringLiteral("/bob/downloads/full.bin")) ? 8 : 0;
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && qstrcmp(argv[1], "--full-disk-child") == 0)
        return fullDiskChild(QString::fromLocal8Bit(argv[2]));
    TestTransfers test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_transfers.moc"
