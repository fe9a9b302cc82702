#include "contactbook.h"
#include "testfiles.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestContactBook final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parseValid();
    void encodingKeywords_data();
    void encodingKeywords();
    void parseInvalid_data();
    void parseInvalid();
    void validate_data();
    void validate();
    void addSaveLoad();
    void missingFileIsEmpty();
    void brokenFileIsKeptAndReadOnly();
    void updateAndRemove();
    void model();

private:
    static QByteArray read(const QString& path);
};

QByteArray TestContactBook::read(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestContactBook::parseValid()
{
    const QByteArray text = "# comment\n"
                            "\xEF\xBB\xBF[Alice]\n"
                            "host = 192.0.2.7   # trailing comment\n"
                            "port = 2425\n"
                            "\n"
                            "[  王 小明 ]\n"
                            "host = ::1\n"
                            "port=9000\n"
                            "protocol = plain\n"
                            "encoding = GBK\n"
                            "[lab printer]\n"
                            "host = printer.lab.example\n";
    QString error;
    const auto contacts = ContactBook::parse(text, &error);
    QVERIFY2(contacts, qPrintable(error));
    QCOMPARE(contacts->size(), 3);
    QCOMPARE(contacts->at(0).name, QStringLiteral("Alice"));
    QCOMPARE(contacts->at(0).host, QStringLiteral("192.0.2.7"));
    QCOMPARE(contacts->at(0).protocol, Protocol::IpMsg);
    QCOMPARE(contacts->at(1).name, QStringLiteral("王 小明"));
    QCOMPARE(contacts->at(1).port, quint16(9000));
    QCOMPARE(contacts->at(1).protocol, Protocol::PlainText);
    QCOMPARE(contacts->at(1).encoding, TextEncoding::Gbk);
    QCOMPARE(contacts->at(2).port, quint16(2425));
    // What serialize writes, parse reads back unchanged.
    const auto again = ContactBook::parse(ContactBook::serialize(*contacts), &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(*again, *contacts);
}

void TestContactBook::encodingKeywords_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<int>("encoding");
    QTest::addColumn<QByteArray>("written");
    QTest::newRow("auto") << QByteArray("auto") << int(TextEncoding::Auto) << QByteArray("encoding = auto\n");
    QTest::newRow("utf-8") << QByteArray("utf-8") << int(TextEncoding::Utf8) << QByteArray("encoding = utf-8\n");
    QTest::newRow("gbk") << QByteArray("gbk") << int(TextEncoding::Gbk) << QByteArray("encoding = gbk\n");
    QTest::newRow("cp932") << QByteArray("cp932") << int(TextEncoding::Cp932) << QByteArray("encoding = cp932\n");
    QTest::newRow("Shift_JIS") << QByteArray("Shift_JIS") << int(TextEncoding::Cp932)
                               << QByteArray("encoding = cp932\n");
}

void TestContactBook::encodingKeywords()
{
    QFETCH(QByteArray, value);
    QFETCH(int, encoding);
    QString error;
    const auto contacts = ContactBook::parse("[Taro]\nhost = 127.0.0.1\nencoding = " + value + '\n', &error);
    QVERIFY2(contacts, qPrintable(error));
    QCOMPARE(int(contacts->first().encoding), encoding);
    QFETCH(QByteArray, written);
    QVERIFY2(ContactBook::serialize(*contacts).contains(written), ContactBook::serialize(*contacts).constData());
    QCOMPARE(ContactBook::parse(ContactBook::serialize(*contacts), &error), contacts);
}

void TestContactBook::parseInvalid_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("key before section") << QByteArray("host = x\n") << QStringLiteral("line 1:");
    QTest::newRow("unclosed section") << QByteArray("[Alice\nhost=a\n") << QStringLiteral("line 1: a section");
    QTest::newRow("no host") << QByteArray("[A]\nport=1\n[B]\nhost=b\n") << QStringLiteral("has no host");
    QTest::newRow("port zero") << QByteArray("[A]\nhost=a\nport=0\n") << QStringLiteral("line 3: port");
    QTest::newRow("port too big") << QByteArray("[A]\nhost=a\nport=65536\n") << QStringLiteral("line 3: port");
    QTest::newRow("port not a number") << QByteArray("[A]\nhost=a\nport=http\n") << QStringLiteral("line 3: port");
    QTest::newRow("bad protocol") << QByteArray("[A]\nhost=a\nprotocol=tcp\n") << QStringLiteral("line 3: protocol");
    QTest::newRow("bad encoding") << QByteArray("[A]\nhost=a\nencoding=latin1\n") << QStringLiteral("line 3: encoding");
    QTest::newRow("unknown key") << QByteArray("[A]\nhost=a\ncolour=red\n") << QStringLiteral("unknown key");
    QTest::newRow("duplicate name") << QByteArray("[A]\nhost=a\n[a]\nhost=b\n") << QStringLiteral("used twice");
    QTest::newRow("empty name") << QByteArray("[ ]\nhost=a\n") << QStringLiteral("name is empty");
    QTest::newRow("no equals") << QByteArray("[A]\nhost a\n") << QStringLiteral("key = value");
    QTest::newRow("bad host") << QByteArray("[A]\nhost=not a host!\n") << QStringLiteral("not an IP address");
    QTest::newRow("not utf-8") << QByteArray("[\xff\xfe]\nhost=a\n") << QStringLiteral("not UTF-8");
}

