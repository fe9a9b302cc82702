// Full-text search against the size of the history (issue 12): stores N messages through History (so the indexes are
// kept up to date in each transaction, as in use), reopens the file, and times the first page (50
// results) of searches: a Latin word in 0.1 % of the messages, a two-character Chinese word in 0.1 %, and for
// comparison a common Chinese character and a common English word. Prints one line of key=value figures (medians of
// several runs after the first, and the first, cold, run); exits 1 when a search found the wrong messages.
//
//   pigeon_bench_search N

#include "benchutil.h"

#include "history.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QRandomGenerator>

#include <algorithm>

namespace {

constexpr int DeadlineMs = 600'000; // building and searching together
constexpr int Runs = 7;
constexpr int RareEvery = 1000; // the rare words are in one message in 1 000

// Office chat in two languages: English sentences from a small vocabulary, Chinese from common characters. Neither
// contains the rare words "zanzibar" and "琵琶" (no 琵 or 琶 at all).
const QStringList English =
    QStringLiteral("the a to and of we you it is in for on at this that meeting report slides lunch noon "
                   "today tomorrow please bring send check build test release project budget team "
                   "office room notes file folder shared printer coffee later thanks ok sure done "
                   "review code bug fix deploy server network laptop call agenda minutes update plan")
        .split(u' ');
const QString Chinese = QStringLiteral("我们你他的了是在有会不这个人上来到时大地为子中说生国年着就那和要她出也得里后"
                                       "自以天下午开议讨论项目进度请家准参室二楼带笔记本电脑报告明发布新版测试通过吗"
                                       "文件夹共享已经周五改好");

QString textOf(qint64 i, QRandomGenerator& random)
{
    QString text;
    if (i % 3 == 0) {
        const int n = 6 + int(random.bounded(30));
        for (int k = 0; k < n; ++k)
            text += Chinese.at(random.bounded(Chinese.size()));
    } else {
        const int n = 5 + int(random.bounded(15));
        for (int k = 0; k < n; ++k)
            text += (k ? u" "_qs : QString()) + English.at(random.bounded(English.size()));
    }
    // The rare words, each in one message in 1 000 (not the same ones).
    if (i % RareEvery == 7)
        text += u" zanzibar"_qs;
    if (i % RareEvery == 501)
        text += u"，琵琶"_qs;
    return text;
}

struct Timing {
    double firstMs = 0;
    double medianMs = 0;
    qsizetype hits = 0;
};

Timing time(History& history, const QString& query)
{
    Timing t;
    QList<double> runs;
    for (int r = 0; r < Runs; ++r) {
        QElapsedTimer clock;
        clock.start();
        const SearchPage page = history.search(query);
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        if (!history.error().isEmpty())
            bench::fail(history.error().toUtf8());
        t.hits = page.hits.size();
        if (r == 0)
            t.firstMs = ms;
        else
            runs.append(ms);
    }
    std::sort(runs.begin(), runs.end());
    t.medianMs = runs.at(runs.size() / 2);
    return t;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    bool ok = false;
    const qint64 n = app.arguments().value(1).toLongLong(&ok);
    if (!ok || n <= 0) {
        std::fprintf(stderr, "usage: pigeon_bench_search N\n");
        return 2;
    }
    QTemporaryDir dir(bench::scratchTemplate());
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    QElapsedTimer clock;
    clock.start();
    qint64 stored = 0;
    {
        History history;
        if (!history.open(path))
            bench::fail(history.error().toUtf8());
        QRandomGenerator random(12);
        for (qint64 i = 0; i < n && clock.elapsed() < DeadlineMs; ++i) {
            Message m;
            m.peer = QStringLiteral("peer%1").arg(i % 50);
            m.text = textOf(i, random);
            m.remote = QStringLiteral("127.0.1.%1:2425").arg(i % 50);
            m.direction = i % 2 ? Direction::Outgoing : Direction::Incoming;
            m.state = i % 2 ? MessageState::Delivered : MessageState::Received;
            m.time = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000 + i * 1000, Qt::UTC);
            if (!history.append(m))
                bench::fail(history.error().toUtf8());
            // Large batches: what is measured here is the search; `pigeon_bench history` times appends as the engine
            // commits them. Each batch waits for its fsync, which on a shared disk took most of the time.
            if (++stored % 8192 == 0 && !history.commit())
                bench::fail(history.error().toUtf8());
        }
        if (!history.commit())
            bench::fail(history.error().toUtf8());
    }
    const double storeSecs = double(clock.nsecsElapsed()) / 1e9;
    History history;
    if (!history.open(path))
        bench::fail(history.error().toUtf8());
    const qint64 rare = (stored + RareEvery - 1 - 7) / RareEvery;
    const qint64 rareChinese = (stored + RareEvery - 1 - 501) / RareEvery;
    const Timing latin = time(history, QStringLiteral("Zanzibar"));
    const Timing chinese = time(history, QStringLiteral("琵琶"));
    const Timing common = time(history, QStringLiteral("会"));
    const Timing word = time(history, QStringLiteral("meeting"));
    const auto page = [](qint64 matches) {
        return std::min<qint64>(matches, History::SearchPageSize);
    };
    const bool right = latin.hits == page(rare) && chinese.hits == page(rareChinese) &&
                       common.hits == page(stored / 20) && word.hits == page(stored / 20);
    const auto ms = [](double v) {
        return QByteArray::number(v, 'f', 2);
    };
    bench::emitLine("figure=search messages=" + QByteArray::number(stored) +
                    " store_per_s=" + QByteArray::number(qRound64(double(stored) / storeSecs)) +
                    " file_mb=" + QByteArray::number(double(QFileInfo(path).size()) / 1e6, 'f', 1) +
                    " latin_ms=" + ms(latin.medianMs) + " latin_first_ms=" + ms(latin.firstMs) +
                    " chinese2_ms=" + ms(chinese.medianMs) + " chinese2_first_ms=" + ms(chinese.firstMs) +
                    " common1_ms=" + ms(common.medianMs) + " common_word_ms=" + ms(word.medianMs) +
                    " hits=" + QByteArray::number(latin.hits) + "," + QByteArray::number(chinese.hits) + "," +
                    QByteArray::number(common.hits) + "," + QByteArray::number(word.hits) +
                    " right=" + (right ? "yes" : "no"));
    return right ? 0 : 1;
}
