// Paths of the engine that no other test ran (gcov, issue 17), each through Messenger's public API over the fake
// transport: host-name contacts, the offline queue taking back what had not left, giving up on a peer that is heard
// but never acknowledges, a retry to a Pigeon, a read receipt before the ack, empty messages, a malformed part of a
// long message, a failed plain-text send and new numbers when the part count changes.

#include "enginefixture.h"
#include "packets.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

const Endpoint Me{QHostAddress(QStringLiteral("127.0.0.1")), 2426};
const Endpoint AliceAt = EngineFixture::AliceAt;
const Endpoint PlainAt = EngineFixture::PlainAt;
const Endpoint StrangerAt{QHostAddress(QStringLiteral("127.0.0.9")), 5555};

} // namespace

class TestEnginePaths final : public QObject, private EngineFixture {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void hostNameContact();
    void plainTextHostNameContact();
    void unresolvableHostName();
    void waitingMessagesAreQueuedWhenPeerLeaves();
    void givesUpOnHeardPeer_data();
    void givesUpOnHeardPeer();
    void retryToPigeonKeepsNumbers();
    void readReceiptBeforeAck();
    void emptyIpMsgMessageIsAckedNotStored();
    void emptyPlainDatagramIsDropped();
    void malformedPartIsDropped();
    void failedPlainTextSend();
    void newNumbersWhenPartCountChanges();
};

void TestEnginePaths::init()
{
    Messenger::Timing timing;
    timing.initialRtoMs = 10;
    timing.minRtoMs = 5;
    timing.maxRtoMs = 20;
    timing.minTries = 3;
    timing.maxTries = 200;
    timing.giveUpMs = 30'000;
    QCOMPARE(openEngine(Me, timing), QString());
}

void TestEnginePaths::cleanup()
{
    closeEngine();
}

