// Replays every fuzz seed and every input that once crashed a fuzz target (tests/fuzz/corpus/<target>/, the
// regression-* files) through the same checks as the libFuzzer targets, in every ordinary and sanitizer test run.

#include "checks.h"

#include <QDir>
#include <QFile>
#include <QTest>

class TestFuzzCorpus final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replay_data();
    void replay();
};

namespace {

using Check = QString (*)(QByteArrayView);

const struct {
    const char* target;
    Check check;
} Targets[] = {
    {"ipmsg", fuzzchecks::ipmsgPacket},     {"text", fuzzchecks::plainText},    {"fragment", fuzzchecks::fragments},
    {"contacts", fuzzchecks::contacts},     {"envelope", fuzzchecks::envelope}, {"keys", fuzzchecks::pinnedKeys},
    {"engine", fuzzchecks::engine},         {"file", fuzzchecks::filePayload},  {"group", fuzzchecks::groupPayload},
    {"ipmsgfiles", fuzzchecks::ipmsgFiles},
};

} // namespace

void TestFuzzCorpus::replay_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("target");
    for (int t = 0; t < int(std::size(Targets)); ++t) {
        const QDir dir(QStringLiteral(PIGEON_FUZZ_CORPUS "/") + QLatin1String(Targets[t].target));
        const QStringList files = dir.entryList(QDir::Files, QDir::Name);
        QVERIFY2(!files.isEmpty(), qPrintable(dir.path() + QStringLiteral(" holds no seeds")));
        for (const QString& file : files)
            QTest::addRow("%s/%s", Targets[t].target, qPrintable(file)) << dir.filePath(file) << t;
    }
}

void TestFuzzCorpus::replay()
{
    QFETCH(QString, path);
    QFETCH(int, target);
    QFile file(path);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    const QByteArray input = file.readAll();
    const QString broken = Targets[target].check(input);
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
}

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "tst_fuzzcorpus.moc"
