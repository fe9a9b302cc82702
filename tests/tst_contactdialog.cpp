#include "contactdialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

// The contact dialog refuses what the contacts table would refuse, says why where the user can see it, and only
// then lets OK be pressed.
class TestContactDialog final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void refusesBadInput_data();
    void refusesBadInput();
    void acceptsGoodInput_data();
    void acceptsGoodInput();
    void editKeepsItsOwnName();
    void showsKeyFingerprint_data();
    void showsKeyFingerprint();
    void refusesInvalidDottedQuads_data();
    void refusesInvalidDottedQuads();
    void unresolvableHostIsAcceptedWithWarning();
    void emptyNameIsSaidOnlyAfterTyping();
    void prefilledNameIsReplacedByTyping();

private:
    void type(ContactDialog& dialog, const QString& field, const QString& text);
    QTemporaryDir m_dir;
    std::unique_ptr<ContactBook> m_book;
};

void TestContactDialog::init()
{
    m_book = std::make_unique<ContactBook>();
    QFile::remove(m_dir.filePath(QStringLiteral("contacts.ini")));
    QVERIFY(m_book->load(m_dir.filePath(QStringLiteral("contacts.ini"))));
    QVERIFY(m_book->add({QStringLiteral("Alice"), QStringLiteral("192.0.2.7"), 2425}).isEmpty());
}

void TestContactDialog::type(ContactDialog& dialog, const QString& field, const QString& text)
{
    auto* edit = dialog.findChild<QLineEdit*>(field);
    QVERIFY(edit);
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    if (!text.isEmpty())
        edit->insert(text); // insert() takes any Unicode; QTest::keyClicks only Latin-1
}

void TestContactDialog::refusesBadInput_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("port");
    QTest::addColumn<QString>("reason");
    QTest::newRow("duplicate name") << QStringLiteral("alice") << QStringLiteral("192.0.2.8") << QStringLiteral("2425")
                                    << QStringLiteral("There is already a contact named \"Alice\".");
    QTest::newRow("empty name") << QString() << QStringLiteral("192.0.2.8") << QStringLiteral("2425")
                                << QStringLiteral("The name is empty.");
    QTest::newRow("this Pigeon") << QStringLiteral("Bob") << QStringLiteral("127.0.0.1") << QStringLiteral("2425")
                                 << QStringLiteral("127.0.0.1:2425 is this Pigeon itself: it cannot be a contact.");
    QTest::newRow("another contact's address and port")
        << QStringLiteral("Bob") << QStringLiteral("192.0.2.7") << QStringLiteral("2425")
        << QStringLiteral("The contact \"Alice\" has this address and port already.");
    QTest::newRow("bad address") << QStringLiteral("Bob") << QStringLiteral("192.0.2.") << QStringLiteral("2425")
                                 << QStringLiteral("\"192.0.2.\" is not an IP address or a host name.");
    QTest::newRow("number over 255")
        << QStringLiteral("Bob") << QStringLiteral("999.1.1.1") << QStringLiteral("2425")
        << QStringLiteral(
               "999.1.1.1 is not an IPv4 address: it needs four numbers from 0 to 255, such as 192.168.1.20.");
    QTest::newRow("spaces in host") << QStringLiteral("Bob") << QStringLiteral("my pc") << QStringLiteral("2425")
                                    << QStringLiteral("\"my pc\" is not an IP address or a host name.");
    QTest::newRow("no host") << QStringLiteral("Bob") << QString() << QStringLiteral("2425")
                             << QStringLiteral("The host is empty.");
    QTest::newRow("port too high") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("65536")
                                   << QStringLiteral("The port 65536 is out of range: use 1 to 65535.");
    QTest::newRow("port zero") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("0")
                               << QStringLiteral("The port 0 is out of range: use 1 to 65535.");
    QTest::newRow("port not a number") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("24x5")
                                       << QStringLiteral("The port must be a number.");
}

void TestContactDialog::refusesBadInput()
{
    QFETCH(QString, name);
    QFETCH(QString, host);
    QFETCH(QString, port);
    QFETCH(QString, reason);
    ContactDialog dialog(*m_book, Contact{});
    // This Pigeon's socket as Messenger::isOwnEndpoint knows it: 127.0.0.1:2425 only.
    dialog.setOwnEndpoint([](const Endpoint& e) { return e == Endpoint{QHostAddress::LocalHost, 2425}; });
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    type(dialog, QStringLiteral("name"), name);
    type(dialog, QStringLiteral("host"), host);
    type(dialog, QStringLiteral("port"), port);
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
    QVERIFY(error->isVisible());
    QCOMPARE(error->text(), reason);
    QCOMPARE(dialog.problem(), reason);
}

