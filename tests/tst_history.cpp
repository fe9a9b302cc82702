#include "history.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestHistory final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void appendCommitsOnEventLoop();
    void survivesReopen();
    void states_data();
    void states();
    void conversationPages();
    void findIncomingRespectsWindow();
    void lateMessageSortsBeforeLaterOnes();
    void unreadAndReadReceipts();
    void summaries();
    void renamePeer();
    void damagedFileIsReported();

private:
    Message incoming(const QString& peer, const QString& text, quint64 packetNo = 0) const;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<History> m_history;
};

void TestHistory::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_history = std::make_unique<History>();
    QVERIFY2(m_history->open(m_dir->filePath(QStringLiteral("history.sqlite"))), qPrintable(m_history->error()));
}

void TestHistory::cleanup()
{
    m_history.reset();
    m_dir.reset();
}

Message TestHistory::incoming(const QString& peer, const QString& text, quint64 packetNo) const
{
    Message m;
    m.peer = peer;
    m.text = text;
    m.remote = QStringLiteral("127.0.0.1:2425");
    m.packetNo = packetNo;
    m.unread = true;
    return m;
}

void TestHistory::appendCommitsOnEventLoop()
{
    QSignalSpy committed(m_history.get(), &History::committed);
    Message a = incoming(QStringLiteral("Alice"), QStringLiteral("one"));
    Message b = incoming(QStringLiteral("Alice"), QStringLiteral("two"));
    QVERIFY(m_history->append(a));
    QVERIFY(m_history->append(b));
    QVERIFY(a.id > 0);
    QCOMPARE(b.id, a.id + 1);
    QVERIFY(b.sortKey > a.sortKey);
    QVERIFY(m_history->hasUncommitted());
    // Both rows share one transaction, committed once control returns to the event loop.
    QTRY_COMPARE(committed.size(), 1);
    QVERIFY(!m_history->hasUncommitted());
}

void TestHistory::survivesReopen()
{
    const QString path = m_history->path();
    Message m = incoming(QStringLiteral("张三"), QStringLiteral("你好，世界 😀"));
    QVERIFY(m_history->append(m));
    QVERIFY(m_history->commit());
    m_history.reset();
    History again;
    QVERIFY(again.open(path));
    const auto loaded = again.message(m.id);
    QVERIFY(loaded);
    QCOMPARE(loaded->text, m.text);
    QCOMPARE(loaded->peer, m.peer);
    QCOMPARE(loaded->time.toMSecsSinceEpoch(), m.time.toMSecsSinceEpoch());
    // New rows sort after the old ones even if the clock went back.
    Message later = incoming(QStringLiteral("张三"), QStringLiteral("again"));
    later.time = m.time.addSecs(-3600);
    QVERIFY(again.append(later));
    QVERIFY(later.sortKey > m.sortKey);
}

void TestHistory::states_data()
{
    QTest::addColumn<int>("state");
    for (MessageState s : {MessageState::Queued, MessageState::Sending, MessageState::Sent, MessageState::Delivered,
                           MessageState::Read, MessageState::Failed})
        QTest::newRow(qPrintable(stateName(s))) << int(s);
}

void TestHistory::states()
{
    QFETCH(int, state);
    Message m;
    m.peer = QStringLiteral("Bob");
    m.direction = Direction::Outgoing;
    m.text = QStringLiteral("hi");
    m.state = MessageState::Sending;
    m.packetNo = 1000;
    m.parts = 3;
    QVERIFY(m_history->append(m));
    QVERIFY(m_history->setState(m.id, MessageState(state)));
    QVERIFY(m_history->commit());
    QCOMPARE(int(m_history->message(m.id)->state), state);
    const bool unsent = state == int(MessageState::Queued) || state == int(MessageState::Sending);
    QCOMPARE(m_history->unsent().size(), unsent ? 1 : 0);
    QCOMPARE(m_history->lastPacketNo(), quint64(1002));
}

void TestHistory::conversationPages()
{
    for (int i = 0; i < 250; ++i) {
        Message m = incoming(i % 2 ? QStringLiteral("Alice") : QStringLiteral("Bob"), QString::number(i));
        QVERIFY(m_history->append(m));
    }
    QVERIFY(m_history->commit());
    QCOMPARE(m_history->conversationSize(QStringLiteral("Alice")), 125);
    const QList<Message> newest = m_history->conversation(QStringLiteral("Alice"), 1e300, 100);
    QCOMPARE(newest.size(), 100);
    QCOMPARE(newest.last().text, QStringLiteral("249"));
    QCOMPARE(newest.first().text, QStringLiteral("51"));
    const QList<Message> older = m_history->conversation(QStringLiteral("Alice"), newest.first().sortKey, 100);
    QCOMPARE(older.size(), 25);
    QCOMPARE(older.first().text, QStringLiteral("1"));
    QCOMPARE(older.last().text, QStringLiteral("49"));
}

