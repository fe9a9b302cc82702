#include "enginefixture.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

const Endpoint Me{QHostAddress(QStringLiteral("127.0.0.1")), 2425};
const Endpoint AliceAt = EngineFixture::AliceAt;
const Endpoint PlainAt = EngineFixture::PlainAt;

// Short timeouts so that failure paths finish in well under a second.
Messenger::Timing fastTiming()
{
    Messenger::Timing t;
    t.initialRtoMs = 20;
    t.minRtoMs = 5;
    t.maxRtoMs = 40;
    t.minTries = 4;
    t.maxTries = 200;
    t.giveUpMs = 30'000;
    return t;
}

} // namespace

// The engine over a fake transport: protocol behaviour at the level of datagrams, without sockets.
class TestMessenger final : public QObject, private EngineFixture {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void greetsIpMsgContactsAtStart();
    void sendIsStoredBeforeItLeaves();
    void firstMessageToAnUnheardPeer_data();
    void firstMessageToAnUnheardPeer();
    void ackMakesDelivered_data();
    void ackMakesDelivered();
    void ackFromOtherAddressIsIgnored();
    void answerFromOtherPortChangesNothing_data();
    void answerFromOtherPortChangesNothing();
    void silentPeerFailsAndGoesOffline();
    void retransmissionsBackOff();
    void retryAfterFailure();
    void incomingIsAckedAfterCommitAndDeduplicated();
    void broadcastIsNotAcked();
    void entryIsAnswered();
    void exitMarksOffline();
    void ownEntryIsIgnored();
    void offlineQueueGoesOutWhenSeen();
    void offlineContactIsProbed();
    void refusesBadSends_data();
    void refusesBadSends();
    void plainTextContact();
    void strangerGetsRepliesAtItsPort();
    void gbkContact();
    void unknownCommandsAreIgnored_data();
    void unknownCommandsAreIgnored();
    void getInfo();
    void readReceipt();
    void lossyNetworkDeliversEverythingOnce();
    void heldGroupPartsExpireOnTheEngineClock();

private:
    QList<ipmsg::Packet> sentPackets(quint32 mode) const;
};

void TestMessenger::init()
{
    QCOMPARE(openEngine(Me, fastTiming(), true), QString());
}

void TestMessenger::cleanup()
{
    closeEngine();
}

QList<ipmsg::Packet> TestMessenger::sentPackets(quint32 mode) const
{
    QList<ipmsg::Packet> out;
    for (const auto& s : m_transport->sent)
        if (const auto r = ipmsg::decode(s.data); r.packet && r.packet->mode() == mode)
            out.append(*r.packet);
    return out;
}

void TestMessenger::greetsIpMsgContactsAtStart()
{
    const QList<ipmsg::Packet> entries = sentPackets(ipmsg::BrEntry);
    QCOMPARE(entries.size(), 1);
    QCOMPARE(m_transport->sent.first().to, AliceAt);
    QVERIFY(entries.first().version.startsWith("1_pigeon"));
    QCOMPARE(ipmsg::parseEntry(entries.first().extension).utf8Nick, QStringLiteral("Me"));
    // The plain-text contact gets nothing but messages.
    for (const auto& s : m_transport->sent)
        QVERIFY(!(s.to == PlainAt));
}

void TestMessenger::firstMessageToAnUnheardPeer_data()
{
    QTest::addColumn<int>("legacy");
    QTest::addColumn<QByteArray>("text");
    // Issue 18.2: nothing heard from Alice yet, so an automatic contact gets IP Messenger's choice, the legacy encoding
    // without UTF8OPT: 中文 is d6 d0 ce c4 in GBK and 92 86 95 b6 in CP932.
    QTest::newRow("legacy GBK") << int(TextEncoding::Gbk) << QByteArray("\xd6\xd0\xce\xc4");
    QTest::newRow("legacy CP932") << int(TextEncoding::Cp932) << QByteArray("\x92\x86\x95\xb6");
}

void TestMessenger::firstMessageToAnUnheardPeer()
{
    QFETCH(int, legacy);
    m_messenger->setLegacyEncoding(TextEncoding(legacy));
    QVERIFY(m_messenger->send(QStringLiteral("Alice"), QStringLiteral("中文")) > 0);
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const ipmsg::Packet p = sentPackets(ipmsg::SendMsg).first();
    QVERIFY(!p.has(ipmsg::Utf8Opt));
    QTEST(p.text(), "text");
}

