// Files with the IP Messenger family (issue 11), end to end over loopback: a Pigeon engine with its Transfers, and a
// scripted peer written from IP Messenger's protocol document and iptux's behaviour (a UDP socket and a TCP server on
// the same port of 127.0.0.1). Both directions, a folder, a GBK name, a resume, a withdrawn and a declined offer,
// hostile offers and folder streams, and requests from the wrong address or for numbers never offered.
#include "ipmsgfilewire.h"
#include "ipmsgtransfers.h"
#include "netfixture.h"
#include "testfiles.h"
#include "transfers.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

Q_DECLARE_METATYPE(TextEncoding)

namespace {

constexpr quint32 Offer = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::FileAttachOpt;

// Every entry under `folder`, relative, with its contents ("dir" for a folder).
QMap<QString, QByteArray> contents(const QString& folder)
{
    QMap<QString, QByteArray> out;
    QDirIterator it(folder, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        out.insert(QDir(folder).relativeFilePath(path), QFileInfo(path).isDir() ? QByteArray("dir") : readFile(path));
    }
    return out;
}

// A folder stream header as iptux writes one, made here from the protocol document (not by the codec under test):
// 4 hex digits of header size, name, size and attr in hex, then ':'.
QByteArray header(const QByteArray& name, const QByteArray& sizeHex, int attr)
{
    const QByteArray rest = ':' + name + ':' + sizeHex + ':' + QByteArray::number(attr, 16) + ':';
    return QByteArray::number(rest.size() + 4, 16).rightJustified(4, '0') + rest;
}

QByteArray header(const QByteArray& name, qsizetype size, int attr)
{
    return header(name, QByteArray::number(size, 16), attr);
}

} // namespace

class TestIpmsgTransfers final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void receivesAFile_data();
    void receivesAFile();
    void receivesAFolder();
    void resumesABrokenFile_data();
    void resumesABrokenFile();
    void resumesAfterARestart();
    void hostileStreamLeavesNothing_data();
    void hostileStreamLeavesNothing();
    void offerShownButRefused_data();
    void offerShownButRefused();
    void withdrawnWithReleaseFiles();
    void declineSendsReleaseFiles();
    void sendsAFile_data();
    void sendsAFile();
    void sendsAFolder();
    void answersOnlyWhatItOffered();
    void stalledConnectionsAreGivenUp();

private:
    // The scripted peer: `version` in its packets; `answer` handles each TCP request (the socket, the request bytes).
    void makePeer(const QByteArray& version = QByteArrayLiteral("1_iptux 0.8.3"));
    quint64 offer(const QByteArray& list, quint32 options = 0);
    // The peer says BR_ENTRY and waits for Pigeon's ANSENTRY: Pigeon then knows it is no Pigeon.
    void introducePeer();
    Transfers::Info waitForOffer();
    Transfers::Info waitForEnd(quint64 id);
    // Connects to Pigeon's TCP side from `from`, writes `request`, returns what comes back before the close.
    QByteArray fetch(const QByteArray& request, const QHostAddress& from = Loopback);
    QByteArray requestPacket(quint32 command, const QByteArray& extension);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PigeonNode> m_node;
    std::unique_ptr<Transfers> m_transfers;
    std::unique_ptr<RawPeer> m_peer;
    std::unique_ptr<QTcpServer> m_tcp;
    std::function<void(QTcpSocket*, const QByteArray&)> m_answer;
    QList<QByteArray> m_requests;
    QString m_downloads;
};

void TestIpmsgTransfers::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_node = std::make_unique<PigeonNode>(m_dir->path(), QStringLiteral("Pigeon"));
    QVERIFY(m_node->ok);
    m_node->start();
    m_transfers = std::make_unique<Transfers>(m_node->messenger.get(), &m_node->history);
    m_downloads = m_dir->filePath(QStringLiteral("downloads"));
    m_transfers->setDownloadFolder(m_downloads);
    m_transfers->start();
    m_requests.clear();
    m_answer = {};
}

void TestIpmsgTransfers::cleanup()
{
    m_transfers.reset();
    m_tcp.reset();
    m_peer.reset();
    m_node.reset();
    m_dir.reset();
}

