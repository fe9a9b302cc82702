// Messages to a contact that is away: a message that gets no answer fails and stays failed with a retry; messages
// written while the contact is offline wait in a queue kept in the history database and leave by themselves when the
// contact is seen again (an entry packet or any datagram), also after Pigeon restarts.

#include "netfixture.h"

#include <QTemporaryDir>
#include <QTest>

class TestOfflineQueue final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void failedMessageStaysFailedUntilRetried();
    void queuedUntilContactIsSeen_data();
    void queuedUntilContactIsSeen();
    void queueSurvivesRestart();
    void messageOnItsWaySurvivesRestart();
    void queueWaitsBehindFailedMessage();
    void laterFailureRetriedFirstWaitsItsTurn();
};

namespace {

// Gives up quickly, so that a test sees a failure within a second.
Messenger::Timing impatient()
{
    Messenger::Timing t;
    t.initialRtoMs = 40;
    t.minRtoMs = 10;
    t.maxRtoMs = 80;
    t.minTries = 4;
    return t;
}

QStringList sendMsgTexts(const RawPeer& peer)
{
    QStringList out;
    for (const ipmsg::Packet& p : peer.withMode(ipmsg::SendMsg))
        if (!out.contains(QString::fromUtf8(p.text())))
            out.append(QString::fromUtf8(p.text()));
    return out;
}

// Says goodbye as an IPMsg client does on exit, and waits until Pigeon shows the contact offline.
bool leave(RawPeer& peer, PigeonNode& node)
{
    peer.send(ipmsg::BrExit, QByteArrayLiteral("tux\0penguins"), node.endpoint());
    return QTest::qWaitFor([&] { return node.messenger->presence(QStringLiteral("Peer")) == Presence::Offline; });
}

// The SENDMSG texts `peer` received from the `from`th packet on, each once, in the order they first came.
QStringList textsFrom(const RawPeer& peer, qsizetype from)
{
    QStringList out;
    const QList<ipmsg::Packet> packets = peer.withMode(ipmsg::SendMsg);
    for (qsizetype i = from; i < packets.size(); ++i)
        if (!out.contains(QString::fromUtf8(packets[i].text())))
            out.append(QString::fromUtf8(packets[i].text()));
    return out;
}

// Sends `text` to the contact, which does not answer, until it fails and the contact is shown offline.
qint64 sendUnanswered(PigeonNode& node, const QString& text)
{
    const qint64 id = node.messenger->send(QStringLiteral("Peer"), text);
    if (!QTest::qWaitFor([&] { return node.states.value(id) == MessageState::Failed; }, 10'000))
        return 0;
    return node.messenger->presence(QStringLiteral("Peer")) == Presence::Offline ? id : 0;
}

// Adds `peer`, which answers nothing until told, as the contact "Peer" and starts `node` with impatient timing.
bool startWithSilentContact(PigeonNode& node, RawPeer& peer)
{
    peer.answerEntry = false;
    if (!node.ok || !peer.bound || !node.addContact(QStringLiteral("Peer"), peer.endpoint()).isEmpty())
        return false;
    node.start();
    node.messenger->setTiming(impatient());
    return true;
}

// A round trip through another socket: once it is answered, the node has handled every datagram sent to it before.
bool roundTrip(PigeonNode& node)
{
    RawPeer other;
    other.send(ipmsg::GetInfo, {}, node.endpoint());
    return QTest::qWaitFor([&] { return other.withMode(ipmsg::SendInfo).size() == 1; });
}

// Says hello as an IPMsg client does at start, and waits until Pigeon shows the contact online.
bool comeBack(RawPeer& peer, PigeonNode& node)
{
    peer.send(ipmsg::BrEntry, QByteArrayLiteral("tux\0penguins"), node.endpoint());
    return QTest::qWaitFor([&] { return node.messenger->presence(QStringLiteral("Peer")) == Presence::Online; });
}

} // namespace

// No answer at all: the message fails, the contact is shown offline, the failure is in history, and Retry sends it
// again once the contact answers.
void TestOfflineQueue::failedMessageStaysFailedUntilRetried()
{
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    RawPeer peer;
    QVERIFY(startWithSilentContact(node, peer));
    const qint64 id = node.messenger->send(QStringLiteral("Peer"), QStringLiteral("are you there?"));
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(node.states.value(id), MessageState::Failed, 10'000);
    QCOMPARE(node.messenger->presence(QStringLiteral("Peer")), Presence::Offline);
    QVERIFY(peer.withMode(ipmsg::SendMsg).size() >= impatient().minTries);
    QVERIFY(node.history.commit());
    QCOMPARE(node.history.message(id)->state, MessageState::Failed);
    QCOMPARE(node.messenger->pendingCount(), 0);

    peer.autoAck = true;
    QString error;
    QVERIFY2(node.messenger->retry(id, &error), qPrintable(error));
    QTRY_COMPARE(node.states.value(id), MessageState::Delivered);
    QVERIFY(node.history.commit());
    QCOMPARE(node.history.message(id)->state, MessageState::Delivered);
    QCOMPARE(node.thread(QStringLiteral("Peer")).size(), 1);
    // Only a failed message can be retried.
    QVERIFY(!node.messenger->retry(id, &error));
    QVERIFY(!error.isEmpty());
}

void TestOfflineQueue::queuedUntilContactIsSeen_data()
{
    QTest::addColumn<quint32>("command");
    QTest::addColumn<QByteArray>("extension");
    QTest::newRow("entry packet") << ipmsg::BrEntry << QByteArrayLiteral("tux\0penguins");
    QTest::newRow("absence packet") << ipmsg::BrAbsence << QByteArrayLiteral("tux (away)\0penguins");
    QTest::newRow("a message") << (ipmsg::SendMsg | ipmsg::SendCheckOpt) << QByteArray("back again");
    QTest::newRow("GETINFO") << ipmsg::GetInfo << QByteArray();
    QTest::newRow("an unknown command") << 0x79u << QByteArray();
}

// While the contact is offline nothing goes out; the first datagram from it lets the queue out, in order.
void TestOfflineQueue::queuedUntilContactIsSeen()
{
    QFETCH(quint32, command);
    QFETCH(QByteArray, extension);
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    RawPeer peer;
    QVERIFY(node.ok && peer.bound);
    QCOMPARE(node.addContact(QStringLiteral("Peer"), peer.endpoint()), QString());
    node.start();
    QTRY_COMPARE(node.messenger->presence(QStringLiteral("Peer")), Presence::Online);
    QVERIFY(leave(peer, node));

    const QStringList texts{QStringLiteral("one"), QStringLiteral("two 二"), QStringLiteral("three")};
    QList<qint64> ids;
    QList<MessageState> announced;
    const auto connection = connect(node.messenger.get(), &Messenger::messageAdded, this,
                                    [&](const Message& m) { announced.append(m.state); });
    for (const QString& text : texts)
        ids.append(node.messenger->send(QStringLiteral("Peer"), text));
    disconnect(connection);
    QCOMPARE(announced, QList<MessageState>(3, MessageState::Queued));
    QCOMPARE(node.messenger->pendingCount(), 0);
    QVERIFY(node.history.commit());
    QCOMPARE(node.history.unsent().size(), 3);
    for (qint64 id : ids)
        QCOMPARE(node.history.message(id)->state, MessageState::Queued);

    // Nothing is sent while the contact is away.
    QVERIFY(roundTrip(node));
    QVERIFY(peer.withMode(ipmsg::SendMsg).isEmpty());

    peer.autoAck = true;
    peer.send(command, extension, node.endpoint());
    for (qint64 id : ids)
        QTRY_COMPARE(node.states.value(id), MessageState::Delivered);
    QCOMPARE(sendMsgTexts(peer), texts);
    QCOMPARE(node.messenger->presence(QStringLiteral("Peer")), Presence::Online);
}

// The queue is in the history database: a Pigeon that was closed with messages queued sends them when the contact
// is seen after the restart, and not before.
void TestOfflineQueue::queueSurvivesRestart()
{
    QTemporaryDir dir;
    RawPeer peer;
    peer.answerEntry = false;
    QVERIFY(peer.bound);
    const QStringList texts{QStringLiteral("written while you were away"), QStringLiteral("第二条")};
    QList<qint64> ids;
    {
        PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
        QVERIFY(node.ok);
        QCOMPARE(node.addContact(QStringLiteral("Peer"), peer.endpoint()), QString());
        node.start();
        peer.send(ipmsg::BrEntry, QByteArrayLiteral("tux\0penguins"), node.endpoint());
        QTRY_COMPARE(node.messenger->presence(QStringLiteral("Peer")), Presence::Online);
        QVERIFY(leave(peer, node));
        for (const QString& text : texts)
            ids.append(node.messenger->send(QStringLiteral("Peer"), text));
        node.messenger->stop();
    }
    const qsizetype greetings = peer.withMode(ipmsg::BrEntry).size();
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    QVERIFY(node.ok);
    node.start();
    QTRY_COMPARE(peer.withMode(ipmsg::BrEntry).size(), greetings + 1); // the restarted Pigeon greets its contacts
    QCOMPARE(node.history.unsent().size(), 2);
    QVERIFY(peer.withMode(ipmsg::SendMsg).isEmpty());

    peer.autoAck = true;
    peer.send(ipmsg::AnsEntry, QByteArrayLiteral("tux\0penguins"), node.endpoint());
    for (qint64 id : ids)
        QTRY_COMPARE(node.states.value(id), MessageState::Delivered);
    QCOMPARE(sendMsgTexts(peer), texts);
    QVERIFY(node.history.commit());
    QVERIFY(node.history.unsent().isEmpty());
}

// A message still waiting for its ack when Pigeon stops goes out again after the restart, under the same number.
void TestOfflineQueue::messageOnItsWaySurvivesRestart()
{
    QTemporaryDir dir;
    RawPeer peer(QByteArrayLiteral("1_pigeon 0.1.0"));
    QVERIFY(peer.bound);
    qint64 id = 0;
    quint64 number = 0;
    {
        PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
        QVERIFY(node.ok);
        QCOMPARE(node.addContact(QStringLiteral("Peer"), peer.endpoint()), QString());
        node.start();
        QTRY_COMPARE(node.messenger->presence(QStringLiteral("Peer")), Presence::Online);
        id = node.messenger->send(QStringLiteral("Peer"), QStringLiteral("in flight at exit"));
        QTRY_COMPARE(peer.withMode(ipmsg::SendMsg).size(), 1);
        number = peer.withMode(ipmsg::SendMsg).first().packetNo;
        node.messenger->stop();
    }
    peer.autoAck = true;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    QVERIFY(node.ok);
    node.start();
    QTRY_COMPARE(node.states.value(id), MessageState::Delivered);
    for (const ipmsg::Packet& p : peer.withMode(ipmsg::SendMsg))
        QCOMPARE(p.packetNo, number);
}

// Messages arrive in the order they were written (issue 16). The contact goes away: "one" fails, "two" and "three"
// are queued. When the contact is back the queue waits behind the failure (it used to go out by itself, and Retry
// then delivered "one" after it); a message written meanwhile waits behind them. Retrying "one" lets them all out
// in the order written.
void TestOfflineQueue::queueWaitsBehindFailedMessage()
{
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    RawPeer peer;
    QVERIFY(startWithSilentContact(node, peer));
    const qint64 one = sendUnanswered(node, QStringLiteral("one"));
    QVERIFY(one);
    const qint64 two = node.messenger->send(QStringLiteral("Peer"), QStringLiteral("two"));
    const qint64 three = node.messenger->send(QStringLiteral("Peer"), QStringLiteral("three"));
    QCOMPARE(node.history.message(two)->state, MessageState::Queued);

    const qsizetype before = peer.withMode(ipmsg::SendMsg).size();
    peer.autoAck = true;
    QVERIFY(comeBack(peer, node));
    // Once the node has handled what came after the contact's return: nothing went out.
    QVERIFY(roundTrip(node));
    QCOMPARE(textsFrom(peer, before), QStringList());
    QCOMPARE(node.history.message(two)->state, MessageState::Queued);
    QCOMPARE(node.history.message(three)->state, MessageState::Queued);
    const qint64 four = node.messenger->send(QStringLiteral("Peer"), QStringLiteral("four"));
    QCOMPARE(node.history.message(four)->state, MessageState::Queued);
    // Only a failed message can be retried; the queued ones wait for it.
    QVERIFY(!node.messenger->retry(two));

    QString error;
    QVERIFY2(node.messenger->retry(one, &error), qPrintable(error));
    for (qint64 id : {one, two, three, four})
        QTRY_COMPARE(node.states.value(id), MessageState::Delivered);
    QCOMPARE(textsFrom(peer, before), (QStringList{QStringLiteral("one"), QStringLiteral("two"),
                                                   QStringLiteral("three"), QStringLiteral("four")}));
}

// Two failures in a row: retrying the later one first puts it back into the queue in its place, behind the earlier
// one; retrying the earlier one then sends both in the order written.
void TestOfflineQueue::laterFailureRetriedFirstWaitsItsTurn()
{
    QTemporaryDir dir;
    PigeonNode node(dir.path(), QStringLiteral("Pigeon"));
    RawPeer peer;
    QVERIFY(startWithSilentContact(node, peer));
    const qint64 first = sendUnanswered(node, QStringLiteral("first"));
    QVERIFY(first);
    QVERIFY(comeBack(peer, node));
    const qint64 second = sendUnanswered(node, QStringLiteral("second"));
    QVERIFY(second);

    QVERIFY(comeBack(peer, node));
    const qsizetype before = peer.withMode(ipmsg::SendMsg).size();
    peer.autoAck = true;
    QVERIFY(node.messenger->retry(second));
    QCOMPARE(node.history.message(second)->state, MessageState::Queued);
    QCOMPARE(node.states.value(second), MessageState::Queued);
    QVERIFY(roundTrip(node));
    QCOMPARE(textsFrom(peer, before), QStringList());

    QVERIFY(node.messenger->retry(first));
    QTRY_COMPARE(node.states.value(first), MessageState::Delivered);
    QTRY_COMPARE(node.states.value(second), MessageState::Delivered);
    QCOMPARE(textsFrom(peer, before), (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
}

QTEST_GUILESS_MAIN(TestOfflineQueue)
#include "tst_offlinequeue.moc"
