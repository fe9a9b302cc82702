#pragma once

#include <QProcess>
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
