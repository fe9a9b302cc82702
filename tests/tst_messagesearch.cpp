// Searching every conversation from the window (Ctrl+Shift+F), offscreen: results with their conversation and the
// matching words marked; Enter or a click opens the thread at the message, loaded around it, selected and on screen;
// scrolling down from there loads the newer messages; Esc goes back to the conversation list.

#include "conversationmodel.h"
#include "mainwindow.h"
#include "messagesearch.h"
#include "threadview.h"

#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTest>

class TestMessageSearch final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void opensTheThreadAtTheMessage_data();
    void opensTheThreadAtTheMessage();
    void newerMessagesLoadBelow();
    void escapeGoesBackAndNothingFound();
    void groupResultNamesItsSender();

private:
    // Types `query` into the search panel opened with Ctrl+Shift+F and waits for the results.
    void searchFor(const QString& query);
    bool onScreen(qint64 id) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<MainWindow> m_window;
    qint64 m_target = 0; // Bob's message with the rare words, in the middle of 400
    qint64 m_carol = 0;
};

namespace {

constexpr int BobMessages = 400;
constexpr int TargetAt = 150;

} // namespace

void TestMessageSearch::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_session = std::make_unique<Session>();
    QVERIFY2(m_session->open({m_dir->path(), QHostAddress::LocalHost, 0, u"Me"_qs, false}),
             qPrintable(m_session->error()));
    History& history = m_session->history();
    for (int i = 0; i < BobMessages; ++i) {
        Message m;
        m.peer = u"Bob"_qs;
        m.text = i == TargetAt ? u"the 周报 for the Zanzibar project"_qs : QStringLiteral("message %1").arg(i);
        m.remote = u"127.0.0.1:9"_qs;
        QVERIFY(history.append(m));
        if (i == TargetAt)
            m_target = m.id;
    }
    Message carol;
    carol.peer = u"Carol"_qs;
    carol.text = u"下周一交周报"_qs;
    carol.remote = u"127.0.0.3:9"_qs;
    QVERIFY(history.append(carol));
    m_carol = carol.id;
    QVERIFY(history.commit());
    m_window = std::make_unique<MainWindow>(*m_session);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestMessageSearch::cleanup()
{
    m_window.reset();
    m_session.reset();
    m_dir.reset();
}

void TestMessageSearch::searchFor(const QString& query)
{
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    MessageSearch* search = m_window->messageSearch();
    QTRY_VERIFY(search->isVisible());
    QTRY_VERIFY(search->queryBox()->hasFocus());
    // As an input method commits Chinese text (QTest types Latin-1 only).
    search->queryBox()->insert(query);
    QTRY_VERIFY(search->results()->count() > 0);
}

bool TestMessageSearch::onScreen(qint64 id) const
{
    ThreadView* view = m_window->threadView();
    const QModelIndex index = view->model()->index(m_window->thread().indexOfId(id).row(), 0);
    return index.isValid() && view->viewport()->rect().contains(view->visualRect(index));
}

void TestMessageSearch::opensTheThreadAtTheMessage_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<bool>("click");
    QTest::newRow("Latin, other case, Enter") << u"zanzibar"_qs << false;
    QTest::newRow("two Chinese characters, click") << u"周报"_qs << true;
}

void TestMessageSearch::opensTheThreadAtTheMessage()
{
    QFETCH(QString, query);
    QFETCH(bool, click);
    m_window->openConversation(u"Carol"_qs);
    searchFor(query);
    QListWidget* results = m_window->messageSearch()->results();
    // Newest first: Carol's message (when it matches) before Bob's older one; each names its conversation and marks
    // the words.
    const int bobRow = results->count() - 1;
    QCOMPARE(results->item(bobRow)->data(MessageSearch::IdRole).toLongLong(), m_target);
    QCOMPARE(results->item(bobRow)->data(MessageSearch::PeerRole).toString(), u"Bob"_qs);
    const QString html = results->item(bobRow)->data(MessageSearch::HtmlRole).toString();
    QVERIFY2(html.contains(u"<b>Bob</b>"_qs) && html.contains(u"font-weight:bold\">"_qs + query, Qt::CaseInsensitive),
             qPrintable(html));
    if (query == u"周报"_qs)
        QCOMPARE(results->item(0)->data(MessageSearch::IdRole).toLongLong(), m_carol);

    if (click) {
        const QRect rect = results->visualItemRect(results->item(bobRow));
        QTest::mouseClick(results->viewport(), Qt::LeftButton, {}, rect.center());
    } else {
        results->setCurrentRow(bobRow);
        QTest::keyClick(m_window->messageSearch()->queryBox(), Qt::Key_Return);
    }
    QTRY_COMPARE(m_window->currentPeer(), u"Bob"_qs);
    // Loaded around the message, not the whole thread, not only the newest page.
    ConversationModel& thread = m_window->thread();
    QVERIFY(thread.indexOfId(m_target).isValid());
    QVERIFY(thread.rowCount() < BobMessages);
    QVERIFY(thread.canFetchMore({}) && thread.canFetchNewer());
    // On screen and selected (a selected bubble is outlined).
    ThreadView* view = m_window->threadView();
    QTRY_VERIFY(onScreen(m_target));
    QCOMPARE(view->currentIndex().data(ConversationModel::IdRole).toLongLong(), m_target);
    QVERIFY(view->selectionModel()->isSelected(view->currentIndex()));
    // The search stays open for the next result.
    QVERIFY(m_window->messageSearch()->isVisible());
}

