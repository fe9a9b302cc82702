#include "conversationlistmodel.h"
#include "faketransport.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

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

private:
    Message stored(const QString& peer, Direction direction, const QString& text, const QDateTime& time, bool unread);
    QStringList order(const ConversationListModel& model) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ContactBook> m_contacts;
    std::unique_ptr<History> m_history;
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<Messenger> m_messenger;
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

QTEST_GUILESS_MAIN(TestConversationListModel)
#include "tst_conversationlistmodel.moc"
