// Received names are only names (issue 10): every kind of hostile name is refused with a reason, plain ones pass.

#include "safename.h"

#include <QTest>

class TestSafeName final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void component_data();
    void component();
    void path_data();
    void path();
    void manifest_data();
    void manifest();
};

void TestSafeName::component_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("plain") << u"report.pdf"_qs << true;
    QTest::newRow("Chinese") << u"报告 2024.docx"_qs << true;
    QTest::newRow("leading dot") << u".profile"_qs << true;
    QTest::newRow("255 bytes") << QString(255, u'a') << true;
    QTest::newRow("85 three-byte characters") << QString(85, QChar(0x4e2d)) << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("dot") << u"."_qs << false;
    QTest::newRow("dot-dot") << u".."_qs << false;
    QTest::newRow("slash") << u"a/b"_qs << false;
    QTest::newRow("backslash") << u"a\\b"_qs << false;
    QTest::newRow("drive letter") << u"C:"_qs << false;
    QTest::newRow("data stream") << u"file.txt:hidden"_qs << false;
    QTest::newRow("256 bytes") << QString(256, u'a') << false;
    QTest::newRow("86 three-byte characters") << QString(86, QChar(0x4e2d)) << false;
    QTest::newRow("newline") << u"a\nb"_qs << false;
    QTest::newRow("NUL") << QString(u"a" + QString(QChar(0)) + u"b") << false;
    QTest::newRow("escape") << u"\x1b[31mred"_qs << false;
    QTest::newRow("DEL") << u"a\x7f"_qs << false;
    QTest::newRow("C1 control") << QString(u"a" + QString(QChar(0x9b)) + u"b") << false;
    QTest::newRow("CON") << u"CON"_qs << false;
    QTest::newRow("nul with extension") << u"nul.txt"_qs << false;
    QTest::newRow("com1") << u"com1"_qs << false;
    QTest::newRow("LPT9.log") << u"LPT9.log"_qs << false;
    QTest::newRow("CONOUT$") << u"CONOUT$"_qs << false;
    QTest::newRow("trailing dot") << u"name."_qs << false;
    QTest::newRow("trailing space") << u"name "_qs << false;
    QTest::newRow("COM10 is no device") << u"COM10"_qs << true;
    QTest::newRow("console is no device") << u"console.txt"_qs << true;
}

void TestSafeName::component()
{
    QFETCH(QString, name);
    QFETCH(bool, accepted);
    const QString why = safename::checkComponent(name);
    QCOMPARE(why.isEmpty(), accepted);
}

void TestSafeName::path_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("one component") << u"a"_qs << true;
    QTest::newRow("nested") << u"a/b/c.txt"_qs << true;
    QTest::newRow("absolute") << u"/etc/passwd"_qs << false;
    QTest::newRow("backslash absolute") << u"\\Windows\\evil"_qs << false;
    QTest::newRow("drive letter") << u"C:/evil"_qs << false;
    QTest::newRow("dot-dot inside") << u"a/../../evil"_qs << false;
    QTest::newRow("empty component") << u"a//b"_qs << false;
    QTest::newRow("trailing slash") << u"a/"_qs << false;
    QTest::newRow("over 4096 bytes") << QStringList(20, QString(250, u'a')).join(u'/') << false;
}

void TestSafeName::path()
{
    QFETCH(QString, path);
    QFETCH(bool, accepted);
    QCOMPARE(safename::checkPath(path).isEmpty(), accepted);
}

void TestSafeName::manifest_data()
{
    QTest::addColumn<QString>("root");
    QTest::addColumn<QStringList>("paths"); // folders end in '/'
    QTest::addColumn<bool>("accepted");
    QTest::newRow("one file") << u"a.txt"_qs << QStringList{u"a.txt"_qs} << true;
    QTest::newRow("a folder") << u"box"_qs << QStringList{u"box/"_qs, u"box/in/"_qs, u"box/in/x"_qs} << true;
    QTest::newRow("another top level") << u"box"_qs << QStringList{u"box/"_qs, u"other"_qs} << false;
    QTest::newRow("under another folder") << u"box"_qs << QStringList{u"box/"_qs, u"other/x"_qs} << false;
    QTest::newRow("child before its folder")
        << u"box"_qs << QStringList{u"box/"_qs, u"box/in/x"_qs, u"box/in/"_qs} << false;
    QTest::newRow("under a file") << u"box"_qs << QStringList{u"box/"_qs, u"box/f"_qs, u"box/f/x"_qs} << false;
    QTest::newRow("twice") << u"box"_qs << QStringList{u"box/"_qs, u"box/x"_qs, u"box/x"_qs} << false;
    QTest::newRow("twice by case") << u"box"_qs << QStringList{u"box/"_qs, u"box/x"_qs, u"box/X"_qs} << false;
    QTest::newRow("parent spelled in another case")
        << u"box"_qs << QStringList{u"box/"_qs, u"box/a.txt"_qs, u"boX/sub/"_qs} << false;
    QTest::newRow("bad root") << u".."_qs << QStringList{u"../"_qs} << false;
}

void TestSafeName::manifest()
{
    QFETCH(QString, root);
    QFETCH(QStringList, paths);
    QFETCH(bool, accepted);
    QList<filewire::Entry> entries;
    for (QString path : std::as_const(paths)) {
        const bool folder = path.endsWith(u'/');
        if (folder)
            path.chop(1);
        entries.append({path, folder, 0, folder ? QByteArray() : QByteArray(32, 'h')});
    }
    const QString why = safename::checkManifest(root, entries);
    QVERIFY2(why.isEmpty() == accepted, qPrintable(why));
}

QTEST_GUILESS_MAIN(TestSafeName)
#include "tst_safename.moc"
