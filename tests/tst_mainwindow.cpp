// The desktop window driven like a user would: keys into the compose box, clicks in the conversation list, with a
// second real engine on 127.0.0.1 at the other end.

#include "bubbledelegate.h"
#include "composeedit.h"
#include "contactdialog.h"
#include "mainwindow.h"
#include "settingsdialog.h"
#include "threadview.h"
#include "transfers.h"
#include "windowsession.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QNetworkDatagram>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUdpSocket>

class TestMainWindow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void lockShowsEncryption();
    void keyChangePromptsForTrust();
    void cleanup();
    void enterSendsAndBubbleTurnsDelivered();
    void shiftEnterStartsNewLine();
    void emptyIsNotSent_data();
    void emptyIsNotSent();
    void unreadBadgeAndReadReceipt();
    void newMessagesFollowUnlessScrolledUp();
    void scrollingUpLoadsOlderInPlace();
    void ctrlDownMovesBetweenConversations();
    void takenPortOpensWithErrorInStatusBar();
    void longTextGetsNote();
    void messageWhileAwayStaysUnread();
    void removingAsksFirstAndKeepsHistory();
    void draftsStayWithTheirConversation();
    void copyAndLinks();
    void filterDoesNotSwitchConversation();
    void settingsKeepChoicesAndRefuseStrangers();
    void startHonoursContactsOnly_data();
    void startHonoursContactsOnly();
    void settingsShowAddressInUse();
    void typedLineBreaksAreShownAndCopied();
    void receivedLineEndsAreLineBreaks_data();
    void receivedLineEndsAreLineBreaks();
    void rowsNeverOverlap();
    void titleDoesNotRepeatTheApplication();
    void wholeAddressOnHover();
    void searchEscapeAndEmptyResult();
    void keyboardFocusIsDrawn();
    void narrowWindowKeepsTheList();
    void takenPortInSettingsIsNotSaved();
    void nameOptionReachesTheWindow();
    void systemLinesStayWhenReopened();
    void addedStrangerKeepsItsProtocol();
    void sealedMessageOpensOnClick();
    void renamedContactKeepsItsThread();

private:
    Endpoint myEndpoint() { return m_me->transport().localEndpoint(); }
    bool storeBobThread(int count, bool alternate);
    // Everything `peer` has stored from me, committed or not.
    QStringList textsAt(Session& session, const QString& peer);
    void click(const QString& peer);
    // Closes the window and my session, and opens them again on the same profile, as a restart of Pigeon does.
    bool restart();
    // Why two rows of the thread on screen overlap, or a row paints outside its place; empty when none does.
    QString overlap();

    std::unique_ptr<QTemporaryDir> m_bobDir;
    std::unique_ptr<QTemporaryDir> m_myDir;
    std::unique_ptr<Session> m_bob;
    std::unique_ptr<Session> m_me;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::init()
{
    m_bobDir = std::make_unique<QTemporaryDir>();
    m_myDir = std::make_unique<QTemporaryDir>();
    QCOMPARE(openOnLoopback(m_bob, m_bobDir->path(), QStringLiteral("Bob")), QString());
    QCOMPARE(openOnLoopback(m_me, m_myDir->path(), QStringLiteral("Me")), QString());
    QCOMPARE(addAsContact(*m_me, QStringLiteral("Bob"), *m_bob), QString());
    // Carol's port has nobody behind it: a conversation to keep on screen while Bob writes.
    QVERIFY(m_me->contacts().add({QStringLiteral("Carol"), QStringLiteral("127.0.0.3"), 9}).isEmpty());
    m_window = std::make_unique<MainWindow>(*m_me);
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTRY_COMPARE(m_me->messenger()->presence(QStringLiteral("Bob")), Presence::Online);
}

void TestMainWindow::cleanup()
{
    m_window.reset();
    m_me.reset();
    m_bob.reset();
    m_myDir.reset();
    m_bobDir.reset();
}

QStringList TestMainWindow::textsAt(Session& session, const QString& peer)
{
    QStringList texts;
    for (const Message& m : session.history().conversation(peer, std::numeric_limits<double>::max(), 1000))
        texts << m.text;
    return texts;
}

bool TestMainWindow::restart()
{
    const QString error =
        reopenWithWindow(m_me, m_window, {m_myDir->path(), QHostAddress::LocalHost, 0, QStringLiteral("Me"), false});
    if (!error.isEmpty())
        qWarning("%s", qPrintable(error));
    return error.isEmpty();
}

void TestMainWindow::click(const QString& peer)
{
    QListView* list = m_window->conversationList();
    for (int row = 0; row < list->model()->rowCount(); ++row) {
        const QModelIndex index = list->model()->index(row, 0);
        if (index.data(ConversationListModel::PeerRole).toString() == peer) {
            QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(index).center());
            return;
        }
    }
    QFAIL("no such conversation in the list");
}