void TestIpmsgTransfers::makePeer(const QByteArray& version)
{
    m_peer = std::make_unique<RawPeer>(version);
    QVERIFY(m_peer->bound);
    m_tcp = std::make_unique<QTcpServer>();
    QVERIFY2(m_tcp->listen(Loopback, m_peer->endpoint().port), qPrintable(m_tcp->errorString()));
    connect(m_tcp.get(), &QTcpServer::newConnection, m_tcp.get(), [this] {
        while (QTcpSocket* socket = m_tcp->nextPendingConnection()) {
            auto* request = new QByteArray;
            connect(socket, &QTcpSocket::destroyed, socket, [request] { delete request; });
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket, request] {
                if (request->contains('\0'))
                    return;
                *request += socket->readAll();
                if (request->contains('\0')) {
                    m_requests.append(*request);
                    if (m_answer)
                        m_answer(socket, *request);
                }
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

quint64 TestIpmsgTransfers::offer(const QByteArray& list, quint32 options)
{
    return m_peer->send(Offer | options, QByteArray(1, '\0') + list, m_node->endpoint());
}

void TestIpmsgTransfers::introducePeer()
{
    m_peer->send(ipmsg::BrEntry, QByteArrayLiteral("tux\0penguins\0icon-tux.png\0utf-8"), m_node->endpoint());
    QTRY_VERIFY(!m_peer->withMode(ipmsg::AnsEntry).isEmpty());
}

Transfers::Info TestIpmsgTransfers::waitForOffer()
{
    QSignalSpy offered(m_transfers.get(), &Transfers::offered);
    if (!offered.wait(5000))
        return {};
    return offered.first().first().value<Transfers::Info>();
}

Transfers::Info TestIpmsgTransfers::waitForEnd(quint64 id)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10'000) {
        const auto info = m_transfers->info(id);
        if (info && info->state != TransferState::Offered && info->state != TransferState::Moving)
            return *info;
        QTest::qWait(10);
    }
    return m_transfers->info(id).value_or(Transfers::Info{});
}

QByteArray TestIpmsgTransfers::requestPacket(quint32 command, const QByteArray& extension)
{
    return "1_iptux 0.8.3:900:tux:penguin:" + QByteArray::number(command) + ':' + extension + '\0';
}

QByteArray TestIpmsgTransfers::fetch(const QByteArray& request, const QHostAddress& from)
{
    QTcpSocket socket;
    if (!socket.bind(from))
        return "bind failed";
    QByteArray got;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { got += socket.readAll(); });
    socket.connectToHost(m_node->endpoint().address, m_node->endpoint().port);
    if (!socket.waitForConnected(3000))
        return {}; // refused: nothing served either
    socket.write(request);
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    if (socket.state() == QAbstractSocket::ConnectedState && !closed.wait(5000))
        return "never closed";
    got += socket.readAll();
    return got;
}

void TestIpmsgTransfers::receivesAFile_data()
{
    QTest::addColumn<QByteArray>("wireName");
    QTest::addColumn<quint32>("options");
    QTest::addColumn<QString>("name");
    QTest::newRow("iptux, UTF-8 without UTF8OPT")
        << QByteArray("报告 2024.pdf") << 0u << QStringLiteral("报告 2024.pdf");
    QTest::newRow("IP Messenger, UTF8OPT")
        << QByteArray("résumé.txt") << ipmsg::Utf8Opt << QStringLiteral("résumé.txt");
    QTest::newRow("FeiQ, GBK") << QByteArray("\xb1\xa8\xb8\xe6.txt") << 0u << QStringLiteral("报告.txt");
}

void TestIpmsgTransfers::receivesAFile()
{
    QFETCH(QByteArray, wireName);
    QFETCH(quint32, options);
    QFETCH(QString, name);
    makePeer();
    const QByteArray content = randomBytes(300'000, 7);
    m_answer = [&](QTcpSocket* socket, const QByteArray&) {
        socket->write(content);
        socket->disconnectFromHost();
    };
    const quint64 no =
        offer("0:" + wireName + ':' + QByteArray::number(content.size(), 16) + ":6790a1b2:1:\a", options);
    const Transfers::Info offered = waitForOffer();
    QCOMPARE(offered.name, name);
    QCOMPARE(offered.totalBytes, quint64(content.size()));
    QCOMPARE(offered.state, TransferState::Offered);
    QTRY_VERIFY(!m_peer->withMode(ipmsg::RecvMsg).isEmpty()); // the offer was acknowledged
    QString error;
    QVERIFY2(m_transfers->accept(offered.id, &error), qPrintable(error));
    const Transfers::Info done = waitForEnd(offered.id);
    QCOMPARE(done.state, TransferState::Done);
    QCOMPARE(m_requests.size(), 1);
    const auto request = ipmsg::decode(m_requests.first()).packet;
    QVERIFY(request);
    QCOMPARE(request->mode(), ipmsg::GetFileData);
    QCOMPARE(request->text(), QByteArray::number(no, 16) + ":0:0");
    QCOMPARE(done.saved, QDir(m_downloads).filePath(name));
    QCOMPARE(readFile(done.saved), content);
    QCOMPARE(contents(m_downloads).keys(), QStringList{name});
}

void TestIpmsgTransfers::receivesAFolder()
{
    makePeer();
    const QByteArray big = randomBytes(100'000, 3);
    const QByteArray stream = header("docs", 0, 2) + header("a.txt", 5, 1) + "hello" + header("sub", 0, 2) +
                              header("b.bin", big.size(), 1) + big + header("empty", 0, 2) + header(".", 0, 3) +
                              header("c.txt", 0, 1) + header(".", 0, 3) + header(".", 0, 3);
    m_answer = [&](QTcpSocket* socket, const QByteArray&) {
        // In small pieces, so that headers arrive split.
        for (qsizetype at = 0; at < stream.size(); at += 7000)
            socket->write(stream.mid(at, 7000));
        socket->disconnectFromHost();
    };
    const quint64 no = offer("3:docs:0:6790a1b2:2:\a");
    const Transfers::Info offered = waitForOffer();
    QCOMPARE(offered.name, QStringLiteral("docs"));
    QVERIFY(m_transfers->accept(offered.id));
    const Transfers::Info done = waitForEnd(offered.id);
    QCOMPARE(done.state, TransferState::Done);
    const auto request = ipmsg::decode(m_requests.value(0)).packet;
    QVERIFY(request);
    QCOMPARE(request->mode(), ipmsg::GetDirFiles);
    QCOMPARE(request->text(), QByteArray::number(no, 16) + ":3");
    const QMap<QString, QByteArray> expected{
        {QStringLiteral("docs"), "dir"},           {QStringLiteral("docs/a.txt"), "hello"},
        {QStringLiteral("docs/sub"), "dir"},       {QStringLiteral("docs/sub/b.bin"), big},
        {QStringLiteral("docs/sub/empty"), "dir"}, {QStringLiteral("docs/sub/c.txt"), ""}};
    QCOMPARE(contents(m_downloads), expected);
    QCOMPARE(done.files, 3u);
    QCOMPARE(done.totalBytes, quint64(5 + big.size()));
}

void TestIpmsgTransfers::resumesABrokenFile_data()
{
    QTest::addColumn<QByteArray>("version");
    QTest::addColumn<bool>("resumesAtOffset");
    QTest::newRow("FeiQ: from the offset") << QByteArray("1_lbt6_0#128#000C29D0A3C5#0#0#0#4001#9") << true;
    // iptux 0.8.3 sends from 0 whatever the offset (SendFileData::SendRegularFile): asked from 0.
    QTest::newRow("iptux: from the start") << QByteArray("1_iptux 0.8.3") << false;
}

void TestIpmsgTransfers::resumesABrokenFile()
{
    QFETCH(QByteArray, version);
    QFETCH(bool, resumesAtOffset);
    makePeer(version);
    const QByteArray content = randomBytes(200'000, 11);
    constexpr qsizetype Broken = 80'000;
    int connections = 0;
    m_answer = [&](QTcpSocket* socket, const QByteArray& request) {
        const auto p = ipmsg::decode(request).packet;
        const quint64 from = p ? p->text().split(':').value(2).toULongLong(nullptr, 16) : 0;
        // The first connection breaks after 80000 bytes; later ones send from where they were asked.
        socket->write(++connections == 1 ? content.first(Broken) : content.mid(qsizetype(from)));
        socket->disconnectFromHost();
    };
    const quint64 no = offer("0:big.bin:" + QByteArray::number(content.size(), 16) + ":0:1:\a");
    const Transfers::Info offered = waitForOffer();
    QVERIFY(m_transfers->accept(offered.id));
    const Transfers::Info done = waitForEnd(offered.id);
    QCOMPARE(done.state, TransferState::Done);
    QCOMPARE(m_requests.size(), 2);
    QCOMPARE(ipmsg::decode(m_requests[1]).packet->text(),
             QByteArray::number(no, 16) + ":0:" + (resumesAtOffset ? QByteArray("13880") : QByteArray("0")));
    QCOMPARE(readFile(done.saved), content);
}

// Pigeon stops in the middle of a file and starts again: it asks for the rest from what it had flushed.
void TestIpmsgTransfers::resumesAfterARestart()
{
    makePeer("1_lbt6_0#128#000C29D0A3C5#0#0#0#4001#9");
    const QByteArray content = randomBytes(200'000, 13);
    int connections = 0;
    m_answer = [&](QTcpSocket* socket, const QByteArray& request) {
        const auto p = ipmsg::decode(request).packet;
        const quint64 from = p ? p->text().split(':').value(2).toULongLong(nullptr, 16) : 0;
        // The first connection stalls after 50000 bytes (and stays open); the next sends from where it was asked.
        if (++connections == 1) {
            socket->write(content.first(50'000));
            return;
        }
        socket->write(content.mid(qsizetype(from)));
        socket->disconnectFromHost();
    };
    const quint64 no = offer("0:big.bin:" + QByteArray::number(content.size(), 16) + ":0:1:\a");
    const Transfers::Info offered = waitForOffer();
    QVERIFY(m_transfers->accept(offered.id));
    QTRY_COMPARE(m_transfers->info(offered.id)->doneBytes, quint64(50'000));
    // The window's thread reads transfersWith(): it shows the live transfer, not the row as last stored.
    const QList<Transfers::Info> thread = m_transfers->transfersWith(offered.peer);
    QCOMPARE(thread.size(), 1);
    QCOMPARE(thread.first().id, offered.id);
    QCOMPARE(thread.first().state, TransferState::Moving);
    QCOMPARE(thread.first().doneBytes, quint64(50'000));
    m_transfers->stop();
    m_transfers.reset();
    m_transfers = std::make_unique<Transfers>(m_node->messenger.get(), &m_node->history);
    m_transfers->setDownloadFolder(m_downloads);
    m_transfers->start();
    const Transfers::Info done = waitForEnd(offered.id);
    QCOMPARE(done.state, TransferState::Done);
    QCOMPARE(m_requests.size(), 2);
    QCOMPARE(ipmsg::decode(m_requests[1]).packet->text(), QByteArray::number(no, 16) + ":0:c350");
    QCOMPARE(readFile(done.saved), content);
}

void TestIpmsgTransfers::hostileStreamLeavesNothing_data()
{
    QTest::addColumn<QByteArray>("list");
    QTest::addColumn<QByteArray>("stream");
    const QByteArray docs = "0:docs:0:0:2:\a";
    const QByteArray root = header("docs", 0, 2);
    QTest::newRow("a folder named ..") << docs << root + header("..", 0, 2) + header("evil.txt", 3, 1) + "bad";
    QTest::newRow("a name with /..") << docs << root + header("a/../../evil.txt", 3, 1) + "bad";
    QTest::newRow("an absolute name") << docs << root + header("/tmp/evil.txt", 3, 1) + "bad";
    QTest::newRow("a control character") << docs << root + header("bad\x1b[2Jname", 3, 1) + "bad";
    QTest::newRow("a negative size") << docs << root + header("evil.txt", QByteArray("-1"), 1) + "bad";
    QTest::newRow("a huge size") << docs << root + header("evil.txt", QByteArray("7fffffffffffffff"), 1) + "bad";
    QTest::newRow("a header over 64 KiB") << docs << root + "10001:" + QByteArray(70'000, 'a');
    QTest::newRow("a header size that is no number") << docs << root + "zzzz:evil.txt:3:1:bad";
    QTest::newRow("closed in the middle of a file") << docs << root + header("evil.txt", 100, 1) + "only ten b";
    QTest::newRow("closed before the folder ends") << docs << root + header("evil.txt", 3, 1) + "bad";
    QTest::newRow("the same name twice") << docs
                                         << root + header("evil.txt", 3, 1) + "bad" + header("EVIL.txt", 3, 1) + "bad" +
                                                header(".", 0, 3);
    QTest::newRow("a stream without its folder") << docs << header("evil.txt", 3, 1) + "bad" + header(".", 0, 3);
    QTest::newRow("a file longer than offered") << QByteArray("0:evil.txt:3:0:1:\a") << QByteArray("badbadbad");
    QTest::newRow("a file that stays short") << QByteArray("0:evil.txt:a:0:1:\a") << QByteArray("bad");
}

void TestIpmsgTransfers::hostileStreamLeavesNothing()
{
    QFETCH(QByteArray, list);
    QFETCH(QByteArray, stream);
    makePeer("1_lbt6_0#128#000C29D0A3C5#0#0#0#4001#9");
    int connections = 0;
    m_answer = [&](QTcpSocket* socket, const QByteArray&) {
        // A resumed file gets nothing more.
        if (++connections == 1)
            socket->write(stream);
        socket->disconnectFromHost();
    };
    offer(list);
    const Transfers::Info offered = waitForOffer();
    QVERIFY(m_transfers->accept(offered.id));
    const Transfers::Info done = waitForEnd(offered.id);
    QCOMPARE(done.state, TransferState::Failed);
    QVERIFY(!done.error.isEmpty());
    // Nothing under the final name, no temporary file left, nothing outside the download folder.
    QCOMPARE(contents(m_downloads), (QMap<QString, QByteArray>{}));
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("evil.txt"))));
    QVERIFY(!QFileInfo::exists(QStringLiteral("/tmp/evil.txt")));
    // The sender hears that the receiver gave up.
    QTRY_VERIFY(!m_peer->withMode(ipmsg::ReleaseFiles).isEmpty());
}

void TestIpmsgTransfers::offerShownButRefused_data()
{
    QTest::addColumn<QByteArray>("list");
    QTest::addColumn<QString>("name");
    QTest::newRow("a kind Pigeon does not take") << QByteArray("0:fifo:0:0:7:\a") << QStringLiteral("fifo");
    QTest::newRow("a name that is ..") << QByteArray("0:..:5:0:1:\a") << QStringLiteral("..");
    QTest::newRow("a name with a slash") << QByteArray("0:a/b:5:0:1:\a") << QStringLiteral("a/b");
    // "::" is a colon, which no name may hold (safename.h: Windows peers of the user could not have it).
    QTest::newRow("a name with a colon") << QByteArray("0:a::b.txt:5:0:1:\a") << QStringLiteral("a:b.txt");
    QTest::newRow("a list that cannot be read") << QByteArray("zero:x") << QStringLiteral("files from 127.0.0.1:%1");
}

void TestIpmsgTransfers::offerShownButRefused()
{
    QFETCH(QByteArray, list);
    QFETCH(QString, name);
    makePeer();
    QSignalSpy finished(m_transfers.get(), &Transfers::finished);
    offer(list);
    const Transfers::Info offered = waitForOffer();
    QCOMPARE(offered.name, name.contains(u'%') ? name.arg(m_peer->endpoint().port) : name);
    QTRY_COMPARE(finished.size(), 1);
    const auto info = finished.first().first().value<Transfers::Info>();
    QCOMPARE(info.state, TransferState::Failed);
    QVERIFY(!info.error.isEmpty());
    QVERIFY(!m_transfers->accept(offered.id));
}

void TestIpmsgTransfers::withdrawnWithReleaseFiles()
{
    makePeer();
    const quint64 no = offer("0:report.pdf:1f400:6790a1b2:1:\a");
    const Transfers::Info offered = waitForOffer();
    m_peer->send(ipmsg::ReleaseFiles, QByteArray::number(no), m_node->endpoint());
    QTRY_COMPARE(m_transfers->info(offered.id)->state, TransferState::Cancelled);
    QVERIFY(!m_transfers->accept(offered.id));
}

void TestIpmsgTransfers::declineSendsReleaseFiles()
{
    makePeer();
    const quint64 no = offer("0:report.pdf:1f400:6790a1b2:1:\a");
    const Transfers::Info offered = waitForOffer();
    QVERIFY(m_transfers->decline(offered.id));
    QTRY_COMPARE(m_peer->withMode(ipmsg::ReleaseFiles).size(), 1);
    QCOMPARE(m_peer->withMode(ipmsg::ReleaseFiles).first().text(), QByteArray::number(no));
    QCOMPARE(m_transfers->info(offered.id)->state, TransferState::Declined);
    QVERIFY(m_requests.isEmpty());
}

void TestIpmsgTransfers::sendsAFile_data()
{
    QTest::addColumn<TextEncoding>("encoding");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("wireName");
    QTest::addColumn<bool>("utf8opt");
    QTest::addColumn<qsizetype>("offset");
    QTest::newRow("UTF-8") << TextEncoding::Utf8 << QStringLiteral("报告.bin") << QByteArray("报告.bin") << true
                           << qsizetype(0);
    QTest::newRow("a GBK contact") << TextEncoding::Gbk << QStringLiteral("报告.bin")
                                   << QByteArray("\xb1\xa8\xb8\xe6.bin") << false << qsizetype(0);
    QTest::newRow("from an offset") << TextEncoding::Utf8 << QStringLiteral("report v2.bin")
                                    << QByteArray("report v2.bin") << true << qsizetype(123'456);
}

void TestIpmsgTransfers::sendsAFile()
{
    QFETCH(TextEncoding, encoding);
    QFETCH(QString, name);
    QFETCH(QByteArray, wireName);
    QFETCH(bool, utf8opt);
    QFETCH(qsizetype, offset);
    makePeer();
    m_peer->autoAck = true;
    m_node->addContact(QStringLiteral("tux"), m_peer->endpoint(), Protocol::IpMsg, encoding);
    introducePeer();
    const QByteArray content = randomBytes(400'000, 5);
    const QString path = m_dir->filePath(QStringLiteral("out/") + name);
    QVERIFY(writeFile(path, content));
    QString error;
    const quint64 id = m_transfers->offer(QStringLiteral("tux"), path, &error);
    QVERIFY2(id, qPrintable(error));
    QTRY_COMPARE(m_peer->withMode(ipmsg::SendMsg).size(), 1);
    const ipmsg::Packet offerPacket = m_peer->withMode(ipmsg::SendMsg).first();
    QVERIFY(offerPacket.has(ipmsg::FileAttachOpt));
    QCOMPARE(offerPacket.has(ipmsg::Utf8Opt), utf8opt);
    const QByteArray list = offerPacket.extension.mid(offerPacket.extension.indexOf('\0') + 1);
    const QByteArray mtime = QByteArray::number(QFileInfo(path).lastModified().toSecsSinceEpoch(), 16);
    QCOMPARE(list.left(list.indexOf('\a') + 1), "0:" + wireName + ":61a80:" + mtime + ":1:\a");
    QCOMPARE(m_transfers->info(id)->state, TransferState::Offered);
    const QByteArray got = fetch(requestPacket(ipmsg::GetFileData, QByteArray::number(offerPacket.packetNo, 16) +
                                                                       ":0:" + QByteArray::number(offset, 16)));
    QCOMPARE(got.size(), content.size() - offset);
    QCOMPARE(got, content.mid(offset));
    QTRY_COMPARE(m_transfers->info(id)->state, TransferState::Done);
    // Nothing offered any more: a connection is refused, or closed without a byte.
    QTcpSocket late;
    QSignalSpy ended(&late, &QTcpSocket::disconnected);
    QSignalSpy refused(&late, &QTcpSocket::errorOccurred);
    late.connectToHost(m_node->endpoint().address, m_node->endpoint().port);
    QTRY_VERIFY(!ended.isEmpty() || !refused.isEmpty());
    QCOMPARE(late.bytesAvailable(), 0);
}

void TestIpmsgTransfers::sendsAFolder()
{
    makePeer();
    m_peer->autoAck = true;
    m_node->addContact(QStringLiteral("tux"), m_peer->endpoint());
    introducePeer();
    const QString root = m_dir->filePath(QStringLiteral("out/docs"));
    const QByteArray big = randomBytes(150'000, 9);
    QVERIFY(writeFile(root + QStringLiteral("/a.txt"), "hello"));
    QVERIFY(writeFile(root + QStringLiteral("/sub/b.bin"), big));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/sub/empty")));
    const quint64 id = m_transfers->offer(QStringLiteral("tux"), root);
    QVERIFY(id);
    QTRY_COMPARE(m_peer->withMode(ipmsg::SendMsg).size(), 1);
    const ipmsg::Packet offerPacket = m_peer->withMode(ipmsg::SendMsg).first();
    const QByteArray list = offerPacket.extension.mid(offerPacket.extension.indexOf('\0') + 1);
    QVERIFY(list.startsWith(QByteArray("0:docs:" + QByteArray::number(5 + big.size(), 16) + ':')));
    QVERIFY(list.endsWith(":2:\a"));
    const QByteArray stream = fetch(requestPacket(ipmsg::GetDirFiles | ipmsg::FileAttachOpt,
                                                  QByteArray::number(offerPacket.packetNo, 16) + ":0:0"));
    // Read back as a receiver would: headers, contents, RETPARENT closing each folder.
    QMap<QString, QByteArray> got;
    QStringList folders;
    qsizetype at = 0;
    while (at < stream.size()) {
        ipmsgfiles::Header h;
        qsizetype used = 0;
        QCOMPARE(ipmsgfiles::parseHeader(QByteArrayView(stream).sliced(at), &h, &used), ipmsgfiles::ParseStatus::Ok);
        at += used;
        if (h.kind() == ipmsgfiles::KindReturnParent) {
            folders.removeLast();
            continue;
        }
        const QString path = (folders + QStringList{QString::fromUtf8(h.name)}).join(u'/');
        if (h.kind() == ipmsgfiles::KindDirectory) {
            folders.append(QString::fromUtf8(h.name));
            got.insert(path, "dir");
        } else {
            got.insert(path, stream.mid(at, qsizetype(h.size)));
            at += qsizetype(h.size);
        }
    }
    QVERIFY(folders.isEmpty());
    const QMap<QString, QByteArray> expected{{QStringLiteral("docs"), "dir"},
                                             {QStringLiteral("docs/a.txt"), "hello"},
                                             {QStringLiteral("docs/sub"), "dir"},
                                             {QStringLiteral("docs/sub/b.bin"), big},
                                             {QStringLiteral("docs/sub/empty"), "dir"}};
    QCOMPARE(got, expected);
    QTRY_COMPARE(m_transfers->info(id)->state, TransferState::Done);
}

void TestIpmsgTransfers::answersOnlyWhatItOffered()
{
    makePeer();
    m_node->addContact(QStringLiteral("tux"), m_peer->endpoint());
    const QByteArray content = randomBytes(1000, 1);
    const QString path = m_dir->filePath(QStringLiteral("out/f.bin"));
    QVERIFY(writeFile(path, content));
    // Not heard from yet: it could be a Pigeon, which never gets this protocol.
    QString error;
    QVERIFY(!m_transfers->offer(QStringLiteral("tux"), path, &error));
    QVERIFY(error.contains(QStringLiteral("not been heard from")));
    QVERIFY(m_peer->withMode(ipmsg::SendMsg).isEmpty());
    introducePeer();
    const quint64 id = m_transfers->offer(QStringLiteral("tux"), path);
    QVERIFY(id);
    QTRY_VERIFY(!m_peer->withMode(ipmsg::SendMsg).isEmpty());
    const QByteArray no = QByteArray::number(m_peer->withMode(ipmsg::SendMsg).first().packetNo, 16);
    // Another address (no offer to it), another packet number, another file ID, a folder request for a file, an
    // offset past the end, garbage: all closed without a byte.
    QCOMPARE(fetch(requestPacket(ipmsg::GetFileData, no + ":0:0"), QHostAddress(QStringLiteral("127.0.0.5"))),
             QByteArray());
    QCOMPARE(fetch(requestPacket(ipmsg::GetFileData, "1:0:0")), QByteArray());
    QCOMPARE(fetch(requestPacket(ipmsg::GetFileData, no + ":1:0")), QByteArray());
    QCOMPARE(fetch(requestPacket(ipmsg::GetDirFiles, no + ":0")), QByteArray());
    QCOMPARE(fetch(requestPacket(ipmsg::GetFileData, no + ":0:3e9")), QByteArray());
    QCOMPARE(fetch(QByteArray("GET / HTTP/1.0\r\n\r\n") + QByteArray(3000, 'x')), QByteArray());
    QCOMPARE(m_transfers->info(id)->state, TransferState::Offered);
    // The receiver declines: nothing is served after that.
    m_peer->send(ipmsg::ReleaseFiles, QByteArray::number(m_peer->withMode(ipmsg::SendMsg).first().packetNo),
                 m_node->endpoint());
    QTRY_COMPARE(m_transfers->info(id)->state, TransferState::Declined);
    QCOMPARE(fetch(requestPacket(ipmsg::GetFileData, no + ":0:0")), QByteArray());
}

// A sender that stops sending, and a receiver that never asks: both connections are given up after the idle time.
void TestIpmsgTransfers::stalledConnectionsAreGivenUp()
{
    makePeer("1_lbt6_0#128#000C29D0A3C5#0#0#0#4001#9");
    // IpmsgTransfers alone, with a short idle time and no second try.
    m_transfers.reset();
    IpmsgTransfers files(m_node->messenger.get(), m_node->history.database());
    files.setDownloadFolder(m_downloads);
    IpmsgTransfers::Limits limits;
    limits.idleMs = 300;
    limits.resumes = 0;
    files.setLimits(limits);
    QSignalSpy offered(&files, &IpmsgTransfers::offered);
    QSignalSpy finished(&files, &IpmsgTransfers::finished);
    m_answer = [](QTcpSocket* socket, const QByteArray&) {
        socket->write("only ten b"); // and then nothing, the connection open
    };
    offer("0:slow.bin:64:0:1:\a");
    QVERIFY(offered.wait(5000));
    const auto id = offered.first().first().value<Transfers::Info>().id;
    QVERIFY(files.accept(id, nullptr, {}));
    QVERIFY(finished.wait(5000));
    const auto info = finished.first().first().value<Transfers::Info>();
    QCOMPARE(info.state, TransferState::Failed);
    QVERIFY2(info.error.contains(QStringLiteral("10 of 100")), qPrintable(info.error));
    QCOMPARE(contents(m_downloads), (QMap<QString, QByteArray>{}));

    // Sending: a connection that never says what it wants is closed.
    m_node->addContact(QStringLiteral("tux"), m_peer->endpoint());
    const QString path = m_dir->filePath(QStringLiteral("out/f.bin"));
    QVERIFY(writeFile(path, "0123456789"));
    QString error;
    QVERIFY2(files.offer(m_node->messenger->route(QStringLiteral("tux")), path, &error), qPrintable(error));
    QTcpSocket idle;
    QSignalSpy closed(&idle, &QTcpSocket::disconnected);
    idle.connectToHost(m_node->endpoint().address, m_node->endpoint().port);
    QVERIFY(closed.wait(5000));
    QCOMPARE(idle.bytesAvailable(), 0);
}

QTEST_GUILESS_MAIN(TestIpmsgTransfers)
#include "tst_ipmsgtransfers.moc"
