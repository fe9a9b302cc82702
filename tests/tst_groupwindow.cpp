// Group conversations in the window (issue 12), offscreen: New Group… with contacts ticked, the group's thread with
// each sender's name, and my bubbles saying how many members they reached, with the names on hover. Bob and Carol
// are real engines on 127.0.0.2 and 127.0.0.3.

#include "bubbledelegate.h"
#include "composeedit.h"
#include "groupdialog.h"
#include "mainwindow.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

class TestGroupWindow final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void newGroupThenChat();
    void bubbleCountsMembersReached();

private:
    // Opens New Group…, names it, ticks `members` and presses Create.
    void makeGroup(const QString& name, const QStringList& members);
    // The newest row of the open thread.
    QModelIndex newest() const;

    std::unique_ptr<QTemporaryDir> m_dirs[3];
    std::unique_ptr<Session> m_bob;
    std::unique_ptr<Session> m_carol;
    std::unique_ptr<Session> m_me;
    std::unique_ptr<MainWindow> m_window;
};

void TestGroupWindow::init()
{
    for (auto& dir : m_dirs)
        dir = std::make_unique<QTemporaryDir>();
    m_bob = std::make_unique<Session>();
    QVERIFY2(m_bob->open({m_dirs[1]->path(), QHostAddress(QStringLiteral("127.0.0.2")), 0, QStringLiteral("Bob")}),
             qPrintable(m_bob->error()));
    m_carol = std::make_unique<Session>();
    QVERIFY2(m_carol->open({m_dirs[2]->path(), QHostAddress(QStringLiteral("127.0.0.3")), 0, QStringLiteral("Carol")}),
             qPrintable(m_carol->error()));
    m_me = std::make_unique<Session>();
    QVERIFY2(m_me->open({m_dirs[0]->path(), QHostAddress::LocalHost, 0, QStringLiteral("Me")}),
             qPrintable(m_me->error()));
    QVERIFY(m_me->contacts()
                .add({QStringLiteral("Bob"), QStringLiteral("127.0.0.2"), m_bob->transport().localEndpoint().port})
                .isEmpty());
    QVERIFY(m_me->contacts()
                .add({QStringLiteral("Carol"), QStringLiteral("127.0.0.3"), m_carol->transport().localEndpoint().port})
                .isEmpty());
    m_window = std::make_unique<MainWindow>(*m_me);
    m_window->resize(900, 600);
    m_window->show();
    QTRY_COMPARE(m_me->messenger()->presence(QStringLiteral("Bob")), Presence::Online);
    QTRY_COMPARE(m_me->messenger()->presence(QStringLiteral("Carol")), Presence::Online);
}

void TestGroupWindow::cleanup()
{
    m_window.reset();
    m_me.reset();
    m_carol.reset();
    m_bob.reset();
    for (auto& dir : m_dirs)
        dir.reset();
}

void TestGroupWindow::makeGroup(const QString& name, const QStringList& members)
{
    m_window->newGroup();
    GroupDialog* dialog = nullptr;
    QTRY_VERIFY((dialog = m_window->findChild<GroupDialog*>()) && dialog->isVisible());
    QPushButton* create = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(!create->isEnabled());
    QTest::keyClicks(dialog->nameEdit(), name);
    // A name alone is not enough: someone must be ticked.
    QVERIFY(!create->isEnabled());
    QListWidget* list = dialog->contactList();
    QCOMPARE(list->count(), 2);
    for (int i = 0; i < list->count(); ++i)
        if (members.contains(list->item(i)->text()))
            list->item(i)->setCheckState(Qt::Checked);
    QVERIFY(create->isEnabled());
    QTest::mouseClick(create, Qt::LeftButton);
}

QModelIndex TestGroupWindow::newest() const
{
    const ConversationModel& thread = m_window->thread();
    return thread.index(thread.rowCount() - 1);
}

void TestGroupWindow::newGroupThenChat()
{
    makeGroup(QStringLiteral("Lab 3"), {QStringLiteral("Bob"), QStringLiteral("Carol")});
    QCOMPARE(m_window->currentPeer(), QStringLiteral("#Lab 3"));
    QVERIFY(m_window->thread().isGroup());
    // Both are invited.
    QTRY_VERIFY(m_bob->messenger()->groups().find(QStringLiteral("Lab 3")));
    QTRY_VERIFY(m_carol->messenger()->groups().find(QStringLiteral("Lab 3")));

    QTest::keyClicks(m_window->composer(), QStringLiteral("hello lab"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return);
    QCOMPARE(newest().data(ConversationModel::TextRole).toString(), QStringLiteral("hello lab"));
    QTRY_COMPARE(newest().data(ConversationModel::StateRole).toInt(), int(MessageState::Delivered));
    QVERIFY2(BubbleDelegate::metaText(newest()).contains(QStringLiteral("Delivered to all 2")),
             qPrintable(BubbleDelegate::metaText(newest())));

    // Bob answers in the group: his bubble says it is his.
    QVERIFY(m_bob->messenger()->send(QStringLiteral("#Lab 3"), QStringLiteral("hi from Bob")) > 0);
    QTRY_COMPARE(newest().data(ConversationModel::TextRole).toString(), QStringLiteral("hi from Bob"));
    QCOMPARE(newest().data(ConversationModel::SenderRole).toString(), QStringLiteral("Bob"));
    QCOMPARE(newest().data(ConversationModel::DirectionRole).toInt(), int(Direction::Incoming));
    // The name line makes his bubble taller than the same text without one.
    BubbleDelegate delegate;
    delegate.setPeer(m_window->currentPeer());
    QStyleOptionViewItem option;
    option.font = m_window->font();
    const int withName = delegate.sizeHint(option, newest()).height();
    const QModelIndex mine = m_window->thread().index(m_window->thread().rowCount() - 2);
    QCOMPARE(mine.data(ConversationModel::SenderRole).toString(), QString());
    QVERIFY(withName > delegate.sizeHint(option, mine).height());
}

void TestGroupWindow::bubbleCountsMembersReached()
{
    makeGroup(QStringLiteral("pair"), {QStringLiteral("Bob"), QStringLiteral("Carol")});
    QTRY_VERIFY(m_carol->messenger()->groups().find(QStringLiteral("pair")));
    QTRY_VERIFY(m_bob->messenger()->groups().find(QStringLiteral("pair")));
    // Carol quits: the message reaches Bob and waits for her.
    m_carol->close();
    m_carol.reset();
    QTRY_COMPARE(m_me->messenger()->presence(QStringLiteral("Carol")), Presence::Offline);
    QTest::keyClicks(m_window->composer(), QStringLiteral("are you there?"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return);
    QTRY_VERIFY2(BubbleDelegate::metaText(newest()).contains(QStringLiteral("Delivered to 1 of 2")),
                 qPrintable(BubbleDelegate::metaText(newest())));
    const QString detail = newest().data(Qt::ToolTipRole).toString();
    QVERIFY2(detail.contains(QStringLiteral("Bob")) && detail.contains(QStringLiteral("delivered")),
             qPrintable(detail));
    QVERIFY2(detail.contains(QStringLiteral("Carol")) && detail.contains(QStringLiteral("waiting")),
             qPrintable(detail));
}

QTEST_MAIN(TestGroupWindow)
#include "tst_groupwindow.moc"
