#include "conversationlistmodel.h"
#include "faketransport.h"
#include "ipmsg.h"
#include "session.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>

// The contact list's model: contacts and strangers, latest activity first, unread counts and presence.
class TestConversationListModel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void contactsAndStrangers();
    void newMessageMovesUpAndCounts_data();
    void newMessageMovesUpAndCounts();
    void clearUnread();
    void presence();
    void newStrangerAppears();
    void strangerBecomesContact();
    void removedContactKeepsHistory();
    void renamedContact();
    void removedContactWritesAgain();
    void discoveredStranger_data();
    void discoveredStranger();
    void discoveredStrangerKeptWithHistory();
    void discoveredStrangersBounded();

private:
    void announce(const Endpoint& from, quint32 command, const QByteArray& nick);
    Message stored(const QString& peer, Direction direction, const QString& text, const QDateTime& time, bool unread);
    QStringList order(const ConversationListModel& model) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ContactBook> m_contacts;
    std::unique_ptr<History> m_history;
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<Messenger> m_messenger;
    quint64 m_packetNo = 0;
    QDateTime m_start = QDateTime(QDate(2026, 11, 20), QTime(8, 0), Qt::UTC);
};

void TestConversationListModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_contacts = std::make_unique<ContactBook>();
    QVERIFY(m_contacts->load(m_dir->filePath(QStringLiteral("contacts.ini"))));
    QVERIFY(m_contacts->add({QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), 2425}).isEmpty());
    QVERIFY(m_contacts->add({QStringLiteral("Bob"), QStringLiteral("127.0.0.2"), 2426}).isEmpty());
    QVERIFY(m_contacts->add({QStringLiteral("Carol"), QStringLiteral("::1"), 2425}).isEmpty());
    m_history = std::make_unique<History>();
    QVERIFY2(m_history->open(m_dir->filePath(QStringLiteral("history.sqlite"))), qPrintable(m_history->error()));
    m_transport = std::make_unique<FakeTransport>(Endpoint{QHostAddress::LocalHost, 2425});
    m_messenger = std::make_unique<Messenger>(Identity::fromSystem(QStringLiteral("me")), m_contacts.get(),
                                              m_history.get(), m_transport.get());
    stored(QStringLiteral("Alice"), Direction::Incoming, QStringLiteral("hi"), m_start, true);
    stored(QStringLiteral("Alice"), Direction::Outgoing, QStringLiteral("hello Alice"), m_start.addSecs(60), false);
    stored(QStringLiteral("127.0.0.1:5000"), Direction::Incoming, QStringLiteral("who is there?"), m_start.addSecs(120),
           true);
    QVERIFY(m_history->commit());
}

void TestConversationListModel::cleanup()
{
    m_messenger.reset();
    m_transport.reset();
    m_history.reset();
    m_contacts.reset();
    m_dir.reset();
}

Message TestConversationListModel::stored(const QString& peer, Direction direction, const QString& text,
                                          const QDateTime& time, bool unread)
{
    Message m;
    m.peer = peer;
    m.direction = direction;
    m.text = text;
    m.time = time;
    m.state = direction == Direction::Incoming ? MessageState::Received : MessageState::Delivered;
    m.remote = QStringLiteral("127.0.0.1:5000");
    m.unread = unread;
    m_history->append(m);
    return m;
}

// An IP Messenger client on the LAN says who it is, as it would to a BR_ENTRY broadcast.
void TestConversationListModel::announce(const Endpoint& from, quint32 command, const QByteArray& nick)
{
    ipmsg::Packet p;
    p.packetNo = ++m_packetNo;
    p.user = "mallory";
    p.host = "mallory-pc";
    p.command = command | ipmsg::Utf8Opt;
    p.extension = nick + '\0' + "lan";
    m_transport->deliver(ipmsg::encode(p), from);
}

QStringList TestConversationListModel::order(const ConversationListModel& model) const
{
    QStringList peers;
    for (int row = 0; row < model.rowCount(); ++row)
        peers << model.index(row).data(ConversationListModel::PeerRole).toString();
    return peers;
}