void TestMessenger::sendIsStoredBeforeItLeaves()
{
    // Alice announces that she reads UTF-8 (CAPUTF8OPT), so her automatic encoding is UTF-8 with UTF8OPT (issue 18.2).
    inject(alicePacket(90, ipmsg::BrEntry | ipmsg::CapUtf8Opt,
                       ipmsg::buildEntry(QStringLiteral("Alice"), {}, "alice", "pc")),
           AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Online);
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    const qint64 id = m_messenger->send(QStringLiteral("alice"), QStringLiteral("你好 Alice"));
    QVERIFY(id > 0);
    QCOMPARE(added.size(), 1);
    QCOMPARE(added.first().first().value<Message>().state, MessageState::Sending);
    QCOMPARE(m_history->message(id)->state, MessageState::Sending);
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const ipmsg::Packet p = sentPackets(ipmsg::SendMsg).first();
    QVERIFY(p.has(ipmsg::SendCheckOpt));
    QVERIFY(p.has(ipmsg::Utf8Opt));
    QCOMPARE(QString::fromUtf8(p.text()), QStringLiteral("你好 Alice"));
    QCOMPARE(p.packetNo, m_history->message(id)->packetNo);
    for (const auto& s : m_transport->sent)
        QVERIFY2(s.historyCommitted, "a datagram left before its history row was committed");
}

void TestMessenger::ackMakesDelivered_data()
{
    QTest::addColumn<quint32>("ackCommand");
    QTest::newRow("RECVMSG 0x21") << quint32(ipmsg::RecvMsg);
    QTest::newRow("RECVMSG 0x121 (iptux)") << quint32(ipmsg::RecvMsg | 0x100);
}

void TestMessenger::ackMakesDelivered()
{
    QFETCH(quint32, ackCommand);
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("hello"));
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const quint64 no = sentPackets(ipmsg::SendMsg).first().packetNo;
    inject(alicePacket(500, ackCommand, QByteArray::number(no)), AliceAt);
    QTRY_COMPARE(delivery.size(), 1);
    QCOMPARE(delivery.first().at(0).toLongLong(), id);
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Delivered);
    QTRY_COMPARE(m_history->message(id)->state, MessageState::Delivered);
    QCOMPARE(m_messenger->pendingCount(), 0);
    QCOMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Online);
}

void TestMessenger::ackFromOtherAddressIsIgnored()
{
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    m_messenger->send(QStringLiteral("Alice"), QStringLiteral("hello"));
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const quint64 no = sentPackets(ipmsg::SendMsg).first().packetNo;
    inject(alicePacket(500, ipmsg::RecvMsg, QByteArray::number(no)), PlainAt);
    // It retransmits instead of calling the message delivered.
    QTRY_VERIFY(sentPackets(ipmsg::SendMsg).size() >= 2);
    QVERIFY(delivery.isEmpty());
}

void TestMessenger::answerFromOtherPortChangesNothing_data()
{
    QTest::addColumn<quint32>("command");
    QTest::newRow("RECVMSG") << quint32(ipmsg::RecvMsg);
    QTest::newRow("READMSG") << quint32(ipmsg::ReadMsg);
}

// Issue 17: any process on the contact's host could confirm messages that never arrived. Only the contact's own
// address and port may change a message's state.
void TestMessenger::answerFromOtherPortChangesNothing()
{
    QFETCH(quint32, command);
    const Endpoint aliceOtherPort{AliceAt.address, quint16(AliceAt.port + 1)};
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("only for Alice"));
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const quint64 no = sentPackets(ipmsg::SendMsg).first().packetNo;
    inject(alicePacket(700, command, QByteArray::number(no)), aliceOtherPort);
    // The engine sends again: the answer from the other port did not count.
    QTRY_VERIFY(sentPackets(ipmsg::SendMsg).size() >= 2);
    QVERIFY(delivery.isEmpty());
    QCOMPARE(m_history->message(id)->state, MessageState::Sending);
    QCOMPARE(m_messenger->pendingCount(), 1);

    inject(alicePacket(701, command, QByteArray::number(no)), AliceAt);
    QTRY_COMPARE(delivery.size(), 1);
    QCOMPARE(delivery.first().at(1).value<MessageState>(),
             command == ipmsg::RecvMsg ? MessageState::Delivered : MessageState::Read);
    QCOMPARE(m_messenger->pendingCount(), 0);
}