// A contact whose host is a name: resolved (localhost is 127.0.0.1 from /etc/hosts), greeted at that address, and
// what comes from there is the contact's.
void TestEnginePaths::hostNameContact()
{
    const Endpoint bobAt{QHostAddress(QStringLiteral("127.0.0.1")), 2500};
    QCOMPARE(m_contacts->add({QStringLiteral("Bob"), QStringLiteral("localhost"), 2500}), QString());
    QTRY_COMPARE(sentTo(*m_transport, bobAt, ipmsg::BrEntry).size(), 1);
    QCOMPARE(m_messenger->endpointOf(QStringLiteral("Bob")), std::optional<Endpoint>(bobAt));
    QVERIFY(m_messenger->isContact(bobAt));
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    inject(ipmsgPacket(1'700'000'001, ipmsg::SendMsg | ipmsg::SendCheckOpt, "hi from a name", "bob", "bob-pc"), bobAt);
    QTRY_COMPARE(added.size(), 1);
    QCOMPARE(added.first().first().value<Message>().peer, QStringLiteral("Bob"));
    // A message to Bob goes to the resolved address.
    QVERIFY(m_messenger->send(QStringLiteral("Bob"), QStringLiteral("hello Bob")));
    QTRY_COMPARE(sentTo(*m_transport, bobAt, ipmsg::SendMsg).size(), 1);
}

// A plain-text contact known by name: before the name is resolved a message to it is refused with the reason;
// after, it goes to the resolved address.
void TestEnginePaths::plainTextHostNameContact()
{
    const Endpoint netcatAt{QHostAddress(QStringLiteral("127.0.0.1")), 7001};
    QCOMPARE(m_contacts->add({QStringLiteral("Netcat"), QStringLiteral("localhost"), 7001, Protocol::PlainText}),
             QString());
    QString error;
    QCOMPARE(m_messenger->send(QStringLiteral("Netcat"), QStringLiteral("too early"), &error), 0);
    QCOMPARE(error, QStringLiteral("The address of Netcat is not known yet."));
    QTRY_COMPARE(m_messenger->endpointOf(QStringLiteral("Netcat")), std::optional<Endpoint>(netcatAt));
    QCOMPARE(m_messenger->maxTextBytes(QStringLiteral("Netcat")), 65507);
    QVERIFY(m_messenger->send(QStringLiteral("Netcat"), QStringLiteral("now")));
    QTRY_VERIFY(std::any_of(m_transport->sent.cbegin(), m_transport->sent.cend(),
                            [&](const FakeTransport::Sent& s) { return s.to == netcatAt && s.data == "now"; }));
}

// A host name that does not resolve (.invalid never does, RFC 6761) is reported; a message to it waits for the
// lookup it starts, and when that fails too the message fails with the reason instead of waiting for ever (issue 16).
// Retry looks the name up again and fails the same way.
void TestEnginePaths::unresolvableHostName()
{
    QSignalSpy problems(m_messenger.get(), &Messenger::problem);
    QCOMPARE(m_contacts->add({QStringLiteral("Nowhere"), QStringLiteral("nowhere.invalid"), 2425}), QString());
    QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 1, 20'000);
    QVERIFY2(problems.first().first().toString().startsWith(
                 QStringLiteral("The host name \"nowhere.invalid\" could not be resolved")),
             qPrintable(problems.first().first().toString()));
    QCOMPARE(m_messenger->endpointOf(QStringLiteral("Nowhere")), std::nullopt);
    const qint64 id = m_messenger->send(QStringLiteral("Nowhere"), QStringLiteral("anyone?"));
    QVERIFY(id > 0);
    QCOMPARE(m_history->message(id)->state, MessageState::Queued);
    // The send looked the name up again; that lookup fails too, says so, and the message fails.
    QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 2, 20'000);
    QVERIFY2(problems.last().first().toString().startsWith(
                 QStringLiteral("The host name \"nowhere.invalid\" could not be resolved")),
             qPrintable(problems.last().first().toString()));
    QCOMPARE(m_history->message(id)->state, MessageState::Failed);
    QVERIFY(m_history->unsent().isEmpty());
    QVERIFY(m_messenger->retry(id));
    QCOMPARE(m_history->message(id)->state, MessageState::Queued);
    QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 3, 20'000);
    QCOMPARE(m_history->message(id)->state, MessageState::Failed);
}

// IPMsg peers get one message at a time: the second one waits. When the peer says goodbye, it goes to the offline
// queue instead of failing, and leaves when the peer is back.
void TestEnginePaths::waitingMessagesAreQueuedWhenPeerLeaves()
{
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    inject(alicePacket(1'700'000'001, ipmsg::BrEntry, ipmsg::buildEntry(QStringLiteral("Alice"), {}, "alice", "pc")),
           AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Online);
    const qint64 first = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("first"));
    const qint64 second = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("second"));
    QTRY_COMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size(), 1);
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).first().text(), QByteArray("first"));
    inject(alicePacket(1'700'000'002, ipmsg::BrExit, {}), AliceAt);
    QTRY_COMPARE(m_history->message(second)->state, MessageState::Queued);
    QVERIFY(delivery.contains(QVariantList{second, QVariant::fromValue(MessageState::Queued)}));
    // The one that had left keeps trying.
    QCOMPARE(m_history->message(first)->state, MessageState::Sending);
    QCOMPARE(m_history->queuedCount(QStringLiteral("Alice")), 1);
    // Back: the queue goes out once the first one is through.
    m_transport->sent.clear();
    inject(alicePacket(1'700'000'003, ipmsg::BrEntry, ipmsg::buildEntry(QStringLiteral("Alice"), {}, "alice", "pc")),
           AliceAt);
    QTRY_VERIFY(!sentTo(*m_transport, AliceAt, ipmsg::SendMsg).isEmpty());
    inject(alicePacket(1'700'000'004, ipmsg::RecvMsg, QByteArray::number(m_history->message(first)->packetNo)),
           AliceAt);
    QTRY_COMPARE(m_history->message(first)->state, MessageState::Delivered);
    QTRY_VERIFY(!sentTo(*m_transport, AliceAt, ipmsg::SendMsg).isEmpty() &&
                sentTo(*m_transport, AliceAt, ipmsg::SendMsg).last().text() == "second");
}

void TestEnginePaths::givesUpOnHeardPeer_data()
{
    QTest::addColumn<int>("maxTries");
    QTest::addColumn<int>("giveUpMs");
    QTest::addColumn<int>("expectedSends"); // -1: as many as fit in giveUpMs
    QTest::newRow("after maxTries") << 6 << 30'000 << 6;
    QTest::newRow("after giveUpMs") << 10'000 << 150 << -1;
}

// A peer that answers entries (so it is there) but never acknowledges the message: it is not given up after minTries
// as a silent one would be, but after maxTries or giveUpMs, and it stays online.
void TestEnginePaths::givesUpOnHeardPeer()
{
    QFETCH(int, maxTries);
    QFETCH(int, giveUpMs);
    QFETCH(int, expectedSends);
    Messenger::Timing timing = m_messenger->timing();
    timing.maxTries = maxTries;
    timing.giveUpMs = giveUpMs;
    m_messenger->setTiming(timing);
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("do you read me?"));
    QTRY_COMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size(), 1);
    // Heard after the first transmission: every retry later counts the peer as present.
    QElapsedTimer clock;
    clock.start();
    inject(alicePacket(1'700'000'001, ipmsg::BrEntry, ipmsg::buildEntry(QStringLiteral("Alice"), {}, "alice", "pc")),
           AliceAt);
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 1, 10'000);
    QCOMPARE(delivery.first().at(0).toLongLong(), id);
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Failed);
    const int sends = int(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size());
    QVERIFY2(sends > timing.minTries, qPrintable(QString::number(sends)));
    if (expectedSends > 0)
        QCOMPARE(sends, expectedSends);
    else
        QVERIFY2(clock.elapsed() >= giveUpMs - 20, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Online);
}

// A failed message sent again to a Pigeon keeps its numbers, so that a Pigeon that got it already sees a duplicate.
void TestEnginePaths::retryToPigeonKeepsNumbers()
{
    inject(alicePacket(1'700'000'001, ipmsg::BrEntry, ipmsg::buildEntry(QStringLiteral("Alice"), {}, "alice", "pc"),
                       "1_pigeon 0.1.0"),
           AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Online);
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("once more"));
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 1, 5000);
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Failed);
    const quint64 number = sentTo(*m_transport, AliceAt, ipmsg::SendMsg).first().packetNo;
    m_transport->sent.clear();
    QString error;
    QVERIFY2(m_messenger->retry(id, &error), qPrintable(error));
    QTRY_VERIFY(!sentTo(*m_transport, AliceAt, ipmsg::SendMsg).isEmpty());
    QCOMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).first().packetNo, number);
    QCOMPARE(m_history->message(id)->packetNo, number);
}

