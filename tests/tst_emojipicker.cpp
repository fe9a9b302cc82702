// The compose box's emoji button, offscreen: the picker opens, a click inserts the emoji at the cursor, and the ones
// used last come first, also in a picker made later on the same profile (they are kept in its settings).

#include "composeedit.h"
#include "emojipicker.h"
#include "mainwindow.h"

#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

class TestEmojiPicker final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void insertsAtTheCursor_data();
    void insertsAtTheCursor();
    void recentOnesFirstAndKept();

private:
    // Clicks the emoji button and then the picker's button showing `emoji`.
    void pick(const QString& emoji);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<MainWindow> m_window;
};

void TestEmojiPicker::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_session = std::make_unique<Session>();
    QVERIFY2(m_session->open({m_dir->path(), QHostAddress::LocalHost, 0, u"Me"_qs, false}),
             qPrintable(m_session->error()));
    QVERIFY(m_session->contacts().add({u"Carol"_qs, u"127.0.0.3"_qs, 9}).isEmpty());
    m_window = std::make_unique<MainWindow>(*m_session);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->openConversation(u"Carol"_qs);
}

void TestEmojiPicker::cleanup()
{
    m_window.reset();
    m_session.reset();
    m_dir.reset();
}

void TestEmojiPicker::pick(const QString& emoji)
{
    QTest::mouseClick(m_window->emojiButton(), Qt::LeftButton);
    EmojiPicker* picker = m_window->emojiPicker();
    QTRY_VERIFY(picker->isVisible());
    QToolButton* target = nullptr;
    for (QToolButton* button : picker->findChildren<QToolButton*>())
        if (button->text() == emoji)
            target = button;
    QVERIFY2(target, qPrintable(emoji));
    QTest::mouseClick(target, Qt::LeftButton);
    QTRY_VERIFY(!picker->isVisible());
}

void TestEmojiPicker::insertsAtTheCursor_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<int>("cursor");
    QTest::addColumn<QString>("emoji");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty box") << QString() << 0 << u"👍"_qs << u"👍"_qs;
    QTest::newRow("at the end") << u"好的"_qs << 2 << u"😂"_qs << u"好的😂"_qs;
    QTest::newRow("in the middle") << u"see you"_qs << 3 << u"🕊️"_qs << u"see🕊️ you"_qs;
}

void TestEmojiPicker::insertsAtTheCursor()
{
    QFETCH(QString, typed);
    QFETCH(int, cursor);
    QFETCH(QString, emoji);
    QFETCH(QString, expected);
    ComposeEdit* compose = m_window->composer();
    compose->setPlainText(typed);
    QTextCursor c = compose->textCursor();
    c.setPosition(cursor);
    compose->setTextCursor(c);
    pick(emoji);
    QCOMPARE(compose->toPlainText(), expected);
    QTRY_VERIFY(compose->hasFocus());
    // The picked one is sent like any text.
    QVERIFY(m_window->sendComposed());
    QCOMPARE(m_session->history().conversation(u"Carol"_qs, 1e18, 1).value(0).text, expected);
}

void TestEmojiPicker::recentOnesFirstAndKept()
{
    EmojiPicker* picker = m_window->emojiPicker();
    const QStringList before = picker->shown();
    QVERIFY(before.size() > 20);
    QVERIFY(picker->recent().isEmpty());
    pick(before.at(20));
    pick(before.at(5));
    pick(before.at(20));
    const QStringList recent{before.at(20), before.at(5)};
    QCOMPARE(picker->recent(), recent);
    QCOMPARE(picker->shown().mid(0, 2), recent);
    // Each emoji once.
    QCOMPARE(picker->shown().size(), before.size());
    EmojiPicker later(m_session->profile().settingsPath());
    QCOMPARE(later.recent(), recent);
}

QTEST_MAIN(TestEmojiPicker)
#include "tst_emojipicker.moc"
