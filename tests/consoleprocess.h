#pragma once

#include <QHostAddress>
#include <QProcess>
#include <QString>
#include <QStringList>

// One `pigeon --console` process (PIGEON_BINARY) that a test drives: it types lines into the console's standard input
// and reads what the console printed on its standard output. The console runs in an English locale, so that its
// messages and sizes read as the tests expect.
struct ConsoleProcess {
    // Where the console listens.
    enum class Listen {
        Private,  // an address of its own in 127.0.0.0/8, on a port below the ephemeral range (privateListenArgs)
        Loopback, // 127.0.0.1, on a port that was free a moment ago
    };

    explicit ConsoleProcess(Listen where = Listen::Private);

    // Starts `pigeon --console --bind ADDRESS --port PORT --profile PROFILE EXTRA...` and waits (10 s) until it says
    // it is listening. Another process may take the port first; then the console exits with code 2 and this tries
    // again (5 times) on another port. False when it did not start, or exited otherwise.
    bool start(const QString& profile, const QStringList& extra = {});
    QHostAddress address() const;
    quint16 port() const;
    QString endpoint() const; // ADDRESS:PORT, as /add takes it
    // Everything the console printed so far, read as UTF-8.
    QString output();
    // Writes `line` and a line feed to its standard input.
    void type(const QString& line);
    // Closes its input, which makes it quit, and returns its exit code; -1 (which no test expects) when it hung for
    // 20 s (then it is killed) or crashed, so that a console that never exits fails the test well before CTest's
    // timeout.
    int finish();

    QProcess process;
    QStringList listen; // --bind ADDRESS --port PORT
    QByteArray out;     // what output() has read so far

private:
    QStringList chooseListen() const;

    Listen m_where;
};