void TestConversationListModel::contactsAndStrangers()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    // Latest activity first; contacts nobody talked with yet follow by name.
    QCOMPARE(order(model), (QStringList{QStringLiteral("127.0.0.1:5000"), QStringLiteral("Alice"),
                                        QStringLiteral("Bob"), QStringLiteral("Carol")}));
    const QModelIndex stranger = model.index(0);
    QVERIFY(!stranger.data(ConversationListModel::IsContactRole).toBool());
    QCOMPARE(stranger.data(ConversationListModel::AddressRole).toString(), QStringLiteral("127.0.0.1:5000"));
    QCOMPARE(stranger.data(ConversationListModel::UnreadRole).toInt(), 1);
    const QModelIndex alice = model.index(1);
    QVERIFY(alice.data(ConversationListModel::IsContactRole).toBool());
    QCOMPARE(alice.data(ConversationListModel::AddressRole).toString(), QStringLiteral("127.0.0.1:2425"));
    QCOMPARE(alice.data(ConversationListModel::LastTextRole).toString(), QStringLiteral("hello Alice"));
    QCOMPARE(alice.data(ConversationListModel::LastTimeRole).toDateTime(), m_start.addSecs(60));
    QCOMPARE(alice.data(ConversationListModel::UnreadRole).toInt(), 1);
    QCOMPARE(model.index(3).data(ConversationListModel::AddressRole).toString(), QStringLiteral("[::1]:2425"));
    QVERIFY(!model.index(2).data(ConversationListModel::LastTimeRole).toDateTime().isValid());
    QCOMPARE(model.totalUnread(), 2);
}

void TestConversationListModel::newMessageMovesUpAndCounts_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<bool>("incoming");
    QTest::addColumn<int>("unread");
    QTest::newRow("incoming to Bob") << QStringLiteral("Bob") << true << 1;
    QTest::newRow("outgoing to Bob") << QStringLiteral("Bob") << false << 0;
    QTest::newRow("incoming to Alice") << QStringLiteral("Alice") << true << 2;
}

void TestConversationListModel::newMessageMovesUpAndCounts()
{
    QFETCH(QString, peer);
    QFETCH(bool, incoming);
    QFETCH(int, unread);
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QSignalSpy total(&model, &ConversationListModel::totalUnreadChanged);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    const Message m = stored(peer, incoming ? Direction::Incoming : Direction::Outgoing, QStringLiteral("新消息 ✉"),
                             m_start.addSecs(600), incoming);
    Q_EMIT m_messenger->messageAdded(m);
    QCOMPARE(order(model).first(), peer);
    QCOMPARE(moved.size(), 1);
    QCOMPARE(model.index(0).data(ConversationListModel::UnreadRole).toInt(), unread);
    QCOMPARE(model.index(0).data(ConversationListModel::LastTextRole).toString(), QStringLiteral("新消息 ✉"));
    QCOMPARE(model.totalUnread(), incoming ? 3 : 2);
    QCOMPARE(total.size(), incoming ? 1 : 0);
    QCOMPARE(model.rowCount(), 4);
}

void TestConversationListModel::clearUnread()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QSignalSpy total(&model, &ConversationListModel::totalUnreadChanged);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.clearUnread(QStringLiteral("Alice"));
    QCOMPARE(model.indexOfPeer(QStringLiteral("Alice")).data(ConversationListModel::UnreadRole).toInt(), 0);
    QCOMPARE(model.totalUnread(), 1);
    QCOMPARE(total.size(), 1);
    QCOMPARE(total.first().first().toInt(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(2).value<QList<int>>(), QList<int>{ConversationListModel::UnreadRole});
    model.clearUnread(QStringLiteral("Alice"));
    QCOMPARE(total.size(), 1);
}

void TestConversationListModel::presence()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QSignalSpy online(&model, &ConversationListModel::onlineCountChanged);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QCOMPARE(model.onlineCount(), 0);
    QCOMPARE(model.indexOfPeer(QStringLiteral("Bob")).data(ConversationListModel::PresenceRole).toInt(),
             int(Presence::Unknown));
    Q_EMIT m_messenger->presenceChanged(QStringLiteral("Bob"), Presence::Online);
    QCOMPARE(model.indexOfPeer(QStringLiteral("Bob")).data(ConversationListModel::PresenceRole).toInt(),
             int(Presence::Online));
    QCOMPARE(model.onlineCount(), 1);
    QCOMPARE(online.last().first().toInt(), 1);
    QCOMPARE(changed.last().at(2).value<QList<int>>(), QList<int>{ConversationListModel::PresenceRole});
    Q_EMIT m_messenger->presenceChanged(QStringLiteral("Bob"), Presence::Offline);
    QCOMPARE(model.onlineCount(), 0);
    QCOMPARE(online.last().first().toInt(), 0);
}