void TestMainWindow::enterSendsAndBubbleTurnsDelivered()
{
    click(QStringLiteral("Bob"));
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Bob"));
    QTest::keyClicks(m_window->composer(), QStringLiteral("hello Bob"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return);
    QCOMPARE(m_window->composer()->toPlainText(), QString());

    ConversationModel& thread = m_window->thread();
    QCOMPARE(thread.rowCount(), 1);
    const QModelIndex bubble = thread.index(0);
    QCOMPARE(bubble.data(ConversationModel::TextRole).toString(), QStringLiteral("hello Bob"));
    QCOMPARE(bubble.data(ConversationModel::DirectionRole).toInt(), int(Direction::Outgoing));
    QTRY_COMPARE(bubble.data(ConversationModel::StateRole).toInt(), int(MessageState::Delivered));
    QVERIFY2(BubbleDelegate::metaText(bubble).contains(QStringLiteral("Delivered ✓")),
             qPrintable(BubbleDelegate::metaText(bubble)));
    QCOMPARE(textsAt(*m_bob, myEndpoint().toString()), QStringList{QStringLiteral("hello Bob")});
}

void TestMainWindow::shiftEnterStartsNewLine()
{
    m_window->openConversation(QStringLiteral("Bob"));
    QTest::keyClicks(m_window->composer(), QStringLiteral("line one"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(m_window->composer(), QStringLiteral("line two"));
    QCOMPARE(m_window->composer()->toPlainText(), QStringLiteral("line one\nline two"));
    QCOMPARE(m_window->thread().rowCount(), 0);
    QCOMPARE(m_me->history().conversationSize(QStringLiteral("Bob")), 0);

    QTest::keyClick(m_window->composer(), Qt::Key_Enter); // the keypad's Enter sends too
    QCOMPARE(m_window->thread().rowCount(), 1);
    QCOMPARE(m_window->thread().index(0).data(ConversationModel::TextRole).toString(),
             QStringLiteral("line one\nline two"));
    QTRY_COMPARE(textsAt(*m_bob, myEndpoint().toString()), QStringList{QStringLiteral("line one\nline two")});
}

void TestMainWindow::emptyIsNotSent_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("nothing") << QString();
    QTest::newRow("spaces") << QStringLiteral("   ");
    QTest::newRow("blank lines and tabs") << QStringLiteral("\n \t\n\u3000");
}

void TestMainWindow::emptyIsNotSent()
{
    QFETCH(QString, text);
    m_window->openConversation(QStringLiteral("Bob"));
    m_window->composer()->setPlainText(text);
    auto* send = m_window->findChild<QPushButton*>(QStringLiteral("send"));
    QVERIFY(send);
    QVERIFY(!send->isEnabled());
    QTest::keyClick(m_window->composer(), Qt::Key_Return);
    QVERIFY(!m_window->sendComposed());
    QCOMPARE(m_window->thread().rowCount(), 0);
    QCOMPARE(m_me->history().conversationSize(QStringLiteral("Bob")), 0);
    QCOMPARE(m_window->composer()->toPlainText(), text);
}

void TestMainWindow::unreadBadgeAndReadReceipt()
{
    click(QStringLiteral("Carol"));
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Carol"));
    QSignalSpy bobStates(m_bob->messenger(), &Messenger::deliveryChanged);
    const qint64 id = m_bob->messenger()->send(myEndpoint().toString(), QStringLiteral("你好, are you there? 🐦"));
    QVERIFY(id > 0);

    const auto unreadOf = [this](const QString& peer) {
        return m_window->conversations().indexOfPeer(peer).data(ConversationListModel::UnreadRole).toInt();
    };
    QTRY_COMPARE(unreadOf(QStringLiteral("Bob")), 1);
    QCOMPARE(m_window->conversations().totalUnread(), 1);
    QVERIFY(m_window->windowTitle().contains(u'1'));
    QCOMPARE(m_window->thread().rowCount(), 0); // Carol's thread stays as it was
    QCOMPARE(m_window->conversationList()->model()->index(0, 0).data(ConversationListModel::PeerRole).toString(),
             QStringLiteral("Bob")); // latest activity first

    click(QStringLiteral("Bob"));
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Bob"));
    QCOMPARE(unreadOf(QStringLiteral("Bob")), 0);
    QCOMPARE(m_window->conversations().totalUnread(), 0);
    QVERIFY(!m_window->windowTitle().contains(u'1'));
    QCOMPARE(m_window->thread().index(m_window->thread().rowCount() - 1).data(ConversationModel::TextRole).toString(),
             QStringLiteral("你好, are you there? 🐦"));
    // Bob asked for a read receipt (READCHECKOPT); opening the conversation sent it.
    QTRY_VERIFY(!bobStates.isEmpty() && bobStates.last().at(0).toLongLong() == id &&
                bobStates.last().at(1).value<MessageState>() == MessageState::Read);
    // And after a restart (a new session and window on the same profile) the conversation is still read.
    QVERIFY(restart());
    QVERIFY(m_window->conversations().indexOfPeer(QStringLiteral("Bob")).isValid());
    QCOMPARE(unreadOf(QStringLiteral("Bob")), 0);
    QCOMPARE(m_window->conversations().totalUnread(), 0);
    for (const ConversationSummary& s : m_me->history().conversations())
        QCOMPARE(s.unread, 0);
}

// Stores `count` messages with Bob straight into the history (incoming only, or alternating with delivered ones of
// mine) and opens the conversation.
bool TestMainWindow::storeBobThread(int count, bool alternate)
{
    for (int i = 0; i < count; ++i) {
        Message m;
        m.peer = QStringLiteral("Bob");
        const bool mine = alternate && i % 2 == 0;
        m.direction = mine ? Direction::Outgoing : Direction::Incoming;
        m.state = mine ? MessageState::Delivered : MessageState::Received;
        m.text = QStringLiteral("message %1").arg(i);
        m.remote = myEndpoint().toString();
        if (!m_me->history().append(m))
            return false;
    }
    if (!m_me->history().commit())
        return false;
    m_window->openConversation(QStringLiteral("Bob"));
    return true;
}

void TestMainWindow::newMessagesFollowUnlessScrolledUp()
{
    // A thread taller than the window, stored directly.
    QVERIFY(storeBobThread(80, false));
    ThreadView* view = m_window->threadView();
    QScrollBar* bar = view->verticalScrollBar();
    QTRY_VERIFY(bar->maximum() > 0 && bar->value() == bar->maximum());

    const int rows = m_window->thread().rowCount();
    QVERIFY(m_bob->messenger()->send(myEndpoint().toString(), QStringLiteral("first new one")) > 0);
    QTRY_COMPARE(m_window->thread().rowCount(), rows + 1);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(!view->isNewMessagesHintVisible());

    bar->setValue(bar->maximum() / 2);
    QVERIFY(!view->isFollowing());
    const int before = bar->value();
    QVERIFY(m_bob->messenger()->send(myEndpoint().toString(), QStringLiteral("second new one")) > 0);
    QTRY_COMPARE(m_window->thread().rowCount(), rows + 2);
    QTRY_VERIFY(view->isNewMessagesHintVisible());
    QCOMPARE(bar->value(), before);

    view->scrollToNewest();
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(!view->isNewMessagesHintVisible());
}

void TestMainWindow::scrollingUpLoadsOlderInPlace()
{
    QVERIFY(storeBobThread(3 * ConversationModel::PageSize, true));
    ThreadView* view = m_window->threadView();
    QScrollBar* bar = view->verticalScrollBar();
    QTRY_VERIFY(bar->maximum() > 0 && bar->value() == bar->maximum());
    QCOMPARE(m_window->thread().rowCount(), int(ConversationModel::PageSize));

    // Scrolled to the top, the next page comes in above, and what was on screen stays where it was.
    bar->setValue(0);
    const QPoint probe(view->viewport()->width() / 2, view->viewport()->height() / 2);
    const qint64 shown = view->indexAt(probe).data(ConversationModel::IdRole).toLongLong();
    QTRY_VERIFY(m_window->thread().rowCount() > ConversationModel::PageSize);
    QTRY_COMPARE(view->indexAt(probe).data(ConversationModel::IdRole).toLongLong(), shown);
    QVERIFY(bar->value() > 0);
    QVERIFY(!view->isFollowing());
}

void TestMainWindow::ctrlDownMovesBetweenConversations()
{
    QListView* list = m_window->conversationList();
    QVERIFY(list->model()->rowCount() >= 2);
    const QString first = list->model()->index(0, 0).data(ConversationListModel::PeerRole).toString();
    const QString second = list->model()->index(1, 0).data(ConversationListModel::PeerRole).toString();
    m_window->openConversation(first);
    QTest::keyClick(m_window->composer(), Qt::Key_Down, Qt::ControlModifier);
    QCOMPARE(m_window->currentPeer(), second);
    QTest::keyClick(m_window->composer(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(m_window->currentPeer(), first);
}

void TestMainWindow::takenPortOpensWithErrorInStatusBar()
{
    QUdpSocket squatter;
    QVERIFY(squatter.bind(QHostAddress::LocalHost, 0, QAbstractSocket::DontShareAddress));
    QTemporaryDir dir;
    Session session;
    QVERIFY(!session.open({dir.path(), QHostAddress::LocalHost, squatter.localPort(), QStringLiteral("Late"), false}));
    QVERIFY(session.messenger());
    MainWindow window(session);
    window.show();
    QVERIFY(window.listenLabel()->text().contains(QString::number(squatter.localPort())));
    auto* change = window.findChild<QPushButton*>(QStringLiteral("changePort"));
    QVERIFY(change);
    QVERIFY(change->isVisible());

    // Choose Another Port... opens the settings; a free port there gets Pigeon listening and the engine started.
    // An address of its own in 127.0.0.0/8 and a port below Linux's ephemeral range (32768-60999): no other process's
    // port 0 can take it between the choice and the bind, as it could a port found free by binding and closing.
    QRandomGenerator* random = QRandomGenerator::global();
    const QString address = QHostAddress(0x7f000000u | (100 + random->bounded(100u)) << 16 |
                                         random->bounded(250u) << 8 | (1 + random->bounded(250u)))
                                .toString();
    const quint16 freePort = quint16(20000 + random->bounded(10000u));
    bool answered = false;
    QTimer::singleShot(0, this, [&answered, freePort, address] {
        auto* dialog = qobject_cast<SettingsDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->findChild<QLineEdit*>(QStringLiteral("bind"))->setText(address);
        dialog->findChild<QSpinBox*>(QStringLiteral("port"))->setValue(freePort);
        answered = true;
        dialog->accept();
    });
    change->click();
    QVERIFY(answered);
    QVERIFY(session.isListening());
    QCOMPARE(session.transport().localEndpoint().port, freePort);
    QVERIFY(window.listenLabel()->text().contains(QString::number(freePort)));
    QVERIFY(!change->isVisible());
    QCOMPARE(Profile(dir.path()).port(), freePort);
}

void TestMainWindow::longTextGetsNote()
{
    m_window->openConversation(QStringLiteral("Bob"));
    QVERIFY(m_window->composeNote()->text().isEmpty());
    const qsizetype limit = m_me->messenger()->maxTextBytes(QStringLiteral("Bob"));
    m_window->composer()->setPlainText(QString(limit + 1, u'x'));
    QVERIFY(!m_window->composeNote()->text().isEmpty());
    m_window->composer()->setPlainText(QStringLiteral("short"));
    QVERIFY(m_window->composeNote()->text().isEmpty());
}

void TestMainWindow::messageWhileAwayStaysUnread()
{
    m_window->openConversation(QStringLiteral("Bob"));
    QWidget elsewhere;
    elsewhere.show();
    elsewhere.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&elsewhere));
    QVERIFY(!m_window->isActiveWindow());
    QVERIFY(m_bob->messenger()->send(myEndpoint().toString(), QStringLiteral("while you were away")) > 0);
    const auto unread = [this] {
        return m_window->conversations().indexOfPeer(QStringLiteral("Bob")).data(ConversationListModel::UnreadRole);
    };
    QTRY_COMPARE(unread().toInt(), 1);
    QCOMPARE(m_window->thread().rowCount(), 1); // shown in the open thread, but nobody has seen it yet
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTRY_COMPARE(unread().toInt(), 0);
}

void TestMainWindow::removingAsksFirstAndKeepsHistory()
{
    m_window->openConversation(QStringLiteral("Bob"));
    m_window->composer()->setPlainText(QStringLiteral("before Bob goes"));
    QVERIFY(m_window->sendComposed());
    QAction* remove = nullptr;
    for (QAction* action : m_window->findChildren<QAction*>())
        if (action->text() == MainWindow::tr("&Remove Contact…"))
            remove = action;
    QVERIFY(remove);
    const auto answer = [this](QMessageBox::StandardButton button) {
        QTimer::singleShot(0, this, [button] {
            auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
            QVERIFY(box);
            QVERIFY(box->text().contains(QStringLiteral("Bob")));
            box->button(button)->click();
        });
    };
    answer(QMessageBox::No);
    remove->trigger();
    QVERIFY(m_me->contacts().find(QStringLiteral("Bob")));

    answer(QMessageBox::Yes);
    const QString address = m_window->conversations()
                                .indexOfPeer(QStringLiteral("Bob"))
                                .data(ConversationListModel::AddressRole)
                                .toString();
    remove->trigger();
    QVERIFY(!m_me->contacts().find(QStringLiteral("Bob")));
    // The history is kept under Bob's address, as a stranger's (issue 16: one person, one conversation).
    QVERIFY(!m_window->conversations().indexOfPeer(QStringLiteral("Bob")).isValid());
    const QModelIndex row = m_window->conversations().indexOfPeer(address);
    QVERIFY(row.isValid());
    QVERIFY(!row.data(ConversationListModel::IsContactRole).toBool());
    QCOMPARE(textsAt(*m_me, address), QStringList{QStringLiteral("before Bob goes")});
}

void TestMainWindow::draftsStayWithTheirConversation()
{
    m_window->openConversation(QStringLiteral("Bob"));
    QTest::keyClicks(m_window->composer(), QStringLiteral("half a thought"));
    m_window->openConversation(QStringLiteral("Carol"));
    QCOMPARE(m_window->composer()->toPlainText(), QString());
    m_window->openConversation(QStringLiteral("Bob"));
    QCOMPARE(m_window->composer()->toPlainText(), QStringLiteral("half a thought"));
    QCOMPARE(m_window->thread().rowCount(), 0);
}

void TestMainWindow::filterDoesNotSwitchConversation()
{
    m_window->openConversation(QStringLiteral("Bob"));
    auto* search = m_window->findChild<QLineEdit*>(QStringLiteral("search"));
    QVERIFY(search);
    QTest::keyClicks(search, QStringLiteral("car"));
    QCOMPARE(m_window->conversationList()->model()->rowCount(), 1);
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Bob"));
    QTest::keyClick(search, Qt::Key_Return);
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Carol"));
    search->clear();
    QCOMPARE(m_window->conversationList()->model()->rowCount(), 2);
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Carol"));
}

void TestMainWindow::copyAndLinks()
{
    m_window->openConversation(QStringLiteral("Bob"));
    m_window->composer()->setPlainText(QStringLiteral("slides: https://example.org/demo. 谢谢"));
    QVERIFY(m_window->sendComposed());
    ThreadView* view = m_window->threadView();
    const QModelIndex bubble = view->model()->index(0, 0);
    QTRY_VERIFY(view->visualRect(bubble).height() > 0);

    view->setCurrentIndex(bubble);
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("slides: https://example.org/demo. 谢谢"));

    // Somewhere on the bubble's text is the link, without the full stop after it; the rest of the row is no link.
    QStringList links;
    const QRect row = view->visualRect(bubble);
    for (int y = row.top(); y <= row.bottom(); y += 2)
        for (int x = row.left(); x <= row.right(); x += 3)
            if (const QString link = view->linkAt(QPoint(x, y)); !link.isEmpty() && !links.contains(link))
                links << link;
    QCOMPARE(links, QStringList{QStringLiteral("https://example.org/demo")});
    QCOMPARE(view->linkAt(row.topLeft()), QString());
}

void TestMainWindow::settingsKeepChoicesAndRefuseStrangers()
{
    QUdpSocket stranger;
    QVERIFY(stranger.bind(QHostAddress::LocalHost, 0));
    const QString strangerPeer = Endpoint{QHostAddress::LocalHost, stranger.localPort()}.toString();
    const auto knock = [&](const QByteArray& text) {
        QCOMPARE(stranger.writeDatagram(text, QHostAddress::LocalHost, myEndpoint().port), text.size());
    };
    knock("knock knock");
    QTRY_COMPARE(textsAt(*m_me, strangerPeer), QStringList{QStringLiteral("knock knock")});

    QVERIFY(changeSettings(*m_window, [](SettingsDialog* dialog) {
        auto* broadcast = dialog->findChild<QCheckBox*>(QStringLiteral("broadcast"));
        auto* contactsOnly = dialog->findChild<QCheckBox*>(QStringLiteral("contactsOnly"));
        QVERIFY(broadcast && contactsOnly);
        QVERIFY(!broadcast->isChecked());
        QVERIFY(!contactsOnly->isChecked());
        broadcast->setChecked(true);
        contactsOnly->setChecked(true);
    }));
    const Profile profile(m_myDir->path());
    QVERIFY(profile.broadcast());
    QVERIFY(profile.contactsOnly());
    QVERIFY(m_me->broadcast());
    QVERIFY(m_me->contactsOnly());
    // At once: the stranger is refused, a contact still gets through.
    const quint64 dropped = m_me->messenger()->stats().dropped;
    knock("let me in");
    QTRY_COMPARE(m_me->messenger()->stats().dropped, dropped + 1);
    QVERIFY(m_bob->messenger()->send(myEndpoint().toString(), QStringLiteral("still here")) > 0);
    QTRY_VERIFY(textsAt(*m_me, QStringLiteral("Bob")).contains(QStringLiteral("still here")));
    QCOMPARE(textsAt(*m_me, strangerPeer), QStringList{QStringLiteral("knock knock")});

    // The dialog shows what was chosen; unticking lets strangers in again.
    QVERIFY(changeSettings(*m_window, [](SettingsDialog* dialog) {
        auto* broadcast = dialog->findChild<QCheckBox*>(QStringLiteral("broadcast"));
        auto* contactsOnly = dialog->findChild<QCheckBox*>(QStringLiteral("contactsOnly"));
        QVERIFY(broadcast->isChecked());
        QVERIFY(contactsOnly->isChecked());
        broadcast->setChecked(false);
        contactsOnly->setChecked(false);
    }));
    QVERIFY(!profile.broadcast());
    QVERIFY(!profile.contactsOnly());
    knock("third time");
    QTRY_COMPARE(textsAt(*m_me, strangerPeer).size(), 2);
}

void TestMainWindow::startHonoursContactsOnly_data()
{
    QTest::addColumn<bool>("saved");
    QTest::addColumn<bool>("commandLine");
    QTest::newRow("neither") << false << false;
    QTest::newRow("saved in the profile") << true << false;
    QTest::newRow("--contacts-only") << false << true;
}

void TestMainWindow::startHonoursContactsOnly()
{
    QFETCH(bool, saved);
    QFETCH(bool, commandLine);
    QTemporaryDir dir;
    Profile(dir.path()).setContactsOnly(saved);
    Session session;
    QVERIFY2(session.open({dir.path(), QHostAddress::LocalHost, 0, QStringLiteral("Picky"), commandLine}),
             qPrintable(session.error()));
    QCOMPARE(session.contactsOnly(), saved || commandLine);
    QVERIFY(!session.broadcast());
    QSignalSpy added(session.messenger(), &Messenger::messageAdded);
    QUdpSocket stranger;
    QVERIFY(stranger.bind(QHostAddress::LocalHost, 0));
    QCOMPARE(stranger.writeDatagram("hello?", QHostAddress::LocalHost, session.transport().localEndpoint().port), 6);
    if (saved || commandLine) {
        QTRY_COMPARE(session.messenger()->stats().dropped, quint64(1));
        QVERIFY(added.isEmpty());
    } else {
        QTRY_COMPARE(added.size(), 1);
        QCOMPARE(session.messenger()->stats().dropped, quint64(0));
    }
    // What the command line turns on is not saved.
    QCOMPARE(Profile(dir.path()).contactsOnly(), saved);
}

void TestMainWindow::settingsShowAddressInUse()
{
    // The session was opened with 127.0.0.1 and port 0, as --bind and --port would give them; the profile has neither.
    QVERIFY(changeSettings(*m_window, [this](SettingsDialog* dialog) {
        QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("bind"))->text(), QStringLiteral("127.0.0.1"));
        QCOMPARE(dialog->findChild<QSpinBox*>(QStringLiteral("port"))->value(), int(myEndpoint().port));
        dialog->findChild<QLineEdit*>(QStringLiteral("nick"))->setText(QStringLiteral("Me again"));
    }));
    QCOMPARE(m_me->messenger()->identity().nick, QStringLiteral("Me again"));
    // Only the nickname changed: Pigeon still listens where it did, and the command line's choice is not saved.
    QVERIFY(m_me->isListening());
    QCOMPARE(m_me->transport().localEndpoint().address, QHostAddress(QHostAddress::LocalHost));
    const Profile profile(m_myDir->path());
    QCOMPARE(profile.nickname(), QStringLiteral("Me again"));
    QCOMPARE(profile.bindAddress(), QHostAddress(QHostAddress::Any));
    QCOMPARE(profile.port(), ipmsg::DefaultPort);
}

