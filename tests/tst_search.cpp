// Full-text search of the history (search.h, History::search): Chinese words of one, two and more characters, mixed
// scripts, Latin case, whole short words, phrases, one conversation, paging, and where the words are highlighted.

#include "history.h"
#include "search.h"

#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

class TestSearch final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void finds_data();
    void finds();
    void findsUncommittedAndCommitted();
    void indexesInBatches();
    void indexesAfterCrash();
    void pages();
    void spans_data();
    void spans();
    void excerpt();
    void shortTerms_data();
    void shortTerms();

private:
    QTemporaryDir m_dir;
    History m_history;
    QHash<QString, qint64> m_ids; // text -> id
};

namespace {

// Message texts by conversation, in the order they are stored.
const QList<std::pair<QString, QString>> Texts = {
    {u"Alice"_qs, u"明天下午三点开会，请带上文件"_qs},
    {u"Alice"_qs, u"会议室在二楼"_qs},
    {u"王小明"_qs, u"文件夹已经共享了"_qs},
    {u"王小明"_qs, u"Meeting moved to Room 301"_qs},
    {u"Bob"_qs, u"the MEETING notes are in the shared folder"_qs},
    {u"Bob"_qs, u"OK, see you at 3"_qs},
    {u"Bob"_qs, u"我用QQ发给你了 🙂"_qs},
    {u"Bob"_qs, u"Zürich: the café on Straße 5"_qs},
    {u"Alice"_qs, u"ok-ish? no, it is booked"_qs},
    {u"王小明"_qs, u"周五的meeting改到下午"_qs},
    {u"Bob"_qs, u"ファイルを送ります"_qs},
};

} // namespace

void TestSearch::initTestCase()
{
    QVERIFY2(m_history.open(m_dir.filePath(u"history.sqlite"_qs)), qPrintable(m_history.error()));
    for (const auto& [peer, text] : Texts) {
        Message m;
        m.peer = peer;
        m.text = text;
        m.remote = u"127.0.0.1:2425"_qs;
        QVERIFY(m_history.append(m));
        m_ids.insert(text, m.id);
    }
    // A system line is no chat message: never a result.
    Message system;
    system.peer = u"Alice"_qs;
    system.text = u"Alice came online; meeting"_qs;
    system.isSystem = true;
    QVERIFY(m_history.append(system));
    QVERIFY(m_history.commit());
}

void TestSearch::finds_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QStringList>("expected"); // texts, newest first

    const auto t = [](int i) {
        return Texts.at(i).second;
    };
    QTest::newRow("Chinese, 1 character") << u"会"_qs << QString() << QStringList{t(1), t(0)};
    QTest::newRow("Chinese, 2 characters") << u"文件"_qs << QString() << QStringList{t(2), t(0)};
    QTest::newRow("Chinese, 2 characters inside a run") << u"下午"_qs << QString() << QStringList{t(9), t(0)};
    QTest::newRow("Chinese, 2 characters, nowhere") << u"会文"_qs << QString() << QStringList{};
    QTest::newRow("Chinese, 3 characters") << u"文件夹"_qs << QString() << QStringList{t(2)};
    QTest::newRow("Chinese, 4 characters") << u"三点开会"_qs << QString() << QStringList{t(0)};
    QTest::newRow("Japanese, 2 characters") << u"ファ"_qs << QString() << QStringList{t(10)};
    QTest::newRow("Latin, lower case") << u"meeting"_qs << QString() << QStringList{t(9), t(4), t(3)};
    QTest::newRow("Latin, upper case") << u"MEETING"_qs << QString() << QStringList{t(9), t(4), t(3)};
    QTest::newRow("Latin, inside a word") << u"eeti"_qs << QString() << QStringList{t(9), t(4), t(3)};
    QTest::newRow("Latin with diacritics, other case") << u"ZÜRICH"_qs << QString() << QStringList{t(7)};
    QTest::newRow("ß") << u"STRAßE"_qs << QString() << QStringList{t(7)};
    QTest::newRow("short word, whole words only") << u"ok"_qs << QString() << QStringList{t(8), t(5)};
    QTest::newRow("one digit") << u"3"_qs << QString() << QStringList{t(5)};
    QTest::newRow("Latin inside Chinese, 2 letters") << u"qq"_qs << QString() << QStringList{t(6)};
    QTest::newRow("emoji") << u"🙂"_qs << QString() << QStringList{t(6)};
    QTest::newRow("mixed scripts, one word") << u"的meeting"_qs << QString() << QStringList{t(9)};
    QTest::newRow("mixed scripts, two words") << u"meeting 下午"_qs << QString() << QStringList{t(9)};
    QTest::newRow("mixed scripts, short and long") << u"QQ 发给你"_qs << QString() << QStringList{t(6)};
    QTest::newRow("words in any order") << u"folder shared"_qs << QString() << QStringList{t(4)};
    QTest::newRow("a phrase") << u"\"shared folder\""_qs << QString() << QStringList{t(4)};
    QTest::newRow("a phrase in another order") << u"\"folder shared\""_qs << QString() << QStringList{};
    QTest::newRow("one conversation") << u"文件"_qs << u"王小明"_qs << QStringList{t(2)};
    QTest::newRow("one conversation, Latin") << u"meeting"_qs << u"Bob"_qs << QStringList{t(4)};
    QTest::newRow("an unknown conversation") << u"meeting"_qs << u"Carol"_qs << QStringList{};
    QTest::newRow("system lines are not searched") << u"online"_qs << QString() << QStringList{};
    QTest::newRow("FTS5 syntax is text") << u"NEAR(a b) OR *"_qs << QString() << QStringList{};
    QTest::newRow("punctuation only") << u"!?"_qs << QString() << QStringList{};
    QTest::newRow("nothing") << u"  "_qs << QString() << QStringList{};
}