void TestContactBook::parseInvalid()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!ContactBook::parse(text, &why));
    QVERIFY2(why.contains(error), qPrintable(why));
}

void TestContactBook::validate_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("error"); // empty: valid
    QTest::newRow("ipv4") << QStringLiteral("Bob") << QStringLiteral("127.0.0.2") << 2425 << QString();
    QTest::newRow("ipv6") << QStringLiteral("Bob") << QStringLiteral("::1") << 1 << QString();
    QTest::newRow("host name") << QStringLiteral("Bob") << QStringLiteral("pc-7.lab") << 65535 << QString();
    QTest::newRow("same host, other port") << QStringLiteral("Bob") << QStringLiteral("127.0.0.1") << 2426 << QString();
    QTest::newRow("duplicate name, other case")
        << QStringLiteral("alice") << QStringLiteral("127.0.0.9") << 2425 << QStringLiteral("already");
    QTest::newRow("empty name") << QStringLiteral("   ") << QStringLiteral("127.0.0.1") << 2425
                                << QStringLiteral("empty");
    QTest::newRow("colon in name") << QStringLiteral("a:b") << QStringLiteral("127.0.0.1") << 2425
                                   << QStringLiteral("may not contain");
    QTest::newRow("long name") << QString(65, u'x') << QStringLiteral("127.0.0.1") << 2425 << QStringLiteral("longer");
    QTest::newRow("empty host") << QStringLiteral("Bob") << QString() << 2425 << QStringLiteral("host is empty");
    QTest::newRow("bad host") << QStringLiteral("Bob") << QStringLiteral("300.1.1.1.1!") << 2425
                              << QStringLiteral("not an IP address");
    QTest::newRow("dotted quad over 255") << QStringLiteral("Bob") << QStringLiteral("999.1.1.1") << 2425
                                          << QStringLiteral("999.1.1.1 is not an IPv4 address");
    QTest::newRow("three numbers") << QStringLiteral("Bob") << QStringLiteral("10.1.2") << 2425
                                   << QStringLiteral("10.1.2 is not an IPv4 address");
    QTest::newRow("same address and port")
        << QStringLiteral("Bob") << QStringLiteral("127.0.0.1") << 2425 << QStringLiteral("\"Alice\" has this address");
    QTest::newRow("IPv6 loopback, same port") << QStringLiteral("Bob") << QStringLiteral("::1") << 2425 << QString();
    QTest::newRow("same address written as IPv6")
        << QStringLiteral("Bob") << QStringLiteral("::ffff:127.0.0.1") << 2425 << QStringLiteral("\"Alice\" has this");
    QTest::newRow("port zero") << QStringLiteral("Bob") << QStringLiteral("127.0.0.1") << 0 << QStringLiteral("port");
}

void TestContactBook::validate()
{
    QFETCH(QString, name);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, error);
    QTemporaryDir dir;
    ContactBook book;
    QVERIFY(book.load(dir.filePath(QStringLiteral("contacts.ini"))));
    QVERIFY(book.add({QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), 2425}).isEmpty());
    const QString why = book.validate({name, host, quint16(port)});
    if (error.isEmpty())
        QVERIFY2(why.isEmpty(), qPrintable(why));
    else
        QVERIFY2(why.contains(error), qPrintable(why));
}

void TestContactBook::addSaveLoad()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("contacts.ini"));
    {
        ContactBook book;
        QVERIFY(book.load(path));
        QSignalSpy added(&book, &ContactBook::contactAdded);
        QCOMPARE(book.add({QStringLiteral("  Alice  "), QStringLiteral(" 127.0.0.1 "), 2425}), QString());
        QCOMPARE(book.add({QStringLiteral("张三"), QStringLiteral("127.0.0.1"), 2426, Protocol::PlainText,
                           TextEncoding::Gbk}),
                 QString());
        QCOMPARE(added.size(), 2);
        QVERIFY(!book.add({QStringLiteral("alice"), QStringLiteral("127.0.0.2"), 2425}).isEmpty());
        QCOMPARE(book.contacts().size(), 2);
    }
    ContactBook reloaded;
    QVERIFY(reloaded.load(path));
    QCOMPARE(reloaded.contacts().size(), 2);
    QCOMPARE(reloaded.contacts().at(0).name, QStringLiteral("Alice"));
    QCOMPARE(reloaded.contacts().at(0).host, QStringLiteral("127.0.0.1"));
    QCOMPARE(reloaded.find(QStringLiteral("张三"))->encoding, TextEncoding::Gbk);
    QCOMPARE(reloaded.find(QStringLiteral("ALICE"))->port, quint16(2425));
}

