#include "history.h"
#include "historyfiles.h"
#include "schema.h"
#include "testfiles.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestHistory final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void appendCommitsOnEventLoop();
    void checkpointCopiesTheLog();
    void logKeepsItsLength();
    void survivesReopen();
    void states_data();
    void states();
    void conversationPages();
    void findIncomingRespectsWindow();
    void lateMessageSortsBeforeLaterOnes();
    void unreadAndReadReceipts();
    void sealedSurvivesReopenUntilOpened();
    void summaries();
    void renamePeer();
    void damagedFileIsReported();
    void upgradesFirstRelease();
    void upgradesVersionOne();
    void refusesNewerVersion();
    void failingInsert();
    void failingUpdate();
    void removedContactKeepsOneConversation();
    void renameOntoExistingConversationMerges();

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

void TestHistory::checkpointCopiesTheLog()
{
    // The committed rows stay in the write-ahead log until a checkpoint copies them into the database file; the
    // worker's checkpoint must do so (SQLite 3.40 returns SQLITE_OK doing nothing on a connection that has not read the
    // file yet, and the log then grows to the 40 MB backstop, checkpointed on the event loop).
    const QFileInfo file(m_history->path());
    for (int i = 0; i < 100; ++i) {
        Message m = incoming(QStringLiteral("Alice"), QString(1000, QLatin1Char('a' + i % 26)));
        QVERIFY(m_history->append(m));
    }
    QVERIFY(m_history->commit());
    const qint64 text = 100 * 1000;
    QCOMPARE_LT(QFileInfo(file.filePath()).size(), text);
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(file.filePath()).size() > text, 5000);
}

void TestHistory::logKeepsItsLength()
{
    // The write-ahead log has its full length from the start, so that no commit's fdatasync also writes a new file
    // size: 300 commits of a message each (4 pages: the row, two index leaves, the conversation; 1 200 pages, more
    // than the log holds before it starts again from its beginning) stay within it.
    const QString log = m_history->path() + QStringLiteral("-wal");
    const qint64 length = QFileInfo(log).size();
    QCOMPARE_GE(length, qint64(1000) * (24 + 4096));
    for (int i = 0; i < 300; ++i) {
        Message m = incoming(QStringLiteral("Alice"), QStringLiteral("message %1").arg(i), quint64(i + 1));
        QVERIFY(m_history->append(m));
        QVERIFY(m_history->commit());
    }
    QCOMPARE(QFileInfo(log).size(), length);
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

void TestHistory::sealedSurvivesReopenUntilOpened()
{
    // Issue 18.4: an IP Messenger sealed message stays sealed across a restart, reading its conversation does not
    // open it (nor release its read notice), and opening it releases the notice for it alone.
    const QString path = m_history->path();
    Message sealed = incoming(QStringLiteral("Alice"), QStringLiteral("sealed"), 7);
    sealed.sealed = true;
    sealed.wantsReadReceipt = true;
    Message other = incoming(QStringLiteral("Alice"), QStringLiteral("other sealed"), 8);
    other.sealed = true;
    other.wantsReadReceipt = true;
    Message open = incoming(QStringLiteral("Alice"), QStringLiteral("open"), 9);
    open.wantsReadReceipt = true;
    QVERIFY(m_history->append(sealed));
    QVERIFY(m_history->append(other));
    QVERIFY(m_history->append(open));
    QVERIFY(m_history->commit());
    m_history.reset();

    History again;
    QVERIFY(again.open(path));
    QVERIFY(again.message(sealed.id)->sealed);
    QVERIFY(!again.message(open.id)->sealed);
    QCOMPARE(again.conversation(QStringLiteral("Alice"), 1e300, 10).first().sealed, true);
    const QList<Message> receipts = again.markRead(QStringLiteral("Alice"));
    QCOMPARE(receipts.size(), 1);
    QCOMPARE(receipts.first().packetNo, quint64(9));
    QVERIFY(again.message(sealed.id)->sealed);

    const auto opened = again.openSealed(sealed.id);
    QVERIFY(opened);
    QCOMPARE(opened->packetNo, quint64(7));
    QVERIFY(opened->wantsReadReceipt);
    QVERIFY(!again.openSealed(sealed.id)); // opened once
    QVERIFY(!again.openSealed(open.id));   // never sealed
    QVERIFY(!again.message(sealed.id)->sealed);
    QVERIFY(again.message(other.id)->sealed);
    QVERIFY(again.commit());
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
    QVERIFY(writeFile(path, garbage));
    History damaged;
    QVERIFY(!damaged.open(path));
    QVERIFY2(damaged.error().contains(path), qPrintable(damaged.error()));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), garbage);
}