// On a fake clock: the test moves time on and runs what is due, so nothing waits for a timeout.
void TestMessenger::silentPeerFailsAndGoesOffline()
{
    qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_messenger->setClock([&now] { return now; });
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    QSignalSpy presence(m_messenger.get(), &Messenger::presenceChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("anyone there?"));
    QTRY_COMPARE(sentPackets(ipmsg::SendMsg).size(), 1); // it leaves once its row is committed
    // Each step moves the clock by the longest timeout, so at most one retransmission falls due per step.
    const Messenger::Timing timing = fastTiming();
    for (int step = 0; step < 4 * timing.minTries && delivery.isEmpty(); ++step) {
        QCOMPARE(sentPackets(ipmsg::SendMsg).size(), std::min(step + 1, timing.minTries));
        now += timing.maxRtoMs;
        m_messenger->runDue();
    }
    QCOMPARE(delivery.size(), 1);
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Failed);
    QCOMPARE(sentPackets(ipmsg::SendMsg).size(), timing.minTries);
    QTRY_COMPARE(m_history->message(id)->state, MessageState::Failed);
    QCOMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Offline);
    QCOMPARE(presence.last().at(1).value<Presence>(), Presence::Offline);
    QCOMPARE(m_messenger->stats().retransmissions, quint64(timing.minTries - 1));
}

// To a silent peer each retransmission waits twice as long as the one before (the first timeout is doubled by Karn's
// rule, then the wait is RTO << tries-1), up to maxRtoMs.
void TestMessenger::retransmissionsBackOff()
{
    Messenger::Timing timing = fastTiming();
    timing.initialRtoMs = 10;
    timing.maxRtoMs = 400;
    timing.minTries = 5;
    m_messenger->setTiming(timing);
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    m_messenger->send(QStringLiteral("Alice"), QStringLiteral("anyone there?"));
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 1, 5000);
    QList<qint64> at;
    for (const auto& s : m_transport->sent)
        if (const auto r = ipmsg::decode(s.data); r.packet && r.packet->mode() == ipmsg::SendMsg)
            at.append(s.atMs);
    QCOMPARE(at.size(), timing.minTries);
    // 10 ms (the first timeout), then RTO 20 ms doubled at each try: 40, 80, 160.
    const qint64 least[] = {10, 40, 80, 160};
    for (int i = 1; i < at.size(); ++i) {
        const qint64 gap = at[i] - at[i - 1];
        // Qt's coarse timers may fire up to 5 % early, and the clocks count whole milliseconds.
        QVERIFY2(
            gap >= least[i - 1] * 95 / 100 - 1,
            qPrintable(QStringLiteral("gap %1: %2 ms, expected at least %3 ms").arg(i).arg(gap).arg(least[i - 1])));
    }
}

void TestMessenger::retryAfterFailure()
{
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("again"));
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 1, 5000);
    QString error;
    QVERIFY(!m_messenger->retry(id + 1000, &error));
    QVERIFY(!error.isEmpty());
    m_transport->sent.clear();
    QVERIFY(m_messenger->retry(id, &error));
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const quint64 no = sentPackets(ipmsg::SendMsg).first().packetNo;
    inject(alicePacket(600, ipmsg::RecvMsg, QByteArray::number(no)), AliceAt);
    QTRY_COMPARE(m_history->message(id)->state, MessageState::Delivered);
}

