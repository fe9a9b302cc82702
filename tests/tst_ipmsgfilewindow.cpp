// Files with an IP Messenger peer in the desktop window (issue 11), offscreen: a real Session with its window on
// 127.0.0.1 and a scripted IPMsg peer (netfixture.h's RawPeer for the datagrams, a QTcpServer on the same port
// answering GETFILEDATA) written from the IP Messenger protocol document. An offer from a contact and from a stranger
// shows as a bubble, is accepted with a click and arrives whole; an entry Pigeon cannot take shows its name and why;
// a file dropped on an IPMsg contact's thread is offered with FILEATTACHOPT and served over TCP.

#include "conversationlistmodel.h"
#include "conversationmodel.h"
#include "filebubble.h"
#include "mainwindow.h"
#include "netfixture.h"
#include "session.h"
#include "testfiles.h"
#include "threadview.h"
#include "windowsession.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QDropEvent>
#include <QMimeData>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <functional>

namespace {

constexpr quint32 Offer = ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::FileAttachOpt;

} // namespace

class TestIpmsgFileWindow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void offerIsAcceptedInTheWindow_data();
    void offerIsAcceptedInTheWindow();
    void refusedEntryShowsNameAndReason();
    void waitingOfferIsListedAfterARestart();
    void droppedFileIsServedOverTcp();
    void notOfferedToAPeerNeverHeardFrom();

private:
    void openMine();
    // The peer's conversation key: the contact's name, or its address for a stranger.
    QString peerKey(bool contact) const;
    // The conversation list's row of `peer`, or an invalid index.
    QModelIndex listed(const QString& peer) const;
    QModelIndex newestBubble() const;
    static Transfers::Info infoOf(const QModelIndex& bubble);
    void click(FileBubble::Action action);
    // Drops the file at `path` on the open thread, as a file manager would.
    void drop(const QString& path);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Session> m_me;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<RawPeer> m_peer;
    QTcpServer m_tcp;
    // What the scripted peer answers on each TCP request that came in whole (up to its NUL).
    std::function<void(QTcpSocket*, const QByteArray&)> m_answer;
    QList<QByteArray> m_requests;
    quint16 m_myPort = 0; // kept across restarts, as the profile's port would be
};

void TestIpmsgFileWindow::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_myPort = 0;
    openMine();
    m_peer = std::make_unique<RawPeer>();
    QVERIFY(m_peer->bound);
    m_peer->autoAck = true;
    m_requests.clear();
    m_answer = {};
    QVERIFY2(m_tcp.listen(Loopback, m_peer->endpoint().port), qPrintable(m_tcp.errorString()));
    connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket* socket = m_tcp.nextPendingConnection()) {
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                if (socket->property("request").toByteArray().contains('\0'))
                    return;
                const QByteArray request = socket->property("request").toByteArray() + socket->readAll();
                socket->setProperty("request", request);
                if (request.contains('\0')) {
                    m_requests.append(request);
                    if (m_answer)
                        m_answer(socket, request);
                }
            });
        }
    });
}

void TestIpmsgFileWindow::openMine()
{
    Session::Options me{m_dir->filePath(QStringLiteral("me")), QHostAddress::LocalHost, m_myPort, QStringLiteral("Me")};
    me.downloads = m_dir->filePath(QStringLiteral("downloads"));
    QCOMPARE(reopenWithWindow(m_me, m_window, me), QString());
    m_myPort = m_me->transport().localEndpoint().port;
}

void TestIpmsgFileWindow::cleanup()
{
    m_window.reset();
    m_me.reset();
    m_tcp.close();
    disconnect(&m_tcp, nullptr, this, nullptr);
    m_peer.reset();
    m_dir.reset();
}

QString TestIpmsgFileWindow::peerKey(bool contact) const
{
    return contact ? QStringLiteral("tux") : QStringLiteral("127.0.0.1:%1").arg(m_peer->endpoint().port);
}

QModelIndex TestIpmsgFileWindow::listed(const QString& peer) const
{
    const ConversationListModel& list = m_window->conversations();
    for (int row = 0; row < list.rowCount(); ++row)
        if (list.index(row).data(ConversationListModel::PeerRole).toString() == peer)
            return list.index(row);
    return {};
}

QModelIndex TestIpmsgFileWindow::newestBubble() const
{
    const QAbstractItemModel* model = m_window->threadView()->model();
    for (int row = model->rowCount() - 1; row >= 0; --row)
        if (model->index(row, 0).data(ConversationModel::TransferRole).isValid())
            return model->index(row, 0);
    return {};
}

Transfers::Info TestIpmsgFileWindow::infoOf(const QModelIndex& bubble)
{
    return bubble.data(ConversationModel::TransferRole).value<Transfers::Info>();
}