namespace {

struct Row {
    QString peer;
    Direction direction;
    QString text; // or, for a long text, its first words
    int length;
    MessageState state;
    QString remote;
    quint64 packetNo;
    int parts;
    bool unread, receipt, system, fragmented;
};

// What make_firstrelease.cpp wrote with the first release's code (tests/data/README.md), written out.
QList<Row> firstReleaseRows()
{
    const QString alice = u"127.0.0.1:2426"_qs, wang = u"127.0.0.2:2425"_qs, stranger = u"127.0.0.9:40001"_qs;
    using D = Direction;
    using S = MessageState;
    return {
        {u"Alice"_qs, D::Incoming, u"hello from Alice"_qs, 16, S::Received, alice, 1001, 1, 0, 0, 0, 0},
        {u"Alice"_qs, D::Outgoing, u"hi Alice, delivered"_qs, 19, S::Delivered, alice, 5001, 1, 0, 0, 0, 0},
        {u"Alice"_qs, D::Outgoing, u"this one was read"_qs, 17, S::Read, alice, 5002, 1, 0, 0, 0, 0},
        {u"Alice"_qs, D::Incoming, u"Alice came online"_qs, 17, S::Received, alice, 0, 1, 0, 0, 1, 0},
        {u"Alice"_qs, D::Outgoing, u"line 0 of a long message; line 1"_qs, 11090, S::Sending, alice, 5003, 3, 0, 0, 0,
         1},
        {u"Alice"_qs, D::Outgoing, u"this one failed"_qs, 15, S::Failed, alice, 5006, 1, 0, 0, 0, 0},
        {u"Alice"_qs, D::Incoming, u"unread, asks for a receipt"_qs, 26, S::Received, alice, 1002, 1, 1, 1, 0, 0},
        {u"王小明"_qs, D::Incoming, u"你好，今天下午三点开会吗？"_qs, 13, S::Received, wang, 77, 1, 0, 0, 0, 0},
        {u"王小明"_qs, D::Incoming, u"会议室在二楼。🙂"_qs, 9, S::Received, wang, 78, 1, 0, 0, 0, 0},
        {u"王小明"_qs, D::Outgoing, u"好的，我会准时到。"_qs, 9, S::Queued, wang, 0, 1, 0, 0, 0, 0},
        {u"王小明"_qs, D::Outgoing, u"长消息：汉字汉字"_qs, 3004, S::Sending, wang, 5007, 2, 0, 0, 0, 1},
        {stranger, D::Incoming, u"hello, who is this?"_qs, 19, S::Received, stranger, 9, 1, 1, 0, 0, 0},
        {stranger, D::Outgoing, u"plain text reply"_qs, 16, S::Sending, stranger, 5009, 1, 0, 0, 0, 0},
        {stranger, D::Outgoing, u"sent to a plain-text peer"_qs, 25, S::Sent, stranger, 5010, 1, 0, 0, 0, 0},
    };
}

int userVersion(const QString& path)
{
    int version = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_qs, u"version"_qs);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(u"PRAGMA user_version"_qs) && q.next())
                version = q.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(u"version"_qs);
    return version;
}

// Runs `statements` on the file at `path` through a connection of its own.
bool execute(const QString& path, const QStringList& statements)
{
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_qs, u"writer"_qs);
        db.setDatabaseName(path);
        ok = db.open();
        QSqlQuery q(db);
        for (const QString& s : statements)
            ok = ok && q.exec(s);
    }
    QSqlDatabase::removeDatabase(u"writer"_qs);
    return ok;
}

} // namespace