void TestSearch::finds()
{
    QFETCH(QString, query);
    QFETCH(QString, peer);
    QFETCH(QStringList, expected);
    const SearchPage page = m_history.search(query, peer);
    QVERIFY2(m_history.error().isEmpty(), qPrintable(m_history.error()));
    QStringList got;
    for (const SearchHit& hit : page.hits) {
        got.append(hit.message.text);
        QCOMPARE(hit.message.id, m_ids.value(hit.message.text));
        // Every result shows where it matched.
        QVERIFY2(!hit.spans.isEmpty(), qPrintable(hit.message.text));
    }
    QCOMPARE(got, expected);
    QCOMPARE(page.next, 0);
}

void TestSearch::findsUncommittedAndCommitted()
{
    // A message is found as soon as it is stored: the search commits it and indexes it first.
    Message m;
    m.peer = u"Carol"_qs;
    m.text = u"新的消息 with a password"_qs;
    m.remote = u"127.0.0.1:2426"_qs;
    QVERIFY(m_history.append(m));
    QVERIFY(m_history.hasUncommitted());
    QCOMPARE(m_history.search(u"消息"_qs).hits.size(), 1);
    QVERIFY(m_history.commit());
    const SearchPage page = m_history.search(u"PASSWORD"_qs, u"Carol"_qs);
    QCOMPARE(page.hits.size(), 1);
    QCOMPARE(page.hits.at(0).message.id, m.id);
    QCOMPARE(page.hits.at(0).message.peer, u"Carol"_qs);
}

void TestSearch::indexesInBatches()
{
    // The index follows in a transaction of its own, IndexDelayMs after the append: the message's commit (what its
    // acknowledgement waits for) comes first.
    QTemporaryDir dir;
    History history;
    QVERIFY(history.open(dir.filePath(u"batches.sqlite"_qs)));
    QSignalSpy committed(&history, &History::committed);
    Message m;
    m.peer = u"Dan"_qs;
    m.text = u"quarterly figures 季度报告"_qs;
    QVERIFY(history.append(m));
    QTRY_COMPARE(committed.size(), 1); // the message alone
    QTRY_COMPARE(committed.size(), 2); // then its index
    QCOMPARE(history.search(u"季度"_qs).hits.size(), 1);
    QCOMPARE(committed.size(), 2); // nothing left to index
    // A backlog longer than a batch goes in several transactions, one event-loop turn each.
    for (qint64 i = 0; i < History::IndexBatch + 10; ++i) {
        Message more;
        more.peer = u"Dan"_qs;
        more.text = QStringLiteral("backlog %1").arg(i);
        QVERIFY(history.append(more));
    }
    QTRY_COMPARE(committed.size(), 3); // the messages
    QTRY_COMPARE(committed.size(), 5); // their index, in two batches
    QCOMPARE(history.search(u"backlog"_qs, {}, 0, 5000).hits.size(), History::IndexBatch + 10);
    QCOMPARE(committed.size(), 5);
}

