#pragma once

#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <cstdio>

// Small helpers shared by the benchmark programs: every figure is printed as one line of key=value pairs that
// run.sh collects, and every loop is bounded by a deadline as well as by its count.
namespace bench {

// Resident set size (VmRSS) and its peak (VmHWM) of this process, in KiB, from /proc/self/status.
struct Memory {
    qint64 rssKb = 0;
    qint64 peakKb = 0;
};

inline Memory memory()
{
    Memory m;
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return m;
    for (const QByteArray& line : status.readAll().split('\n')) {
        const auto value = [&line] {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        };
        if (line.startsWith("VmRSS:"))
            m.rssKb = value();
        else if (line.startsWith("VmHWM:"))
            m.peakKb = value();
    }
    return m;
}

// A fresh profile folder on disk, next to the build (not /tmp, which may be a RAM disk elsewhere): the history's
// fsyncs must hit the same kind of disk a user's profile lives on.
inline QString scratchTemplate()
{
    const QByteArray dir = qgetenv("PIGEON_BENCH_DIR");
    return (dir.isEmpty() ? QDir::currentPath() : QString::fromLocal8Bit(dir)) + QStringLiteral("/bench-XXXXXX");
}

// CPU time (user + system) this process has used, in microseconds: steadier than wall time on a busy machine.
inline qint64 cpuMicros()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000 + usage.ru_utime.tv_usec +
           usage.ru_stime.tv_usec;
}

inline void emitLine(const QByteArray& line)
{
    std::fputs(line.constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

[[noreturn]] inline void fail(const QByteArray& why)
{
    std::fprintf(stderr, "bench: %s\n", why.constData());
    std::exit(1);
}

} // namespace bench
