// The status menu of the window and the automatic away, offscreen, with a second real engine (Bob) on 127.0.0.1 that
// sees what the window's user chooses; Bob's own status in the conversation list; automatic answers marked as such.

#include "autoaway.h"
#include "bubbledelegate.h"
#include "composeedit.h"
#include "mainwindow.h"
#include "statusmenu.h"
#include "windowsession.h"

#include <QAction>
#include <QApplication>
#include <QInputDialog>
#include <QMenu>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

class TestStatusMenu final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void menuSetsTheStatus_data();
    void menuSetsTheStatus();
    void messageFromTheMenu();
    void idleGoesAwayAndInputComesBack();
    void peerStatusInTheList();
    void automaticAnswerIsMarked();

private:
    QModelIndex bobRow() const { return m_window->conversations().indexOfPeer(QStringLiteral("Bob")); }

    std::unique_ptr<QTemporaryDir> m_bobDir;
    std::unique_ptr<QTemporaryDir> m_myDir;
    std::unique_ptr<Session> m_bob;
    std::unique_ptr<Session> m_me;
    std::unique_ptr<MainWindow> m_window;
};

void TestStatusMenu::init()
{
    m_bobDir = std::make_unique<QTemporaryDir>();
    m_myDir = std::make_unique<QTemporaryDir>();
    QCOMPARE(openOnLoopback(m_bob, m_bobDir->path(), QStringLiteral("Bob")), QString());
    QCOMPARE(openOnLoopback(m_me, m_myDir->path(), QStringLiteral("Me")), QString());
    QCOMPARE(addAsContact(*m_me, QStringLiteral("Bob"), *m_bob), QString());
    QCOMPARE(addAsContact(*m_bob, QStringLiteral("Me"), *m_me), QString());
    m_window = std::make_unique<MainWindow>(*m_me);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTRY_COMPARE(m_me->messenger()->presence(QStringLiteral("Bob")), Presence::Online);
    QTRY_COMPARE(m_bob->messenger()->presence(QStringLiteral("Me")), Presence::Online);
}

void TestStatusMenu::cleanup()
{
    m_window.reset();
    m_me.reset();
    m_bob.reset();
    m_myDir.reset();
    m_bobDir.reset();
}

void TestStatusMenu::menuSetsTheStatus_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("shown");
    QTest::addRow("away") << u"statusAway"_qs << int(Status::Away) << u"Away"_qs;
    QTest::addRow("busy") << u"statusBusy"_qs << int(Status::Busy) << u"Busy"_qs;
    QTest::addRow("online") << u"statusOnline"_qs << int(Status::Online) << u"Online"_qs;
}

void TestStatusMenu::menuSetsTheStatus()
{
    QFETCH(QString, action);
    QFETCH(int, status);
    QFETCH(QString, shown);
    StatusMenu* button = m_window->statusMenu();
    QVERIFY(button->isVisible());
    QCOMPARE(button->text(), u"Online"_qs);
    QVERIFY(button->onlineAction()->isChecked());
    // Start from another status than the one picked, so that picking it is a change.
    m_me->messenger()->setStatus(status == int(Status::Busy) ? Status::Away : Status::Busy);
    auto* picked = button->menu()->findChild<QAction*>(action);
    QVERIFY(picked);
    picked->trigger();
    QCOMPARE(m_me->messenger()->status().status, Status(status));
    QVERIFY(!m_me->messenger()->isStatusAutomatic());
    QCOMPARE(button->text(), shown);
    QVERIFY(picked->isChecked());
    // Bob's Pigeon hears it (BR_ABSENCE), and the profile keeps it.
    QTRY_COMPARE(m_bob->messenger()->peerStatus(QStringLiteral("Me")).status, Status(status));
    QCOMPARE(m_me->profile().status().status, Status(status));
}