void TestHistory::upgradesFirstRelease()
{
    const QString path = m_dir->filePath(u"first.sqlite"_qs);
    QVERIFY(QFile::copy(QStringLiteral(PIGEON_TEST_DATA "/firstrelease-history.sqlite"), path));
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    QCOMPARE(userVersion(path), 1);
    History history;
    QList<int> progress;
    history.setUpgradeProgress([&](int percent) { progress.append(percent); });
    QVERIFY2(history.open(path), qPrintable(history.error()));
    QCOMPARE(userVersion(path), schema::Version);
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last(), 100);
    QVERIFY(std::is_sorted(progress.cbegin(), progress.cend()));
    // The copy made before the upgrade is gone once it committed.
    QVERIFY(!QFile::exists(path + u".v1.bak"_qs));

    const QList<Row> rows = firstReleaseRows();
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const Row& r = rows.at(i);
        const auto m = history.message(i + 1);
        QVERIFY(m);
        QCOMPARE(m->peer, r.peer);
        QCOMPARE(m->direction, r.direction);
        QVERIFY2(m->text.startsWith(r.text), qPrintable(m->text.left(40)));
        QCOMPARE(m->text.size(), r.length);
        QCOMPARE(m->state, r.state);
        QCOMPARE(m->remote, r.remote);
        QCOMPARE(m->packetNo, r.packetNo);
        QCOMPARE(m->parts, r.parts);
        QCOMPARE(m->unread, r.unread);
        QCOMPARE(m->wantsReadReceipt, r.receipt);
        QCOMPARE(m->isSystem, r.system);
        QCOMPARE(m->fragmented, r.fragmented);
        // One minute apart from 2025-11-22 00:00 UTC, in the order they were written.
        QCOMPARE(m->time, QDateTime(QDate(2025, 11, 22), QTime(0, 0), Qt::UTC).addSecs(60 * i));
    }
    QVERIFY(!history.message(15));
    // Each conversation whole, in order.
    const QList<std::pair<QString, QList<qint64>>> conversations = {
        {u"Alice"_qs, {1, 2, 3, 4, 5, 6, 7}}, {u"王小明"_qs, {8, 9, 10, 11}}, {u"127.0.0.9:40001"_qs, {12, 13, 14}}};
    for (const auto& [peer, ids] : conversations) {
        QList<qint64> got;
        for (const Message& m : history.conversation(peer, 1e18, 100))
            got.append(m.id);
        QCOMPARE(got, ids);
        QCOMPARE(history.conversationSize(peer), ids.size());
    }
    // The list: newest first, with the unread counts the first release showed.
    const QList<ConversationSummary> list = history.conversations();
    QCOMPARE(list.size(), 3);
    QCOMPARE(list.at(0).peer, u"127.0.0.9:40001"_qs);
    QCOMPARE(list.at(0).lastText, u"sent to a plain-text peer"_qs);
    QCOMPARE(list.at(0).unread, 1);
    QCOMPARE(list.at(1).peer, u"王小明"_qs);
    QCOMPARE(list.at(1).unread, 0);
    QCOMPARE(list.at(2).peer, u"Alice"_qs);
    QCOMPARE(list.at(2).lastText, u"unread, asks for a receipt"_qs);
    QCOMPARE(list.at(2).unread, 1);
    QList<qint64> unsent;
    for (const Message& m : history.unsent())
        unsent.append(m.id);
    QCOMPARE(unsent, (QList<qint64>{5, 10, 11, 13}));
    QCOMPARE(history.queuedCount(u"王小明"_qs), 1);
    QCOMPARE(history.lastPacketNo(), quint64(5010));
    QCOMPARE(history.findOutgoing(u"127.0.0.1:2426"_qs, 5006), 6);
    // The upgrade built the full-text indexes: a one-character Chinese word, a Latin word in other case; never the
    // system line ("Alice came online").
    const auto found = [&history](const QString& query) {
        QList<qint64> ids;
        for (const SearchHit& hit : history.search(query).hits)
            ids.append(hit.message.id);
        return ids;
    };
    QCOMPARE(found(u"会"_qs), (QList<qint64>{10, 9, 8}));
    QCOMPARE(found(u"ALICE"_qs), (QList<qint64>{2, 1}));
    QCOMPARE(found(u"汉字"_qs), (QList<qint64>{11}));
    QCOMPARE(found(u"🙂"_qs), (QList<qint64>{9}));
    // New rows go after the old ones, and the upgraded file keeps working.
    Message m = incoming(u"Alice"_qs, u"after the upgrade"_qs, 1003);
    QVERIFY(history.append(m));
    QCOMPARE(m.id, 15);
    QVERIFY(m.sortKey > 1763769960000.0);
    QVERIFY(history.commit());
    QCOMPARE(history.conversations().at(0).peer, u"Alice"_qs);
    QCOMPARE(history.markRead(u"Alice"_qs).size(), 1);
    QString report;
    QCOMPARE(History::check(path, &report), History::Health::Ok);
}