void TestMessenger::incomingIsAckedAfterCommitAndDeduplicated()
{
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    const QByteArray msg = alicePacket(1000, ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::Utf8Opt, "早上好");
    inject(msg, AliceAt);
    inject(msg, AliceAt); // a retransmission whose ack was lost
    QTRY_COMPARE(sentPackets(ipmsg::RecvMsg).size(), 2);
    QCOMPARE(added.size(), 1);
    const Message m = added.first().first().value<Message>();
    QCOMPARE(m.peer, QStringLiteral("Alice"));
    QCOMPARE(m.text, QStringLiteral("早上好"));
    QCOMPARE(m.remote, AliceAt.toString());
    for (const ipmsg::Packet& ack : sentPackets(ipmsg::RecvMsg)) {
        QCOMPARE(ack.command, ipmsg::RecvMsg);
        QCOMPARE(ack.text(), QByteArray("1000"));
    }
    for (const auto& s : m_transport->sent)
        QVERIFY2(s.historyCommitted, "an ack left before the message was committed");
    QCOMPARE(m_history->conversationSize(QStringLiteral("Alice")), 1);
    QCOMPARE(m_messenger->stats().duplicates, quint64(1));
}

void TestMessenger::broadcastIsNotAcked()
{
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    inject(alicePacket(1001, ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::BroadcastOpt, "to all"), AliceAt);
    inject(alicePacket(1002, ipmsg::SendMsg | ipmsg::AutoRetOpt, "I am away"), AliceAt);
    QTRY_COMPARE(added.size(), 2);
    QVERIFY(sentPackets(ipmsg::RecvMsg).isEmpty());
    QVERIFY(sentPackets(ipmsg::SendMsg).isEmpty());
}

void TestMessenger::entryIsAnswered()
{
    QSignalSpy presence(m_messenger.get(), &Messenger::presenceChanged);
    m_transport->sent.clear();
    inject(alicePacket(7, ipmsg::BrEntry, QByteArray("iptuxbot\0qa\0icon-tux.png\0utf-8\0", 32), "1_iptux 0.8.3"),
           AliceAt);
    QTRY_COMPARE(sentPackets(ipmsg::AnsEntry).size(), 1);
    QCOMPARE(m_transport->sent.first().to, AliceAt);
    QCOMPARE(presence.size(), 1);
    QCOMPARE(presence.first().at(0).toString(), QStringLiteral("Alice"));
    QCOMPARE(m_messenger->nickOf(QStringLiteral("Alice")), QStringLiteral("iptuxbot"));
}

void TestMessenger::exitMarksOffline()
{
    inject(alicePacket(7, ipmsg::AnsEntry, "alice"), AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Online);
    inject(alicePacket(8, ipmsg::BrExit, "alice"), AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Offline);
}

void TestMessenger::ownEntryIsIgnored()
{
    // What a broadcast of ours looks like when it comes back: our names, our address and port.
    ipmsg::Packet own;
    own.packetNo = 70;
    own.user = "me";
    own.host = "my-pc";
    own.command = ipmsg::BrEntry;
    own.extension = "Me";
    QSignalSpy presence(m_messenger.get(), &Messenger::presenceChanged);
    m_transport->sent.clear();
    inject(ipmsg::encode(own), Me);
    // Another Pigeon of the same user on another port is not us.
    inject(ipmsg::encode(own), Endpoint{Me.address, 2426});
    QTRY_COMPARE(presence.size(), 1);
    QCOMPARE(presence.first().at(0).toString(), QStringLiteral("127.0.0.1:2426"));
    QCOMPARE(sentPackets(ipmsg::AnsEntry).size(), 1);
    QCOMPARE(m_transport->sent.first().to.port, quint16(2426));
}

void TestMessenger::offlineQueueGoesOutWhenSeen()
{
    inject(alicePacket(8, ipmsg::BrExit, "alice"), AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Offline);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("for later"));
    QCOMPARE(m_history->message(id)->state, MessageState::Queued);
    // A message to the plain-text contact leaves at the next commit, the one that would carry Alice's too.
    QVERIFY(m_messenger->send(QStringLiteral("Plain"), QStringLiteral("later than the queued one")));
    QTRY_VERIFY(std::any_of(m_transport->sent.cbegin(), m_transport->sent.cend(),
                            [](const FakeTransport::Sent& s) { return s.to == PlainAt; }));
    QVERIFY(sentPackets(ipmsg::SendMsg).isEmpty());
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    inject(alicePacket(9, ipmsg::BrEntry, "alice"), AliceAt);
    // Under load the short test timeout may already have resent it: every copy is the same packet.
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const QList<ipmsg::Packet> sent = sentPackets(ipmsg::SendMsg);
    for (const ipmsg::Packet& p : sent) {
        QCOMPARE(p.packetNo, sent.first().packetNo);
        QCOMPARE(QString::fromUtf8(p.text()), QStringLiteral("for later"));
    }
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Sending);
}