void TestHistory::findIncomingRespectsWindow()
{
    Message m = incoming(QStringLiteral("Alice"), QStringLiteral("x"), 12345);
    QVERIFY(m_history->append(m));
    const qint64 t = m.time.toMSecsSinceEpoch();
    // Seen within the same (uncommitted) batch too.
    QCOMPARE(m_history->findIncoming(m.remote, 12345, t - 1000), m.id);
    QCOMPARE(m_history->findIncoming(m.remote, 12346, t - 1000), 0);
    QCOMPARE(m_history->findIncoming(QStringLiteral("127.0.0.1:9"), 12345, t - 1000), 0);
    QCOMPARE(m_history->findIncoming(m.remote, 12345, t + 1), 0);
}

void TestHistory::lateMessageSortsBeforeLaterOnes()
{
    Message first = incoming(QStringLiteral("Alice"), QStringLiteral("100"), 100);
    Message last = incoming(QStringLiteral("Alice"), QStringLiteral("110"), 110);
    QVERIFY(m_history->append(first));
    QVERIFY(m_history->append(last));
    // Arriving in reverse order, however many: each lands right before the next one the sender sent.
    for (quint64 no : {109, 108, 107, 50}) {
        Message late = incoming(QStringLiteral("Alice"), QString::number(no), no);
        late.sortKey = m_history->sortKeyBefore(late.remote, no, 0);
        QCOMPARE(late.sortKey, no < 100 ? first.sortKey : last.sortKey);
        QVERIFY(m_history->append(late));
    }
    // Nothing later from that sender: goes at the end.
    QCOMPARE(m_history->sortKeyBefore(first.remote, 111, 0), 0.0);
    const auto texts = [](const QList<Message>& messages) {
        QStringList out;
        for (const Message& m : messages)
            out.append(m.text);
        return out.join(u' ');
    };
    QCOMPARE(texts(m_history->conversation(QStringLiteral("Alice"), 1e300, 10)),
             QStringLiteral("50 100 107 108 109 110"));
    // Paging splits rows that share a key correctly.
    const QList<Message> page = m_history->conversation(QStringLiteral("Alice"), 1e300, 2);
    QCOMPARE(texts(page), QStringLiteral("109 110"));
    QCOMPARE(texts(m_history->conversation(QStringLiteral("Alice"), page.first().sortKey, 10, page.first().packetNo)),
             QStringLiteral("50 100 107 108"));
}

void TestHistory::unreadAndReadReceipts()
{
    Message plain = incoming(QStringLiteral("Alice"), QStringLiteral("a"), 1);
    Message receipt = incoming(QStringLiteral("Alice"), QStringLiteral("b"), 2);
    receipt.wantsReadReceipt = true;
    QVERIFY(m_history->append(plain));
    QVERIFY(m_history->append(receipt));
    QCOMPARE(m_history->conversations().first().unread, 2);
    const QList<Message> receipts = m_history->markRead(QStringLiteral("Alice"));
    QCOMPARE(receipts.size(), 1);
    QCOMPARE(receipts.first().packetNo, quint64(2));
    QCOMPARE(m_history->conversations().first().unread, 0);
    QVERIFY(m_history->markRead(QStringLiteral("Alice")).isEmpty());
}

void TestHistory::summaries()
{
    Message a = incoming(QStringLiteral("Alice"), QStringLiteral("old"));
    Message b = incoming(QStringLiteral("127.0.0.1:5000"), QStringLiteral("stranger"));
    Message c = incoming(QStringLiteral("Alice"), QStringLiteral("new"));
    QVERIFY(m_history->append(a) && m_history->append(b) && m_history->append(c));
    const QList<ConversationSummary> list = m_history->conversations();
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(0).peer, QStringLiteral("Alice"));
    QCOMPARE(list.at(0).lastText, QStringLiteral("new"));
    QCOMPARE(list.at(0).unread, 2);
    QCOMPARE(list.at(1).peer, QStringLiteral("127.0.0.1:5000"));
}

void TestHistory::renamePeer()
{
    Message a = incoming(QStringLiteral("127.0.0.1:5000"), QStringLiteral("hi"));
    QVERIFY(m_history->append(a));
    QVERIFY(m_history->renamePeer(QStringLiteral("127.0.0.1:5000"), QStringLiteral("Carol")));
    QCOMPARE(m_history->conversationSize(QStringLiteral("Carol")), 1);
    QCOMPARE(m_history->conversationSize(QStringLiteral("127.0.0.1:5000")), 0);
}

void TestHistory::damagedFileIsReported()
{
    const QString path = m_dir->filePath(QStringLiteral("damaged.sqlite"));
    QByteArray garbage(64 * 1024, 'G');
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(garbage);
    }
    History damaged;
    QVERIFY(!damaged.open(path));
    QVERIFY2(damaged.error().contains(path), qPrintable(damaged.error()));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), garbage);
}

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