void TestHistory::upgradesVersionOne()
{
    // The schema as the releases before conversations had ids wrote it (version 1, index with packet_no).
    const QString path = m_dir->filePath(u"v1.sqlite"_qs);
    QStringList statements = {
        u"CREATE TABLE messages (id INTEGER PRIMARY KEY, peer TEXT NOT NULL, direction INTEGER NOT NULL, text TEXT "
        "NOT NULL, time INTEGER NOT NULL, sort_key REAL NOT NULL, state INTEGER NOT NULL, remote TEXT NOT NULL, "
        "packet_no INTEGER NOT NULL DEFAULT 0, parts INTEGER NOT NULL DEFAULT 1, flags INTEGER NOT NULL DEFAULT 0)"_qs,
        u"CREATE INDEX messages_by_peer ON messages (peer, sort_key, packet_no)"_qs,
        u"CREATE INDEX messages_by_packet ON messages (remote, packet_no)"_qs,
        u"CREATE INDEX messages_unsent ON messages (state) WHERE state < 2"_qs,
        u"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"_qs,
        u"PRAGMA user_version = 1"_qs};
    // 250 000 rows: the copy goes in several chunks. Two conversations, alternating; every 10th from Bob unread.
    statements.append(u"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250000) "
                      "INSERT INTO messages (peer, direction, text, time, sort_key, state, remote, packet_no, flags) "
                      "SELECT iif(i % 2, 'Bob', '李四'), i % 2, 'message ' || i, 1000 * i, 1000 * i, "
                      "iif(i % 2, 3, 6), '127.0.0.1:' || (2425 + i % 2), i, iif(i % 20 = 0, 1, 0) FROM n"_qs);
    QVERIFY(execute(path, statements));
    History history;
    QVERIFY2(history.open(path), qPrintable(history.error()));
    QCOMPARE(userVersion(path), schema::Version);
    QCOMPARE(history.conversationSize(u"Bob"_qs), 125000);
    QCOMPARE(history.conversationSize(u"李四"_qs), 125000);
    const QList<Message> newest = history.conversation(u"李四"_qs, 1e18, 2);
    QCOMPARE(newest.size(), 2);
    QCOMPARE(newest.at(0).text, u"message 249998"_qs);
    QCOMPARE(newest.at(1).text, u"message 250000"_qs);
    QCOMPARE(newest.at(1).unread, true);
    QCOMPARE(newest.at(1).state, MessageState::Received);
    const QList<Message> first = history.conversationAfter(u"Bob"_qs, -1, 0, 1);
    QCOMPARE(first.at(0).id, 1);
    QCOMPARE(first.at(0).state, MessageState::Delivered);
    QCOMPARE(first.at(0).remote, u"127.0.0.1:2426"_qs);
    const QList<ConversationSummary> list = history.conversations();
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(0).peer, u"李四"_qs);
    QCOMPARE(list.at(0).unread, 12500);
    QCOMPARE(list.at(1).unread, 0);
    QCOMPARE(history.lastPacketNo(), quint64(249999));
    // Every message is in the full-text index, also past the first chunk of the upgrade.
    const SearchPage page = history.search(u"249997"_qs);
    QCOMPARE(page.hits.size(), 1);
    QCOMPARE(page.hits.at(0).message.peer, u"Bob"_qs);
    QCOMPARE(history.search(u"message"_qs, u"李四"_qs, 0, 3).hits.at(2).message.text, u"message 249996"_qs);
}

void TestHistory::refusesNewerVersion()
{
    const QString path = m_dir->filePath(u"newer.sqlite"_qs);
    const QString newer = QString::number(schema::Version + 1);
    QVERIFY(execute(path, {u"CREATE TABLE future (x)"_qs, u"PRAGMA user_version = "_qs + newer}));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();
    History history;
    QVERIFY(!history.open(path));
    QVERIFY2(history.error().contains(path) && history.error().contains(u"newer Pigeon"_qs) &&
                 history.error().contains(u"version "_qs + newer),
             qPrintable(history.error()));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
}

void TestHistory::failingInsert()
{
    // A full disk: a file-size limit on this process. A message far larger than SQLite's page cache makes the INSERT
    // itself write to the log, so the statement fails (not only the COMMIT).
    Message stored = incoming(u"Alice"_qs, u"stored"_qs, 1);
    QVERIFY(m_history->append(stored));
    QVERIFY(m_history->commit());
    QSignalSpy failed(m_history.get(), &History::failed);
    Message big = incoming(u"Alice"_qs, QString(8 * 1024 * 1024, u'x'), 2);
    bool appended = true;
    {
        const FileSizeLimit full(1024 * 1024);
        QVERIFY(full.ok());
        appended = m_history->append(big);
    }
    QVERIFY(!appended);
    QCOMPARE(big.id, 0);
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.first().first().toString().contains(m_history->path()), qPrintable(m_history->error()));
    m_history->commit();
    QCOMPARE(m_history->conversationSize(u"Alice"_qs), 1);
    // With room again, the next message is stored.
    Message next = incoming(u"Alice"_qs, u"next"_qs, 3);
    QVERIFY2(m_history->append(next), qPrintable(m_history->error()));
    QVERIFY(m_history->commit());
    QCOMPARE(m_history->conversationSize(u"Alice"_qs), 2);
    QCOMPARE(m_history->conversations().first().lastText, u"next"_qs);
    // The summary counts what was stored, not the message that was refused.
    QCOMPARE(m_history->conversations().first().unread, 2);
}