void TestIpmsgFileWindow::click(FileBubble::Action action)
{
    ThreadView* view = m_window->threadView();
    QTRY_VERIFY(newestBubble().isValid());
    QTRY_VERIFY(view->viewport()->rect().contains(view->fileActionRect(newestBubble(), action)));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->fileActionRect(newestBubble(), action).center());
}

void TestIpmsgFileWindow::offerIsAcceptedInTheWindow_data()
{
    QTest::addColumn<bool>("contact");
    QTest::addColumn<QByteArray>("text"); // the message text before the attachment list
    QTest::newRow("from a contact, with text") << true << QByteArray("here");
    QTest::newRow("from a contact, the file alone") << true << QByteArray();
    QTest::newRow("from a stranger, with text") << false << QByteArray("here");
    QTest::newRow("from a stranger, the file alone") << false << QByteArray();
}

void TestIpmsgFileWindow::offerIsAcceptedInTheWindow()
{
    QFETCH(bool, contact);
    QFETCH(QByteArray, text);
    if (contact)
        QVERIFY(m_me->contacts()
                    .add(Contact{QStringLiteral("tux"), QStringLiteral("127.0.0.1"), m_peer->endpoint().port,
                                 Protocol::IpMsg, TextEncoding::Utf8})
                    .isEmpty());
    const QByteArray content = randomBytes(300'000, 21);
    m_answer = [&content](QTcpSocket* socket, const QByteArray&) {
        socket->write(content);
        socket->disconnectFromHost();
    };
    const quint64 no =
        m_peer->send(Offer, text + '\0' + "0:report.pdf:" + QByteArray::number(content.size(), 16) + ":6790a1b2:1:\a",
                     m_me->transport().localEndpoint());
    // The conversation is listed, marked unread, before the user opens it.
    const QString key = peerKey(contact);
    QTRY_VERIFY(listed(key).isValid());
    QTRY_VERIFY(listed(key).data(ConversationListModel::UnreadRole).toInt() > 0);
    if (text.isEmpty())
        QCOMPARE(listed(key).data(ConversationListModel::LastTextRole).toString(), QStringLiteral("[File] report.pdf"));
    m_window->openConversation(key);
    // Read once on screen.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTRY_COMPARE(listed(key).data(ConversationListModel::UnreadRole).toInt(), 0);
    QCOMPARE(m_window->conversations().totalUnread(), 0);
    QTRY_VERIFY(newestBubble().isValid());
    const Transfers::Info offered = infoOf(newestBubble());
    QCOMPARE(offered.name, QStringLiteral("report.pdf"));
    QCOMPARE(offered.totalBytes, quint64(content.size()));
    QCOMPARE(offered.state, TransferState::Offered);
    click(FileBubble::Action::Accept);
    QTRY_COMPARE(infoOf(newestBubble()).state, TransferState::Done);
    // Fetched with GETFILEDATA for that offer's packet, file 0, from offset 0.
    QCOMPARE(m_requests.size(), 1);
    const auto request = ipmsg::decode(m_requests.first()).packet;
    QVERIFY(request);
    QCOMPARE(request->mode(), ipmsg::GetFileData);
    QCOMPARE(request->text(), QByteArray::number(no, 16) + ":0:0");
    const Transfers::Info done = infoOf(newestBubble());
    QCOMPARE(done.doneBytes, quint64(content.size()));
    QCOMPARE(QFileInfo(done.saved).absolutePath(), QDir(m_dir->filePath(QStringLiteral("downloads"))).absolutePath());
    QCOMPARE(QCryptographicHash::hash(readFile(done.saved), QCryptographicHash::Sha256),
             QCryptographicHash::hash(content, QCryptographicHash::Sha256));
    QTRY_VERIFY(!m_window->threadView()->fileActionRect(newestBubble(), FileBubble::Action::Open).isEmpty());
}

void TestIpmsgFileWindow::refusedEntryShowsNameAndReason()
{
    // Attribute 7 is no kind the protocol document defines for an offer (1 file, 2 folder).
    m_peer->send(Offer, QByteArray("\0", 1) + "0:fifo:0:0:7:\a", m_me->transport().localEndpoint());
    const QString key = peerKey(false);
    QTRY_VERIFY(listed(key).isValid());
    m_window->openConversation(key);
    QTRY_VERIFY(newestBubble().isValid());
    QTRY_COMPARE(infoOf(newestBubble()).state, TransferState::Failed);
    const Transfers::Info info = infoOf(newestBubble());
    QCOMPARE(info.name, QStringLiteral("fifo"));
    QVERIFY(!info.error.isEmpty());
    // The bubble says why, and offers nothing to click.
    QVERIFY(FileBubble::statusText(info).contains(info.error));
    QVERIFY(FileBubble::actionsFor(info).isEmpty());
    QVERIFY(m_requests.isEmpty());
}

void TestIpmsgFileWindow::waitingOfferIsListedAfterARestart()
{
    // A stranger offers a file and says nothing else; the user quits before answering.
    m_peer->send(Offer, QByteArray("\0", 1) + "0:later.txt:5:0:1:\a", m_me->transport().localEndpoint());
    const QString key = peerKey(false);
    QTRY_VERIFY(listed(key).isValid());
    QTRY_VERIFY(m_me->transfers() && !m_me->transfers()->transfers().isEmpty());
    openMine();
    // Nothing was heard from it in this run: the waiting offer alone lists it.
    QVERIFY(listed(key).isValid());
    QCOMPARE(listed(key).data(ConversationListModel::LastTextRole).toString(), QStringLiteral("[File] later.txt"));
    m_window->openConversation(key);
    QTRY_VERIFY(newestBubble().isValid());
    QCOMPARE(infoOf(newestBubble()).name, QStringLiteral("later.txt"));
    QCOMPARE(infoOf(newestBubble()).state, TransferState::Offered);
}

void TestIpmsgFileWindow::drop(const QString& path)
{
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QWidget* viewport = m_window->threadView()->viewport();
    QDragEnterEvent enter(viewport->rect().center(), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QApplication::sendEvent(viewport, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent dropped(viewport->rect().center(), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QApplication::sendEvent(viewport, &dropped);
    QVERIFY(dropped.isAccepted());
}

void TestIpmsgFileWindow::droppedFileIsServedOverTcp()
{
    QVERIFY(m_me->contacts()
                .add(Contact{QStringLiteral("tux"), QStringLiteral("127.0.0.1"), m_peer->endpoint().port,
                             Protocol::IpMsg, TextEncoding::Utf8})
                .isEmpty());
    // Heard from: its entry says it is IP Messenger, not a Pigeon.
    m_peer->send(ipmsg::BrEntry, QByteArrayLiteral("tux\0penguins\0icon-tux.png\0utf-8"),
                 m_me->transport().localEndpoint());
    QTRY_VERIFY(!m_peer->withMode(ipmsg::AnsEntry).isEmpty());
    m_window->openConversation(QStringLiteral("tux"));

    const QByteArray content = randomBytes(400'000, 22);
    const QString path = m_dir->filePath(QStringLiteral("plan.bin"));
    QVERIFY(writeFile(path, content));
    drop(path);

    QTRY_VERIFY(newestBubble().isValid());
    QCOMPARE(infoOf(newestBubble()).name, QStringLiteral("plan.bin"));
    QCOMPARE(infoOf(newestBubble()).state, TransferState::Offered);
    QTRY_COMPARE(m_peer->withMode(ipmsg::SendMsg).size(), 1);
    const ipmsg::Packet offer = m_peer->withMode(ipmsg::SendMsg).first();
    QVERIFY(offer.has(ipmsg::FileAttachOpt));
    const QByteArray list = offer.extension.mid(offer.extension.indexOf('\0') + 1);
    QVERIFY2(list.startsWith(QByteArray("0:plan.bin:" + QByteArray::number(content.size(), 16) + ':')),
             list.constData());

    // The peer fetches it as iptux does: GETFILEDATA to Pigeon's port over TCP.
    QTcpSocket socket;
    QByteArray got;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { got += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(Loopback, m_me->transport().localEndpoint().port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write("1_iptux 0.8.3:900:tux:penguin:" + QByteArray::number(ipmsg::GetFileData) + ':' +
                 QByteArray::number(offer.packetNo, 16) + ":0:0" + '\0');
    QTRY_VERIFY_WITH_TIMEOUT(!closed.isEmpty(), 10'000);
    got += socket.readAll();
    QCOMPARE(got.size(), content.size());
    QCOMPARE(got, content);
    QTRY_COMPARE(infoOf(newestBubble()).state, TransferState::Done);
    QCOMPARE(infoOf(newestBubble()).doneBytes, quint64(content.size()));
}

void TestIpmsgFileWindow::notOfferedToAPeerNeverHeardFrom()
{
    // An IPMsg contact that never answers: it could be a Pigeon, which must not get the IP Messenger protocol.
    m_peer->answerEntry = false;
    QVERIFY(m_me->contacts()
                .add(Contact{QStringLiteral("tux"), QStringLiteral("127.0.0.1"), m_peer->endpoint().port,
                             Protocol::IpMsg, TextEncoding::Utf8})
                .isEmpty());
    m_window->openConversation(QStringLiteral("tux"));
    const QString path = m_dir->filePath(QStringLiteral("plan.bin"));
    QVERIFY(writeFile(path, "not yet"));
    drop(path);
    QTRY_VERIFY(m_window->statusBar()->currentMessage().contains(QStringLiteral("has not been heard from")));
    QVERIFY(!newestBubble().isValid());
    for (const ipmsg::Packet& p : m_peer->packets)
        QVERIFY(!p.has(ipmsg::FileAttachOpt));
}

QTEST_MAIN(TestIpmsgFileWindow)
#include "tst_ipmsgfilewindow.moc"