void TestMessageSearch::newerMessagesLoadBelow()
{
    searchFor(u"Zanzibar"_qs);
    QTest::keyClick(m_window->messageSearch()->queryBox(), Qt::Key_Return);
    QTRY_VERIFY(onScreen(m_target));
    ConversationModel& thread = m_window->thread();
    ThreadView* view = m_window->threadView();
    // Scrolling down to the end of what is loaded brings the newer pages, until the newest message.
    const qint64 newest = m_target + (BobMessages - 1 - TargetAt);
    const auto scrolledToNewest = [&] {
        view->verticalScrollBar()->setValue(view->verticalScrollBar()->maximum());
        return thread.indexOfId(newest).isValid();
    };
    QTRY_VERIFY(scrolledToNewest());
    QVERIFY(!thread.canFetchNewer());
    QVERIFY(!view->isNewMessagesHintVisible());
    // Every message once, in order.
    for (int row = 1; row < thread.rowCount(); ++row)
        QVERIFY(thread.index(row).data(ConversationModel::IdRole).toLongLong() >
                thread.index(row - 1).data(ConversationModel::IdRole).toLongLong());
    // Opened at the result again, "show the newest" loads the newest page in its place.
    QTest::keyClick(m_window->messageSearch()->queryBox(), Qt::Key_Return);
    QTRY_VERIFY(thread.canFetchNewer());
    view->scrollToNewest();
    QVERIFY(!thread.canFetchNewer());
    QTRY_VERIFY(onScreen(newest));
}

void TestMessageSearch::escapeGoesBackAndNothingFound()
{
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier | Qt::ShiftModifier);
    MessageSearch* search = m_window->messageSearch();
    QTRY_VERIFY(search->queryBox()->hasFocus());
    QTest::keyClicks(search->queryBox(), u"nowhere"_qs);
    search->search();
    QCOMPARE(search->results()->count(), 0);
    bool said = false;
    for (const QLabel* label : search->findChildren<QLabel*>())
        said = said || (label->isVisible() && label->text().contains(u"nowhere"_qs));
    QVERIFY(said);
    QTest::keyClick(search->queryBox(), Qt::Key_Escape);
    QTRY_VERIFY(!search->isVisible());
    QVERIFY(m_window->conversationList()->isVisible());
}

// A result from a group says who in the group wrote it, as the group's thread does.
void TestMessageSearch::groupResultNamesItsSender()
{
    QVERIFY(m_session->contacts().add({u"Dave"_qs, u"127.0.0.4"_qs, 9}).isEmpty());
    QString error;
    const QString group = m_session->messenger()->createGroup(u"lab"_qs, {u"Dave"_qs}, &error);
    QCOMPARE(group, u"#lab"_qs);
    Message m;
    m.peer = group;
    m.text = u"the Quillwort samples are in"_qs;
    m.remote = u"127.0.0.4:9"_qs;
    QVERIFY(m_session->history().append(m));
    QVERIFY(m_session->history().commit());
    searchFor(u"quillwort"_qs);
    QListWidget* results = m_window->messageSearch()->results();
    QCOMPARE(results->count(), 1);
    const QString html = results->item(0)->data(MessageSearch::HtmlRole).toString();
    QVERIFY2(html.contains(u"<b>#lab \u203a Dave</b>"_qs), qPrintable(html));
    QCOMPARE(results->item(0)->data(MessageSearch::PeerRole).toString(), u"#lab"_qs);
}

QTEST_MAIN(TestMessageSearch)
#include "tst_messagesearch.moc"