void TestMainWindow::typedLineBreaksAreShownAndCopied()
{
    m_window->openConversation(QStringLiteral("Bob"));
    for (const QString& line : {QStringLiteral("first"), QStringLiteral("one line")}) {
        QTest::keyClicks(m_window->composer(), line);
        QTest::keyClick(m_window->composer(), Qt::Key_Return);
    }
    QTest::keyClicks(m_window->composer(), QStringLiteral("line one"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(m_window->composer(), QStringLiteral("line two"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClick(m_window->composer(), Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(m_window->composer(), QStringLiteral("line four"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return);
    const QString typed = QStringLiteral("line one\nline two\n\nline four");
    QCOMPARE(m_window->thread().rowCount(), 3);
    QTRY_COMPARE(textsAt(*m_bob, myEndpoint().toString()).value(2), typed);

    // Four lines tall: three lines more than the one-line bubble above it.
    ThreadView* view = m_window->threadView();
    QTRY_VERIFY(!view->visualRect(view->model()->index(2, 0)).isEmpty());
    const int oneLine = view->paintedRect(view->model()->index(1, 0)).height();
    const int fourLines = view->paintedRect(view->model()->index(2, 0)).height();
    const int lineHeight = QFontMetrics(view->font()).height();
    QVERIFY2(fourLines - oneLine >= 3 * lineHeight - 2,
             qPrintable(QStringLiteral("%1 vs %2").arg(fourLines).arg(oneLine)));

    // The copy has the line breaks too.
    view->setFocus();
    view->setCurrentIndex(view->model()->index(2, 0));
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), typed);
}

void TestMainWindow::receivedLineEndsAreLineBreaks_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<QString>("listed");
    QTest::newRow("CRLF") << QByteArray("alpha\r\nbeta\r\ngamma\r\n") << QStringLiteral("alpha\nbeta\ngamma")
                          << QStringLiteral("alpha beta gamma");
    QTest::newRow("lone CR") << QByteArray("alpha\rbeta\rgamma") << QStringLiteral("alpha\nbeta\ngamma")
                             << QStringLiteral("alpha beta gamma");
    QTest::newRow("LF and tab") << QByteArray("alpha\n\tbeta\ngamma\n") << QStringLiteral("alpha\n\tbeta\ngamma")
                                << QStringLiteral("alpha  beta gamma");
}

void TestMainWindow::receivedLineEndsAreLineBreaks()
{
    QFETCH(QByteArray, datagram);
    QFETCH(QString, shown);
    QFETCH(QString, listed);
    QUdpSocket stranger;
    QVERIFY(stranger.bind(QHostAddress::LocalHost, 0));
    const QString peer = Endpoint{QHostAddress::LocalHost, stranger.localPort()}.toString();
    for (const QByteArray& line : {QByteArray("first"), QByteArray("one line")}) {
        QCOMPARE(stranger.writeDatagram(line, QHostAddress::LocalHost, myEndpoint().port), line.size());
        QTRY_VERIFY(m_window->conversations().indexOfPeer(peer).isValid());
        QTRY_COMPARE(m_window->conversations().indexOfPeer(peer).data(ConversationListModel::LastTextRole).toString(),
                     QString::fromLatin1(line));
    }
    QCOMPARE(stranger.writeDatagram(datagram, QHostAddress::LocalHost, myEndpoint().port), datagram.size());
    QTRY_COMPARE(m_me->history().conversationSize(peer), 3);
    // The list hears of the stored row through the history's signal, which may come a turn after the commit.
    QTRY_COMPARE(m_window->conversations().indexOfPeer(peer).data(ConversationListModel::LastTextRole).toString(),
                 listed);
    m_window->openConversation(peer);
    QCOMPARE(m_window->thread().rowCount(), 3);
    QCOMPARE(m_window->thread().index(2).data(ConversationModel::TextRole).toString(), shown);
    // Three lines: two lines taller than the one-line message above it.
    ThreadView* view = m_window->threadView();
    QTRY_VERIFY(!view->visualRect(view->model()->index(2, 0)).isEmpty());
    const int oneLine = view->paintedRect(view->model()->index(1, 0)).height();
    const int threeLines = view->paintedRect(view->model()->index(2, 0)).height();
    QVERIFY2(threeLines - oneLine >= 2 * QFontMetrics(view->font()).height() - 2,
             qPrintable(QStringLiteral("%1 vs %2").arg(threeLines).arg(oneLine)));

    // The same after a restart: the window and the session closed, a new session on the same profile reads the
    // thread and the list back from the history file.
    QVERIFY(restart());
    QCOMPARE(m_window->conversations().indexOfPeer(peer).data(ConversationListModel::LastTextRole).toString(), listed);
    m_window->openConversation(peer);
    QCOMPARE(m_window->thread().rowCount(), 3);
    QCOMPARE(m_window->thread().index(2).data(ConversationModel::TextRole).toString(), shown);
}

QString TestMainWindow::overlap()
{
    ThreadView* view = m_window->threadView();
    const QRect viewport = view->viewport()->rect();
    QRect previous;
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        const QModelIndex index = view->model()->index(row, 0);
        const QRect place = view->visualRect(index);
        if (!place.intersects(viewport))
            continue;
        if (previous.isValid() && place.intersects(previous))
            return QStringLiteral("row %1 overlaps the row above it").arg(row);
        if (!place.contains(view->paintedRect(index)))
            return QStringLiteral("row %1 paints outside its place (%2 px tall, needs %3)")
                .arg(row)
                .arg(place.height())
                .arg(view->paintedRect(index).height());
        previous = place;
    }
    return {};
}

void TestMainWindow::rowsNeverOverlap()
{
    // Older pages to load, then a 3 000-character message from Bob and a short one after it, at the bottom.
    QVERIFY(storeBobThread(2 * ConversationModel::PageSize + 20, true));
    QString longText;
    for (int i = 0; longText.size() < 3000; ++i)
        longText += QStringLiteral("word%1 ").arg(i);
    longText.chop(1);
    m_window->openConversation(QStringLiteral("Carol"));
    for (const QString& text : {longText, QStringLiteral("and a short one")}) {
        QVERIFY(m_bob->messenger()->send(myEndpoint().toString(), text) > 0);
        QTRY_VERIFY(textsAt(*m_me, QStringLiteral("Bob")).contains(text));
    }
    QTest::keyClick(m_window->composer(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Bob"));
    ThreadView* view = m_window->threadView();
    // The long bubble and the one under it are both on screen, so an overlap between them would show.
    const auto longRowShown = [&] {
        const int rows = view->model()->rowCount();
        const QModelIndex last = view->model()->index(rows - 1, 0);
        const QModelIndex before = view->model()->index(rows - 2, 0);
        return before.data(ConversationModel::TextRole).toString() == longText &&
               view->visualRect(before).intersects(view->viewport()->rect()) &&
               view->visualRect(last).intersects(view->viewport()->rect());
    };
    QCoreApplication::processEvents();
    QVERIFY(longRowShown());
    QCOMPARE(overlap(), QString());

    // Away to Carol's empty thread (no scroll bar) and back, by keyboard.
    QTest::keyClick(m_window->composer(), Qt::Key_Down, Qt::ControlModifier);
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Carol"));
    QTest::keyClick(m_window->composer(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Bob"));
    QCoreApplication::processEvents();
    QVERIFY(longRowShown());
    QCOMPARE(overlap(), QString());

    // Narrower and wider in small steps, the height unchanged (a list view lays its rows out again by itself only
    // when its height changes), then in large ones.
    const QSize size = m_window->size();
    for (int step = 1; step <= 12; ++step) {
        m_window->resize(size.width() - 5 * step, size.height());
        QCoreApplication::processEvents();
        QVERIFY(longRowShown());
        QVERIFY2(overlap().isEmpty(), qPrintable(QStringLiteral("%1 px narrower: %2").arg(5 * step).arg(overlap())));
    }
    for (const int width : {size.width() - 200, size.width() + 150}) {
        m_window->resize(width, size.height());
        QCoreApplication::processEvents();
        QVERIFY2(overlap().isEmpty(), qPrintable(QStringLiteral("%1 px wide: %2").arg(width).arg(overlap())));
    }

    // Older pages come in above.
    const int loaded = m_window->thread().rowCount();
    view->verticalScrollBar()->setValue(0);
    QTRY_VERIFY(m_window->thread().rowCount() > loaded);
    QCoreApplication::processEvents();
    QCOMPARE(overlap(), QString());
    view->verticalScrollBar()->setValue(0);
    QTRY_COMPARE(m_window->thread().rowCount(), 2 * ConversationModel::PageSize + 22);
    QCoreApplication::processEvents();
    QCOMPARE(overlap(), QString());
}

void TestMainWindow::titleDoesNotRepeatTheApplication()
{
    m_window->openConversation(QStringLiteral("Carol"));
    QVERIFY(m_bob->messenger()->send(myEndpoint().toString(), QStringLiteral("psst")) > 0);
    QTRY_COMPARE(m_window->conversations().totalUnread(), 1);
    // The platform appends "— Pigeon" to the title; the title itself must not say it again.
    QVERIFY2(m_window->windowTitle().contains(u'1'), qPrintable(m_window->windowTitle()));
    QVERIFY2(!m_window->windowTitle().contains(QStringLiteral("Pigeon")), qPrintable(m_window->windowTitle()));
    m_window->openConversation(QStringLiteral("Bob"));
    QTRY_COMPARE(m_window->conversations().totalUnread(), 0);
    QCOMPARE(m_window->windowTitle(), QString());
}

void TestMainWindow::wholeAddressOnHover()
{
    QUdpSocket stranger;
    QVERIFY(stranger.bind(QHostAddress(QStringLiteral("127.0.0.5")), 0));
    const QString peer = Endpoint{QHostAddress(QStringLiteral("127.0.0.5")), stranger.localPort()}.toString();
    QCOMPARE(stranger.writeDatagram("hi", QHostAddress::LocalHost, myEndpoint().port), 2);
    QTRY_VERIFY(m_window->conversations().indexOfPeer(peer).isValid());
    QListView* list = m_window->conversationList();
    const QModelIndex row = m_window->conversations().indexOfPeer(peer);
    QVERIFY(row.data(Qt::ToolTipRole).toString().contains(peer));
    // The list's own model (behind the filter) gives the same tooltip to the view.
    QModelIndex shown;
    for (int r = 0; r < list->model()->rowCount(); ++r)
        if (list->model()->index(r, 0).data(ConversationListModel::PeerRole).toString() == peer)
            shown = list->model()->index(r, 0);
    QVERIFY(shown.data(Qt::ToolTipRole).toString().contains(peer));
    // A contact's tooltip has its address too.
    QVERIFY(m_window->conversations()
                .indexOfPeer(QStringLiteral("Carol"))
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("127.0.0.3:9")));
    m_window->openConversation(peer);
    bool headerHasIt = false;
    for (QLabel* label : m_window->findChildren<QLabel*>())
        headerHasIt = headerHasIt || (label->isVisible() && label->toolTip().contains(peer));
    QVERIFY(headerHasIt);
}

void TestMainWindow::searchEscapeAndEmptyResult()
{
    auto* search = m_window->findChild<QLineEdit*>(QStringLiteral("search"));
    auto* note = m_window->findChild<QLabel*>(QStringLiteral("searchNote"));
    QVERIFY(search);
    QVERIFY(note);
    const int all = m_window->conversationList()->model()->rowCount();
    search->setFocus();
    QTest::keyClicks(search, QStringLiteral("zzqq"));
    QCOMPARE(m_window->conversationList()->model()->rowCount(), 0);
    QVERIFY(note->isVisible());
    QVERIFY2(note->text().contains(QStringLiteral("zzqq")), qPrintable(note->text()));
    QTest::keyClick(search, Qt::Key_Escape);
    QCOMPARE(search->text(), QString());
    QVERIFY(!note->isVisible());
    QCOMPARE(m_window->conversationList()->model()->rowCount(), all);
}

void TestMainWindow::keyboardFocusIsDrawn()
{
    QListView* list = m_window->conversationList();
    m_window->openConversation(QStringLiteral("Carol"));
    const QModelIndex current = list->currentIndex();
    QVERIFY(current.isValid());
    const QRect rect = list->visualRect(current);
    const QImage unfocused = list->viewport()->grab(rect).toImage();
    list->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(list->hasFocus());
    QCOMPARE(list->currentIndex(), current);
    const QImage focused = list->viewport()->grab(rect).toImage();
    QVERIFY(focused != unfocused);

    QVERIFY(storeBobThread(3, false));
    ThreadView* view = m_window->threadView();
    const QModelIndex message = view->model()->index(1, 0);
    view->setCurrentIndex(message);
    const QRect bubble = view->visualRect(message);
    const QImage plain = view->viewport()->grab(bubble).toImage();
    view->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(view->hasFocus());
    QVERIFY(view->viewport()->grab(bubble).toImage() != plain);
}

void TestMainWindow::narrowWindowKeepsTheList()
{
    m_window->resize(100, 300);
    QTRY_VERIFY(m_window->width() >= m_window->minimumSizeHint().width());
    QVERIFY2(m_window->conversationList()->width() >= 180,
             qPrintable(QString::number(m_window->conversationList()->width())));
    QVERIFY(m_window->threadView()->parentWidget() && m_window->width() >= 500);
    // The status bar text is cut with an ellipsis, never over its neighbours; all of it is in the tooltip.
    QLabel* listen = m_window->listenLabel();
    QVERIFY(listen->toolTip().contains(QString::number(myEndpoint().port)));
    QVERIFY(listen->geometry().right() < m_window->findChild<QStatusBar*>()->width());
}

void TestMainWindow::takenPortInSettingsIsNotSaved()
{
    QUdpSocket squatter;
    QVERIFY(squatter.bind(QHostAddress::LocalHost, 0, QAbstractSocket::DontShareAddress));
    const quint16 before = myEndpoint().port;
    QAction* settings = nullptr;
    for (QAction* action : m_window->findChildren<QAction*>())
        if (action->shortcut() == QKeySequence(Qt::CTRL | Qt::Key_Comma))
            settings = action;
    QVERIFY(settings);
    QString said;
    bool stayedOpen = false;
    QTimer::singleShot(0, this, [&] {
        auto* dialog = qobject_cast<SettingsDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->findChild<QSpinBox*>(QStringLiteral("port"))->setValue(squatter.localPort());
        QTest::keyClick(dialog, Qt::Key_Return);
        stayedOpen = dialog->isVisible();
        said = dialog->findChild<QLabel*>(QStringLiteral("error"))->text();
        dialog->reject();
    });
    settings->trigger();
    QVERIFY(stayedOpen);
    QVERIFY2(said.contains(QString::number(squatter.localPort())), qPrintable(said));
    QVERIFY2(!said.contains(QStringLiteral("--")), qPrintable(said));
    // Nothing saved, and Pigeon still listens where it did.
    QCOMPARE(Profile(m_myDir->path()).port(), ipmsg::DefaultPort);
    QVERIFY(m_me->isListening());
    QCOMPARE(myEndpoint().port, before);
    QVERIFY(!m_window->listenLabel()->toolTip().contains(QStringLiteral("--")));
}

void TestMainWindow::nameOptionReachesTheWindow()
{
    // The session was opened as --name Me opens it.
    QVERIFY(changeSettings(*m_window, [](SettingsDialog* dialog) {
        QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("nick"))->text(), QStringLiteral("Me"));
    }));
    QCOMPARE(m_me->messenger()->identity().nick, QStringLiteral("Me"));
    QTRY_COMPARE(m_bob->messenger()->nickOf(myEndpoint().toString()), QStringLiteral("Me"));
}

void TestMainWindow::systemLinesStayWhenReopened()
{
    m_window->openConversation(QStringLiteral("Bob"));
    QCOMPARE(m_window->thread().rowCount(), 0);
    // Bob has me as a contact, so quitting says goodbye to me: Bob goes offline.
    QVERIFY(m_bob->contacts().add({QStringLiteral("Me"), QStringLiteral("127.0.0.1"), myEndpoint().port}).isEmpty());
    m_bob->close();
    QTRY_COMPARE(m_window->thread().rowCount(), 1);
    const QModelIndex line = m_window->thread().index(0);
    QVERIFY(line.data(ConversationModel::SystemRole).toBool());
    const QString said = line.data(ConversationModel::TextRole).toString();
    QVERIFY(said.contains(QStringLiteral("Bob")));

    QTest::keyClick(m_window->composer(), Qt::Key_Down, Qt::ControlModifier);
    QVERIFY(m_window->currentPeer() != QStringLiteral("Bob"));
    m_window->openConversation(QStringLiteral("Bob"));
    QCOMPARE(m_window->thread().rowCount(), 1);
    QCOMPARE(m_window->thread().index(0).data(ConversationModel::TextRole).toString(), said);
    QVERIFY(m_window->thread().index(0).data(ConversationModel::SystemRole).toBool());
    // A system line is neither the list's last message nor unread.
    QCOMPARE(m_window->conversations().totalUnread(), 0);
    ConversationListModel list(&m_me->contacts(), &m_me->history(), nullptr);
    QCOMPARE(list.indexOfPeer(QStringLiteral("Bob")).data(ConversationListModel::LastTextRole).toString(), QString());
}

void TestMainWindow::lockShowsEncryption()
{
    // The list as drawn (through the window's filter), found by peer: its rows are sorted by activity.
    const auto lockOf = [this](const QString& peer) {
        const QAbstractItemModel* shown = m_window->conversationList()->model();
        const QModelIndexList rows =
            shown->match(shown->index(0, 0), ConversationListModel::PeerRole, peer, 1, Qt::MatchExactly);
        return rows.isEmpty() ? ConversationListModel::Lock(-1)
                              : ConversationListModel::Lock(rows.first().data(ConversationListModel::LockRole).toInt());
    };
    // Bob is a Pigeon: encrypted once the keys are exchanged. Carol never answered: not encrypted.
    QTRY_COMPARE(lockOf(u"Bob"_qs), ConversationListModel::Lock::Encrypted);
    QCOMPARE(lockOf(u"Carol"_qs), ConversationListModel::Lock::None);
    m_window->openConversation(u"Bob"_qs);
    auto* lock = m_window->findChild<QLabel*>(u"lock"_qs);
    QVERIFY(lock->isVisible());
    QCOMPARE(lock->toolTip(), u"end-to-end encrypted"_qs);
    QVERIFY(!lock->pixmap().isNull());
    QVERIFY(m_me->messenger()->setVerified(u"Bob"_qs, true));
    QCOMPARE(lockOf(u"Bob"_qs), ConversationListModel::Lock::Verified);
    QCOMPARE(lock->toolTip(), u"end-to-end encrypted, key verified"_qs);
    m_window->openConversation(u"Carol"_qs);
    QVERIFY(!lock->isVisible());
}

void TestMainWindow::keyChangePromptsForTrust()
{
    QTRY_VERIFY(m_me->messenger()->isEncrypted(u"Bob"_qs));
    m_window->openConversation(u"Bob"_qs);
    // Bob comes back on the same port under a new identity key.
    const quint16 port = m_bob->transport().localEndpoint().port;
    m_bob.reset();
    QVERIFY(QFile::remove(m_bobDir->filePath(u"identity.key"_qs)));
    m_bob = std::make_unique<Session>();
    QVERIFY2(m_bob->open({m_bobDir->path(), QHostAddress::LocalHost, port, u"Bob"_qs, false}),
             qPrintable(m_bob->error()));
    QVERIFY(m_bob->contacts().add({u"Me"_qs, u"127.0.0.1"_qs, myEndpoint().port}).isEmpty());
    QMessageBox* box = nullptr;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox*>(u"keyChanged"_qs)) && box->isVisible());
    QVERIFY2(box->text().contains(u"Bob"_qs), qPrintable(box->text()));
    QVERIFY2(box->informativeText().contains(m_bob->identity().fingerprint()), qPrintable(box->informativeText()));
    QCOMPARE(m_window->findChild<QLabel*>(u"lock"_qs)->toolTip(), u"key changed: not trusted"_qs);
    box->findChild<QPushButton*>(u"trust"_qs)->click();
    QTRY_VERIFY(m_me->messenger()->isEncrypted(u"Bob"_qs));
    QCOMPARE(m_window->findChild<QLabel*>(u"lock"_qs)->toolTip(), u"end-to-end encrypted"_qs);
}

// Renaming a contact in its dialog keeps its thread: the messages and the file bubbles of before, the bubble of a
// transfer still going on (and its later changes), and so after a restart.
void TestMainWindow::renamedContactKeepsItsThread()
{
    m_window->openConversation(QStringLiteral("Bob"));
    m_window->composer()->setPlainText(QStringLiteral("before the new name"));
    QVERIFY(m_window->sendComposed());
    QTRY_VERIFY(m_me->messenger()->route(QStringLiteral("Bob")).isPigeon);
    const QString path = m_myDir->filePath(QStringLiteral("minutes.txt"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.write("agreed\n") > 0);
    }
    QString error;
    const quint64 id = m_me->transfers()->offer(QStringLiteral("Bob"), path, &error);
    QVERIFY2(id, qPrintable(error));
    QTRY_VERIFY(m_bob->transfers()->info(id).has_value());
    QTRY_COMPARE(m_window->thread().rowCount(), 2);
    const auto transferState = [this, id] {
        const QModelIndex i = m_window->thread().indexOfTransfer(id, true);
        return i.isValid() ? i.data(ConversationModel::TransferRole).value<Transfers::Info>().state
                           : TransferState::Failed;
    };
    QTRY_COMPARE(transferState(), TransferState::Offered);

    QAction* edit = nullptr;
    for (QAction* action : m_window->findChildren<QAction*>())
        if (action->text() == MainWindow::tr("&Edit Contact…"))
            edit = action;
    QVERIFY(edit);
    bool answered = false;
    QTimer::singleShot(0, this, [&answered] {
        auto* dialog = qobject_cast<ContactDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("name"));
        QVERIFY(name);
        name->setText(QStringLiteral("Robert"));
        answered = true;
        dialog->accept();
    });
    edit->trigger();
    QVERIFY(answered);
    QVERIFY(m_me->contacts().find(QStringLiteral("Robert")));
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Robert"));
    QCOMPARE(m_window->thread().rowCount(), 2);
    QCOMPARE(m_window->thread().index(0).data(ConversationModel::TextRole).toString(),
             QStringLiteral("before the new name"));
    QCOMPARE(transferState(), TransferState::Offered);
    QCOMPARE(m_window->thread()
                 .indexOfTransfer(id, true)
                 .data(ConversationModel::TransferRole)
                 .value<Transfers::Info>()
                 .peer,
             QStringLiteral("Robert"));
    // What happens to the transfer now still reaches its bubble.
    QVERIFY(m_bob->transfers()->decline(id));
    QTRY_COMPARE(transferState(), TransferState::Declined);

    QVERIFY(restart());
    m_window->openConversation(QStringLiteral("Robert"));
    QCOMPARE(m_window->thread().rowCount(), 2);
    QCOMPARE(transferState(), TransferState::Declined);
}