void TestMessenger::offlineContactIsProbed()
{
    Messenger::Timing timing = fastTiming();
    timing.probeIntervalMs = 50;
    m_messenger->setTiming(timing);
    inject(alicePacket(8, ipmsg::BrExit, "alice"), AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Offline);
    // Dave, offline too, has a message waiting: his probe shows that a round of probes ran.
    const Endpoint daveAt{QHostAddress(QStringLiteral("127.0.0.4")), 2425};
    QVERIFY(m_contacts->add({QStringLiteral("Dave"), QStringLiteral("127.0.0.4"), 2425}).isEmpty());
    inject(alicePacket(8, ipmsg::BrExit, "dave"), daveAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Dave")), Presence::Offline);
    QVERIFY(m_messenger->send(QStringLiteral("Dave"), QStringLiteral("waiting for Dave")));
    m_transport->sent.clear();
    // Nothing queued: an offline contact is left alone.
    const auto probed = [this](const Endpoint& to) {
        return std::any_of(m_transport->sent.cbegin(), m_transport->sent.cend(), [&to](const FakeTransport::Sent& s) {
            const auto p = ipmsg::decode(s.data).packet;
            return s.to == to && p && p->mode() == ipmsg::BrEntry;
        });
    };
    QTRY_VERIFY(probed(daveAt));
    QVERIFY(!probed(AliceAt));
    m_transport->sent.clear();
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("are you back?"));
    QCOMPARE(m_history->message(id)->state, MessageState::Queued);
    // Something queued: it is greeted again until it answers, and the answer releases the queue.
    QTRY_VERIFY(probed(AliceAt));
    inject(alicePacket(9, ipmsg::AnsEntry, "alice"), AliceAt);
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    QCOMPARE(QString::fromUtf8(sentPackets(ipmsg::SendMsg).first().text()), QStringLiteral("are you back?"));
}

void TestMessenger::refusesBadSends_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << QStringLiteral("Alice") << QString() << QStringLiteral("empty");
    QTest::newRow("whitespace") << QStringLiteral("Alice") << QStringLiteral(" \n\t ") << QStringLiteral("empty");
    QTest::newRow("unknown peer") << QStringLiteral("Nobody") << QStringLiteral("hi") << QStringLiteral("no contact");
    QTest::newRow("too long for plain") << QStringLiteral("Plain") << QString(70000, u'x')
                                        << QStringLiteral("longer than one datagram");
    QTest::newRow("over 1 MiB") << QStringLiteral("Alice") << QString(1024 * 1024 + 1, u'x') << QStringLiteral("1 MiB");
}

void TestMessenger::refusesBadSends()
{
    QFETCH(QString, peer);
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString why;
    QCOMPARE(m_messenger->send(peer, text, &why), 0);
    QVERIFY2(why.contains(error, Qt::CaseInsensitive), qPrintable(why));
    QCOMPARE(m_history->conversationSize(peer), 0);
}

void TestMessenger::plainTextContact()
{
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    m_transport->sent.clear();
    const qint64 id = m_messenger->send(QStringLiteral("Plain"), QStringLiteral("bare text ✓"));
    QTRY_COMPARE(delivery.size(), 1);
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Sent);
    QCOMPARE(m_transport->sent.size(), 1);
    QCOMPARE(m_transport->sent.first().data, QStringLiteral("bare text ✓").toUtf8());
    QCOMPARE(m_transport->sent.first().to, PlainAt);
    QCOMPARE(m_history->message(id)->state, MessageState::Sent);
}

