#include "consoleprocess.h"

#include "pigeonrun.h"

#include <QTest>
#include <QUdpSocket>

ConsoleProcess::ConsoleProcess(Listen where)
    : m_where(where)
{
    listen = chooseListen();
}

QStringList ConsoleProcess::chooseListen() const
{
    if (m_where == Listen::Private)
        return privateListenArgs();
    QUdpSocket probe;
    probe.bind(QHostAddress(QHostAddress::LocalHost), 0);
    return {QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--port"),
            QString::number(probe.localPort())};
}

bool ConsoleProcess::start(const QString& profile, const QStringList& extra)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    env.insert(QStringLiteral("LANGUAGE"), QStringLiteral("en"));
    process.setProcessEnvironment(env);
    process.setProgram(QStringLiteral(PIGEON_BINARY));
    constexpr int Attempts = 5;
    for (int attempt = 0; attempt < Attempts; ++attempt) {
        if (attempt > 0)
            listen = chooseListen();
        out.clear();
        process.setArguments(QStringList{QStringLiteral("--console")} + listen +
                             QStringList{QStringLiteral("--profile"), profile} + extra);
        process.start();
        if (!process.waitForStarted(5000))
            return false;
        const bool listening = QTest::qWaitFor(
            [this] {
                return output().contains(QStringLiteral("listening")) || process.state() == QProcess::NotRunning;
            },
            10000);
        if (listening && output().contains(QStringLiteral("listening")))
            return true;
        const bool exited = process.state() == QProcess::NotRunning || process.waitForFinished(5000);
        const bool portTaken = exited && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 2;
        if (!portTaken) {
            qWarning("the console neither listened nor exited with code 2 (port taken)");
            return false;
        }
        qWarning("port %u was taken meanwhile; trying another", unsigned(port()));
    }
    return false;
}

QHostAddress ConsoleProcess::address() const
{
    return QHostAddress(listen.at(1));
}

quint16 ConsoleProcess::port() const
{
    return quint16(listen.at(3).toUInt());
}

QString ConsoleProcess::endpoint() const
{
    return listen.at(1) + u':' + listen.at(3);
}

QString ConsoleProcess::output()
{
    out += process.readAllStandardOutput();
    return QString::fromUtf8(out);
}

void ConsoleProcess::type(const QString& line)
{
    process.write((line + u'\n').toUtf8());
}

int ConsoleProcess::finish()
{
    process.closeWriteChannel();
    const bool exited = process.waitForFinished(20000);
    if (!exited) {
        qWarning("the console did not exit within 20 s of the end of its input; killing it");
        process.kill();
        process.waitForFinished(5000);
    }
    output();
    if (!exited || process.exitStatus() != QProcess::NormalExit)
        return -1;
    return process.exitCode();
}
