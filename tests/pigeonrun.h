#pragma once

#include <QHostAddress>
#include <QProcess>
#include <QRandomGenerator>
#include <QString>
#include <QStringList>

// What a pigeon process said and how it ended (exitCode -1: it crashed or had to be killed after a minute).
struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs the pigeon executable (PIGEON_BINARY) to its end, with `input` on its standard input.
inline Run runPigeon(const QStringList& args, const QByteArray& input = {},
                     const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(PIGEON_BINARY), args);
    process.write(input);
    process.closeWriteChannel();
    Run run;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

// `--bind ADDRESS --port PORT` for a console that must be able to listen: an address of its own in 127.0.0.0/8 (away
// from 127.0.0.1) and a port below Linux's ephemeral range (32768-60999), so that no other process's port 0 takes it
// between the choice and the bind (a port found free by binding and closing could be taken meanwhile).
inline QStringList privateListenArgs()
{
    QRandomGenerator* random = QRandomGenerator::global();
    const quint32 address =
        0x7f000000u | (100 + random->bounded(100u)) << 16 | random->bounded(250u) << 8 | (1 + random->bounded(250u));
    return {QStringLiteral("--bind"), QHostAddress(address).toString(), QStringLiteral("--port"),
            QString::number(20000 + random->bounded(10000u))};
}
