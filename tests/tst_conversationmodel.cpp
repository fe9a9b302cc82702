#include "conversationmodel.h"
#include "faketransport.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// The conversation model over a real history and an engine that never reaches a network; the engine's signals are
// emitted by the test where it needs exact timing.
class TestConversationModel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void opensWithNewestPage_data();
    void opensWithNewestPage();
    void olderPagesComeFirst_data();
    void olderPagesComeFirst();
    void lateMessageLandsAtItsSortKey_data();
    void lateMessageLandsAtItsSortKey();
    void messageOlderThanLoadedWaitsForItsPage();
    void otherConversationsAreIgnored();
    void deliveryChangeTouchesStateRoleOnly();
    void failureAddsSystemLine();
    void presenceAddsSystemLine();
    void dateSeparators();

private:
    // Stores `count` messages for `peer`, one minute apart, oldest first; returns them with ids and keys.
    QList<Message> store(const QString& peer, int count,
                         const QDateTime& start = QDateTime(QDate(2026, 11, 1), QTime(9, 0), Qt::UTC));
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ContactBook> m_contacts;
    std::unique_ptr<History> m_history;
    std::unique_ptr<FakeTransport> m_transport;
    std::unique_ptr<Messenger> m_messenger;
};

void TestConversationModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_contacts = std::make_unique<ContactBook>();
    QVERIFY(m_contacts->load(m_dir->filePath(QStringLiteral("contacts.ini"))));
    m_history = std::make_unique<History>();
    QVERIFY2(m_history->open(m_dir->filePath(QStringLiteral("history.sqlite"))), qPrintable(m_history->error()));
    m_transport = std::make_unique<FakeTransport>(Endpoint{QHostAddress::LocalHost, 2425});
    m_messenger = std::make_unique<Messenger>(Identity::fromSystem(QStringLiteral("me")), m_contacts.get(),
                                              m_history.get(), m_transport.get());
}

void TestConversationModel::cleanup()
{
    m_messenger.reset();
    m_transport.reset();
    m_history.reset();
    m_contacts.reset();
    m_dir.reset();
}

QList<Message> TestConversationModel::store(const QString& peer, int count, const QDateTime& start)
{
    QList<Message> out;
    for (int i = 0; i < count; ++i) {
        Message m;
        m.peer = peer;
        m.direction = i % 3 == 0 ? Direction::Outgoing : Direction::Incoming;
        m.state = m.direction == Direction::Outgoing ? MessageState::Delivered : MessageState::Received;
        m.text = QStringLiteral("%1 #%2").arg(peer).arg(i);
        m.time = start.addSecs(60 * i);
        m.remote = QStringLiteral("127.0.0.1:2425");
        if (!m_history->append(m))
            return {};
        out.append(m);
    }
    m_history->commit();
    return out;
}

void TestConversationModel::opensWithNewestPage_data()
{
    QTest::addColumn<int>("stored");
    QTest::newRow("empty") << 0;
    QTest::newRow("one") << 1;
    QTest::newRow("one page") << int(ConversationModel::PageSize);
    QTest::newRow("one page and one") << int(ConversationModel::PageSize) + 1;
    QTest::newRow("many pages") << 10 * int(ConversationModel::PageSize) + 7;
}

void TestConversationModel::opensWithNewestPage()
{
    QFETCH(int, stored);
    const QList<Message> messages = store(QStringLiteral("Alice"), stored);
    QCOMPARE(messages.size(), stored);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    QCOMPARE(model.rowCount(), std::min(stored, int(ConversationModel::PageSize)));
    QCOMPARE(model.canFetchMore({}), stored > ConversationModel::PageSize);
    if (stored > 0) {
        QCOMPARE(model.index(model.rowCount() - 1).data(ConversationModel::IdRole).toLongLong(), messages.last().id);
        QCOMPARE(model.index(model.rowCount() - 1).data(ConversationModel::TextRole).toString(), messages.last().text);
    }
}