void TestStatusMenu::messageFromTheMenu()
{
    StatusMenu* button = m_window->statusMenu();
    bool answered = false;
    // The dialog is modal: answer it once it is up.
    QTimer::singleShot(0, this, [&] {
        QTRY_VERIFY(qobject_cast<QInputDialog*>(QApplication::activeModalWidget()));
        auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
        dialog->setTextValue(QStringLiteral("in the lab until 5"));
        dialog->accept();
        answered = true;
    });
    button->messageAction()->trigger();
    QVERIFY(answered);
    // From Online, a message means Away with it.
    QCOMPARE(m_me->messenger()->status(), (PeerStatus{Status::Away, u"in the lab until 5"_qs}));
    QCOMPARE(button->text(), u"Away: in the lab until 5"_qs);
    QVERIFY(button->awayAction()->isChecked());
    QTRY_COMPARE(m_bob->messenger()->peerStatus(QStringLiteral("Me")),
                 (PeerStatus{Status::Away, u"in the lab until 5"_qs}));
    // Busy keeps the text.
    button->busyAction()->trigger();
    QCOMPARE(m_me->messenger()->status(), (PeerStatus{Status::Busy, u"in the lab until 5"_qs}));
    QCOMPARE(button->text(), u"Busy: in the lab until 5"_qs);
}

void TestStatusMenu::idleGoesAwayAndInputComesBack()
{
    AutoAway* away = m_window->autoAway();
    // Ten minutes unless chosen otherwise; 300 ms here.
    QCOMPARE(away->timeoutMs(), qint64(10) * 60'000);
    away->setTimeout(300, QStringLiteral("I stepped out"));
    QTRY_COMPARE(m_me->messenger()->status(), (PeerStatus{Status::Away, u"I stepped out"_qs}));
    QVERIFY(m_me->messenger()->isStatusAutomatic());
    QCOMPARE(m_window->statusMenu()->text(), u"Away: I stepped out"_qs);
    // An automatic away is not kept in the profile.
    QCOMPARE(m_me->profile().status(), PeerStatus{});
    // Back at the first key.
    QTest::keyClick(m_window->composer(), Qt::Key_A);
    QCOMPARE(m_me->messenger()->status(), PeerStatus{});
    QCOMPARE(m_window->statusMenu()->text(), u"Online"_qs);

    // A status the user chose is the user's: neither idle time nor input changes it.
    m_window->statusMenu()->busyAction()->trigger();
    QTest::qWait(600); // two idle timeouts pass; nothing to wait for, since nothing may happen
    QTest::keyClick(m_window->composer(), Qt::Key_B);
    QCOMPARE(m_me->messenger()->status().status, Status::Busy);
    away->setTimeout(0, {});
}

void TestStatusMenu::peerStatusInTheList()
{
    QCOMPARE(bobRow().data(ConversationListModel::StatusRole).toInt(), int(Status::Online));
    m_bob->messenger()->setStatus(Status::Busy, QStringLiteral("on a call"));
    QTRY_COMPARE(bobRow().data(ConversationListModel::StatusRole).toInt(), int(Status::Busy));
    QCOMPARE(bobRow().data(ConversationListModel::StatusTextRole).toString(), u"on a call"_qs);
    QVERIFY(bobRow().data(Qt::ToolTipRole).toString().contains(u"Busy: on a call"_qs));
    m_bob->messenger()->setStatus(Status::Online);
    QTRY_COMPARE(bobRow().data(ConversationListModel::StatusRole).toInt(), int(Status::Online));
    QVERIFY(!bobRow().data(Qt::ToolTipRole).toString().contains(u"Busy"_qs));
}

void TestStatusMenu::automaticAnswerIsMarked()
{
    m_me->messenger()->setStatus(Status::Away, QStringLiteral("at lunch"));
    m_window->openConversation(QStringLiteral("Bob"));
    QVERIFY(m_bob->messenger()->send(QStringLiteral("Me"), QStringLiteral("lunch?")) > 0);
    ConversationModel& thread = m_window->thread();
    QTRY_COMPARE(thread.rowCount(), 2);
    const QModelIndex question = thread.index(0);
    const QModelIndex answer = thread.index(1);
    QCOMPARE(question.data(ConversationModel::TextRole).toString(), u"lunch?"_qs);
    QVERIFY(!question.data(ConversationModel::AutoReplyRole).toBool());
    QCOMPARE(answer.data(ConversationModel::TextRole).toString(), u"at lunch"_qs);
    QVERIFY(answer.data(ConversationModel::AutoReplyRole).toBool());
    QVERIFY(BubbleDelegate::metaText(answer).contains(u"automatic answer"_qs));
    QVERIFY(!BubbleDelegate::metaText(question).contains(u"automatic answer"_qs));
}

QTEST_MAIN(TestStatusMenu)
#include "tst_statusmenu.moc"