void TestConversationListModel::newStrangerAppears()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    const Message m = stored(QStringLiteral("127.0.0.7:7000"), Direction::Incoming, QStringLiteral("knock knock"),
                             m_start.addSecs(900), true);
    Q_EMIT m_messenger->messageAdded(m);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(order(model).first(), QStringLiteral("127.0.0.7:7000"));
    QCOMPARE(model.index(0).data(ConversationListModel::UnreadRole).toInt(), 1);
    QVERIFY(!model.index(0).data(ConversationListModel::IsContactRole).toBool());
}

void TestConversationListModel::strangerBecomesContact()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QVERIFY(m_contacts->add({QStringLiteral("Dave"), QStringLiteral("127.0.0.1"), 5000}).isEmpty());
    QCOMPARE(model.rowCount(), 4);
    QVERIFY(!model.indexOfPeer(QStringLiteral("127.0.0.1:5000")).isValid());
    const QModelIndex dave = model.indexOfPeer(QStringLiteral("Dave"));
    QVERIFY(dave.data(ConversationListModel::IsContactRole).toBool());
    QCOMPARE(dave.data(ConversationListModel::LastTextRole).toString(), QStringLiteral("who is there?"));
    QCOMPARE(dave.data(ConversationListModel::UnreadRole).toInt(), 1);
    // The engine moved the stranger's history to the new name, so a fresh model agrees.
    QVERIFY(m_history->commit());
    ConversationListModel fresh(m_contacts.get(), m_history.get(), m_messenger.get());
    QCOMPARE(order(fresh), order(model));
}

void TestConversationListModel::removedContactKeepsHistory()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QVERIFY(m_contacts->remove(QStringLiteral("Alice")).isEmpty());
    QVERIFY(m_contacts->remove(QStringLiteral("Bob")).isEmpty());
    QCOMPARE(order(model),
             (QStringList{QStringLiteral("127.0.0.1:5000"), QStringLiteral("Alice"), QStringLiteral("Carol")}));
    const QModelIndex alice = model.indexOfPeer(QStringLiteral("Alice"));
    QVERIFY(!alice.data(ConversationListModel::IsContactRole).toBool());
    QCOMPARE(alice.data(ConversationListModel::LastTextRole).toString(), QStringLiteral("hello Alice"));
    QCOMPARE(m_history->conversationSize(QStringLiteral("Alice")), 2);
}

void TestConversationListModel::renamedContact()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QVERIFY(m_contacts->update(QStringLiteral("Alice"), {QStringLiteral("Alicia"), QStringLiteral("127.0.0.1"), 2427})
                .isEmpty());
    QVERIFY(!model.indexOfPeer(QStringLiteral("Alice")).isValid());
    const QModelIndex alicia = model.indexOfPeer(QStringLiteral("Alicia"));
    QCOMPARE(alicia.data(ConversationListModel::AddressRole).toString(), QStringLiteral("127.0.0.1:2427"));
    QCOMPARE(alicia.data(ConversationListModel::LastTextRole).toString(), QStringLiteral("hello Alice"));
}