void TestContactDialog::acceptsGoodInput_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("port");
    QTest::newRow("IPv4") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("2425");
    QTest::newRow("this Pigeon's address, another port")
        << QStringLiteral("Bob") << QStringLiteral("127.0.0.1") << QStringLiteral("2426");
    QTest::newRow("Chinese name, IPv6") << QStringLiteral("王小明") << QStringLiteral("::1") << QStringLiteral("2426");
    QTest::newRow("host name, highest port")
        << QStringLiteral("Printer room") << QStringLiteral("printer.lan") << QStringLiteral("65535");
}

void TestContactDialog::acceptsGoodInput()
{
    QFETCH(QString, name);
    QFETCH(QString, host);
    QFETCH(QString, port);
    ContactDialog dialog(*m_book, Contact{});
    dialog.setOwnEndpoint([](const Endpoint& e) { return e == Endpoint{QHostAddress::LocalHost, 2425}; });
    dialog.show();
    type(dialog, QStringLiteral("name"), name);
    type(dialog, QStringLiteral("host"), host);
    type(dialog, QStringLiteral("port"), port);
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
    QVERIFY(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY(!dialog.findChild<QLabel*>(QStringLiteral("error"))->isVisible());
    // A new contact has no key to show (the label is the dialog's child all the same: nothing leaks).
    QCOMPARE(dialog.findChild<QLabel*>(QStringLiteral("fingerprint"))->parent(), &dialog);
    QVERIFY(!dialog.findChild<QLabel*>(QStringLiteral("fingerprint"))->isVisible());
    QCOMPARE(dialog.contact().name, name);
    QCOMPARE(dialog.contact().port, quint16(port.toUInt()));
    QVERIFY(m_book->add(dialog.contact()).isEmpty());
}

void TestContactDialog::editKeepsItsOwnName()
{
    ContactDialog dialog(*m_book, *m_book->find(QStringLiteral("Alice")), QStringLiteral("Alice"));
    dialog.show();
    QVERIFY(dialog.problem().isEmpty());
    QVERIFY(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    auto* protocol = dialog.findChildren<QComboBox*>().first();
    protocol->setCurrentIndex(1);
    QCOMPARE(dialog.contact().protocol, Protocol::PlainText);
    QVERIFY(m_book->update(QStringLiteral("Alice"), dialog.contact()).isEmpty());
    QCOMPARE(m_book->find(QStringLiteral("Alice"))->protocol, Protocol::PlainText);
}

void TestContactDialog::showsKeyFingerprint_data()
{
    QTest::addColumn<Messenger::Security>("security");
    QTest::addColumn<bool>("canMark");
    Messenger::Security none;
    Messenger::Security pinned;
    pinned.encrypted = true;
    pinned.fingerprint = QStringLiteral("11111 22222 33333 44444 55555 66666 77777 88888");
    Messenger::Security verified = pinned;
    verified.verified = true;
    Messenger::Security changed = pinned;
    changed.encrypted = false;
    changed.keyChanged = true;
    changed.newFingerprint = QStringLiteral("99999 00000 99999 00000 99999 00000 99999 00000");
    QTest::newRow("no key") << none << false;
    QTest::newRow("pinned") << pinned << true;
    QTest::newRow("verified") << verified << true;
    QTest::newRow("changed: trust first") << changed << false;
}

void TestContactDialog::showsKeyFingerprint()
{
    QFETCH(Messenger::Security, security);
    QFETCH(bool, canMark);
    const QString own = QStringLiteral("12345 12345 12345 12345 12345 12345 12345 12345");
    ContactDialog dialog(*m_book, *m_book->find(QStringLiteral("Alice")), QStringLiteral("Alice"));
    dialog.showKey(security, own);
    dialog.show();
    const QString shown = dialog.findChild<QLabel*>(QStringLiteral("fingerprint"))->text();
    auto* verified = dialog.findChild<QCheckBox*>(QStringLiteral("verified"));
    QCOMPARE(verified->isEnabled(), canMark);
    QCOMPARE(verified->isChecked(), security.verified);
    QCOMPARE(shown.contains(own), !security.fingerprint.isEmpty());
    if (!security.fingerprint.isEmpty())
        QVERIFY2(shown.contains(security.fingerprint), qPrintable(shown));
    if (!security.newFingerprint.isEmpty())
        QVERIFY2(shown.contains(security.newFingerprint), qPrintable(shown));
    if (canMark) {
        verified->click();
        QCOMPARE(dialog.markedVerified(), !security.verified);
    }
}

void TestContactDialog::refusesInvalidDottedQuads_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("valid");
    QTest::newRow("999.1.1.1") << QStringLiteral("999.1.1.1") << false;
    QTest::newRow("256.0.0.1") << QStringLiteral("256.0.0.1") << false;
    QTest::newRow("three numbers") << QStringLiteral("10.1.2") << false;
    QTest::newRow("five numbers") << QStringLiteral("10.1.2.3.4") << false;
    QTest::newRow("empty part") << QStringLiteral("10..2.3") << false;
    QTest::newRow("10.0.0.1") << QStringLiteral("10.0.0.1") << true;
    QTest::newRow("255.255.255.254") << QStringLiteral("255.255.255.254") << true;
}

void TestContactDialog::refusesInvalidDottedQuads()
{
    QFETCH(QString, host);
    QFETCH(bool, valid);
    ContactDialog dialog(*m_book, {});
    type(dialog, QStringLiteral("name"), QStringLiteral("Bob"));
    type(dialog, QStringLiteral("host"), host);
    type(dialog, QStringLiteral("port"), QStringLiteral("2425"));
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
    QCOMPARE(ok->isEnabled(), valid);
    QCOMPARE(error->isVisibleTo(&dialog), !valid);
    if (!valid)
        QVERIFY2(error->text().contains(host), qPrintable(error->text()));
}

void TestContactDialog::unresolvableHostIsAcceptedWithWarning()
{
    ContactDialog dialog(*m_book, {});
    dialog.show();
    type(dialog, QStringLiteral("name"), QStringLiteral("Bob"));
    type(dialog, QStringLiteral("port"), QStringLiteral("2425"));
    // .invalid never resolves (RFC 6761).
    type(dialog, QStringLiteral("host"), QStringLiteral("nobody-here.invalid"));
    auto* warning = dialog.findChild<QLabel*>(QStringLiteral("warning"));
    QVERIFY(warning);
    QTRY_VERIFY(warning->isVisible());
    QVERIFY(warning->text().contains(QStringLiteral("nobody-here.invalid")));
    QVERIFY(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    // A name that resolves takes the warning away.
    type(dialog, QStringLiteral("host"), QStringLiteral("localhost"));
    QVERIFY(!warning->isVisible());
}

void TestContactDialog::emptyNameIsSaidOnlyAfterTyping()
{
    Contact prefill;
    prefill.host = QStringLiteral("192.0.2.9");
    prefill.port = 2425;
    ContactDialog dialog(*m_book, prefill);
    dialog.show();
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
    auto* name = dialog.findChild<QLineEdit*>(QStringLiteral("name"));
    QVERIFY(!ok->isEnabled());
    QVERIFY(!error->isVisible());
    QTest::keyClicks(name, QStringLiteral("x"));
    QVERIFY(ok->isEnabled());
    QTest::keyClick(name, Qt::Key_Backspace);
    QVERIFY(!ok->isEnabled());
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(QStringLiteral("name")), qPrintable(error->text()));
}

void TestContactDialog::prefilledNameIsReplacedByTyping()
{
    Contact prefill;
    prefill.name = QStringLiteral("carol-laptop");
    prefill.host = QStringLiteral("192.0.2.9");
    prefill.port = 2425;
    ContactDialog dialog(*m_book, prefill);
    dialog.show();
    dialog.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    auto* name = dialog.findChild<QLineEdit*>(QStringLiteral("name"));
    QCOMPARE(QApplication::focusWidget(), name);
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("Carol"));
    QCOMPARE(name->text(), QStringLiteral("Carol"));
    QCOMPARE(dialog.contact().name, QStringLiteral("Carol"));
}

QTEST_MAIN(TestContactDialog)
#include "tst_contactdialog.moc"