void TestConversationModel::olderPagesComeFirst_data()
{
    QTest::addColumn<int>("stored");
    QTest::addColumn<QList<int>>("expectedPages");
    QTest::newRow("a few pages") << 503 << QList<int>{100, 200, 103};
    QTest::newRow("up to the largest page") << 12'003 << QList<int>{100, 200, 400, 800, 1600, 3200, 5000, 603};
}

void TestConversationModel::olderPagesComeFirst()
{
    QFETCH(int, stored);
    QFETCH(QList<int>, expectedPages);
    const QList<Message> messages = store(QStringLiteral("Alice"), stored);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QList<int> pages;
    while (model.canFetchMore({})) {
        const int before = model.rowCount();
        model.fetchMore({});
        QCOMPARE(inserted.last().at(1).toInt(), 0); // older rows go on top
        QCOMPARE(inserted.last().at(2).toInt(), model.rowCount() - before - 1);
        pages << model.rowCount() - before;
    }
    // Each older page is as large as what is loaded already, so long threads load in few steps.
    QCOMPARE(pages, expectedPages);
    QCOMPARE(model.rowCount(), stored);
    for (int row = 0; row < stored; ++row)
        QCOMPARE(model.index(row).data(ConversationModel::IdRole).toLongLong(), messages.at(row).id);
}

void TestConversationModel::lateMessageLandsAtItsSortKey_data()
{
    QTest::addColumn<int>("after"); // the row the late message follows; -1: before all
    QTest::addColumn<int>("expectedRow");
    QTest::newRow("before the first") << -1 << 0;
    QTest::newRow("in the middle") << 4 << 5;
    QTest::newRow("before the last") << 8 << 9;
    QTest::newRow("at the end") << 9 << 10;
}

void TestConversationModel::lateMessageLandsAtItsSortKey()
{
    QFETCH(int, after);
    QFETCH(int, expectedRow);
    const QList<Message> messages = store(QStringLiteral("Alice"), 10);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    Message late;
    late.peer = QStringLiteral("Alice");
    late.text = QStringLiteral("late");
    late.remote = QStringLiteral("127.0.0.1:2425");
    const double lower = after < 0 ? messages.first().sortKey - 10 : messages.at(after).sortKey;
    const double upper = after + 1 < messages.size() ? messages.at(after + 1).sortKey : lower + 10;
    late.sortKey = (lower + upper) / 2;
    QVERIFY(m_history->append(late));
    Q_EMIT m_messenger->messageAdded(late);

    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), expectedRow);
    QCOMPARE(model.rowCount(), 11);
    QCOMPARE(model.index(expectedRow).data(ConversationModel::TextRole).toString(), QStringLiteral("late"));
    // The same message announced twice is shown once.
    Q_EMIT m_messenger->messageAdded(late);
    QCOMPARE(model.rowCount(), 11);
}

void TestConversationModel::messageOlderThanLoadedWaitsForItsPage()
{
    const QList<Message> messages = store(QStringLiteral("Alice"), ConversationModel::PageSize + 5);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    Message late;
    late.peer = QStringLiteral("Alice");
    late.text = QStringLiteral("late and old");
    late.remote = QStringLiteral("127.0.0.1:2425");
    late.sortKey = (messages.at(1).sortKey + messages.at(2).sortKey) / 2;
    QVERIFY(m_history->append(late));
    m_history->commit();
    Q_EMIT m_messenger->messageAdded(late);
    QCOMPARE(model.rowCount(), int(ConversationModel::PageSize));
    model.fetchMore({});
    QCOMPARE(model.rowCount(), int(ConversationModel::PageSize) + 6);
    QCOMPARE(model.index(2).data(ConversationModel::IdRole).toLongLong(), late.id);
}

void TestConversationModel::otherConversationsAreIgnored()
{
    store(QStringLiteral("Alice"), 3);
    const QList<Message> bob = store(QStringLiteral("Bob"), 1);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    Message m = bob.first();
    m.id += 1000;
    Q_EMIT m_messenger->messageAdded(m);
    Q_EMIT m_messenger->deliveryChanged(bob.first().id, MessageState::Failed);
    Q_EMIT m_messenger->presenceChanged(QStringLiteral("Bob"), Presence::Online);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(model.rowCount(), 3);
}