// READMSG can overtake the RECVMSG: the message is read, which includes delivered, and nothing is left in flight.
void TestEnginePaths::readReceiptBeforeAck()
{
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), QStringLiteral("read this"));
    QTRY_COMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendMsg).size(), 1);
    const quint64 no = sentTo(*m_transport, AliceAt, ipmsg::SendMsg).first().packetNo;
    inject(alicePacket(1'700'000'001, ipmsg::ReadMsg, QByteArray::number(no)), AliceAt);
    QTRY_COMPARE(delivery.size(), 1);
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Read);
    QCOMPARE(m_history->message(id)->state, MessageState::Read);
    QCOMPARE(m_messenger->pendingCount(), 0);
    // The late ack changes nothing.
    inject(alicePacket(1'700'000'002, ipmsg::RecvMsg, QByteArray::number(no)), AliceAt);
    inject(alicePacket(1'700'000'003, ipmsg::GetInfo, {}), AliceAt);
    QTRY_COMPARE(sentTo(*m_transport, AliceAt, ipmsg::SendInfo).size(), 1);
    QCOMPARE(delivery.size(), 1);
    QCOMPARE(m_history->message(id)->state, MessageState::Read);
}

// An empty SENDMSG that asks for an ack gets one (the sender stops retrying) and is not stored.
void TestEnginePaths::emptyIpMsgMessageIsAckedNotStored()
{
    inject(alicePacket(1'700'000'010, ipmsg::SendMsg | ipmsg::SendCheckOpt, "  "), AliceAt);
    QTRY_COMPARE(acksTo(*m_transport, AliceAt), QList<quint64>{1'700'000'010});
    QCOMPARE(m_history->conversationSize(QStringLiteral("Alice")), 0);
}

// A plain datagram with nothing but line ends and NULs is dropped; the next real one is stored.
void TestEnginePaths::emptyPlainDatagramIsDropped()
{
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    inject(QByteArray("\r\n\0\n", 4), StrangerAt);
    inject("after the empty one", StrangerAt);
    QTRY_COMPARE(added.size(), 1);
    QCOMPARE(added.first().first().value<Message>().text, QStringLiteral("after the empty one"));
    QCOMPARE(m_messenger->stats().dropped, quint64(1));
    QCOMPARE(m_history->conversationSize(StrangerAt.toString()), 1);
}

void TestEnginePaths::malformedPartIsDropped()
{
    QSignalSpy added(m_messenger.get(), &Messenger::messageAdded);
    inject(alicePacket(1'700'000'020, ipmsg::PigeonFragment | ipmsg::SendCheckOpt, "12:zero:2:bytes"), AliceAt);
    inject(alicePacket(1'700'000'021, ipmsg::SendMsg | ipmsg::SendCheckOpt, "a whole one"), AliceAt);
    QTRY_COMPARE(added.size(), 1);
    QCOMPARE(added.first().first().value<Message>().text, QStringLiteral("a whole one"));
    QCOMPARE(m_messenger->stats().dropped, quint64(1));
    QCOMPARE(m_messenger->partialMessages(), 0);
    // The malformed part is not acknowledged, the message is.
    QTRY_COMPARE(acksTo(*m_transport, AliceAt), QList<quint64>{1'700'000'021});
}

// A plain-text message whose datagram the network does not take is failed at once, with the reason.
void TestEnginePaths::failedPlainTextSend()
{
    QSignalSpy delivery(m_messenger.get(), &Messenger::deliveryChanged);
    QSignalSpy problems(m_messenger.get(), &Messenger::problem);
    m_transport->failSends = true;
    const qint64 id = m_messenger->send(QStringLiteral("Plain"), QStringLiteral("into the void"));
    QVERIFY(id > 0);
    QTRY_COMPARE(delivery.size(), 1);
    QCOMPARE(delivery.first().at(1).value<MessageState>(), MessageState::Failed);
    QCOMPARE(m_history->message(id)->state, MessageState::Failed);
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().first().toString(), QStringLiteral("the fake network is down"));
}

// 3 000 × 你 is 9 000 bytes in UTF-8 (two IPMsg parts of at most 8 000) and 6 000 in GBK (one). Queued for an offline
// contact in UTF-8, then switched to GBK: it leaves as one part, under one new number that history records.
void TestEnginePaths::newNumbersWhenPartCountChanges()
{
    inject(alicePacket(1'700'000'001, ipmsg::BrExit, {}), AliceAt);
    QTRY_COMPARE(m_messenger->presence(QStringLiteral("Alice")), Presence::Offline);
    Contact alice = *m_contacts->find(QStringLiteral("Alice"));
    alice.encoding = TextEncoding::Utf8;
    QCOMPARE(m_contacts->update(QStringLiteral("Alice"), alice), QString());
    const QString text(3000, QChar(0x4f60));
    const qint64 id = m_messenger->send(QStringLiteral("Alice"), text);
    QVERIFY(id > 0);
    QVERIFY(m_history->commit());
    QCOMPARE(m_history->message(id)->parts, 2);
    alice.encoding = TextEncoding::Gbk;
    QCOMPARE(m_contacts->update(QStringLiteral("Alice"), alice), QString());
    inject(alicePacket(1'700'000'002, ipmsg::BrEntry, ipmsg::buildEntry(QStringLiteral("Alice"), {}, "alice", "pc")),
           AliceAt);
    QTRY_VERIFY(!sentTo(*m_transport, AliceAt, ipmsg::SendMsg).isEmpty());
    const QList<ipmsg::Packet> sends = sentTo(*m_transport, AliceAt, ipmsg::SendMsg);
    const ipmsg::Packet sent = sends.first();
    // A slow run (sanitizers) may see retransmissions: each is the same single part under the same number.
    for (const ipmsg::Packet& p : sends) {
        QCOMPARE(p.packetNo, sent.packetNo);
        QCOMPARE(p.text().size(), 6000);
        QVERIFY(!p.has(ipmsg::Utf8Opt));
    }
    QTRY_COMPARE(m_history->message(id)->parts, 1);
    QCOMPARE(m_history->message(id)->packetNo, sent.packetNo);
    inject(alicePacket(1'700'000'003, ipmsg::RecvMsg, QByteArray::number(sent.packetNo)), AliceAt);
    QTRY_COMPARE(m_history->message(id)->state, MessageState::Delivered);
}

QTEST_GUILESS_MAIN(TestEnginePaths)
#include "tst_enginepaths.moc"
