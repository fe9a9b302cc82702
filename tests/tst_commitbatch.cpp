#include "commitbatch.h"

#include <QTemporaryDir>
#include <QTest>

// CommitBatch over a real History in a temporary folder: nothing that depends on a write leaves before the write is
// committed, and after the commit acknowledgements go first, then announcements, then outgoing messages.
class TestCommitBatch final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void acknowledgesAtOnceWhenNothingIsUncommitted();
    void waitsForTheCommitThenRunsInOrder();
    void rollbackDropsAcksAndFailsOutgoing();

private:
    Message stored(Direction direction, const QString& text);

    QTemporaryDir m_dir;
    std::unique_ptr<History> m_history;
    std::unique_ptr<CommitBatch> m_batch;
    QStringList m_log; // what the batch did, in order
};

void TestCommitBatch::init()
{
    m_log.clear();
    m_history = std::make_unique<History>();
    QVERIFY(
        m_history->open(m_dir.filePath(QStringLiteral("%1.sqlite").arg(QLatin1String(QTest::currentTestFunction())))));
    m_batch = std::make_unique<CommitBatch>(
        m_history.get(),
        CommitBatch::Actions{[this](quint64 packetNo, const Endpoint& to) {
                                 m_log.append(QStringLiteral("ack %1 to %2").arg(packetNo).arg(to.toString()));
                             },
                             [this](const Message& m) { m_log.append(u"announce "_qs + m.text); },
                             [this](const Message& m) { m_log.append(u"transmit "_qs + m.text); },
                             [this](const Message& m) {
                                 m_log.append(u"fail "_qs + m.text);
                             }});
}

void TestCommitBatch::cleanup()
{
    m_batch.reset();
    m_history.reset();
}

Message TestCommitBatch::stored(Direction direction, const QString& text)
{
    Message m;
    m.peer = u"Alice"_qs;
    m.direction = direction;
    m.text = text;
    m.time = QDateTime::currentDateTimeUtc();
    m.state = direction == Direction::Incoming ? MessageState::Received : MessageState::Sending;
    m.remote = u"192.0.2.1:2425"_qs;
    if (!m_history->append(m))
        qFatal("append failed: %s", qPrintable(m_history->error()));
    return m;
}

// A duplicate whose row was committed long ago is acknowledged at once: nothing of it waits for a commit.
void TestCommitBatch::acknowledgesAtOnceWhenNothingIsUncommitted()
{
    QVERIFY(!m_history->hasUncommitted());
    m_batch->acknowledge(7, Endpoint{QHostAddress(u"192.0.2.1"_qs), 2425});
    QCOMPARE(m_log, QStringList{u"ack 7 to 192.0.2.1:2425"_qs});
    QVERIFY(m_batch->isEmpty());
}

void TestCommitBatch::waitsForTheCommitThenRunsInOrder()
{
    const Endpoint alice{QHostAddress(u"192.0.2.1"_qs), 2425};
    const Message out = stored(Direction::Outgoing, u"hello"_qs);
    m_batch->transmit(out);
    const Message in = stored(Direction::Incoming, u"hi"_qs);
    m_batch->announce(in);
    m_batch->acknowledge(42, alice);
    QVERIFY(m_history->hasUncommitted());
    QVERIFY(m_log.isEmpty());
    QCOMPARE(m_batch->transmissions(), 1);

    QVERIFY(m_history->commit());
    m_batch->committed();
    QCOMPARE(m_log, (QStringList{u"ack 42 to 192.0.2.1:2425"_qs, u"announce hi"_qs, u"transmit hello"_qs}));
    QVERIFY(m_batch->isEmpty());
    m_batch->committed(); // nothing runs twice
    QCOMPARE(m_log.size(), 3);
}

// The senders will retransmit what was not acknowledged; what was to go out is failed, so the user can retry.
void TestCommitBatch::rollbackDropsAcksAndFailsOutgoing()
{
    m_batch->transmit(stored(Direction::Outgoing, u"lost"_qs));
    m_batch->announce(stored(Direction::Incoming, u"unseen"_qs));
    m_batch->acknowledge(43, Endpoint{QHostAddress(u"192.0.2.1"_qs), 2425});
    m_batch->rolledBack();
    QCOMPARE(m_log, QStringList{u"fail lost"_qs});
    QVERIFY(m_batch->isEmpty());
}

QTEST_GUILESS_MAIN(TestCommitBatch)
#include "tst_commitbatch.moc"