QTEST_MAIN(TestMainWindow)
void TestMainWindow::sealedMessageOpensOnClick()
{
    // Issue 18.4: an IP Messenger sealed message (SENDMSG|SENDCHECKOPT|SECRETOPT = 800) shows as a closed bubble;
    // opening the conversation sends no READMSG (48), a click opens it and sends READMSG with its number, Enter on
    // another opens that one alone. Seal is offered to this peer, not to Bob (a Pigeon), and sends SECRETOPT (0x200).
    QUdpSocket ipmsg;
    QVERIFY(ipmsg.bind(QHostAddress::LocalHost, 0));
    const QString peer = Endpoint{QHostAddress::LocalHost, ipmsg.localPort()}.toString();
    QList<QByteArray> got;
    const auto receive = [&] {
        while (ipmsg.hasPendingDatagrams())
            got.append(ipmsg.receiveDatagram().data());
    };
    const auto withCommand = [&](const QByteArray& command) {
        QList<QByteArray> found;
        for (const QByteArray& d : std::as_const(got))
            if (const QList<QByteArray> f = d.split(':'); f.size() >= 6 && f[4] == command)
                found.append(d.mid(d.indexOf(QByteArray(':' + command + ':')) + command.size() + 2));
        return found;
    };
    const QByteArray sealed("1:1003:u:h:800:the sealed text\0", 31);
    QCOMPARE(ipmsg.writeDatagram(sealed, QHostAddress::LocalHost, myEndpoint().port), sealed.size());
    QTRY_COMPARE(m_me->history().conversationSize(peer), 1);
    m_window->openConversation(peer);
    QCOMPARE(m_window->currentPeer(), peer);
    // A plain message after it, acknowledged (RECVMSG, 33) only after opening was handled: no READMSG came before.
    const QByteArray plain("1:1004:u:h:288:after\0", 21);
    QCOMPARE(ipmsg.writeDatagram(plain, QHostAddress::LocalHost, myEndpoint().port), plain.size());
    QTRY_VERIFY((receive(), withCommand("33").contains(QByteArray("1004\0", 5))));
    QCOMPARE(withCommand("48"), QList<QByteArray>{});

    ThreadView* view = m_window->threadView();
    const QModelIndex bubble = view->model()->index(0, 0);
    QVERIFY(bubble.data(ConversationModel::SealedRole).toBool());
    QCOMPARE(bubble.data(ConversationModel::TextRole).toString(), QStringLiteral("Sealed message — click to open"));
    QTRY_VERIFY(view->visualRect(bubble).height() > 0);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->bubbleRect(bubble).center());
    QTRY_VERIFY((receive(), !withCommand("48").isEmpty()));
    QCOMPARE(withCommand("48"), QList<QByteArray>{QByteArray("1003\0", 5)});
    QCOMPARE(bubble.data(ConversationModel::TextRole).toString(), QStringLiteral("the sealed text"));
    QVERIFY(!bubble.data(ConversationModel::SealedRole).toBool());

    const QByteArray second("1:1005:u:h:800:second one\0", 26);
    QCOMPARE(ipmsg.writeDatagram(second, QHostAddress::LocalHost, myEndpoint().port), second.size());
    const auto newest = [view] {
        return view->model()->index(view->model()->rowCount() - 1, 0);
    };
    QTRY_VERIFY(newest().data(ConversationModel::SealedRole).toBool());
    const QModelIndex last = newest();
    view->setFocus();
    view->setCurrentIndex(last);
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY((receive(), withCommand("48").size() == 2));
    QCOMPARE(withCommand("48").at(1), QByteArray("1005\0", 5));
    QCOMPARE(last.data(ConversationModel::TextRole).toString(), QStringLiteral("second one"));

    QVERIFY(m_window->sealAction()->isVisible());
    m_window->sealAction()->setChecked(true);
    m_window->composer()->setPlainText(QStringLiteral("sealed reply"));
    QVERIFY(m_window->sendComposed());
    const auto isReply = [](const QByteArray& d) {
        return d.contains("sealed reply");
    };
    QTRY_VERIFY((receive(), std::any_of(got.cbegin(), got.cend(), isReply)));
    QVERIFY(std::find_if(got.cbegin(), got.cend(), isReply)->split(':').at(4).toUInt() & 0x200);

    m_window->openConversation(QStringLiteral("Bob"));
    QVERIFY(!m_window->sealAction()->isVisible());
}

