#include "peerdirectory.h"

#include <QTemporaryDir>
#include <QTest>

namespace {

Endpoint at(const char* address, quint16 port)
{
    return Endpoint{QHostAddress(QLatin1String(address)), port};
}

Contact contact(const QString& name, const QString& host, quint16 port, Protocol protocol = Protocol::IpMsg,
                TextEncoding encoding = TextEncoding::Utf8)
{
    Contact c;
    c.name = name;
    c.host = host;
    c.port = port;
    c.protocol = protocol;
    c.encoding = encoding;
    return c;
}

} // namespace

// The peer directory alone, over a real contact book in a temporary folder: one answer to "how do I reach this
// peer" for contacts and strangers, what is learnt from datagrams, and the cap on what is kept of strangers.
class TestPeerDirectory final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void route_data();
    void route();
    void heardPeersChangeTheRoute();
    void conversationKeyAndEncodingOfSenders();
    void unresolvedHostUsesLastRemote();
    void floodForgetsLongestSilentStrangers();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ContactBook> m_book;
    std::unique_ptr<PeerDirectory> m_directory;
};

void TestPeerDirectory::init()
{
    m_book = std::make_unique<ContactBook>();
    m_dir = std::make_unique<QTemporaryDir>(); // a new book for every test and data row
    QVERIFY(m_book->load(m_dir->filePath(QStringLiteral("contacts.ini"))));
    for (const Contact& c : {contact(u"Alice"_qs, u"192.0.2.1"_qs, 2425),
                             contact(u"Feiq"_qs, u"192.0.2.2"_qs, 2425, Protocol::IpMsg, TextEncoding::Gbk),
                             contact(u"nc"_qs, u"192.0.2.3"_qs, 9000, Protocol::PlainText),
                             contact(u"Far"_qs, u"no-such-host.invalid"_qs, 2425)})
        QCOMPARE(m_book->add(c), QString());
    m_directory = std::make_unique<PeerDirectory>(m_book.get());
    // Strangers not heard from get the legacy encoding (IP Messenger's rule); CP932 here, so that it differs from
    // the contacts' UTF-8 and GBK whatever the machine's locale.
    m_directory->setLegacyEncoding(TextEncoding::Cp932);
    m_directory->rebuildContactIndex();
}

void TestPeerDirectory::route_data()
{
    QTest::addColumn<QString>("peer");
    QTest::addColumn<bool>("known");
    QTest::addColumn<bool>("isContact");
    QTest::addColumn<QString>("endpoint"); // empty: none
    QTest::addColumn<bool>("plain");
    QTest::addColumn<TextEncoding>("encoding");
    QTest::addColumn<qint64>("maxTextBytes");
    const qint64 ipmsg = PeerDirectory::IpMsgPartBytes;
    const qint64 plain = PeerDirectory::PlainMaxBytes;
    const TextEncoding utf8 = TextEncoding::Utf8;
    QTest::addRow("IPMsg contact in UTF-8")
        << u"Alice"_qs << true << true << u"192.0.2.1:2425"_qs << false << utf8 << ipmsg;
    QTest::addRow("GBK contact") << u"Feiq"_qs << true << true << u"192.0.2.2:2425"_qs << false << TextEncoding::Gbk
                                 << ipmsg;
    QTest::addRow("plain-text contact") << u"nc"_qs << true << true << u"192.0.2.3:9000"_qs << true << utf8 << plain;
    QTest::addRow("stranger at the IPMsg port")
        << u"198.51.100.9:2425"_qs << true << false << u"198.51.100.9:2425"_qs << false << TextEncoding::Cp932 << ipmsg;
    QTest::addRow("stranger elsewhere, not heard")
        << u"198.51.100.9:7000"_qs << true << false << u"198.51.100.9:7000"_qs << true << utf8 << plain;
    QTest::addRow("no such contact") << u"Nobody"_qs << false << false << QString() << false << utf8 << ipmsg;
}

void TestPeerDirectory::route()
{
    QFETCH(QString, peer);
    QFETCH(QString, endpoint);
    const PeerDirectory::Route r = m_directory->route(peer);
    QTEST(r.known, "known");
    QTEST(r.isContact, "isContact");
    QCOMPARE(r.endpoint ? r.endpoint->toString() : QString(), endpoint);
    QTEST(r.protocol == Protocol::PlainText, "plain");
    QTEST(r.encoding, "encoding");
    QTEST(r.maxTextBytes, "maxTextBytes");
    QVERIFY(!r.isPigeon);
}

