#include "contactdialog.h"

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
    QTest::addColumn<QString>("reasonMentions");
    QTest::newRow("duplicate name") << QStringLiteral("alice") << QStringLiteral("192.0.2.8") << QStringLiteral("2425")
                                    << QStringLiteral("Alice");
    QTest::newRow("empty name") << QString() << QStringLiteral("192.0.2.8") << QStringLiteral("2425")
                                << QStringLiteral("name");
    QTest::newRow("bad address") << QStringLiteral("Bob") << QStringLiteral("192.0.2.") << QStringLiteral("2425")
                                 << QStringLiteral("192.0.2.");
    QTest::newRow("spaces in host") << QStringLiteral("Bob") << QStringLiteral("my pc") << QStringLiteral("2425")
                                    << QStringLiteral("my pc");
    QTest::newRow("no host") << QStringLiteral("Bob") << QString() << QStringLiteral("2425") << QStringLiteral("host");
    QTest::newRow("port too high") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("65536")
                                   << QStringLiteral("65536");
    QTest::newRow("port zero") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("0")
                               << QStringLiteral("65535");
    QTest::newRow("port not a number") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("24x5")
                                       << QStringLiteral("number");
}

void TestContactDialog::refusesBadInput()
{
    QFETCH(QString, name);
    QFETCH(QString, host);
    QFETCH(QString, port);
    QFETCH(QString, reasonMentions);
    ContactDialog dialog(*m_book, Contact{});
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    type(dialog, QStringLiteral("name"), name);
    type(dialog, QStringLiteral("host"), host);
    type(dialog, QStringLiteral("port"), port);
    auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    auto* error = dialog.findChild<QLabel*>(QStringLiteral("error"));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(reasonMentions, Qt::CaseInsensitive), qPrintable(error->text()));
    QCOMPARE(error->text(), dialog.problem());
}

void TestContactDialog::acceptsGoodInput_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("port");
    QTest::newRow("IPv4") << QStringLiteral("Bob") << QStringLiteral("192.0.2.8") << QStringLiteral("2425");
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
    dialog.show();
    type(dialog, QStringLiteral("name"), name);
    type(dialog, QStringLiteral("host"), host);
    type(dialog, QStringLiteral("port"), port);
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
    QVERIFY(dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY(!dialog.findChild<QLabel*>(QStringLiteral("error"))->isVisible());
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

QTEST_MAIN(TestContactDialog)
#include "tst_contactdialog.moc"
