// Start at login and start hidden (issue 14): the autostart entry is written to and removed from
// $XDG_CONFIG_HOME/autostart (a temporary folder here), desktop-file-validate accepts it and its Exec line starts the
// right profile; the settings dialog offers "start hidden" only where there is a tray.

#include "autostart.h"
#include "settingsdialog.h"

#include <QCheckBox>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestStartup final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void autostartEntry_data();
    void autostartEntry();
    void dialogChoices_data();
    void dialogChoices();

private:
    QTemporaryDir m_config;
};

void TestStartup::initTestCase()
{
    QVERIFY(m_config.isValid());
    qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
}

void TestStartup::autostartEntry_data()
{
    QTest::addColumn<QString>("profile");
    QTest::addColumn<QString>("exec");
    QTest::newRow("default profile") << QString() << QStringLiteral("Exec=pigeon");
    QTest::newRow("profile with a space")
        << QStringLiteral("/home/me/work profile") << QStringLiteral("Exec=pigeon --profile \"/home/me/work profile\"");
    // Desktop Entry Specification: \", \$ inside quotes, then every backslash doubled in the value.
    QTest::newRow("profile with quote and dollar")
        << QStringLiteral("/tmp/a\"b$c") << QStringLiteral("Exec=pigeon --profile \"/tmp/a\\\\\"b\\\\$c\"");
}

void TestStartup::autostartEntry()
{
    QFETCH(QString, profile);
    QFETCH(QString, exec);
    const QString path = m_config.filePath(QStringLiteral("autostart/pigeon.desktop"));
    QCOMPARE(autostart::entryPath(), path);
    QVERIFY(!autostart::isEnabled());

    QString error;
    QVERIFY2(autostart::setEnabled(true, profile, &error), qPrintable(error));
    QVERIFY(autostart::isEnabled());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
    QVERIFY2(lines.contains(exec), qPrintable(lines.join(u'\n')));
    QProcess validate;
    validate.start(QStringLiteral("desktop-file-validate"), {path});
    QVERIFY(validate.waitForFinished(10'000));
    QVERIFY2(validate.exitCode() == 0, validate.readAllStandardOutput().constData());

    QVERIFY2(autostart::setEnabled(false, profile, &error), qPrintable(error));
    QVERIFY(!QFile::exists(path));
    QVERIFY(!autostart::isEnabled());
}

void TestStartup::dialogChoices_data()
{
    QTest::addColumn<bool>("atLogin");
    QTest::addColumn<bool>("hidden");
    QTest::addColumn<bool>("tray");
    QTest::addColumn<bool>("hiddenShown"); // checked in the dialog
    QTest::newRow("both, with a tray") << true << true << true << true;
    QTest::newRow("hidden without a tray") << false << true << false << false;
    QTest::newRow("neither") << false << false << true << false;
}

void TestStartup::dialogChoices()
{
    QFETCH(bool, atLogin);
    QFETCH(bool, hidden);
    QFETCH(bool, tray);
    QFETCH(bool, hiddenShown);
    SettingsDialog dialog(QStringLiteral("Me"), QHostAddress(QHostAddress::Any), 2425, false, false);
    dialog.setStartup(atLogin, hidden, tray);
    auto* login = dialog.findChild<QCheckBox*>(QStringLiteral("startAtLogin"));
    auto* hiddenBox = dialog.findChild<QCheckBox*>(QStringLiteral("startHidden"));
    QVERIFY(login && hiddenBox);
    QCOMPARE(login->isChecked(), atLogin);
    QCOMPARE(hiddenBox->isChecked(), hiddenShown);
    QCOMPARE(hiddenBox->isEnabled(), tray);
    // Toggling by keyboard is what the dialog hands back.
    login->setFocus();
    QTest::keyClick(login, Qt::Key_Space);
    QCOMPARE(dialog.startAtLogin(), !atLogin);
    QCOMPARE(dialog.startHidden(), hiddenShown);
}

QTEST_MAIN(TestStartup)
#include "tst_startup.moc"