// What the directory learns from datagrams: a Pigeon takes longer single messages, a stranger that spoke IPMsg
// from another port gets IPMsg.
void TestPeerDirectory::heardPeersChangeTheRoute()
{
    m_directory->peer(at("192.0.2.1", 2425)).version = "1_pigeon 0.1.0";
    const PeerDirectory::Route alice = m_directory->route(u"Alice"_qs);
    QVERIFY(alice.isPigeon);
    QCOMPARE(alice.maxTextBytes, PeerDirectory::PigeonSingleBytes);
    QVERIFY(m_directory->isPigeon(at("192.0.2.1", 2425)));

    m_directory->peer(at("198.51.100.9", 7000)).speaksIpMsg = true;
    QCOMPARE(m_directory->route(u"198.51.100.9:7000"_qs).protocol, Protocol::IpMsg);
    m_directory->peer(at("198.51.100.9", 2425)).speaksIpMsg = false;
    QCOMPARE(m_directory->route(u"198.51.100.9:2425"_qs).protocol, Protocol::PlainText);
}

void TestPeerDirectory::conversationKeyAndEncodingOfSenders()
{
    QCOMPARE(m_directory->peerFor(at("192.0.2.2", 2425)), u"Feiq"_qs);
    QCOMPARE(m_directory->encodingOf(at("192.0.2.2", 2425)), TextEncoding::Gbk);
    QVERIFY(m_directory->isContact(at("192.0.2.2", 2425)));
    // The same address on another port is someone else: a stranger, whose text is read by its bytes (Auto).
    QCOMPARE(m_directory->peerFor(at("192.0.2.2", 2426)), u"192.0.2.2:2426"_qs);
    QCOMPARE(m_directory->encodingOf(at("192.0.2.2", 2426)), TextEncoding::Auto);
    QVERIFY(!m_directory->isContact(at("192.0.2.2", 2426)));
    // IPv4-mapped IPv6 is the same endpoint.
    QCOMPARE(m_directory->peerFor(Endpoint{QHostAddress(u"::ffff:192.0.2.1"_qs), 2425}), u"Alice"_qs);
}

void TestPeerDirectory::unresolvedHostUsesLastRemote()
{
    QVERIFY(!m_directory->endpointOf(u"Far"_qs));
    const PeerDirectory::Route r = m_directory->route(u"Far"_qs, u"203.0.113.5:2425"_qs);
    QVERIFY(r.isContact);
    QVERIFY(r.endpoint);
    QCOMPARE(r.endpoint->toString(), u"203.0.113.5:2425"_qs);
}

// Past the cap, the longest-silent quarter of the strangers goes; contacts and peers with something in flight stay.
void TestPeerDirectory::floodForgetsLongestSilentStrangers()
{
    constexpr int Cap = 8;
    m_directory->setMaxPeers(Cap);
    const Endpoint busy = at("198.51.100.1", 2425);
    m_directory->setInUse([busy](const Endpoint& ep) { return ep == busy; });
    m_directory->peer(at("192.0.2.1", 2425)).lastHeardMs = 0; // Alice, a contact, silent longest
    m_directory->peer(busy).lastHeardMs = 1;
    for (int i = 2; i < Cap; ++i)
        m_directory->peer(at(qPrintable(QStringLiteral("198.51.100.%1").arg(i)), 2425)).lastHeardMs = i;
    QCOMPARE(m_directory->peers().size(), Cap);

    m_directory->peer(at("198.51.100.200", 2425)).lastHeardMs = 100;
    // A quarter of the cap (2) went: the two longest-silent strangers not in use, .2 and .3.
    QCOMPARE(m_directory->peers().size(), Cap + 1 - Cap / 4);
    QVERIFY(m_directory->find(at("192.0.2.1", 2425)));
    QVERIFY(m_directory->find(busy));
    QVERIFY(!m_directory->find(at("198.51.100.2", 2425)));
    QVERIFY(!m_directory->find(at("198.51.100.3", 2425)));
    QVERIFY(m_directory->find(at("198.51.100.4", 2425)));
    QVERIFY(m_directory->find(at("198.51.100.200", 2425)));
}

QTEST_GUILESS_MAIN(TestPeerDirectory)
#include "tst_peerdirectory.moc"