void TestHistory::failingUpdate()
{
    // Another process holds the write lock longer than History waits (busy_timeout, 2 s): the UPDATE fails.
    Message sent = incoming(u"Alice"_qs, u"sent"_qs, 1);
    sent.direction = Direction::Outgoing;
    sent.state = MessageState::Sending;
    QVERIFY(m_history->append(sent));
    QVERIFY(m_history->commit());
    QSignalSpy failed(m_history.get(), &History::failed);
    {
        QSqlDatabase other = QSqlDatabase::addDatabase(u"QSQLITE"_qs, u"locker"_qs);
        other.setDatabaseName(m_history->path());
        QVERIFY(other.open());
        QSqlQuery q(other);
        QVERIFY(q.exec(u"BEGIN IMMEDIATE"_qs));
        QVERIFY(!m_history->setState(sent.id, MessageState::Delivered));
        QVERIFY(q.exec(u"ROLLBACK"_qs));
    }
    QSqlDatabase::removeDatabase(u"locker"_qs);
    QCOMPARE(failed.size(), 1);
    QVERIFY2(failed.first().first().toString().contains(m_history->path()), qPrintable(m_history->error()));
    m_history->commit();
    QCOMPARE(m_history->message(sent.id)->state, MessageState::Sending);
    QVERIFY(m_history->setState(sent.id, MessageState::Delivered));
    QVERIFY(m_history->commit());
    QCOMPARE(m_history->message(sent.id)->state, MessageState::Delivered);
}

void TestHistory::removedContactKeepsOneConversation()
{
    const QString address = u"127.0.0.1:5000"_qs;
    // A stranger writes, is added as Carol, talks, is removed, writes again, and is added back as Caroline.
    Message a = incoming(address, u"one"_qs, 1);
    a.remote = address;
    QVERIFY(m_history->append(a));
    QVERIFY(m_history->renamePeer(address, u"Carol"_qs));
    Message b = incoming(u"Carol"_qs, u"two"_qs, 2);
    b.remote = address;
    QVERIFY(m_history->append(b));
    QVERIFY(m_history->detachContact(u"Carol"_qs));
    QVERIFY(!m_history->hasConversation(u"Carol"_qs));
    Message c = incoming(address, u"three"_qs, 3);
    c.remote = address;
    QVERIFY(m_history->append(c));
    QCOMPARE(m_history->conversations().size(), 1);
    QCOMPARE(m_history->conversationSize(address), 3);
    QVERIFY(m_history->renamePeer(address, u"Caroline"_qs));
    QVERIFY(m_history->commit());
    const QList<ConversationSummary> list = m_history->conversations();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().peer, u"Caroline"_qs);
    QCOMPARE(list.first().lastText, u"three"_qs);
    QCOMPARE(list.first().unread, 3);
    QStringList texts;
    for (const Message& m : m_history->conversation(u"Caroline"_qs, 1e18, 10))
        texts.append(m.text);
    QCOMPARE(texts, (QStringList{u"one"_qs, u"two"_qs, u"three"_qs}));
}

void TestHistory::renameOntoExistingConversationMerges()
{
    Message a = incoming(u"Dave"_qs, u"first"_qs, 1);
    Message b = incoming(u"127.0.0.1:2425"_qs, u"second"_qs, 2);
    Message c = incoming(u"Dave"_qs, u"third"_qs, 3);
    QVERIFY(m_history->append(a) && m_history->append(b) && m_history->append(c));
    QVERIFY(m_history->renamePeer(u"127.0.0.1:2425"_qs, u"Dave"_qs));
    QVERIFY(m_history->commit());
    const QList<ConversationSummary> list = m_history->conversations();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().lastText, u"third"_qs);
    QCOMPARE(list.first().unread, 3);
    QStringList texts;
    for (const Message& m : m_history->conversation(u"Dave"_qs, 1e18, 10))
        texts.append(m.text);
    QCOMPARE(texts, (QStringList{u"first"_qs, u"second"_qs, u"third"_qs}));
}

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