void TestConversationListModel::removedContactWritesAgain()
{
    // A whole Session (as both front ends run it) on 127.0.0.1, and a peer that speaks plain text from its socket.
    QUdpSocket peer;
    QVERIFY(peer.bind(QHostAddress::LocalHost, 0));
    const QString address = QStringLiteral("127.0.0.1:%1").arg(peer.localPort());
    Session session;
    Session::Options options;
    options.profileDir = m_dir->filePath(QStringLiteral("session"));
    options.bind = QHostAddress::LocalHost;
    options.port = 0;
    QVERIFY2(session.open(options), qPrintable(session.error()));
    const quint16 port = session.transport().localEndpoint().port;
    Contact carol{QStringLiteral("Carol"), QStringLiteral("127.0.0.1"), peer.localPort(), Protocol::PlainText};
    QVERIFY(session.contacts().add(carol).isEmpty());
    QVERIFY(session.messenger()->send(QStringLiteral("Carol"), QStringLiteral("hello Carol")));
    QTRY_COMPARE(session.history().conversationSize(QStringLiteral("Carol")), 1);
    ConversationListModel model(&session.contacts(), &session.history(), session.messenger());

    // Removed, history kept: listed under its address, not as a "former contact" beside a new stranger.
    QVERIFY(session.contacts().remove(QStringLiteral("Carol")).isEmpty());
    QVERIFY(!model.indexOfPeer(QStringLiteral("Carol")).isValid());
    QVERIFY(model.indexOfPeer(address).isValid());
    QCOMPARE(model.indexOfPeer(address).data(ConversationListModel::LastTextRole).toString(),
             QStringLiteral("hello Carol"));
    // It writes again: the same conversation.
    peer.writeDatagram(QByteArrayLiteral("it is Carol again"), QHostAddress::LocalHost, port);
    QTRY_COMPARE(session.history().conversationSize(address), 2);
    QCOMPARE(session.history().conversations().size(), 1);
    QTRY_COMPARE(model.indexOfPeer(address).data(ConversationListModel::LastTextRole).toString(),
                 QStringLiteral("it is Carol again"));
    QVERIFY(!model.indexOfPeer(QStringLiteral("Carol")).isValid());

    // Added back under another name: still the one conversation, with both messages.
    carol.name = QStringLiteral("Caroline");
    QVERIFY(session.contacts().add(carol).isEmpty());
    QVERIFY(session.history().commit());
    QCOMPARE(session.history().conversationSize(QStringLiteral("Caroline")), 2);
    QCOMPARE(session.history().conversations().size(), 1);
    QVERIFY(!model.indexOfPeer(address).isValid());
    QCOMPARE(model.indexOfPeer(QStringLiteral("Caroline")).data(ConversationListModel::LastTextRole).toString(),
             QStringLiteral("it is Carol again"));
    session.close();
}

void TestConversationListModel::discoveredStranger_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QByteArray>("nick");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("address");
    QTest::newRow("IPv4") << QStringLiteral("127.0.0.9") << QByteArray("Mallory")
                          << QStringLiteral("Mallory? 127.0.0.9:2427") << QStringLiteral("127.0.0.9:2427");
    // A stranger may claim a contact's name: the '?' and the address still tell them apart.
    QTest::newRow("claims a contact's name")
        << QStringLiteral("127.0.0.10") << QByteArray("Alice") << QStringLiteral("Alice? 127.0.0.10:2427")
        << QStringLiteral("127.0.0.10:2427");
    QTest::newRow("IPv6, Chinese nickname") << QStringLiteral("::1") << QByteArray("小王")
                                            << QStringLiteral("小王? [::1]:2427") << QStringLiteral("[::1]:2427");
}

void TestConversationListModel::discoveredStranger()
{
    QFETCH(QString, host);
    QFETCH(QByteArray, nick);
    QFETCH(QString, label);
    QFETCH(QString, address);
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    QSignalSpy online(&model, &ConversationListModel::onlineCountChanged);
    // Not 2425: Carol is at [::1]:2425.
    const Endpoint from{QHostAddress(host), 2427};
    announce(from, ipmsg::AnsEntry, nick);
    QTRY_COMPARE(model.rowCount(), 5);
    const QModelIndex stranger = model.indexOfPeer(address);
    QVERIFY(stranger.isValid());
    QCOMPARE(stranger.data(Qt::DisplayRole).toString(), label);
    QCOMPARE(stranger.data(ConversationListModel::NickRole).toString(), QString::fromUtf8(nick));
    QCOMPARE(stranger.data(ConversationListModel::AddressRole).toString(), address);
    QVERIFY(!stranger.data(ConversationListModel::IsContactRole).toBool());
    QCOMPARE(stranger.data(ConversationListModel::PresenceRole).toInt(), int(Presence::Online));
    // Listed after the contacts nobody talked with; the online count is about contacts only.
    QCOMPARE(stranger.row(), 4);
    QCOMPARE(model.onlineCount(), 0);
    QVERIFY(online.isEmpty());
    // A contacts file reloaded keeps it listed.
    QVERIFY(m_contacts->load(m_dir->filePath(QStringLiteral("contacts.ini"))));
    QCOMPARE(model.indexOfPeer(address).data(Qt::DisplayRole).toString(), label);
    // It leaves: nothing was said, so it goes.
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    announce(from, ipmsg::BrExit, nick);
    QTRY_COMPARE(removed.size(), 1);
    QCOMPARE(model.rowCount(), 4);
    QVERIFY(!model.indexOfPeer(from.toString()).isValid());
}