void TestContactBook::missingFileIsEmpty()
{
    QTemporaryDir dir;
    ContactBook book;
    QVERIFY(book.load(dir.filePath(QStringLiteral("none.ini"))));
    QCOMPARE(book.rowCount(), 0);
    QVERIFY(book.error().isEmpty());
    QVERIFY(!book.isReadOnly());
}

void TestContactBook::brokenFileIsKeptAndReadOnly()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("contacts.ini"));
    const QByteArray broken = "[Alice]\nhost = 127.0.0.1\nport = lots\n";
    QVERIFY(writeFile(path, broken));
    ContactBook book;
    QVERIFY(!book.load(path));
    QVERIFY2(book.error().contains(path), qPrintable(book.error()));
    QVERIFY2(book.error().contains(QStringLiteral("line 3")), qPrintable(book.error()));
    QVERIFY(book.isReadOnly());
    // Changes are refused with the reason, and the file is never overwritten.
    QVERIFY(!book.add({QStringLiteral("Bob"), QStringLiteral("127.0.0.1"), 2426}).isEmpty());
    QVERIFY(!book.save());
    QCOMPARE(read(path), broken);
}

void TestContactBook::updateAndRemove()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("contacts.ini"));
    ContactBook book;
    QVERIFY(book.load(path));
    QVERIFY(book.add({QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), 2425}).isEmpty());
    QVERIFY(book.add({QStringLiteral("Bob"), QStringLiteral("127.0.0.1"), 2426}).isEmpty());
    QSignalSpy changed(&book, &ContactBook::contactChanged);
    QSignalSpy removed(&book, &ContactBook::contactRemoved);
    QVERIFY(!book.update(QStringLiteral("Bob"), {QStringLiteral("alice"), QStringLiteral("127.0.0.1"), 1}).isEmpty());
    // Alice's address and port; keeping its own is no clash.
    QVERIFY(!book.update(QStringLiteral("Bob"), {QStringLiteral("Bob"), QStringLiteral("127.0.0.1"), 2425}).isEmpty());
    QCOMPARE(book.update(QStringLiteral("Bob"), {QStringLiteral("Bob"), QStringLiteral("127.0.0.1"), 2426}), QString());
    QCOMPARE(changed.size(), 1);
    changed.clear();
    QCOMPARE(book.update(QStringLiteral("Bob"), {QStringLiteral("Robert"), QStringLiteral("::1"), 2427}), QString());
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toString(), QStringLiteral("Bob"));
    QVERIFY(!book.remove(QStringLiteral("Nobody")).isEmpty());
    QCOMPARE(book.remove(QStringLiteral("alice")), QString());
    QCOMPARE(removed.size(), 1);
    ContactBook reloaded;
    QVERIFY(reloaded.load(path));
    QCOMPARE(reloaded.contacts().size(), 1);
    QCOMPARE(reloaded.contacts().at(0).name, QStringLiteral("Robert"));
    QCOMPARE(reloaded.contacts().at(0).port, quint16(2427));
}

void TestContactBook::model()
{
    QTemporaryDir dir;
    ContactBook book;
    QVERIFY(book.load(dir.filePath(QStringLiteral("c.ini"))));
    QSignalSpy inserted(&book, &QAbstractItemModel::rowsInserted);
    QVERIFY(book.add({QStringLiteral("Alice"), QStringLiteral("127.0.0.1"), 2425}).isEmpty());
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(book.rowCount(), 1);
    QCOMPARE(book.columnCount(), int(ContactBook::ColumnCount));
    QCOMPARE(book.index(0, ContactBook::NameColumn).data().toString(), QStringLiteral("Alice"));
    QCOMPARE(book.index(0, ContactBook::PortColumn).data().toInt(), 2425);
    QCOMPARE(book.index(0, 0).data(ContactBook::EndpointRole).toString(), QStringLiteral("127.0.0.1:2425"));
    QCOMPARE(book.headerData(ContactBook::HostColumn, Qt::Horizontal).toString(), QStringLiteral("Host"));
}

QTEST_GUILESS_MAIN(TestContactBook)
#include "tst_contactbook.moc"