void TestMessenger::strangerGetsRepliesAtItsPort()
{
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    const Endpoint stranger{QHostAddress(QStringLiteral("127.0.0.9")), 54321};
    inject("hello from a script\n", stranger);
    QTRY_COMPARE(added.size(), 1);
    const Message m = added.first().first().value<Message>();
    QCOMPARE(m.peer, QStringLiteral("127.0.0.9:54321"));
    QCOMPARE(m.text, QStringLiteral("hello from a script"));
    m_transport->sent.clear();
    QVERIFY(m_messenger->send(m.peer, QStringLiteral("hi back")) > 0);
    QTRY_COMPARE(m_transport->sent.size(), 1);
    QCOMPARE(m_transport->sent.first().to, stranger);
    QCOMPARE(m_transport->sent.first().data, QByteArray("hi back"));
}

void TestMessenger::gbkContact()
{
    QVERIFY(
        m_contacts->add({QStringLiteral("FeiQ"), QStringLiteral("127.0.0.4"), 2425, Protocol::IpMsg, TextEncoding::Gbk})
            .isEmpty());
    m_messenger->send(QStringLiteral("FeiQ"), QStringLiteral("你好"));
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const ipmsg::Packet p = sentPackets(ipmsg::SendMsg).first();
    QVERIFY(!p.has(ipmsg::Utf8Opt));
    QCOMPARE(p.text(), QByteArray("\xc4\xe3\xba\xc3"));
    // And GBK from FeiQ without UTF8OPT reads back as Chinese.
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    const Endpoint feiq{QHostAddress(QStringLiteral("127.0.0.4")), 2425};
    inject(alicePacket(3000, ipmsg::SendMsg | ipmsg::SendCheckOpt, "\xd6\xd0\xce\xc4",
                       "1_lbt6_0#128#001122334455#0#0#0#4001#9"),
           feiq);
    QTRY_COMPARE(added.size(), 1);
    QCOMPARE(added.first().first().value<Message>().text, QStringLiteral("中文"));
    QCOMPARE(added.first().first().value<Message>().peer, QStringLiteral("FeiQ"));
}

void TestMessenger::unknownCommandsAreIgnored_data()
{
    QTest::addColumn<quint32>("command");
    QTest::newRow("FeiQ typing 0x79") << quint32(0x79);
    QTest::newRow("FeiQ window shake 0xD1") << quint32(0xD1);
    QTest::newRow("iptux private 0xFB") << quint32(0xFB);
    QTest::newRow("iptux private 0xFF") << quint32(0xFF);
    QTest::newRow("GETFILEDATA") << quint32(0x60);
    QTest::newRow("NOOPERATION") << quint32(0x00);
}

void TestMessenger::unknownCommandsAreIgnored()
{
    QFETCH(quint32, command);
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    m_transport->sent.clear();
    inject(alicePacket(42, command, QByteArray("junk\0\xff", 6)), AliceAt);
    // Then a real message, which must still work.
    inject(alicePacket(43, ipmsg::SendMsg | ipmsg::SendCheckOpt, "still here"), AliceAt);
    QTRY_COMPARE(added.size(), 1);
    QCOMPARE(added.first().first().value<Message>().text, QStringLiteral("still here"));
    QTRY_COMPARE(m_transport->sent.size(), 1); // just the RECVMSG
}

void TestMessenger::getInfo()
{
    m_transport->sent.clear();
    inject(alicePacket(50, ipmsg::GetInfo, {}), AliceAt);
    QTRY_COMPARE(sentPackets(ipmsg::SendInfo).size(), 1);
    QVERIFY(sentPackets(ipmsg::SendInfo).first().text().startsWith("Pigeon "));
}

void TestMessenger::readReceipt()
{
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("read me"));
    QTRY_VERIFY(!sentPackets(ipmsg::SendMsg).isEmpty());
    const ipmsg::Packet sent = sentPackets(ipmsg::SendMsg).first();
    QVERIFY(sent.has(ipmsg::ReadCheckOpt));
    inject(alicePacket(60, ipmsg::RecvMsg, QByteArray::number(sent.packetNo)), AliceAt);
    inject(alicePacket(61, ipmsg::ReadMsg, QByteArray::number(sent.packetNo)), AliceAt);
    QTRY_COMPARE(m_history->message(id)->state, MessageState::Read);
    QCOMPARE(delivery.last().at(1).value<MessageState>(), MessageState::Read);

    // The other way: a message that asked for a read receipt gets READMSG once it is read.
    inject(alicePacket(62, ipmsg::SendMsg | ipmsg::SendCheckOpt | ipmsg::ReadCheckOpt, "did you read this?"), AliceAt);
    QTRY_COMPARE(m_history->conversations().first().unread, 1);
    m_messenger->markRead(QStringLiteral("Alice"));
    QTRY_COMPARE(sentPackets(ipmsg::ReadMsg).size(), 1);
    QCOMPARE(sentPackets(ipmsg::ReadMsg).first().text(), QByteArray("62"));
}