void TestConversationModel::deliveryChangeTouchesStateRoleOnly()
{
    const QList<Message> messages = store(QStringLiteral("Alice"), 7);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    Q_EMIT m_messenger->deliveryChanged(messages.at(3).id, MessageState::Read);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().at(0).toModelIndex().row(), 3);
    QCOMPARE(changed.first().at(1).toModelIndex().row(), 3);
    QCOMPARE(changed.first().at(2).value<QList<int>>(), QList<int>{ConversationModel::StateRole});
    QCOMPARE(model.index(3).data(ConversationModel::StateRole).toInt(), int(MessageState::Read));
    // The same state again changes nothing.
    Q_EMIT m_messenger->deliveryChanged(messages.at(3).id, MessageState::Read);
    QCOMPARE(changed.size(), 1);
}

void TestConversationModel::failureAddsSystemLine()
{
    const QList<Message> messages = store(QStringLiteral("Alice"), 2);
    QCOMPARE(messages.first().direction, Direction::Outgoing);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    Q_EMIT m_messenger->deliveryChanged(messages.first().id, MessageState::Failed);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0).data(ConversationModel::StateRole).toInt(), int(MessageState::Failed));
    QVERIFY(model.index(2).data(ConversationModel::SystemRole).toBool());
    QVERIFY(!model.index(2).data(ConversationModel::TextRole).toString().isEmpty());
    // Stored with the conversation as a system line (issue 16, point 9): there again when it is reopened.
    const qint64 id = model.index(2).data(ConversationModel::IdRole).toLongLong();
    QVERIFY(id > 0);
    model.setPeer(QStringLiteral("Alice"));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(2).data(ConversationModel::IdRole).toLongLong(), id);
    QVERIFY(model.index(2).data(ConversationModel::SystemRole).toBool());
}

void TestConversationModel::presenceAddsSystemLine()
{
    store(QStringLiteral("Alice"), 2);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    Q_EMIT m_messenger->presenceChanged(QStringLiteral("Alice"), Presence::Online);
    Q_EMIT m_messenger->presenceChanged(QStringLiteral("Alice"), Presence::Offline);
    QCOMPARE(model.rowCount(), 4);
    QVERIFY(model.index(2).data(ConversationModel::SystemRole).toBool());
    QVERIFY(model.index(2).data(ConversationModel::TextRole).toString().contains(QStringLiteral("Alice")));
    QVERIFY(model.index(3).data(ConversationModel::SystemRole).toBool());
    QVERIFY(model.index(3).data(ConversationModel::TextRole).toString() !=
            model.index(2).data(ConversationModel::TextRole).toString());
    // The lines are stored with the conversation: opened again, it still has them, in their place.
    const QString online = model.index(2).data(ConversationModel::TextRole).toString();
    const QString offline = model.index(3).data(ConversationModel::TextRole).toString();
    model.setPeer(QStringLiteral("Alice"));
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.index(2).data(ConversationModel::TextRole).toString(), online);
    QCOMPARE(model.index(3).data(ConversationModel::TextRole).toString(), offline);
    QVERIFY(model.index(3).data(ConversationModel::SystemRole).toBool());
    // They are not the conversation's last message in the list.
    QCOMPARE(m_history->conversations().first().lastText, model.index(1).data(ConversationModel::TextRole).toString());
}

void TestConversationModel::dateSeparators()
{
    // Local times, so the local day changes between the third and the fourth message.
    const QDateTime evening(QDate(2026, 11, 1), QTime(23, 57));
    store(QStringLiteral("Alice"), 6, evening);
    ConversationModel model(m_history.get(), m_messenger.get());
    model.setPeer(QStringLiteral("Alice"));
    QList<bool> first;
    for (int row = 0; row < model.rowCount(); ++row)
        first.append(model.index(row).data(ConversationModel::FirstOfDayRole).toBool());
    QCOMPARE(first, (QList<bool>{true, false, false, true, false, false}));
}

QTEST_GUILESS_MAIN(TestConversationModel)
#include "tst_conversationmodel.moc"