#include "tst_mainwindow.moc"

// A plain-text stranger added to the contacts (issue 16): the dialog starts from what it spoke (plain text, UTF-8, its
// port), the header stops offering presence it cannot have, and replies reach it as the plain text typed.
void TestMainWindow::addedStrangerKeepsItsProtocol()
{
    QUdpSocket stranger;
    QVERIFY(stranger.bind(QHostAddress::LocalHost, 0));
    const QString peer = Endpoint{QHostAddress::LocalHost, stranger.localPort()}.toString();
    QCOMPARE(stranger.writeDatagram("hello from netcat\n", QHostAddress::LocalHost, myEndpoint().port), 18);
    QTRY_VERIFY(m_window->conversations().indexOfPeer(peer).isValid());
    m_window->openConversation(peer);
    auto* detail = m_window->findChild<QLabel*>(QStringLiteral("headerDetail"));
    QVERIFY(detail);
    // A plain-text peer has no key: the header says so after who it is.
    QVERIFY2(detail->text().endsWith(QStringLiteral("not in your contacts  ·  not encrypted")),
             qPrintable(detail->text()));

    QPushButton* add = nullptr;
    for (QPushButton* button : m_window->findChildren<QPushButton*>())
        if (button->text() == QStringLiteral("Add to Contacts"))
            add = button;
    QVERIFY(add && add->isVisible());
    bool answered = false;
    QTimer::singleShot(0, this, [&] {
        auto* dialog = qobject_cast<ContactDialog*>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        auto* protocol = dialog->findChild<QComboBox*>(QStringLiteral("protocol"));
        auto* encoding = dialog->findChild<QComboBox*>(QStringLiteral("encoding"));
        QVERIFY(protocol && encoding);
        auto fail = qScopeGuard([dialog] { dialog->reject(); });
        QCOMPARE(protocol->currentText(), QStringLiteral("Plain text datagrams"));
        QCOMPARE(encoding->currentText(), QStringLiteral("UTF-8"));
        QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("host"))->text(), QStringLiteral("127.0.0.1"));
        QCOMPARE(dialog->findChild<QLineEdit*>(QStringLiteral("port"))->text(), QString::number(stranger.localPort()));
        auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("name"));
        name->setFocus();
        QTest::keyClicks(name, QStringLiteral("Netcat"));
        fail.dismiss();
        answered = true;
        QTest::keyClick(name, Qt::Key_Return);
    });
    QTest::mouseClick(add, Qt::LeftButton);
    QVERIFY(answered);
    const auto contact = m_me->contacts().find(QStringLiteral("Netcat"));
    QVERIFY(contact);
    QCOMPARE(contact->protocol, Protocol::PlainText);
    QCOMPARE(m_window->currentPeer(), QStringLiteral("Netcat"));
    QCOMPARE(detail->text(), QStringLiteral("%1  ·  plain text, no presence  ·  not encrypted").arg(peer));

    // Three replies, each one datagram with just the text, as netcat shows it.
    const QStringList replies{QStringLiteral("reply one"), QStringLiteral("reply two 二"), QStringLiteral("three")};
    for (const QString& reply : replies) {
        m_window->composer()->setPlainText(reply);
        QTest::keyClick(m_window->composer(), Qt::Key_Return);
    }
    QStringList received;
    QTRY_VERIFY(stranger.hasPendingDatagrams());
    while (received.size() < replies.size() && QTest::qWaitFor([&] { return stranger.hasPendingDatagrams(); }, 5000))
        received << QString::fromUtf8(stranger.receiveDatagram().data());
    QCOMPARE(received, replies);
    QCOMPARE(
        m_me->history().message(m_me->history().conversation(QStringLiteral("Netcat"), 1e300, 1).first().id)->state,
        MessageState::Sent);
}