void TestMessenger::lossyNetworkDeliversEverythingOnce()
{
    // Two engines over a fake network that loses 30 %, duplicates 10 % and reorders 20 % in both directions.
    FakeNetwork network;
    const Endpoint aAt{QHostAddress(QStringLiteral("127.0.1.1")), 2425};
    const Endpoint bAt{QHostAddress(QStringLiteral("127.0.1.2")), 2425};
    FakeTransport aWire(aAt, &network);
    FakeTransport bWire(bAt, &network);
    network.attach(&aWire);
    network.attach(&bWire);
    const LossyTransport::Faults faults{0.3, 0.1, 0.2, 10};
    LossyTransport aNet(&aWire, faults, 1);
    LossyTransport bNet(&bWire, faults, 2);
    QTemporaryDir dir;
    ContactBook aBook;
    ContactBook bBook;
    QVERIFY(aBook.load(dir.filePath(QStringLiteral("a.ini"))) && bBook.load(dir.filePath(QStringLiteral("b.ini"))));
    QVERIFY(aBook.add({QStringLiteral("B"), QStringLiteral("127.0.1.2"), 2425}).isEmpty());
    QVERIFY(bBook.add({QStringLiteral("A"), QStringLiteral("127.0.1.1"), 2425}).isEmpty());
    History aHistory;
    History bHistory;
    QVERIFY(aHistory.open(dir.filePath(QStringLiteral("a.sqlite"))));
    QVERIFY(bHistory.open(dir.filePath(QStringLiteral("b.sqlite"))));
    Messenger a(Identity::fromSystem(QStringLiteral("A")), &aBook, &aHistory, &aNet);
    Messenger b(Identity::fromSystem(QStringLiteral("B")), &bBook, &bHistory, &bNet);
    a.setTiming(fastTiming());
    b.setTiming(fastTiming());
    a.start();
    b.start();
    constexpr int Count = 200;
    QSet<qint64> delivered;
    connect(&a, &Messenger::deliveryChanged, this, [&](qint64 id, MessageState s) {
        QVERIFY(s != MessageState::Failed);
        if (s == MessageState::Delivered)
            delivered.insert(id);
    });
    for (int i = 0; i < Count; ++i)
        QVERIFY(a.send(QStringLiteral("B"), QStringLiteral("message %1").arg(i)) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(delivered.size(), Count, 30000);
    QTRY_COMPARE(bHistory.conversationSize(QStringLiteral("A")), qint64(Count));
    // Exactly once, in the order they were sent.
    const QList<Message> received = bHistory.conversation(QStringLiteral("A"), 1e300, Count + 10);
    QCOMPARE(received.size(), Count);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(received[i].text, QStringLiteral("message %1").arg(i));
}

// Parts of a long group payload are held and dropped after the reassembly timeout as parts of a long message are,
// by the engine's clock: on a fake clock far from the wall clock, they go only when the test moves it past the
// timeout.
void TestMessenger::heldGroupPartsExpireOnTheEngineClock()
{
    qint64 now = 1'000'000;
    m_messenger->setClock([&now] { return now; });
    Reassembler::Limits limits;
    limits.timeoutMs = 300;
    m_messenger->setReassemblyLimits(limits);
    constexpr quint64 First = 1'900'000'000;
    inject(alicePacket(First + 1, ipmsg::PigeonGroupPart | ipmsg::SendCheckOpt,
                       fragment::encode({First, 1, 2, "half of a group payload"})),
           AliceAt);
    QTRY_COMPARE(m_messenger->partialMessages(), 1);
    now += limits.timeoutMs + 1;
    QTRY_COMPARE(m_messenger->partialMessages(), 0);
}

QTEST_GUILESS_MAIN(TestMessenger)
#include "tst_messenger.moc"