void TestSearch::indexesAfterCrash()
{
    // Messages committed whose index was not (the process died in between) are indexed at the next open.
    QTemporaryDir dir;
    const QString path = dir.filePath(u"crash.sqlite"_qs);
    {
        History history;
        QVERIFY(history.open(path));
        for (const QString& text : {u"before the crash"_qs, u"崩溃之前的消息"_qs}) {
            Message m;
            m.peer = u"Eve"_qs;
            m.text = text;
            QVERIFY(history.append(m));
        }
    }
    {
        // What the file holds when only the messages' transaction reached the disk.
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_qs, u"crash"_qs);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(u"INSERT INTO message_trigrams (message_trigrams) VALUES ('delete-all')"_qs));
        QVERIFY(q.exec(u"INSERT INTO message_shortterms (message_shortterms) VALUES ('delete-all')"_qs));
        QVERIFY(q.exec(u"UPDATE search_progress SET indexed = 0"_qs));
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(u"crash"_qs);
    History history;
    QVERIFY(history.open(path, History::Access::ReadOnly));
    QCOMPARE(history.search(u"crash"_qs).hits.size(), 0); // a reader does not index
    History writer;
    QVERIFY(writer.open(path));
    QCOMPARE(history.search(u"crash"_qs).hits.size(), 1);
    QCOMPARE(history.search(u"崩溃"_qs).hits.size(), 1);
}

void TestSearch::pages()
{
    QTemporaryDir dir;
    History history;
    QVERIFY(history.open(dir.filePath(u"pages.sqlite"_qs)));
    QList<qint64> ids;
    for (int i = 0; i < 230; ++i) {
        Message m;
        m.peer = i % 2 ? u"Dan"_qs : u"Eve"_qs;
        m.text = i % 3 ? QStringLiteral("周报 number %1").arg(i) : QStringLiteral("something else %1").arg(i);
        QVERIFY(history.append(m));
        if (i % 3)
            ids.prepend(m.id);
    }
    QVERIFY(history.commit());
    for (const QString& query : {u"周报"_qs, u"number"_qs}) {
        QList<qint64> got;
        qint64 before = 0;
        int pages = 0;
        do {
            const SearchPage page = history.search(query, {}, before, 50);
            QVERIFY(page.hits.size() <= 50);
            for (const SearchHit& hit : page.hits)
                got.append(hit.message.id);
            before = page.next;
            ++pages;
        } while (before != 0 && pages < 10);
        QCOMPARE(got, ids);
        QCOMPARE(pages, (ids.size() + 49) / 50);
    }
}

void TestSearch::spans_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QList<search::Span>>("expected");
    using S = search::Span;
    QTest::newRow("case-insensitive") << u"the MEETING notes"_qs << u"meeting"_qs << QList<S>{{4, 7}};
    QTest::newRow("every occurrence") << u"会议 开会 会"_qs << u"会"_qs << QList<S>{{0, 1}, {4, 1}, {6, 1}};
    QTest::newRow("overlapping words merge") << u"abcdef"_qs << u"abcd cdef"_qs << QList<S>{{0, 6}};
    QTest::newRow("short words whole") << u"ok booked OK"_qs << u"ok"_qs << QList<S>{{0, 2}, {10, 2}};
    QTest::newRow("short word next to Chinese") << u"用QQ发"_qs << u"qq"_qs << QList<S>{{1, 2}};
    QTest::newRow("emoji, two code units") << u"好 🙂"_qs << u"🙂"_qs << QList<S>{{2, 2}};
}

void TestSearch::spans()
{
    QFETCH(QString, text);
    QFETCH(QString, query);
    QFETCH(QList<search::Span>, expected);
    QCOMPARE(search::spans(text, search::parse(query)), expected);
}

void TestSearch::excerpt()
{
    const QString text = QString(u'x').repeated(100) + u"needle"_qs + QString(u'y').repeated(100);
    QList<search::Span> shown;
    const QString cut = search::excerpt(text, {{100, 6}}, 40, &shown);
    QCOMPARE(cut.size(), 42); // 40 characters and "…" at both ends
    QVERIFY(cut.startsWith(u'…') && cut.endsWith(u'…'));
    QCOMPARE(shown.size(), 1);
    QCOMPARE(cut.mid(shown.at(0).start, shown.at(0).length), u"needle"_qs);
    // Short text stays whole, line breaks become spaces.
    QCOMPARE(search::excerpt(u"a\nb"_qs, {{0, 1}}, 40, &shown), u"a b"_qs);
    QCOMPARE(shown, (QList<search::Span>{{0, 1}}));
}

void TestSearch::shortTerms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("Chinese run") << u"开会了"_qs << u"开 会 开会 了 会了"_qs;
    QTest::newRow("punctuation splits runs") << u"好，的"_qs << u"好 的"_qs;
    QTest::newRow("short Latin words only") << u"OK see you at 3"_qs << u"OK at 3"_qs;
    QTest::newRow("emoji and its variation selector") << u"☺️ hi"_qs << u"☺ hi"_qs;
    QTest::newRow("Latin next to Chinese") << u"用QQ发"_qs << u"用 QQ 发"_qs;
    QTest::newRow("nothing short") << u"hello world"_qs << QString();
}

void TestSearch::shortTerms()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(search::shortTerms(text), expected);
}

QTEST_GUILESS_MAIN(TestSearch)
#include "tst_search.moc"