void TestConversationListModel::discoveredStrangerKeptWithHistory()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    const Endpoint known{QHostAddress::LocalHost, 5000};
    announce(known, ipmsg::BrEntry, "Trudy");
    const QPersistentModelIndex stranger = model.indexOfPeer(known.toString());
    QTRY_COMPARE(stranger.data(ConversationListModel::PresenceRole).toInt(), int(Presence::Online));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(stranger.data(Qt::DisplayRole).toString(), QStringLiteral("Trudy? 127.0.0.1:5000"));
    announce(known, ipmsg::BrExit, "Trudy");
    QTRY_COMPARE(stranger.data(ConversationListModel::PresenceRole).toInt(), int(Presence::Offline));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(stranger.data(ConversationListModel::LastTextRole).toString(), QStringLiteral("who is there?"));

    // A stranger one wrote to stays too once it leaves.
    const Endpoint fresh{QHostAddress(QStringLiteral("127.0.0.11")), 2425};
    announce(fresh, ipmsg::AnsEntry, "Oscar");
    QTRY_VERIFY(model.indexOfPeer(fresh.toString()).isValid());
    QVERIFY(m_messenger->send(fresh.toString(), QStringLiteral("hello?")) > 0);
    QTRY_VERIFY(model.indexOfPeer(fresh.toString()).data(ConversationListModel::LastTimeRole).toDateTime().isValid());
    announce(fresh, ipmsg::BrExit, "Oscar");
    QTRY_COMPARE(model.indexOfPeer(fresh.toString()).data(ConversationListModel::PresenceRole).toInt(),
                 int(Presence::Offline));
    QCOMPARE(model.rowCount(), 5);
}

void TestConversationListModel::discoveredStrangersBounded()
{
    ConversationListModel model(m_contacts.get(), m_history.get(), m_messenger.get());
    const auto peer = [](int i) {
        return QStringLiteral("127.0.%1.%2:2425").arg(1 + i / 250).arg(1 + i % 250);
    };
    const int flood = ConversationListModel::MaxDiscovered + 100;
    for (int i = 0; i < flood; ++i)
        Q_EMIT m_messenger->presenceChanged(peer(i), Presence::Online);
    QCOMPARE(model.rowCount(), 4 + ConversationListModel::MaxDiscovered);
    QVERIFY(model.indexOfPeer(peer(ConversationListModel::MaxDiscovered - 1)).isValid());
    QVERIFY(!model.indexOfPeer(peer(ConversationListModel::MaxDiscovered)).isValid());
    // One leaves, the next one that shows up gets its place.
    Q_EMIT m_messenger->presenceChanged(peer(0), Presence::Offline);
    Q_EMIT m_messenger->presenceChanged(peer(flood - 1), Presence::Online);
    QCOMPARE(model.rowCount(), 4 + ConversationListModel::MaxDiscovered);
    QVERIFY(model.indexOfPeer(peer(flood - 1)).isValid());
    // Contacts and strangers with history are never crowded out.
    QVERIFY(model.indexOfPeer(QStringLiteral("127.0.0.1:5000")).isValid());
    QVERIFY(m_contacts->add({QStringLiteral("Eve"), QStringLiteral("127.0.0.3"), 2425}).isEmpty());
    QVERIFY(model.indexOfPeer(QStringLiteral("Eve")).isValid());
    // Names that are no address are not listed as strangers.
    Q_EMIT m_messenger->presenceChanged(QStringLiteral("no address"), Presence::Online);
    QVERIFY(!model.indexOfPeer(QStringLiteral("no address")).isValid());
}

QTEST_GUILESS_MAIN(TestConversationListModel)
#include "tst_conversationlistmodel.moc"
